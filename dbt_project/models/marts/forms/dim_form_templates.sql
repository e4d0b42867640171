select
    form_template_id,
    form_template_name,
    is_charting_note,
    is_program_form,
    is_video,
    is_prefilled,
    has_matrix_field,
    is_default_template,
    external_id,
    external_id_type,
    created_by_id,
    created_at,
    updated_at
from {{ ref('stg_healthie__form_templates') }}
