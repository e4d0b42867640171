{{
    config(
        materialized='incremental',
        unique_key='appointment_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ healthie_delete_removed('appointment_id', ref('stg_healthie__appointments')) }}",
    )
}}

with

appointments as (
    select * from {{ ref('stg_healthie__appointments') }} as appointments
    {{ healthie_changed_since_build('appointments', 'appointment_id', ref('stg_healthie__appointments')) }}
),

final as (
    select
        appointment_id,
        patient_id,
        provider_id,
        appointment_type_id,

        starts_at,
        ends_at,
        coalesce(length_minutes, date_diff('minute', starts_at, ends_at)) as length_minutes,

        status,
        case
            when status is null then 'scheduled'
            when status = 'Occurred' then 'occurred'
            when status = 'No-Show' then 'no_show'
            when status in ('Cancelled', 'Late Cancellation') then 'cancelled'
            when status = 'Re-Scheduled' then 're_scheduled'
        end as status_group,
        is_blocker,
        is_group,
        is_confirmed,
        contact_type,

        created_at,
        updated_at,
        _extracted_at,
        _sync_id
    from appointments
)

select * from final
