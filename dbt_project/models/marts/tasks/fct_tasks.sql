-- One row per live task (hidden ones included, flagged). The task's text stays out of the marts.
select
    task_id,
    assignee_id,
    patient_id,
    created_by_id,
    completed_by_id,
    priority,
    priority >= 1 as is_high_priority,
    is_complete,
    is_hidden,
    is_seen,
    due_date,
    completed_at,
    date_diff('second', created_at, completed_at) / 86400.0 as days_to_complete,
    created_at,
    updated_at,
    _extracted_at,
    _sync_id
from {{ ref('stg_healthie__tasks') }}
