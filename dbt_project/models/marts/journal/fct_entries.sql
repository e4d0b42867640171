{{
    config(
        materialized='incremental',
        unique_key='entry_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ healthie_delete_removed('entry_id', ref('stg_healthie__entries')) }}",
    )
}}

with

entries as (
    select * from {{ ref('stg_healthie__entries') }} as entries
    {{ healthie_changed_since_build('entries', 'entry_id', ref('stg_healthie__entries')) }}
),

final as (
    select
        entry_id,
        patient_id,
        entry_type,
        category,
        metric_value,
        entry_name,
        created_at,
        updated_at,
        _extracted_at,
        _sync_id
    from entries
)

select * from final
