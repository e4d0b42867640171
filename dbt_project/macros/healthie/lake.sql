{#-
    Reading the raw lake. Staging models never call `source('healthie', ...)` directly: they read
    `healthie_live_rows(stream)`, which keeps the newest version of every id and drops what is gone.
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


{#- The files of one stream; the same shape as the source's `external_location`. -#}
{% macro healthie_lake_glob(stream) -%}
    {{- healthie_source_node(stream).meta.lake_root ~ '/' ~ stream ~ '/*/*.parquet' -}}
{%- endmacro %}


{#-
    A relation over every landed row of a stream. A stream whose folder holds no Parquet file yet
    (a new install, or a stream the first sync has not reached) reads as an empty relation typed from
    macros/healthie/lake_schema.sql: DuckDB's read_parquet fails on a glob that matches nothing, and one
    missing stream must not fail the models of the others. Its staging view is simply empty until the
    next build after files land. Unit tests substitute fixtures for the source, which are used as given.
-#}
{% macro healthie_lake(stream) -%}
    {%- set relation = source('healthie', stream) -%}
    {%- if execute and relation.external is not none and not healthie_lake_has_files(stream) -%}
        {{- log("healthie lake: no Parquet files for stream '" ~ stream ~ "' yet; it reads as empty", info=true) -}}
        ({{ healthie_empty_stream(stream) }})
    {%- else -%}
        {{- relation -}}
    {%- endif -%}
{%- endmacro %}


{% macro healthie_lake_has_files(stream) -%}
    {%- set pattern = healthie_lake_glob(stream) | replace("'", "''") -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')") -%}
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
    The truth of a stream: the newest version of every id (`_extracted_at`, then `_sync_id`, both sort by
    time), minus ids whose newest version is a tombstone (`_deleted`) or, for streams Healthie soft-deletes,
    carries a `deleted_at`. A row without an id fails the build: it cannot be deduplicated or joined.
-#}
{% macro healthie_live_rows(stream, soft_deleted=false) -%}
    (
        select * exclude (_version_rank)
        from (
            select
                * replace ({{ healthie_required_id('id', stream) }} as id),
                row_number() over (partition by id order by _extracted_at desc, _sync_id desc) as _version_rank
            from {{ healthie_lake(stream) }}
        )
        where _version_rank = 1
          and not _deleted
          {%- if soft_deleted %}
          and nullif(trim(deleted_at), '') is null
          {%- endif %}
    )
{%- endmacro %}


{% macro healthie_required_id(column, stream) -%}
    coalesce(
        {{ column }},
        error('healthie lake stream "{{ stream }}": a row has a null {{ column }} (batch ' || coalesce(_sync_id, '?') || ')')
    )
{%- endmacro %}
