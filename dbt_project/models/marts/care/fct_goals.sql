-- One row per live goal (subgoals included, with their parent), with how often it was completed.
with

goals as (
    select * from {{ ref('stg_healthie__goals') }}
),

completions as (
    select
        goal_id,
        count(*) as completions,
        min(completed_on) as first_completed_on,
        max(completed_on) as last_completed_on
    from {{ ref('stg_healthie__goal_histories') }}
    where goal_id is not null
    group by goal_id
),

final as (
    select
        goals.goal_id,
        goals.patient_id,
        -- The provider who set the goal; null when the patient set it themselves.
        case when goals.created_by_id is distinct from goals.patient_id then goals.created_by_id end as provider_id,
        goals.created_by_id,
        goals.parent_goal_id,
        goals.source_template_id,

        goals.goal_name,
        goals.frequency,
        goals.is_subgoal,
        goals.is_used_as_template,

        coalesce(completions.completions, 0) as completions,
        coalesce(completions.completions, 0) > 0 as is_completed,
        completions.first_completed_on,
        completions.last_completed_on,

        goals.start_on,
        goals.due_date,
        goals.created_at,
        goals._extracted_at,
        goals._sync_id
    from goals
    left join completions using (goal_id)
)

select * from final
