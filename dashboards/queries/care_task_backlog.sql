-- Open tasks per assignee and age bucket (days since creation to the as-of day), youngest first. The
-- assignee is named from dim_providers only (staff): unassigned tasks and any assignee who is not a
-- provider are labelled, never looked up elsewhere.
select
    t.age_bucket,
    min(t.age_bucket_start_days) as age_bucket_start_days,
    case
        when t.assignee_id is null then '(unassigned)'
        else coalesce(p.full_name, '(not a provider)')
    end as assignee_name,
    sum(t.open_tasks) as open_tasks,
    sum(t.overdue_tasks) as overdue_tasks,
    sum(t.high_priority_tasks) as high_priority_tasks,
    sum(t.tasks_without_due_date) as tasks_without_due_date
from marts.rpt_task_backlog as t
left join marts.dim_providers as p on p.provider_id = t.assignee_id
where $all_providers or list_contains(cast($providers as varchar[]), t.assignee_id)
group by all
order by age_bucket_start_days, assignee_name
