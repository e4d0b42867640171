-- Appointments (not availability blocks) per week (Monday, UTC) and status group.
select
    cast(date_trunc('week', starts_at) as date) as week_start,
    status_group,
    count(*) as appointments
from marts.fct_appointments
where not is_blocker
  and starts_at >= $start and starts_at < $end_excl
  and ($all_providers or list_contains(cast($providers as varchar[]), provider_id))
group by all
order by week_start, status_group
