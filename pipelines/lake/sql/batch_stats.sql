-- What one landing batch holds: all rows, distinct ids.
select
    count(*) as row_count,
    count(distinct id) as live_ids
from read_parquet($files, union_by_name = true)
