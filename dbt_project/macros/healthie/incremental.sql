{#-
    Incremental facts. A fact keeps the lake version it was built from (`_extracted_at`, `_sync_id`);
    an incremental build re-selects only the ids whose live version differs from the built one, then
    deletes the ids that are no longer live (tombstoned or soft-deleted since). Comparing versions per
    id rather than against one global watermark means a batch that lands late (a long full sync
    finishing after a webhook refresh was built) is still picked up, and a nightly snapshot does not
    make every refresh of the following day reprocess everything.
-#}

{#- A WHERE clause over `alias` (a staging relation): keep rows whose version is not the one built. -#}
{% macro healthie_changed_since_build(alias, key) -%}
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as built
        where built.{{ key }} = {{ alias }}.{{ key }}
          and built._extracted_at = {{ alias }}._extracted_at
          and built._sync_id = {{ alias }}._sync_id
    )
    {%- endif -%}
{%- endmacro %}


{#-
    Post-hook: drop the ids that left `live` (the staging relation). It runs inside the model's
    transaction, so readers see the upserts and the deletes together or not at all.
-#}
{% macro healthie_delete_removed(key, live) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where {{ key }} not in (select {{ key }} from {{ live }})
    {%- endif -%}
{%- endmacro %}
