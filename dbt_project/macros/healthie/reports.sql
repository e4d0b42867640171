{#-
    The day reports measure ages against ("as of"): the UTC date the dbt run started, so a nightly
    build ages open claims, invoices and tasks to the day it ran, and a webhook refresh that rebuilds a
    report re-ages it to that day. Pin it with `--vars '{report_as_of: "2024-03-10"}'` to reproduce a
    past report (or, in tests, to make ages exact). Every aging report carries it as `as_of_date`.
-#}
{% macro healthie_report_as_of() -%}
    {%- set pinned = var('report_as_of', none) -%}
    {%- if pinned is not none -%}
        cast('{{ pinned | string | replace("'", "''") }}' as date)
    {%- else -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d") }}' as date)
    {%- endif -%}
{%- endmacro %}


{#-
    Age buckets of `days` (a whole number of days) bounded by `limits` (inclusive upper ends):
    [30, 60, 90, 120] gives 0-30, 31-60, 61-90, 91-120 and 120+, as accounts-receivable reports count.
    Negative ages (dated after the as-of day) fall in the first bucket. `healthie_age_bucket_start`
    is the bucket's first day (0, 31, 61, ...), for sorting.
-#}
{% macro healthie_age_bucket(days, limits) -%}
    case
        when {{ days }} is null then null
        {%- for limit in limits %}
        when {{ days }} <= {{ limit }} then '{{ 0 if loop.first else limits[loop.index0 - 1] + 1 }}-{{ limit }}'
        {%- endfor %}
        else '{{ limits[-1] }}+'
    end
{%- endmacro %}


{% macro healthie_age_bucket_start(days, limits) -%}
    case
        when {{ days }} is null then null
        {%- for limit in limits %}
        when {{ days }} <= {{ limit }} then {{ 0 if loop.first else limits[loop.index0 - 1] + 1 }}
        {%- endfor %}
        else {{ limits[-1] + 1 }}
    end
{%- endmacro %}
