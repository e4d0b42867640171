with

groups as (
    select * from {{ ref('stg_healthie__form_answer_groups') }}
),

final as (
    select
        form_answer_group_id,
        patient_id,
        -- The filler is the provider unless the patient filled the form in themselves (intake forms).
        case when filled_by_id is distinct from patient_id then filled_by_id end as provider_id,
        filled_by_id,
        locked_by_id,
        form_template_id,

        form_template_name,
        form_name,

        is_charting_note,
        is_finished,
        is_locked,
        is_signed,
        signature_count,
        answer_count,

        created_at,
        locked_at,
        first_signed_at,
        date_diff('second', created_at, locked_at) / 3600.0 as hours_to_lock,
        record_created_at,
        updated_at,
        _extracted_at,
        _sync_id
    from groups
)

select * from final
