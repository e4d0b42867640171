-- No-show and cancellation rates per month (UTC), defined as in rpt_provider_monthly.
select
    cast(date_trunc('month', starts_at) as date) as month_start,
    count(*) filter (where status_group = 'no_show')
        / nullif(count(*) filter (where status_group in ('occurred', 'no_show')), 0) as no_show_rate,
    count(*) filter (where status_group = 'cancelled') / nullif(count(*), 0) as cancellation_rate
from marts.fct_appointments
where not is_blocker
  and starts_at >= $start and starts_at < $end_excl
  and ($all_providers or list_contains(cast($providers as varchar[]), provider_id))
group by all
order by month_start
