-- The live state of a stream: newest row per id (by _extracted_at, then _sync_id), tombstones dropped.
select * exclude (_rank)
from (
    select
        *,
        row_number() over (partition by id order by _extracted_at desc, _sync_id desc) as _rank
    from read_parquet($files, union_by_name = true)
)
where _rank = 1 and not _deleted
order by id
