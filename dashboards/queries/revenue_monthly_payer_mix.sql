-- Billed and paid per month of service and payer, over the months that overlap [$start, $end_excl).
select
    month_start,
    payer_name,
    sum(claims) as claims,
    sum(billed_amount) as billed_amount,
    sum(paid_amount) as paid_amount
from marts.rpt_payer_mix
where month_start >= date_trunc('month', $start) and month_start < $end_excl
group by month_start, payer_name
order by month_start, payer_name
