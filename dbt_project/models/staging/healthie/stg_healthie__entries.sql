with

source as (
    select * from {{ healthie_live_rows('entries') }}
),

renamed as (
    select
        -- ids
        id as entry_id,
        poster.id as patient_id,

        -- strings
        type as entry_type,
        category,
        name as entry_name,
        description,
        emotions,

        -- numerics
        metric_stat as metric_value,

        -- timestamps (UTC)
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
