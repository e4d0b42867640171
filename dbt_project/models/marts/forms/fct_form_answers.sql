with

answers as (
    select * from {{ ref('stg_healthie__form_answers') }}
),

groups as (
    select * from {{ ref('fct_form_answer_groups') }}
),

final as (
    select
        answers.form_answer_id,
        answers.form_answer_group_id,
        answers.patient_id,
        groups.provider_id,
        groups.form_template_id,
        answers.question_id,

        answers.question_label,
        answers.answer,
        answers.displayed_answer,

        answers.created_at,
        answers.updated_at
    from answers
    inner join groups using (form_answer_group_id)
)

select * from final
