with

source as (
    select * from {{ healthie_live_rows('tasks') }}
),

renamed as (
    select
        -- ids
        id as task_id,
        user_id as assignee_id,
        client_id as patient_id,
        created_by_id,
        completed_by_id,

        -- numerics
        -- Healthie's urgency: 0 standard, 1 high.
        priority,

        -- booleans
        coalesce(complete, false) as is_complete,
        coalesce(hidden, false) as is_hidden,
        coalesce(seen, false) as is_seen,

        -- dates and timestamps (UTC)
        {{ healthie_day('due_date', 'due_date') }} as due_date,
        {{ healthie_timestamp('completed_at', 'completed_at') }} as completed_at,
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
