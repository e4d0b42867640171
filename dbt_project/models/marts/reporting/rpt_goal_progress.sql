-- Goals set and completed per patient and provider: the provider who set the goal, or the patient's
-- primary provider for goals the patient set themselves. Subgoals count towards their own columns.
with

goals as (
    select
        goals.*,
        coalesce(goals.provider_id, patients.primary_provider_id) as attributed_provider_id
    from {{ ref('fct_goals') }} as goals
    left join {{ ref('dim_patients') }} as patients using (patient_id)
    where goals.patient_id is not null
),

history as (
    select
        history.goal_id,
        history.completed_on,
        {{ healthie_report_as_of() }} as as_of_date
    from {{ ref('fct_goal_history') }} as history
),

completions as (
    select
        goal_id,
        count(*) filter (where completed_on > as_of_date - 30 and completed_on <= as_of_date)
            as completions_last_30_days
    from history
    group by goal_id
),

final as (
    select
        goals.patient_id,
        goals.attributed_provider_id as provider_id,
        {{ healthie_report_as_of() }} as as_of_date,
        count(*) filter (where not goals.is_subgoal) as goals,
        count(*) filter (where not goals.is_subgoal and goals.is_completed) as goals_completed,
        {{ safe_ratio('count(*) filter (where not goals.is_subgoal and goals.is_completed)', 'count(*) filter (where not goals.is_subgoal)') }}
            as share_goals_completed,
        count(*) filter (where goals.is_subgoal) as subgoals,
        count(*) filter (where goals.is_subgoal and goals.is_completed) as subgoals_completed,
        sum(goals.completions) as completions,
        coalesce(sum(completions.completions_last_30_days), 0) as completions_last_30_days,
        max(goals.last_completed_on) as last_completed_on
    from goals
    left join completions using (goal_id)
    group by goals.patient_id, goals.attributed_provider_id
)

select * from final
