-- The newest landed row of every id that the table lacks or holds with other content (`_row_hash`):
-- the only rows a MERGE of a full pull must write. Unchanged records stay untouched.
with newest as (
    select * exclude (_rank)
    from (
        select *, row_number() over (partition by id order by _extracted_at desc) as _rank
        from read_parquet($landing, union_by_name = true)
    )
    where _rank = 1
)
select newest.*
from newest
anti join read_parquet($current, union_by_name = true) as current
    on current.id = newest.id and current._row_hash = newest._row_hash
