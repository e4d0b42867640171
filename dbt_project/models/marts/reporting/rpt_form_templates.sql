-- One row per form template, every template of the form_templates stream included (with no
-- submissions yet too) plus any template seen only on filled forms: how often it is submitted, how
-- much of it gets locked and signed, and how long locking takes.
with

templates as (
    select form_template_id, form_template_name, is_charting_note
    from {{ ref('dim_form_templates') }}
),

groups as (
    select * from {{ ref('fct_form_answer_groups') }}
    where form_template_id is not null
),

submissions as (
    select
        form_template_id,
        arg_max(form_template_name, created_at) as form_template_name,
        bool_or(is_charting_note) as is_charting_note,
        count(*) as submissions,
        count(*) filter (where is_locked) as locked_submissions,
        count(*) filter (where is_signed) as signed_submissions,
        median(hours_to_lock) as median_hours_to_lock,
        avg(hours_to_lock) as avg_hours_to_lock,
        min(created_at) as first_submitted_at,
        max(created_at) as last_submitted_at
    from groups
    group by form_template_id
),

final as (
    select
        form_template_id,
        coalesce(templates.form_template_name, submissions.form_template_name) as form_template_name,
        coalesce(templates.is_charting_note, submissions.is_charting_note) as is_charting_note,
        coalesce(submissions.submissions, 0) as submissions,
        coalesce(submissions.locked_submissions, 0) as locked_submissions,
        coalesce(submissions.signed_submissions, 0) as signed_submissions,
        {{ safe_ratio('submissions.locked_submissions', 'submissions.submissions') }} as share_locked,
        {{ safe_ratio('submissions.signed_submissions', 'submissions.submissions') }} as share_signed,
        submissions.median_hours_to_lock,
        submissions.avg_hours_to_lock,
        submissions.first_submitted_at,
        submissions.last_submitted_at
    from templates
    full outer join submissions using (form_template_id)
)

select * from final
