select
    provider_id,
    first_name,
    last_name,
    nullif(concat_ws(' ', first_name, last_name), '') as full_name,
    email,
    npi,
    qualifications,
    timezone,
    created_at,
    updated_at
from {{ ref('stg_healthie__providers') }}
