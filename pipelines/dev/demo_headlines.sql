-- Headline numbers `make run` prints from the marts (label, value); analysts get the same with SQL.
select 'patients' as label, cast(count(*) as varchar) as value from marts.dim_patients
union all
select 'providers', cast(count(*) as varchar) from marts.dim_providers
union all
select 'appointments (incl. availability blocks)', cast(count(*) as varchar) from marts.fct_appointments
union all
select 'no-show rate, last 12 months',
    coalesce(cast(round(100.0 * sum(no_shows) / nullif(sum(appointments_occurred) + sum(no_shows), 0), 1) as varchar) || ' %', 'n/a')
from marts.rpt_provider_monthly
where month_start >= date_trunc('month', current_date) - interval 12 month and month_start < current_date
union all
select 'revenue collected, all time',
    cast(coalesce(sum(amount), 0) as varchar)
from marts.rpt_revenue_daily
where is_collected
union all
select 'journal entries', cast(count(*) as varchar) from marts.fct_entries
union all
select 'form answers (one row per answer)', cast(count(*) as varchar) from marts.fct_form_answers
union all
select 'open claims (billed, not settled)',
    cast(coalesce(sum(open_claims), 0) as varchar) || ', ' || cast(coalesce(sum(outstanding_amount), 0) as varchar) || ' outstanding'
from marts.rpt_claims_aging
union all
select 'open tasks (overdue)',
    cast(coalesce(sum(open_tasks), 0) as varchar) || ' (' || cast(coalesce(sum(overdue_tasks), 0) as varchar) || ')'
from marts.rpt_task_backlog
