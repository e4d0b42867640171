-- One row per live insurance claim (CMS 1500): who, which payer, where it stands, what was billed and paid.
with

claims as (
    select * from {{ ref('stg_healthie__claims') }}
),

lines as (
    select
        claim_id,
        min(service_date) as first_line_service_date
    from {{ ref('stg_healthie__claim_lines') }}
    group by claim_id
),

-- The payer is the claim's primary policy: among the policies it bills, the one whose priority is
-- primary (then secondary, tertiary, any other), ties going to the claim's own order.
billed_policies as (
    select
        claim_policies.claim_id,
        claim_policies.policy_id,
        policies.insurance_plan_id,
        policies.payer_id,
        policies.payer_name,
        count(*) over (partition by claim_policies.claim_id) as billed_policy_count
    from {{ ref('stg_healthie__claim_policies') }} as claim_policies
    left join {{ ref('dim_insurance_policies') }} as policies using (policy_id)
    qualify row_number() over (
        partition by claim_policies.claim_id
        order by
            case policies.priority when 'primary' then 1 when 'secondary' then 2 when 'tertiary' then 3 else 4 end,
            claim_policies.policy_number
    ) = 1
),

final as (
    select
        claims.claim_id,
        claims.patient_id,
        claims.provider_id,
        claims.billing_provider_id,
        claims.service_location_id,
        claims.form_answer_group_id,
        billed_policies.policy_id,
        billed_policies.insurance_plan_id,
        billed_policies.payer_id,
        billed_policies.payer_name,
        claims.primary_plan_name,
        coalesce(billed_policies.billed_policy_count, 0) as billed_policy_count,

        claims.status,
        {{ healthie_claim_status_group('claims.status') }} as status_group,

        claims.billed_amount,
        claims.insurance_paid_amount,
        claims.patient_paid_amount,
        cast(coalesce(claims.insurance_paid_amount, 0) + coalesce(claims.patient_paid_amount, 0) as decimal(18, 2))
            as paid_amount,
        claims.adjustment_amount,
        cast(
            claims.billed_amount
            - coalesce(claims.insurance_paid_amount, 0)
            - coalesce(claims.patient_paid_amount, 0)
            - coalesce(claims.adjustment_amount, 0)
            as decimal(18, 2)
        ) as outstanding_amount,
        claims.patient_responsibility_amount,
        claims.copay_amount,

        claims.line_count,
        claims.diagnosis_count,

        -- The claim's date of service; Healthie may leave it to the lines: then the first line's.
        coalesce(claims.service_date, lines.first_line_service_date) as service_date,
        claims.reimbursed_at,
        claims.created_at,
        claims.updated_at,
        claims._extracted_at,
        claims._sync_id
    from claims
    left join lines using (claim_id)
    left join billed_policies using (claim_id)
)

select * from final
