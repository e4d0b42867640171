-- The records of one Delta table version (its data files), sorted by id.
select *
from read_parquet($files, union_by_name = true)
order by id
