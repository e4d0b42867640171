-- The marts that record which batch wrote each row: every `marts` table with a `_sync_id` (and the
-- `_extracted_at` beside it), found in the catalog so a new fact mart shows on the page by itself.
select table_name
from information_schema.columns
where table_catalog = current_database()
  and table_schema = 'marts'
  and column_name in ('_sync_id', '_extracted_at')
group by table_name
having count(distinct column_name) = 2
order by table_name
