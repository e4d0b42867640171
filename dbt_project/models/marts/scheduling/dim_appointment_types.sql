select
    appointment_type_id,
    appointment_type_name,
    length_minutes,
    price,
    is_group,
    clients_can_book,
    display_position,
    created_at,
    updated_at
from {{ ref('stg_healthie__appointment_types') }}
