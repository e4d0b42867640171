-- What patients owe on outstanding invoices, per currency and age bucket of the invoice (days from its
-- date to the report's as-of day): rpt_invoices_outstanding's bucket columns summed over patients.
with buckets as (
    unpivot (
        select
            currency,
            balance_due_0_30_days as "0-30",
            balance_due_31_60_days as "31-60",
            balance_due_61_90_days as "61-90",
            balance_due_91_120_days as "91-120",
            balance_due_over_120_days as "120+"
        from marts.rpt_invoices_outstanding
    )
    on "0-30", "31-60", "61-90", "91-120", "120+"
    into name age_bucket value balance_due
)
select
    age_bucket,
    case age_bucket when '0-30' then 0 when '31-60' then 31 when '61-90' then 61 when '91-120' then 91 else 121 end
        as age_bucket_start_days,
    currency,
    sum(balance_due) as balance_due
from buckets
group by all
order by age_bucket_start_days, currency
