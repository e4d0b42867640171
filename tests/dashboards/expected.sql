-- What each dashboard page should show over every day and every provider, computed from the marts
-- independently of dashboards/queries (from the report marts where one holds the number).

-- name: overview
select
    (select count(*) from marts.fct_appointments where not is_blocker) as booked,
    (select sum(no_shows) / sum(appointments_occurred + no_shows) from marts.rpt_provider_monthly)
        as no_show_rate,
    (select sum(cancellations) / sum(appointments_booked) from marts.rpt_provider_monthly) as cancellation_rate,
    (select coalesce(sum(amount), 0) from marts.rpt_revenue_daily where is_collected) as collected,
    (select coalesce(sum(amount), 0) from marts.rpt_revenue_daily where state in ('pending', 'scheduled'))
        as outstanding,
    (select count(*) from marts.dim_patients where is_active) as active_patients

-- name: provider_overview
select
    sum(appointments_booked) as booked,
    sum(no_shows) / nullif(sum(appointments_occurred + no_shows), 0) as no_show_rate,
    sum(revenue_collected) as collected
from marts.rpt_provider_monthly
where provider_id = ?

-- name: month_overview
select
    sum(appointments_booked) as booked,
    sum(no_shows) / nullif(sum(appointments_occurred + no_shows), 0) as no_show_rate
from marts.rpt_provider_monthly
where month_start = ?

-- name: scorecard
select
    coalesce(p.full_name, 'Provider ' || r.provider_id) as provider_name,
    sum(r.appointments_booked) as booked,
    sum(r.appointments_occurred) as occurred,
    sum(r.no_shows) as no_shows,
    sum(r.no_shows) / nullif(sum(r.appointments_occurred + r.no_shows), 0) as no_show_rate,
    sum(r.revenue_collected) as revenue
from marts.rpt_provider_monthly as r
left join marts.dim_providers as p using (provider_id)
group by all
order by provider_name

-- name: busiest_provider
select provider_id
from marts.rpt_provider_monthly
group by provider_id
order by sum(appointments_booked) desc, provider_id
limit 1

-- name: busiest_month
select month_start
from marts.rpt_provider_monthly
group by month_start
order by sum(appointments_booked) desc, month_start
limit 1

-- name: engagement
select
    (select sum(journal_entries) from marts.rpt_patient_weekly) as journal_entries,
    (select count(distinct patient_id) from marts.rpt_patient_weekly) as patients_logging,
    (select count(*) from marts.fct_form_answer_groups where is_finished) as forms_completed

-- name: forms
select
    (select count(*) from marts.rpt_form_templates where submissions > 0) as templates,
    (select sum(submissions) from marts.rpt_form_templates) as submissions,
    (select sum(signed_submissions) / sum(submissions) from marts.rpt_form_templates) as share_signed,
    (select median(hours_to_lock) from marts.fct_form_answer_groups where form_template_id is not null)
        as median_hours_to_lock

-- name: form_templates
-- (rpt_form_templates also lists templates nobody submitted; the page lists those used in the range)
select form_template_name, is_charting_note, submissions, share_locked, share_signed, median_hours_to_lock
from marts.rpt_form_templates
where submissions > 0
order by form_template_name

-- name: mart_tables
select table_name, estimated_size
from duckdb_tables()
where schema_name = 'marts'
order by table_name

-- name: newest_batches
select max(_sync_id) filter (where _sync_id like '%-full-%') as full_batch,
       max(_sync_id) filter (where _sync_id like '%-change-%') as change_batch
from (
    select _sync_id from marts.fct_appointments
    union all select _sync_id from marts.fct_billing_items
    union all select _sync_id from marts.fct_entries
    union all select _sync_id from marts.fct_form_answer_groups
)
