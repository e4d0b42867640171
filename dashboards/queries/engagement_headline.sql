-- Patients & engagement headline: journal entries logged in the range, the patients who logged them,
-- and forms completed (submitted). Filtered by the patient's primary provider (entries have none).
with panel as (
    select patient_id
    from marts.dim_patients
    where $all_providers or list_contains(cast($providers as varchar[]), primary_provider_id)
),
entries as (
    select count(*) as journal_entries, count(distinct patient_id) as patients_logging
    from marts.fct_entries
    where created_at >= $start and created_at < $end_excl
      and ($all_providers or patient_id in (select patient_id from panel))
),
forms as (
    select count(*) as forms_completed
    from marts.fct_form_answer_groups
    where is_finished
      and created_at >= $start and created_at < $end_excl
      and ($all_providers or patient_id in (select patient_id from panel))
)
select entries.journal_entries, entries.patients_logging, forms.forms_completed
from entries, forms
