-- What one batch landed: all rows, distinct live ids, tombstones.
select
    count(*) as row_count,
    count(distinct id) filter (where not _deleted) as live_ids,
    count(*) filter (where _deleted) as tombstones
from read_parquet($files, union_by_name = true)
