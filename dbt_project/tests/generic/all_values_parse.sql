{#-
    Fails (errors) when any value of any column of the model does not parse.

    Staging views raise on unparseable values (macros/healthie/types.sql), but DuckDB prunes the
    columns a query does not read, so a bad value in a column no mart selects would never be seen.
    Hashing the whole row makes every column's parser run over every row. A row only "fails" here if
    its hash is 0; the test's real job is to surface the parse error before any mart is built.
-#}
{% test all_values_parse(model) %}
select *
from {{ model }} as checked_row
where hash(checked_row) = 0
{% endtest %}
