select
    billing_item_id,
    patient_id,
    provider_id,
    amount_paid,
    currency,
    state,
    is_collected,
    payment_medium,
    failure_reason,
    created_at,
    updated_at,
    _extracted_at,
    _sync_id
from {{ ref('stg_healthie__billing_items') }}
