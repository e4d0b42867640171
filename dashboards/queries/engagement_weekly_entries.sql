-- Journal entries per week (Monday, UTC) and type.
select
    cast(date_trunc('week', created_at) as date) as week_start,
    coalesce(entry_type, 'unknown') as entry_type,
    count(*) as entries
from marts.fct_entries
where created_at >= $start and created_at < $end_excl
  and (
      $all_providers
      or patient_id in (
          select patient_id from marts.dim_patients
          where list_contains(cast($providers as varchar[]), primary_provider_id)
      )
  )
group by all
order by week_start, entry_type
