-- The days the revenue cycle page's range covers: the claims' days of service (their creation day
-- without one), as rpt_payer_mix dates them.
select
    min(coalesce(service_date, cast(created_at as date))) as first_day,
    max(coalesce(service_date, cast(created_at as date))) as last_day
from marts.fct_claims
