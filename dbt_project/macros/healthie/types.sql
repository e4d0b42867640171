{#-
    Typing Healthie's raw strings. Every parser fails loudly: a value that is set but does not parse
    raises an error naming the model and column (never the value: it may be PHI) instead of becoming
    null, so a format change in Healthie stops the build rather than silently emptying a mart.
    Blank strings count as unset.
-#}

{#-
    Healthie's timestamp styles: `2020-05-08 21:00:00 UTC`, `2022-08-03 09:55:55 -0400`, ISO 8601
    (`2022-08-03T09:55:55Z`, `2022-08-03T09:55:55.123-07:00`). Zone-bearing styles are converted to UTC;
    the zone-less ones (`...Z` read as a literal, and bare local-less values) are taken as UTC already.
    `%Z` (a zone name) must be the last format tried: DuckDB gives up on a format list after it.
-#}
{% macro healthie_zoned_timestamp_formats() -%}
    {{- return([
        '%Y-%m-%d %H:%M:%S %z', '%Y-%m-%d %H:%M:%S.%n %z',
        '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%d %H:%M:%S.%n%z',
        '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%n%z',
        '%Y-%m-%d %H:%M:%S %Z', '%Y-%m-%d %H:%M:%S.%n %Z',
    ]) -}}
{%- endmacro %}

{% macro healthie_utc_timestamp_formats() -%}
    {{- return([
        '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%nZ',
        '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%S.%n',
        '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%n',
    ]) -}}
{%- endmacro %}


{#- A Healthie timestamp string as a naive TIMESTAMP in UTC. `name` is the output column, for the message. -#}
{% macro healthie_timestamp(column, name) -%}
    {%- set value = "nullif(trim(" ~ column ~ "), '')" -%}
    {#- Microseconds (TIMESTAMP, not the TIMESTAMP_NS that `%n` yields): what BI drivers read. -#}
    cast(case
        when {{ value }} is null then null
        else coalesce(
            timezone('UTC', try_strptime({{ value }}, {{ healthie_sql_list(healthie_zoned_timestamp_formats()) }})),
            try_strptime({{ value }}, {{ healthie_sql_list(healthie_utc_timestamp_formats()) }}),
            error({{ healthie_failure_message(name, "is not a Healthie timestamp (expected '2020-05-08 21:00:00 UTC', '2022-08-03 09:55:55 -0400' or ISO 8601)") }})
        )
    end as timestamp)
{%- endmacro %}


{#- A calendar date (`YYYY-MM-DD`), e.g. a date of birth. -#}
{% macro healthie_date(column, name) -%}
    {%- set value = "nullif(trim(" ~ column ~ "), '')" -%}
    case
        when {{ value }} is null then null
        else coalesce(
            cast(try_strptime({{ value }}, '%Y-%m-%d') as date),
            error({{ healthie_failure_message(name, "is not a date (expected YYYY-MM-DD)") }})
        )
    end
{%- endmacro %}


{#-
    Money: Healthie sends decimal strings ("1234.00"). Kept exact as DECIMAL(18,2); a value with
    more than two significant decimals, a currency sign or separators fails rather than being rounded.
-#}
{% macro healthie_money(column, name) -%}
    {%- set value = "nullif(trim(" ~ column ~ "), '')" -%}
    case
        when {{ value }} is null then null
        when regexp_full_match({{ value }}, '-?[0-9]{1,16}([.][0-9]{0,2}0*)?') then cast({{ value }} as decimal(18, 2))
        else error({{ healthie_failure_message(name, "is not a decimal amount with at most 2 decimals (expected e.g. '1234.00')") }})
    end
{%- endmacro %}


{#-
    A calendar day from either a date (`YYYY-MM-DD`, taken as is) or a timestamp in any Healthie style
    (converted to UTC first, then truncated). Claims' and invoices' service dates come either way.
-#}
{% macro healthie_day(column, name) -%}
    {%- set value = "nullif(trim(" ~ column ~ "), '')" -%}
    case
        when {{ value }} is null then null
        when regexp_full_match({{ value }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') then coalesce(
            cast(try_strptime({{ value }}, '%Y-%m-%d') as date),
            error({{ healthie_failure_message(name, "is not a date (expected YYYY-MM-DD)") }})
        )
        else cast({{ healthie_timestamp(column, name) }} as date)
    end
{%- endmacro %}


{#-
    Money Healthie sends as a GraphQL Float (an invoice's `balance_due`, `write_off_amount`): rounded to
    cents and kept as DECIMAL(18,2) from there on, so sums stay exact. NaN and infinities fail.
-#}
{% macro healthie_float_money(column, name) -%}
    case
        when {{ column }} is null then null
        when isfinite({{ column }}) then cast(round({{ column }}, 2) as decimal(18, 2))
        else error({{ healthie_failure_message(name, "is not a finite amount") }})
    end
{%- endmacro %}


{#- A quantity sent as a string (a claim line's `units`: "1", "2.5"): DOUBLE, failing when not a number. -#}
{% macro healthie_number(column, name) -%}
    {%- set value = "nullif(trim(" ~ column ~ "), '')" -%}
    case
        when {{ value }} is null then null
        else coalesce(
            try_cast({{ value }} as double),
            error({{ healthie_failure_message(name, "is not a number") }})
        )
    end
{%- endmacro %}


{% macro healthie_failure_message(name, problem) -%}
    '{{ this.identifier }}.{{ name }}: a value {{ problem | replace("'", "''") }}'
{%- endmacro %}


{% macro healthie_sql_list(values) -%}
    [{% for value in values %}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro %}
