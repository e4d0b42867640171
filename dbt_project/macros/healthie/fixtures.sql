{#-
    Unit-test fixtures for the lake sources. dbt types dict fixtures by looking up the input relation in
    the database, which a Delta table read through `read_parquet` is not; this renders `format: sql`
    fixtures instead, typed from macros/healthie/lake_schema.sql. A fixture is the table's current state
    (one row per id). Columns a row leaves out are null, except the bookkeeping ones: a row written by
    one batch unless the row says otherwise. Values: strings, numbers, booleans, and dicts / lists for
    STRUCT and LIST columns (cast through JSON).

        given:
          - input: source('healthie', 'entries')
            format: sql
            rows: "{{ healthie_lake_fixture('entries', [{'id': '1', '_extracted_at': '2024-01-01 00:00:00+00'}]) }}"
-#}
{% macro healthie_lake_fixture(stream, rows) -%}
    {%- set columns = healthie_lake_columns(stream) -%}
    {%- set defaults = {'_extracted_at': '2024-01-01 00:00:00+00', '_sync_id': 'fixture-batch', '_row_hash': 0} -%}
    {%- for row in rows %}
    select
        {%- for name, data_type in columns %}
        {{ healthie_fixture_value(row.get(name, defaults.get(name)), data_type) }} as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    {{ "union all" if not loop.last }}
    {%- endfor %}
    {%- if rows | length == 0 %}
    {{ healthie_empty_stream(stream) }}
    {%- endif %}
{%- endmacro %}


{% macro healthie_fixture_value(value, data_type) -%}
    {%- if value is none -%}
        cast(null as {{ data_type }})
    {%- elif value is sameas true or value is sameas false -%}
        cast({{ value | string | lower }} as {{ data_type }})
    {%- elif value is number -%}
        cast({{ value }} as {{ data_type }})
    {%- elif value is string -%}
        cast('{{ value | replace("'", "''") }}' as {{ data_type }})
    {%- else -%}
        cast(cast('{{ tojson(value) | replace("'", "''") }}' as json) as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
