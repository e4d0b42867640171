-- Goals per provider (the provider who set them, else the patient's primary provider): patients with
-- goals, goals set and completed, completions in the 30 days to the as-of day. Counts, never names of
-- patients: the provider is staff.
select
    coalesce(p.full_name, 'Provider ' || g.provider_id, '(no provider)') as provider_name,
    count(distinct g.patient_id) as patients,
    sum(g.goals) as goals,
    sum(g.goals_completed) as goals_completed,
    sum(g.goals_completed) / nullif(sum(g.goals), 0) as share_goals_completed,
    sum(g.completions_last_30_days) as completions_last_30_days
from marts.rpt_goal_progress as g
left join marts.dim_providers as p using (provider_id)
where $all_providers or list_contains(cast($providers as varchar[]), g.provider_id)
group by all
order by goals_completed desc, provider_name
