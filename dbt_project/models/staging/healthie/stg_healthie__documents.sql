-- One row per live document: metadata only (the lake never holds a file or a link to one).
with

source as (
    select * from {{ healthie_live_rows('documents') }}
),

renamed as (
    select
        -- ids
        id as document_id,
        rel_user_id as patient_id,
        owner.id as owner_id,

        -- strings
        display_name,
        file_content_type,
        lower(nullif(trim(extension), '')) as extension,
        friendly_type as document_type,

        -- numerics
        users_count as shared_with_users,

        -- booleans
        coalesce(shared, false) as is_shared,
        coalesce(include_in_charting, false) as is_in_charting,

        -- timestamps (UTC)
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
