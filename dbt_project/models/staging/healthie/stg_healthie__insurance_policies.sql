-- One row per live insurance policy of a patient (Healthie Policy, read through each patient).
with

source as (
    select * from {{ healthie_live_rows('insurance_policies') }}
),

renamed as (
    select
        -- ids
        id as policy_id,
        user_id as patient_id,
        coalesce(insurance_plan.id, insurance_plan_id) as insurance_plan_id,
        insurance_plan.payer_id as payer_id,

        -- strings
        insurance_plan.payer_name as payer_name,
        name as plan_name,
        -- primary, secondary, tertiary or inactive (Healthie writes them in either case).
        lower(nullif(trim(priority_type), '')) as priority,
        type_string as policy_type,
        insurance_billing_method as billing_method,
        holder_relationship,

        -- money (DECIMAL) and numerics
        -- Healthie's `copay_value` is in cents.
        cast(cast(copay_value as decimal(18, 2)) / 100 as decimal(18, 2)) as copay_amount,
        coinsurance_value as coinsurance_percent,

        -- dates and timestamps (UTC)
        {{ healthie_day('effective_start', 'effective_start') }} as effective_start,
        {{ healthie_day('effective_end', 'effective_end') }} as effective_end,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
