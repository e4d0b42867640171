-- Open (not completed) tasks per assignee and age (days since the task was created, to the report's
-- as-of day; macros/healthie/reports.sql), with how many are overdue or high priority.
{% set buckets = [7, 30, 90] %}
with

open_tasks as (
    select
        {{ healthie_report_as_of() }} as as_of_date,
        assignee_id,
        due_date,
        is_high_priority,
        created_at
    from {{ ref('fct_tasks') }}
    where not is_complete
      and created_at is not null
),

aged as (
    select
        *,
        date_diff('day', cast(created_at as date), as_of_date) as age_days
    from open_tasks
),

final as (
    select
        as_of_date,
        assignee_id,
        {{ healthie_age_bucket('age_days', buckets) }} as age_bucket,
        {{ healthie_age_bucket_start('age_days', buckets) }} as age_bucket_start_days,
        count(*) as open_tasks,
        count(*) filter (where due_date < as_of_date) as overdue_tasks,
        count(*) filter (where due_date is null) as tasks_without_due_date,
        count(*) filter (where is_high_priority) as high_priority_tasks,
        min(created_at) as oldest_created_at
    from aged
    group by all
)

select * from final
