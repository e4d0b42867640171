-- Open claims (billed, not settled) by payer and age bucket, aged from the date of service to the
-- report's as-of day (macros/healthie/reports.sql: the day the build ran unless pinned).
{% set buckets = [30, 60, 90, 120] %}
with

open_claims as (
    select
        {{ healthie_report_as_of() }} as as_of_date,
        payer_id,
        coalesce(payer_name, '(no payer)') as payer_name,
        billed_amount,
        paid_amount,
        outstanding_amount,
        -- Aged from the date of service; a claim without one (nor dated lines) from its creation.
        coalesce(service_date, cast(created_at as date)) as aged_from
    from {{ ref('fct_claims') }}
    where status_group in {{ healthie_open_claim_groups() }}
),

aged as (
    select
        *,
        date_diff('day', aged_from, as_of_date) as age_days
    from open_claims
    where aged_from is not null
),

final as (
    select
        as_of_date,
        payer_id,
        payer_name,
        {{ healthie_age_bucket('age_days', buckets) }} as age_bucket,
        {{ healthie_age_bucket_start('age_days', buckets) }} as age_bucket_start_days,
        count(*) as open_claims,
        sum(billed_amount) as billed_amount,
        sum(paid_amount) as paid_amount,
        sum(outstanding_amount) as outstanding_amount,
        max(age_days) as oldest_age_days
    from aged
    group by all
)

select * from final
