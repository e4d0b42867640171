-- One row per live care plan (templates and group plans included, flagged). Descriptions stay out.
select
    care_plan_id,
    patient_id,
    created_by_id,
    care_plan_name,
    is_active,
    is_template,
    is_group,
    is_hidden,
    created_at,
    updated_at,
    _extracted_at,
    _sync_id
from {{ ref('stg_healthie__care_plans') }}
