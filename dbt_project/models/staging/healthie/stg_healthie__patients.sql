with

source as (
    select * from {{ healthie_live_rows('patients') }}
),

renamed as (
    select
        -- ids
        id as patient_id,
        dietitian_id as primary_provider_id,

        -- strings
        first_name,
        last_name,
        email,
        phone_number,
        gender,
        timezone,

        -- booleans
        coalesce(active, true) as is_active,

        -- dates and timestamps (UTC)
        {{ healthie_date('dob', 'date_of_birth') }} as date_of_birth,
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
