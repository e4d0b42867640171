-- One row per live goal completion (Healthie GoalHistory): a repeating goal has one per completion.
with

source as (
    select * from {{ healthie_live_rows('goal_histories') }}
),

renamed as (
    select
        -- ids
        id as goal_history_id,
        goal_id,
        user_id as patient_id,

        -- strings
        repeat as frequency,

        -- booleans
        coalesce(is_subgoal, false) as is_subgoal,

        -- dates and timestamps (UTC)
        {{ healthie_day('completed_on', 'completed_on') }} as completed_on,
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
