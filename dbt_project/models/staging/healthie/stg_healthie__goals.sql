with

source as (
    select * from {{ healthie_live_rows('goals') }}
),

renamed as (
    select
        -- ids
        id as goal_id,
        user_id as patient_id,
        created_user_id as created_by_id,
        parent_id as parent_goal_id,
        source_template_id,

        -- strings
        name as goal_name,
        -- How often the goal is to be met (Healthie `repeat`: Daily, Weekly, Once, ...).
        repeat as frequency,

        -- booleans
        nullif(trim(parent_id), '') is not null as is_subgoal,
        coalesce(is_used_as_template, false) as is_used_as_template,

        -- dates and timestamps (UTC)
        {{ healthie_day('start_on', 'start_on') }} as start_on,
        {{ healthie_day('due_date', 'due_date') }} as due_date,
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
