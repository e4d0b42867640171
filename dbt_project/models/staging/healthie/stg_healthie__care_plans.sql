with

source as (
    select * from {{ healthie_live_rows('care_plans') }}
),

renamed as (
    select
        -- ids
        id as care_plan_id,
        patient.id as patient_id,
        creator.id as created_by_id,

        -- strings
        name as care_plan_name,

        -- booleans
        coalesce(is_active, false) as is_active,
        coalesce(is_group, false) as is_group,
        coalesce(is_hidden, false) as is_hidden,
        coalesce(is_template, false) as is_template,

        -- timestamps (UTC)
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
