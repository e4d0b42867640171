with

source as (
    select * from {{ healthie_live_rows('form_templates') }}
),

renamed as (
    select
        -- ids
        id as form_template_id,
        "user".id as created_by_id,

        -- strings
        name as form_template_name,
        external_id,
        external_id_type,

        -- booleans
        coalesce(use_for_charting, false) as is_charting_note,
        coalesce(use_for_program, false) as is_program_form,
        coalesce(is_video, false) as is_video,
        coalesce(prefill, false) as is_prefilled,
        coalesce(has_matrix_field, false) as has_matrix_field,
        coalesce(uploaded_by_healthie_team, false) as is_default_template,

        -- timestamps (UTC)
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
