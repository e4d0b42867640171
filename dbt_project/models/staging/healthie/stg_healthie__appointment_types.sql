with

source as (
    select * from {{ healthie_live_rows('appointment_types') }}
),

renamed as (
    select
        -- ids
        id as appointment_type_id,

        -- strings
        name as appointment_type_name,

        -- numerics
        length as length_minutes,
        position as display_position,
        {{ healthie_money('pricing', 'price') }} as price,

        -- booleans
        coalesce(is_group, false) as is_group,
        coalesce(clients_can_book, false) as clients_can_book,

        -- timestamps (UTC)
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
