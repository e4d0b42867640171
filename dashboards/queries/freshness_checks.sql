-- The warn-level checks of the dbt project, recomputed on the published marts (error-level tests
-- failing stop the build, so a published file has passed them all): facts naming a patient or
-- provider the dimensions lack, and appointments without a patient.
select 'appointments naming an unknown patient' as check_name, count(*) as failing_rows
from marts.fct_appointments as f
where f.patient_id is not null
  and f.patient_id not in (select patient_id from marts.dim_patients)
union all
select 'appointments naming an unknown provider', count(*)
from marts.fct_appointments as f
where f.provider_id is not null
  and f.provider_id not in (select provider_id from marts.dim_providers)
union all
select 'visits without a patient (not blocks or groups)', count(*)
from marts.fct_appointments
where patient_id is null and not is_blocker and not coalesce(is_group, false)
union all
select 'payments naming an unknown patient', count(*)
from marts.fct_billing_items as f
where f.patient_id is not null
  and f.patient_id not in (select patient_id from marts.dim_patients)
union all
select 'journal entries naming an unknown patient', count(*)
from marts.fct_entries as f
where f.patient_id is not null
  and f.patient_id not in (select patient_id from marts.dim_patients)
union all
select 'filled forms naming an unknown patient', count(*)
from marts.fct_form_answer_groups as f
where f.patient_id is not null
  and f.patient_id not in (select patient_id from marts.dim_patients)
