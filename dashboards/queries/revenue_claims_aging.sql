-- Open claims by age bucket (days since the date of service, to the report's as-of day) and payer,
-- youngest bucket first: rpt_claims_aging as it is (a payer's name may stand for several payer ids).
select
    age_bucket,
    min(age_bucket_start_days) as age_bucket_start_days,
    payer_name,
    sum(open_claims) as open_claims,
    sum(billed_amount) as billed_amount,
    sum(paid_amount) as paid_amount,
    sum(outstanding_amount) as outstanding_amount,
    max(oldest_age_days) as oldest_age_days
from marts.rpt_claims_aging
group by age_bucket, payer_name
order by age_bucket_start_days, payer_name
