select
    patient_id,
    primary_provider_id,
    first_name,
    last_name,
    nullif(concat_ws(' ', first_name, last_name), '') as full_name,
    email,
    phone_number,
    gender,
    date_of_birth,
    timezone,
    is_active,
    created_at,
    updated_at
from {{ ref('stg_healthie__patients') }}
