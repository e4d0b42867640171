-- One row per provider with appointments, payments or chart notes in the range: bookings, how the
-- ones that came due ended, revenue collected, and the median hours to lock the chart notes they filled.
with appointments as (
    select
        provider_id,
        count(*) as booked,
        count(*) filter (where status_group = 'occurred') as occurred,
        count(*) filter (where status_group = 'no_show') as no_shows
    from marts.fct_appointments
    where not is_blocker and provider_id is not null
      and starts_at >= $start and starts_at < $end_excl
    group by all
),
revenue as (
    select provider_id, sum(amount_paid) as revenue
    from marts.fct_billing_items
    where is_collected and provider_id is not null
      and created_at >= $start and created_at < $end_excl
    group by all
),
notes as (
    select provider_id, median(hours_to_lock) as median_hours_to_lock
    from marts.fct_form_answer_groups
    where is_charting_note and provider_id is not null
      and created_at >= $start and created_at < $end_excl
    group by all
)
select
    provider_id,
    coalesce(p.full_name, 'Provider ' || provider_id) as provider_name,
    coalesce(a.booked, 0) as booked,
    coalesce(a.occurred, 0) as occurred,
    coalesce(a.no_shows, 0) as no_shows,
    a.no_shows / nullif(a.occurred + a.no_shows, 0) as no_show_rate,
    coalesce(r.revenue, 0) as revenue,
    n.median_hours_to_lock
from appointments as a
full outer join revenue as r using (provider_id)
full outer join notes as n using (provider_id)
left join marts.dim_providers as p using (provider_id)
where $all_providers or list_contains(cast($providers as varchar[]), provider_id)
order by booked desc, provider_name
