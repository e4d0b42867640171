-- One row per live document: metadata only (no file, no link, no description or internal notes).
select
    document_id,
    patient_id,
    owner_id,
    display_name,
    document_type,
    file_content_type,
    extension,
    is_shared,
    is_in_charting,
    shared_with_users,
    created_at,
    updated_at,
    _extracted_at,
    _sync_id
from {{ ref('stg_healthie__documents') }}
