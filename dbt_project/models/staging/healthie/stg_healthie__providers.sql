with

source as (
    select * from {{ healthie_live_rows('providers') }}
),

renamed as (
    select
        -- ids
        id as provider_id,

        -- strings
        first_name,
        last_name,
        email,
        npi,
        qualifications,
        timezone,

        -- timestamps (UTC)
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
