-- What the end-to-end tests read from the marts, as an analyst would (read-only connection).
-- Statements are named by `-- name:` lines and loaded by tests/e2e/product.py; values are bound.

-- name: published_schemas
select schema_name from duckdb_tables()
union
select schema_name from duckdb_views() where not internal
order by all;

-- name: mart_tables
select table_name from information_schema.tables where table_schema = 'marts' order by table_name;

-- name: appointment_ids
select appointment_id from marts.fct_appointments;

-- name: billing_item_ids
select billing_item_id from marts.fct_billing_items;

-- name: entry_ids
select entry_id from marts.fct_entries;

-- name: form_answer_group_ids
select form_answer_group_id from marts.fct_form_answer_groups;

-- name: patient_ids
select patient_id from marts.dim_patients;

-- name: provider_ids
select provider_id from marts.dim_providers;

-- name: appointment_type_ids
select appointment_type_id from marts.dim_appointment_types;

-- name: row_counts
select 'fct_appointments', count(*) from marts.fct_appointments
union all select 'fct_billing_items', count(*) from marts.fct_billing_items
union all select 'fct_entries', count(*) from marts.fct_entries
union all select 'fct_form_answer_groups', count(*) from marts.fct_form_answer_groups
union all select 'fct_form_answers', count(*) from marts.fct_form_answers;

-- name: answers_per_form
select form_answer_group_id, count(*) from marts.fct_form_answers group by form_answer_group_id;

-- name: payments_by_state
select state, count(*), sum(amount_paid) from marts.fct_billing_items group by state;

-- name: payments_total
select sum(amount_paid) from marts.fct_billing_items;

-- name: metrics_by_category
select category, count(*), avg(metric_value)
from marts.fct_entries
where entry_type = 'MetricEntry'
group by category;

-- name: appointments_per_month
select cast(date_trunc('month', starts_at) as date), count(*) from marts.fct_appointments group by 1;

-- name: appointment_statuses
select status, count(*) from marts.fct_appointments group by status;

-- name: provider_months
select provider_id, month_start, appointments_booked, no_shows
from marts.rpt_provider_monthly
where appointments_booked > 0;

-- name: appointment
select status, status_group, starts_at, updated_at from marts.fct_appointments where appointment_id = ?;

-- name: entry
select entry_type, category, metric_value, patient_id, created_at from marts.fct_entries where entry_id = ?;

-- name: billing_item
select state, is_collected, amount_paid from marts.fct_billing_items where billing_item_id = ?;

-- name: form_answer_group
select is_locked, locked_at, locked_by_id, updated_at
from marts.fct_form_answer_groups
where form_answer_group_id = ?;

-- name: patient
select phone_number, is_active, updated_at from marts.dim_patients where patient_id = ?;
