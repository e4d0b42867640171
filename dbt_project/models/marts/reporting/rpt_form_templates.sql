-- One row per form template: how often it is submitted, how much of it gets locked and signed, and
-- how long locking takes.
with

groups as (
    select * from {{ ref('fct_form_answer_groups') }}
    where form_template_id is not null
),

final as (
    select
        form_template_id,
        arg_max(form_template_name, created_at) as form_template_name,
        bool_or(is_charting_note) as is_charting_note,
        count(*) as submissions,
        count(*) filter (where is_locked) as locked_submissions,
        count(*) filter (where is_signed) as signed_submissions,
        {{ safe_ratio('count(*) filter (where is_locked)', 'count(*)') }} as share_locked,
        {{ safe_ratio('count(*) filter (where is_signed)', 'count(*)') }} as share_signed,
        median(hours_to_lock) as median_hours_to_lock,
        avg(hours_to_lock) as avg_hours_to_lock,
        min(created_at) as first_submitted_at,
        max(created_at) as last_submitted_at
    from groups
    group by form_template_id
)

select * from final
