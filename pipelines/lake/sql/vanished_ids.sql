-- Ids a complete full pull did not see: live in the current view and last read before the sync started.
-- Every row the pull landed was read after the start, so any id it saw has a newer row and drops out;
-- so does any id a webhook change batch re-read during the sync. A GROUP BY (not a window function) so
-- DuckDB can spill to disk and memory stays flat however large the stream.
select id
from read_parquet($files, union_by_name = true)
group by id
having not arg_max(_deleted, (_extracted_at, _sync_id)) and max(_extracted_at) < $started_at
order by id
