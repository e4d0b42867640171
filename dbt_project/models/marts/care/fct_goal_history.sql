-- One row per live goal completion (GoalHistory).
with

history as (
    select * from {{ ref('stg_healthie__goal_histories') }}
),

goals as (
    select goal_id, provider_id, parent_goal_id from {{ ref('fct_goals') }}
),

final as (
    select
        history.goal_history_id,
        history.goal_id,
        history.patient_id,
        goals.provider_id,
        goals.parent_goal_id,
        history.frequency,
        history.is_subgoal,
        history.completed_on,
        history.created_at,
        history._extracted_at,
        history._sync_id
    from history
    left join goals using (goal_id)
)

select * from final
