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
    } -%}
    {%- if stream not in streams -%}
        {{- exceptions.raise_compiler_error("healthie_lake_columns: unknown stream '" ~ stream ~ "'") -}}
    {%- endif -%}
    {{- return(streams[stream] + bookkeeping) -}}
{%- endmacro %}
