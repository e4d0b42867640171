select
    policy_id,
    patient_id,
    insurance_plan_id,
    payer_id,
    payer_name,
    plan_name,
    priority,
    -- Healthie marks a policy the patient no longer uses with priority `inactive`.
    coalesce(priority, '') <> 'inactive' as is_active,
    policy_type,
    billing_method,
    copay_amount,
    coinsurance_percent,
    holder_relationship,
    effective_start,
    effective_end,
    updated_at
from {{ ref('stg_healthie__insurance_policies') }}
