with

source as (
    select * from {{ healthie_live_rows('appointments', soft_deleted=true) }}
),

renamed as (
    select
        -- ids
        id as appointment_id,
        cast(user_id as varchar) as patient_id,
        provider.id as provider_id,
        coalesce(appointment_type.id, cast(appointment_type_id as varchar)) as appointment_type_id,

        -- strings
        pm_status as status,
        appointment_type.name as appointment_type_name,
        contact_type,
        location,
        notes,
        timezone_abbr,

        -- numerics
        length as length_minutes,

        -- booleans
        coalesce(is_blocker, false) as is_blocker,
        coalesce(is_group, false) as is_group,
        coalesce(confirmed, false) as is_confirmed,

        -- timestamps (UTC)
        {{ healthie_timestamp('date', 'starts_at') }} as starts_at,
        {{ healthie_timestamp('"end"', 'ends_at') }} as ends_at,
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
