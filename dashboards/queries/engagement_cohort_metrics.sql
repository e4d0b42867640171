-- Weight and A1c per month (UTC) as a cohort: the median over patients of each patient's last value
-- of the month, and how many patients that median is over. Months with fewer than $min_cohort
-- patients are left out, so no point on the chart stands for one person.
with monthly as (
    select
        patient_id,
        cast(date_trunc('month', week_start) as date) as month_start,
        arg_max(latest_weight, week_start) filter (where latest_weight is not null) as weight,
        arg_max(latest_a1c, week_start) filter (where latest_a1c is not null) as a1c
    from marts.rpt_patient_weekly
    where week_start >= $start and week_start < $end_excl
      and (
          $all_providers
          or patient_id in (
              select patient_id from marts.dim_patients
              where list_contains(cast($providers as varchar[]), primary_provider_id)
          )
      )
    group by all
),
cohorts as (
    unpivot monthly on weight, a1c into name metric value metric_value
)
select month_start, metric, median(metric_value) as median_value, count(*) as patients
from cohorts
where metric_value is not null
group by all
having count(*) >= $min_cohort
order by metric, month_start
