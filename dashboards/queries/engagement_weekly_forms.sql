-- Forms completed (submitted) per week (Monday, UTC): intake forms and chart notes.
select
    cast(date_trunc('week', created_at) as date) as week_start,
    case when is_charting_note then 'chart note' else 'intake / other form' end as form_kind,
    count(*) as forms
from marts.fct_form_answer_groups
where is_finished
  and created_at >= $start and created_at < $end_excl
  and (
      $all_providers
      or patient_id in (
          select patient_id from marts.dim_patients
          where list_contains(cast($providers as varchar[]), primary_provider_id)
      )
  )
group by all
order by week_start, form_kind
