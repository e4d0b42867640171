with

source as (
    select * from {{ healthie_live_rows('form_answer_groups', soft_deleted=true) }}
),

renamed as (
    select
        -- ids
        id as form_answer_group_id,
        user_id as patient_id,
        filler.id as filled_by_id,
        locked_by.id as locked_by_id,
        custom_module_form.id as form_template_id,

        -- strings
        name as form_name,
        custom_module_form.name as form_template_name,

        -- numerics
        coalesce(len(form_answer_group_signings), 0) as signature_count,
        coalesce(len(form_answers), 0) as answer_count,

        -- booleans
        coalesce(finished, false) as is_finished,
        coalesce(custom_module_form.use_for_charting, false) as is_charting_note,
        nullif(trim(locked_at), '') is not null as is_locked,
        coalesce(len(form_answer_group_signings), 0) > 0 as is_signed,

        -- timestamps (UTC)
        {{ healthie_timestamp('locked_at', 'locked_at') }} as locked_at,
        list_min(list_transform(
            form_answer_group_signings,
            lambda signing: {{ healthie_timestamp('signing.created_at', 'first_signed_at') }}
        )) as first_signed_at,
        {{ healthie_timestamp('record_created_at', 'record_created_at') }} as record_created_at,
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- nested answers, still raw (typed one per row in stg_healthie__form_answers)
        form_answers,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
