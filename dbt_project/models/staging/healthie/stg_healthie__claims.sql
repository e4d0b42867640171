-- One row per live insurance claim (Healthie Cms1500). CPT lines, ICD codes and billed policies stay
-- nested here and are unnested by stg_healthie__claim_lines / _claim_diagnoses / _claim_policies.
with

source as (
    select * from {{ healthie_live_rows('claims') }}
),

renamed as (
    select
        -- ids
        id as claim_id,
        patient_id,
        dietitian_id as provider_id,
        billing_provider_id,
        service_location_id,
        form_answer_group_id,

        -- strings
        status,
        primary_plan_name,
        resubmission_code,

        -- money (DECIMAL)
        {{ healthie_money('total_charge', 'billed_amount') }} as billed_amount,
        {{ healthie_money('amount_reimbursed', 'insurance_paid_amount') }} as insurance_paid_amount,
        {{ healthie_money('amount_paid', 'patient_paid_amount') }} as patient_paid_amount,
        {{ healthie_money('adjustment', 'adjustment_amount') }} as adjustment_amount,
        {{ healthie_money('client_responsibility', 'patient_responsibility_amount') }} as patient_responsibility_amount,
        {{ healthie_money('copay', 'copay_amount') }} as copay_amount,
        {{ healthie_money('copay_still_owed', 'copay_owed_amount') }} as copay_owed_amount,

        -- booleans
        coalesce(accept_assignment, false) as accepts_assignment,

        -- dates and timestamps (UTC)
        {{ healthie_day('date_of_service', 'service_date') }} as service_date,
        {{ healthie_timestamp('reimbursed_at', 'reimbursed_at') }} as reimbursed_at,
        {{ healthie_timestamp('paid_out_at', 'paid_out_at') }} as paid_out_at,
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- nested, still raw (typed one per row in the claim line / diagnosis / policy views)
        coalesce(len(cpt_codes_cms1500s), 0) as line_count,
        coalesce(len(icd_codes_cms1500s), 0) as diagnosis_count,
        cpt_codes_cms1500s,
        icd_codes_cms1500s,
        cms1500_policies,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
