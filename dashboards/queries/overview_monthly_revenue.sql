-- Payments created per month (UTC): collected (succeeded) and outstanding (pending or scheduled).
select
    cast(date_trunc('month', created_at) as date) as month_start,
    coalesce(sum(amount_paid) filter (where is_collected), 0) as collected,
    coalesce(sum(amount_paid) filter (where state in ('pending', 'scheduled')), 0) as outstanding
from marts.fct_billing_items
where created_at >= $start and created_at < $end_excl
  and ($all_providers or list_contains(cast($providers as varchar[]), provider_id))
group by all
order by month_start
