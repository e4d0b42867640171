-- One row per ICD code of a live claim.
with

diagnoses as (
    select * from {{ ref('stg_healthie__claim_diagnoses') }}
),

claims as (
    select claim_id, patient_id, provider_id
    from {{ ref('stg_healthie__claims') }}
),

final as (
    select
        diagnoses.claim_diagnosis_id,
        diagnoses.claim_id,
        claims.patient_id,
        claims.provider_id,
        diagnoses.icd_code_id,
        diagnoses.icd_code,
        diagnoses.diagnosis_number,
        -- The letter CPT lines point at (A for the first code, ... L for the twelfth).
        case when diagnoses.diagnosis_number between 1 and 26 then chr(cast(64 + diagnoses.diagnosis_number as integer)) end
            as diagnosis_pointer,
        diagnoses.is_active,
        diagnoses.created_at,
        diagnoses.updated_at
    from diagnoses
    inner join claims using (claim_id)
)

select * from final
