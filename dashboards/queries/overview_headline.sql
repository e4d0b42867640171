-- Practice overview headline: appointments (not availability blocks) starting in [$start, $end_excl),
-- how the ones that came due ended, payments created in the range, and active patients (by primary
-- provider when filtered). Rates as in rpt_provider_monthly: null when nothing could be counted.
with appointments as (
    select
        count(*) as booked,
        count(*) filter (where status_group = 'occurred') as occurred,
        count(*) filter (where status_group = 'no_show') as no_shows,
        count(*) filter (where status_group = 'cancelled') as cancellations
    from marts.fct_appointments
    where not is_blocker
      and starts_at >= $start and starts_at < $end_excl
      and ($all_providers or list_contains(cast($providers as varchar[]), provider_id))
),
payments as (
    select
        coalesce(sum(amount_paid) filter (where is_collected), 0) as collected,
        coalesce(sum(amount_paid) filter (where state in ('pending', 'scheduled')), 0) as outstanding
    from marts.fct_billing_items
    where created_at >= $start and created_at < $end_excl
      and ($all_providers or list_contains(cast($providers as varchar[]), provider_id))
),
patients as (
    select count(*) as active_patients
    from marts.dim_patients
    where is_active
      and ($all_providers or list_contains(cast($providers as varchar[]), primary_provider_id))
)
select
    appointments.booked,
    appointments.occurred,
    appointments.no_shows,
    appointments.cancellations,
    appointments.no_shows / nullif(appointments.occurred + appointments.no_shows, 0) as no_show_rate,
    appointments.cancellations / nullif(appointments.booked, 0) as cancellation_rate,
    payments.collected,
    payments.outstanding,
    patients.active_patients
from appointments, payments, patients
