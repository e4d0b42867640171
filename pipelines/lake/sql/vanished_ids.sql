-- Ids a complete full pull did not see: in the table, last read before the pull began ($started_at),
-- and absent from everything the pull landed. A record a webhook re-read during the pull is newer
-- than the start and stays. Anti-joins spill to disk, so memory stays flat however large the stream.
select current.id
from read_parquet($current, union_by_name = true) as current
anti join read_parquet($landing, union_by_name = true) as landed on landed.id = current.id
where current._extracted_at < $started_at
order by current.id
