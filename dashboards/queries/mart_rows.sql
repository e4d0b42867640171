-- Rows of one mart, named by the catalog ($table_name is `marts.<name>`, from warehouse_marts).
select count(*) as row_count
from query_table($table_name)
