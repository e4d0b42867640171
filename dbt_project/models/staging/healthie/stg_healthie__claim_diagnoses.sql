-- One row per ICD code (IcdCodesCms1500) of a live claim: the nested `icd_codes_cms1500s` of
-- stg_healthie__claims unnested and typed, in the claim's order (`diagnosis_number`, from 1: the
-- CMS 1500 form's diagnosis letters A, B, C, ... that CPT lines point at).
with

source as (
    select
        claim_id,
        unnest(icd_codes_cms1500s) as diagnosis,
        generate_subscripts(icd_codes_cms1500s, 1) as diagnosis_number
    from {{ ref('stg_healthie__claims') }}
),

renamed as (
    select
        -- ids
        diagnosis.id as claim_diagnosis_id,
        claim_id,
        diagnosis.icd_code.id as icd_code_id,

        -- strings
        diagnosis.icd_code.code as icd_code,

        -- numerics
        diagnosis_number,

        -- booleans
        coalesce(diagnosis.active, true) as is_active,

        -- timestamps (UTC)
        {{ healthie_timestamp('diagnosis.created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('diagnosis.updated_at', 'updated_at') }} as updated_at

    from source
)

select * from renamed
