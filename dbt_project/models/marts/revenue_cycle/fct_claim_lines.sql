-- One row per CPT line of a live claim.
with

lines as (
    select * from {{ ref('stg_healthie__claim_lines') }}
),

claims as (
    select claim_id, patient_id, provider_id, service_date as claim_service_date
    from {{ ref('stg_healthie__claims') }}
),

final as (
    select
        lines.claim_line_id,
        lines.claim_id,
        claims.patient_id,
        claims.provider_id,
        lines.cpt_code_id,
        lines.cpt_code,
        lines.modifiers,
        lines.diagnosis_pointers,
        lines.line_number,
        lines.units,
        lines.fee_amount,
        coalesce(lines.service_date, claims.claim_service_date) as service_date,
        lines.service_end_date,
        lines.created_at,
        lines.updated_at
    from lines
    inner join claims using (claim_id)
)

select * from final
