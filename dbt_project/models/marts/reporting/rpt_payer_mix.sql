-- Billed and paid per payer and month of service (UTC), over claims billed to a payer (drafts left out).
with

claims as (
    select
        cast(date_trunc('month', coalesce(service_date, cast(created_at as date))) as date) as month_start,
        payer_id,
        coalesce(payer_name, '(no payer)') as payer_name,
        status_group,
        billed_amount,
        insurance_paid_amount,
        patient_paid_amount,
        paid_amount
    from {{ ref('fct_claims') }}
    where status_group <> 'draft'
      and coalesce(service_date, cast(created_at as date)) is not null
),

per_payer as (
    select
        month_start,
        payer_id,
        payer_name,
        count(*) as claims,
        count(*) filter (where status_group in {{ healthie_open_claim_groups() }}) as open_claims,
        coalesce(sum(billed_amount), 0) as billed_amount,
        coalesce(sum(insurance_paid_amount), 0) as insurance_paid_amount,
        coalesce(sum(patient_paid_amount), 0) as patient_paid_amount,
        coalesce(sum(paid_amount), 0) as paid_amount
    from claims
    group by all
),

final as (
    select
        *,
        {{ safe_ratio('paid_amount', 'billed_amount') }} as collection_rate,
        {{ safe_ratio('billed_amount', 'sum(billed_amount) over (partition by month_start)') }} as share_of_month_billed
    from per_payer
)

select * from final
