{#-
    The lake's columns and DuckDB types per stream: the Arrow schemas of pipelines/healthie/streams.py
    (API fields as returned, then the lake's bookkeeping columns), which tests/dbt checks this against.
    Used where no data file can tell: the empty relation standing in for a stream whose Delta table does
    not exist yet or holds no rows, and unit-test fixtures (dbt's own fixtures would look the source up
    in the database).
-#}
{% macro healthie_lake_columns(stream) -%}
    {%- set id_ref = 'STRUCT(id VARCHAR)' -%}
    {%- set bookkeeping = [
        ['_extracted_at', 'TIMESTAMP WITH TIME ZONE'],
        ['_sync_id', 'VARCHAR'],
        ['_row_hash', 'BIGINT'],
    ] -%}
    {%- set streams = {
        'appointments': [
            ['id', 'VARCHAR'], ['date', 'VARCHAR'], ['end', 'VARCHAR'], ['length', 'BIGINT'],
            ['pm_status', 'VARCHAR'], ['is_blocker', 'BOOLEAN'], ['is_group', 'BOOLEAN'],
            ['confirmed', 'BOOLEAN'], ['contact_type', 'VARCHAR'], ['location', 'VARCHAR'],
            ['notes', 'VARCHAR'], ['timezone_abbr', 'VARCHAR'], ['created_at', 'VARCHAR'],
            ['updated_at', 'VARCHAR'], ['deleted_at', 'VARCHAR'], ['appointment_type_id', 'BIGINT'],
            ['user_id', 'BIGINT'], ['provider', id_ref],
            ['appointment_type', 'STRUCT(id VARCHAR, "name" VARCHAR)'],
        ],
        'billing_items': [
            ['id', 'VARCHAR'], ['amount_paid', 'VARCHAR'], ['currency', 'VARCHAR'], ['state', 'VARCHAR'],
            ['note', 'VARCHAR'], ['payment_medium', 'VARCHAR'], ['failure_reason', 'VARCHAR'],
            ['created_at', 'VARCHAR'], ['updated_at', 'VARCHAR'], ['deleted_at', 'VARCHAR'],
            ['sender_id', 'VARCHAR'], ['recipient_id', 'VARCHAR'],
        ],
        'entries': [
            ['id', 'VARCHAR'], ['type', 'VARCHAR'], ['category', 'VARCHAR'], ['metric_stat', 'DOUBLE'],
            ['name', 'VARCHAR'], ['description', 'VARCHAR'], ['emotions', 'VARCHAR'],
            ['created_at', 'VARCHAR'], ['updated_at', 'VARCHAR'], ['poster', id_ref],
        ],
        'form_answer_groups': [
            ['id', 'VARCHAR'], ['name', 'VARCHAR'], ['finished', 'BOOLEAN'], ['locked_at', 'VARCHAR'],
            ['record_created_at', 'VARCHAR'], ['created_at', 'VARCHAR'], ['updated_at', 'VARCHAR'],
            ['deleted_at', 'VARCHAR'], ['user_id', 'VARCHAR'], ['filler', id_ref], ['locked_by', id_ref],
            ['custom_module_form', 'STRUCT(id VARCHAR, "name" VARCHAR, use_for_charting BOOLEAN)'],
            ['form_answer_group_signings', 'STRUCT(id VARCHAR, created_at VARCHAR)[]'],
            ['form_answers', 'STRUCT(id VARCHAR, custom_module_id VARCHAR, "label" VARCHAR, answer VARCHAR, displayed_answer VARCHAR, created_at VARCHAR, updated_at VARCHAR)[]'],
        ],
        'patients': [
            ['id', 'VARCHAR'], ['first_name', 'VARCHAR'], ['last_name', 'VARCHAR'], ['email', 'VARCHAR'],
            ['dob', 'VARCHAR'], ['gender', 'VARCHAR'], ['phone_number', 'VARCHAR'], ['timezone', 'VARCHAR'],
            ['active', 'BOOLEAN'], ['dietitian_id', 'VARCHAR'], ['created_at', 'VARCHAR'],
            ['updated_at', 'VARCHAR'],
        ],
        'providers': [
            ['id', 'VARCHAR'], ['first_name', 'VARCHAR'], ['last_name', 'VARCHAR'], ['email', 'VARCHAR'],
            ['npi', 'VARCHAR'], ['qualifications', 'VARCHAR'], ['timezone', 'VARCHAR'],
            ['created_at', 'VARCHAR'], ['updated_at', 'VARCHAR'],
        ],
        'appointment_types': [
            ['id', 'VARCHAR'], ['name', 'VARCHAR'], ['length', 'BIGINT'], ['is_group', 'BOOLEAN'],
            ['clients_can_book', 'BOOLEAN'], ['pricing', 'VARCHAR'], ['position', 'BIGINT'],
            ['created_at', 'VARCHAR'], ['updated_at', 'VARCHAR'],
        ],
        'claims': [
            ['id', 'VARCHAR'], ['status', 'VARCHAR'], ['date_of_service', 'VARCHAR'],
            ['total_charge', 'VARCHAR'], ['amount_paid', 'VARCHAR'], ['amount_reimbursed', 'VARCHAR'],
            ['adjustment', 'VARCHAR'], ['client_responsibility', 'VARCHAR'], ['copay', 'VARCHAR'],
            ['copay_still_owed', 'VARCHAR'], ['primary_plan_name', 'VARCHAR'], ['patient_id', 'VARCHAR'],
            ['dietitian_id', 'VARCHAR'], ['billing_provider_id', 'VARCHAR'],
            ['service_location_id', 'VARCHAR'], ['form_answer_group_id', 'VARCHAR'],
            ['accept_assignment', 'BOOLEAN'], ['reimbursed_at', 'VARCHAR'], ['paid_out_at', 'VARCHAR'],
            ['resubmission_code', 'VARCHAR'], ['created_at', 'VARCHAR'], ['updated_at', 'VARCHAR'],
            ['cpt_codes_cms1500s', 'STRUCT(id VARCHAR, cpt_code STRUCT(id VARCHAR, code VARCHAR), units VARCHAR, fee VARCHAR, mod1 VARCHAR, mod2 VARCHAR, mod3 VARCHAR, mod4 VARCHAR, pointers VARCHAR[], service_date VARCHAR, service_end_date VARCHAR, created_at VARCHAR, updated_at VARCHAR)[]'],
            ['icd_codes_cms1500s', 'STRUCT(id VARCHAR, active BOOLEAN, icd_code STRUCT(id VARCHAR, code VARCHAR), created_at VARCHAR, updated_at VARCHAR)[]'],
            ['cms1500_policies', 'STRUCT(id VARCHAR, policy_id VARCHAR)[]'],
        ],
        'invoices': [
            ['id', 'VARCHAR'], ['invoice_id', 'VARCHAR'], ['invoice_type', 'VARCHAR'], ['status', 'VARCHAR'],
            ['is_preview', 'BOOLEAN'], ['is_manually_paid', 'BOOLEAN'], ['price', 'VARCHAR'],
            ['currency', 'VARCHAR'], ['balance_due', 'DOUBLE'], ['write_off_amount', 'DOUBLE'],
            ['paid_percent', 'BIGINT'], ['paid_at', 'VARCHAR'], ['service_date', 'VARCHAR'],
            ['date_to_show', 'VARCHAR'], ['email_sent_at', 'VARCHAR'], ['sender_id', 'VARCHAR'],
            ['recipient_id', 'VARCHAR'], ['requested_payer_id', 'VARCHAR'], ['appointment_id', 'VARCHAR'],
            ['cms1500_id', 'VARCHAR'], ['offering_id', 'VARCHAR'],
        ],
        'invoice_previews': [
            ['id', 'VARCHAR'], ['invoice_id', 'VARCHAR'], ['invoice_type', 'VARCHAR'], ['status', 'VARCHAR'],
            ['is_preview', 'BOOLEAN'], ['is_manually_paid', 'BOOLEAN'], ['price', 'VARCHAR'],
            ['currency', 'VARCHAR'], ['balance_due', 'DOUBLE'], ['write_off_amount', 'DOUBLE'],
            ['paid_percent', 'BIGINT'], ['paid_at', 'VARCHAR'], ['service_date', 'VARCHAR'],
            ['date_to_show', 'VARCHAR'], ['email_sent_at', 'VARCHAR'], ['sender_id', 'VARCHAR'],
            ['recipient_id', 'VARCHAR'], ['requested_payer_id', 'VARCHAR'], ['appointment_id', 'VARCHAR'],
            ['cms1500_id', 'VARCHAR'], ['offering_id', 'VARCHAR'],
        ],
        'insurance_policies': [
            ['id', 'VARCHAR'], ['user_id', 'VARCHAR'], ['name', 'VARCHAR'], ['priority_type', 'VARCHAR'],
            ['type_string', 'VARCHAR'], ['insurance_billing_method', 'VARCHAR'], ['copay_value', 'BIGINT'],
            ['coinsurance_value', 'BIGINT'], ['effective_start', 'VARCHAR'], ['effective_end', 'VARCHAR'],
            ['holder_relationship', 'VARCHAR'], ['insurance_plan_id', 'VARCHAR'],
            ['insurance_plan', 'STRUCT(id VARCHAR, payer_id VARCHAR, payer_name VARCHAR)'],
            ['updated_at', 'VARCHAR'],
        ],
        'form_templates': [
            ['id', 'VARCHAR'], ['name', 'VARCHAR'], ['use_for_charting', 'BOOLEAN'],
            ['use_for_program', 'BOOLEAN'], ['is_video', 'BOOLEAN'], ['prefill', 'BOOLEAN'],
            ['has_matrix_field', 'BOOLEAN'], ['uploaded_by_healthie_team', 'BOOLEAN'],
            ['external_id', 'VARCHAR'], ['external_id_type', 'VARCHAR'], ['created_at', 'VARCHAR'],
            ['updated_at', 'VARCHAR'], ['user', id_ref],
        ],
        'care_plans': [
            ['id', 'VARCHAR'], ['name', 'VARCHAR'], ['is_active', 'BOOLEAN'], ['is_group', 'BOOLEAN'],
            ['is_hidden', 'BOOLEAN'], ['is_template', 'BOOLEAN'], ['created_at', 'VARCHAR'],
            ['updated_at', 'VARCHAR'], ['patient', id_ref], ['creator', id_ref],
        ],
        'goals': [
            ['id', 'VARCHAR'], ['name', 'VARCHAR'], ['repeat', 'VARCHAR'], ['start_on', 'VARCHAR'],
            ['due_date', 'VARCHAR'], ['is_used_as_template', 'BOOLEAN'], ['parent_id', 'VARCHAR'],
            ['user_id', 'VARCHAR'], ['created_user_id', 'VARCHAR'], ['source_template_id', 'VARCHAR'],
            ['created_at', 'VARCHAR'],
        ],
        'goal_histories': [
            ['id', 'VARCHAR'], ['goal_id', 'VARCHAR'], ['user_id', 'VARCHAR'], ['completed_on', 'VARCHAR'],
            ['is_subgoal', 'BOOLEAN'], ['repeat', 'VARCHAR'], ['created_at', 'VARCHAR'],
        ],
        'tasks': [
            ['id', 'VARCHAR'], ['user_id', 'VARCHAR'], ['client_id', 'VARCHAR'], ['created_by_id', 'VARCHAR'],
            ['completed_by_id', 'VARCHAR'], ['complete', 'BOOLEAN'], ['completed_at', 'VARCHAR'],
            ['due_date', 'VARCHAR'], ['hidden', 'BOOLEAN'], ['priority', 'BIGINT'], ['seen', 'BOOLEAN'],
            ['created_at', 'VARCHAR'], ['updated_at', 'VARCHAR'],
        ],
        'documents': [
            ['id', 'VARCHAR'], ['display_name', 'VARCHAR'], ['file_content_type', 'VARCHAR'],
            ['extension', 'VARCHAR'], ['friendly_type', 'VARCHAR'], ['rel_user_id', 'VARCHAR'],
            ['shared', 'BOOLEAN'], ['include_in_charting', 'BOOLEAN'], ['users_count', 'BIGINT'],
            ['created_at', 'VARCHAR'], ['updated_at', 'VARCHAR'], ['owner', id_ref],
        ],
    } -%}
    {%- if stream not in streams -%}
        {{- exceptions.raise_compiler_error("healthie_lake_columns: unknown stream '" ~ stream ~ "'") -}}
    {%- endif -%}
    {{- return(streams[stream] + bookkeeping) -}}
{%- endmacro %}
