-- Row level (names): active patients with no appointment that occurred in the 90 days before $today.
select
    d.patient_id,
    d.full_name,
    coalesce(p.full_name, d.primary_provider_id) as primary_provider,
    cast(max(a.starts_at) as date) as last_visit
from marts.dim_patients as d
left join marts.fct_appointments as a
    on a.patient_id = d.patient_id and a.status_group = 'occurred' and a.starts_at < $today
left join marts.dim_providers as p on p.provider_id = d.primary_provider_id
where d.is_active
  and ($all_providers or list_contains(cast($providers as varchar[]), d.primary_provider_id))
group by all
having max(a.starts_at) is null or max(a.starts_at) < $today - interval 90 day
order by last_visit nulls first, d.patient_id
