-- One row per answer of a live form: the nested `form_answers` of stg_healthie__form_answer_groups
-- unnested and typed. Built on the groups' staging view so dedup and deletes apply exactly once.
with

source as (
    select
        form_answer_group_id,
        patient_id,
        unnest(form_answers) as answer
    from {{ ref('stg_healthie__form_answer_groups') }}
),

renamed as (
    select
        -- ids
        answer.id as form_answer_id,
        form_answer_group_id,
        patient_id,
        answer.custom_module_id as question_id,

        -- strings
        answer.label as question_label,
        answer.answer as answer,
        answer.displayed_answer as displayed_answer,

        -- timestamps (UTC)
        {{ healthie_timestamp('answer.created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('answer.updated_at', 'updated_at') }} as updated_at

    from source
)

select * from renamed
