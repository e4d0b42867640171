{#-
    Schemas are a contract (`staging`, `marts`): analysts and BI tools query `marts.fct_appointments`.
    dbt's default would prefix the target schema (`main_marts`), so a configured schema is used verbatim.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
