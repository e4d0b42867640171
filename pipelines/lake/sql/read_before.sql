-- Ids of the table last read before $started_at: everything a complete pull that landed no row at
-- all (the stream is empty in the source now) has seen vanish.
select id
from read_parquet($current, union_by_name = true)
where _extracted_at < $started_at
order by id
