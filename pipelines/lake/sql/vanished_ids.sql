-- Ids a complete full pull did not see: live in the current view and last read before the sync started.
-- Every row the pull landed was read after the start, so any id it saw has a newer row and drops out;
-- so does any id a webhook change batch re-read during the sync.
with newest as (
    select id, _deleted, _extracted_at
    from read_parquet($files, union_by_name = true)
    qualify row_number() over (partition by id order by _extracted_at desc, _sync_id desc) = 1
)
select id
from newest
where not _deleted and _extracted_at < $started_at
order by id
