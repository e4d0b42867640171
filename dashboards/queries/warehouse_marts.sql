-- The mart tables the published file holds (a missing or half-made file holds none).
select table_name
from duckdb_tables()
where database_name = current_database()
  and schema_name = 'marts'
order by table_name
