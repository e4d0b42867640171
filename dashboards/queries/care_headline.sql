-- Care & tasks headline, by provider when filtered: patients' care plans active now (not templates or
-- group plans; by the patient's primary provider), goals set and completed (rpt_goal_progress, by the
-- provider the goals count for), and open and overdue tasks (rpt_task_backlog, by assignee).
with plans as (
    select count(*) as active_care_plans
    from marts.fct_care_plans
    where is_active and not is_template and not coalesce(is_group, false)
      and (
          $all_providers
          or patient_id in (
              select patient_id from marts.dim_patients
              where list_contains(cast($providers as varchar[]), primary_provider_id)
          )
      )
),
goals as (
    select
        coalesce(sum(goals), 0) as goals,
        coalesce(sum(goals_completed), 0) as goals_completed
    from marts.rpt_goal_progress
    where $all_providers or list_contains(cast($providers as varchar[]), provider_id)
),
tasks as (
    select
        coalesce(sum(open_tasks), 0) as open_tasks,
        coalesce(sum(overdue_tasks), 0) as overdue_tasks
    from marts.rpt_task_backlog
    where $all_providers or list_contains(cast($providers as varchar[]), assignee_id)
),
as_of as (
    select max(as_of_date) as as_of_date
    from (
        select as_of_date from marts.rpt_goal_progress
        union all
        select as_of_date from marts.rpt_task_backlog
    )
)
select
    plans.active_care_plans,
    goals.goals,
    goals.goals_completed,
    goals.goals_completed / nullif(goals.goals, 0) as share_goals_completed,
    tasks.open_tasks,
    tasks.overdue_tasks,
    as_of.as_of_date
from plans, goals, tasks, as_of
