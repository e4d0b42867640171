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
    union all select _sync_id from marts.fct_invoices
    union all select _sync_id from marts.fct_claims
    union all select _sync_id from marts.fct_care_plans
    union all select _sync_id from marts.fct_goals
    union all select _sync_id from marts.fct_goal_history
    union all select _sync_id from marts.fct_tasks
    union all select _sync_id from marts.fct_documents
)

-- name: batches_per_mart
-- (every mart that carries `_sync_id`, listed by hand; a mart with no rows still has its line)
select mart,
       max(_sync_id) filter (where _sync_id like '%-full-%') as full_batch,
       max(_sync_id) filter (where _sync_id like '%-change-%') as change_batch,
       max(_extracted_at) as newest_read
from (
    select 'fct_appointments' as mart, _sync_id, _extracted_at from marts.fct_appointments
    union all select 'fct_billing_items', _sync_id, _extracted_at from marts.fct_billing_items
    union all select 'fct_entries', _sync_id, _extracted_at from marts.fct_entries
    union all select 'fct_form_answer_groups', _sync_id, _extracted_at from marts.fct_form_answer_groups
    union all select 'fct_invoices', _sync_id, _extracted_at from marts.fct_invoices
    union all select 'fct_claims', _sync_id, _extracted_at from marts.fct_claims
    union all select 'fct_care_plans', _sync_id, _extracted_at from marts.fct_care_plans
    union all select 'fct_goals', _sync_id, _extracted_at from marts.fct_goals
    union all select 'fct_goal_history', _sync_id, _extracted_at from marts.fct_goal_history
    union all select 'fct_tasks', _sync_id, _extracted_at from marts.fct_tasks
    union all select 'fct_documents', _sync_id, _extracted_at from marts.fct_documents
    union all select unnest(['fct_appointments', 'fct_billing_items', 'fct_entries',
                             'fct_form_answer_groups', 'fct_invoices', 'fct_claims', 'fct_care_plans',
                             'fct_goals', 'fct_goal_history', 'fct_tasks', 'fct_documents']), null, null
)
group by mart
order by mart

-- name: revenue
-- (from the claim and invoice facts, not the reports the page reads; every month of service)
select
    (select count(*) from marts.fct_claims
     where status_group in ('submitted', 'denied', 'partially_paid', 'other')
       and coalesce(service_date, cast(created_at as date)) is not null) as open_claims,
    (select coalesce(sum(outstanding_amount), 0) from marts.fct_claims
     where status_group in ('submitted', 'denied', 'partially_paid', 'other')
       and coalesce(service_date, cast(created_at as date)) is not null) as claims_outstanding,
    (select avg(case when status_group = 'denied' then 1.0 else 0.0 end) from marts.fct_claims
     where status_group <> 'draft' and coalesce(service_date, cast(created_at as date)) is not null)
        as denial_share,
    (select coalesce(sum(billed_amount), 0) from marts.fct_claims
     where status_group <> 'draft' and coalesce(service_date, cast(created_at as date)) is not null) as billed,
    (select sum(coalesce(insurance_paid_amount, 0) + coalesce(patient_paid_amount, 0))
            / nullif(sum(coalesce(billed_amount, 0)), 0)
     from marts.fct_claims
     where status_group <> 'draft' and coalesce(service_date, cast(created_at as date)) is not null)
        as collection_rate,
    (select coalesce(sum(balance_due_amount), 0) from marts.fct_invoices where is_outstanding)
        as invoices_balance_due,
    (select max(as_of_date) from marts.rpt_claims_aging) as as_of_date

-- name: busiest_service_month
select cast(date_trunc('month', coalesce(service_date, cast(created_at as date))) as date) as month_start
from marts.fct_claims
where status_group <> 'draft'
group by 1
order by count(*) desc, 1
limit 1

-- name: service_month_revenue
select
    sum(billed_amount) as billed,
    count(*) filter (where status_group = 'denied') / count(*) as denial_share
from marts.fct_claims
where status_group <> 'draft'
  and date_trunc('month', coalesce(service_date, cast(created_at as date))) = ?

-- name: payers
select
    coalesce(payer_name, '(no payer)') as payer_name,
    count(*) as claims,
    sum(billed_amount) as billed,
    sum(paid_amount) as paid
from marts.fct_claims
where status_group <> 'draft'
group by 1
order by 1

-- name: care
-- (goals and tasks from their facts, not the reports the page reads)
select
    (select count(*) from marts.fct_care_plans
     where is_active and not is_template and patient_id is not null) as active_care_plans,
    (select count(*) from marts.fct_goals where not is_subgoal and patient_id is not null) as goals,
    (select count(*) from marts.fct_goals where not is_subgoal and patient_id is not null and completions > 0)
        as goals_completed,
    (select count(*) from marts.fct_tasks where not is_complete and created_at is not null) as open_tasks,
    (select count(*) from marts.fct_tasks
     where not is_complete and created_at is not null
       and due_date < (select max(as_of_date) from marts.rpt_task_backlog)) as overdue_tasks

-- name: busiest_goal_provider
select provider_id
from (
    select coalesce(g.provider_id, p.primary_provider_id) as provider_id
    from marts.fct_goals as g
    left join marts.dim_patients as p using (patient_id)
    where not g.is_subgoal and g.patient_id is not null
)
where provider_id is not null
group by provider_id
order by count(*) desc, provider_id
limit 1

-- name: provider_care
select
    (select count(*) from marts.fct_care_plans as c join marts.dim_patients as p using (patient_id)
     where c.is_active and not c.is_template and p.primary_provider_id = $provider) as active_care_plans,
    (select count(*) from marts.fct_goals as g left join marts.dim_patients as p using (patient_id)
     where not g.is_subgoal and g.patient_id is not null
       and coalesce(g.provider_id, p.primary_provider_id) = $provider) as goals,
    (select count(*) from marts.fct_goals as g left join marts.dim_patients as p using (patient_id)
     where not g.is_subgoal and g.patient_id is not null and g.is_completed
       and coalesce(g.provider_id, p.primary_provider_id) = $provider) as goals_completed,
    (select count(*) from marts.fct_tasks
     where not is_complete and created_at is not null and assignee_id = $provider) as open_tasks

-- name: assignees
select
    case when t.assignee_id is null then '(unassigned)' else coalesce(p.full_name, '(not a provider)') end
        as assignee_name,
    count(*) as open_tasks,
    count(*) filter (where t.is_high_priority) as high_priority_tasks
from marts.fct_tasks as t
left join marts.dim_providers as p on p.provider_id = t.assignee_id
where not t.is_complete and t.created_at is not null
group by 1
order by 1

-- name: patient_names
select distinct full_name from marts.dim_patients where full_name is not null
except
select full_name from marts.dim_providers
