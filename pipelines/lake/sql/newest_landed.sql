-- The newest landed row of every id of a landing batch (a window pulled twice, the catch-up pass and
-- reconciliation re-reads can land one id more than once), for a table that has no rows yet.
select * exclude (_rank)
from (
    select *, row_number() over (partition by id order by _extracted_at desc) as _rank
    from read_parquet($landing, union_by_name = true)
)
where _rank = 1
