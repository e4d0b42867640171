{#-
    Incremental facts. A fact keeps the lake row it was built from (`_extracted_at`, `_sync_id`: the
    read and the batch that last wrote the id's row in the Delta table); an incremental build re-selects
    only the ids whose current row differs from the built one, then deletes the ids that are no longer
    live (deleted from the table or soft-deleted since). Comparing per id rather than against one global
    watermark means a batch merged late (a long full pull, read before a webhook refresh that was
    already built, merging after it) is still picked up; and since a full pull's MERGE leaves rows whose
    content did not change untouched, a nightly pull does not make the next build reprocess everything.
-#}

{#- A WHERE clause over `alias` (a staging relation): keep rows that are not the ones built. -#}
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
