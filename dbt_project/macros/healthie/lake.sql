{#-
    Reading the raw lake. Staging models never call `source('healthie', ...)` directly: they read
    `healthie_live_rows(stream)`, the stream's Delta table (its current state) minus soft-deleted records.
    The source renders as `read_parquet(delta_files('<lake_root>/<stream>'), union_by_name = true)`:
    `delta_files()` comes from the dbt-duckdb plugin pipelines/lake/dbt_plugin.py and returns the data
    files of the table's current version, the same list for every model of one dbt process.
-#}

{#- The source node of one stream: the lake root lives in its meta. -#}
{% macro healthie_source_node(stream) -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == 'healthie' and node.name == stream -%}
            {{- return(node) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- exceptions.raise_compiler_error("No source healthie." ~ stream ~ " in _healthie__sources.yml") -}}
{%- endmacro %}


{#- The Delta table of one stream; the same path as the source's `external_location` reads. -#}
{% macro healthie_lake_table_path(stream) -%}
    {{- healthie_source_node(stream).meta.lake_root ~ '/' ~ stream -}}
{%- endmacro %}


{#-
    A relation over the current rows of a stream. A stream whose table does not exist yet (a new install,
    or a stream the first sync has not reached) or holds no data file reads as an empty relation typed
    from macros/healthie/lake_schema.sql: DuckDB's read_parquet fails on an empty file list, and one
    missing stream must not fail the models of the others. Its staging view is simply empty until the
    next build after the table gets rows. Unit tests substitute fixtures for the source, used as given.
-#}
{% macro healthie_lake(stream) -%}
    {%- set relation = source('healthie', stream) -%}
    {%- if execute and relation.external is not none and not healthie_lake_has_files(stream) -%}
        {{- log("healthie lake: no data files for stream '" ~ stream ~ "' yet; it reads as empty", info=true) -}}
        ({{ healthie_empty_stream(stream) }})
    {%- else -%}
        {{- relation -}}
    {%- endif -%}
{%- endmacro %}


{#- Whether the stream's table version this build reads has data files (the plugin pins the list). -#}
{% macro healthie_lake_has_files(stream) -%}
    {%- set path = healthie_lake_table_path(stream) | replace("'", "''") -%}
    {%- set found = run_query("select len(delta_files('" ~ path ~ "'))") -%}
    {{- return(found.columns[0].values()[0] > 0) -}}
{%- endmacro %}


{#- Zero rows with the lake's columns and types (macros/healthie/lake_schema.sql). -#}
{% macro healthie_empty_stream(stream) -%}
    select
    {%- for name, data_type in healthie_lake_columns(stream) %}
        cast(null as {{ data_type }}) as {{ adapter.quote(name) }}{{ "," if not loop.last }}
    {%- endfor %}
    where false
{%- endmacro %}


{#-
    The truth of a stream: its table's rows, one per live record (the lake's MERGE keeps `id` unique and
    removes deleted records), minus, for streams Healthie soft-deletes, rows carrying a `deleted_at`.
    A row without an id fails the build: it could not be joined, nor tracked by the incremental marts.
-#}
{% macro healthie_live_rows(stream, soft_deleted=false) -%}
    (
        select * replace ({{ healthie_required_id('id', stream) }} as id)
        from {{ healthie_lake(stream) }}
        {%- if soft_deleted %}
        where nullif(trim(deleted_at), '') is null
        {%- endif %}
    )
{%- endmacro %}


{% macro healthie_required_id(column, stream) -%}
    coalesce(
        {{ column }},
        error('healthie lake stream "{{ stream }}": a row has a null {{ column }} (batch ' || coalesce(_sync_id, '?') || ')')
    )
{%- endmacro %}
