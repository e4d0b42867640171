with

source as (
    select * from {{ healthie_live_rows('billing_items', soft_deleted=true) }}
),

renamed as (
    select
        -- ids
        id as billing_item_id,
        sender_id as patient_id,
        recipient_id as provider_id,

        -- strings
        state,
        upper(currency) as currency,
        payment_medium,
        failure_reason,
        note,

        -- numerics
        {{ healthie_money('amount_paid', 'amount_paid') }} as amount_paid,

        -- booleans
        -- "Collected" means the money arrived: only `succeeded` (refunded, failed, pending and
        -- scheduled payments are not revenue).
        coalesce(state = 'succeeded', false) as is_collected,

        -- timestamps (UTC)
        {{ healthie_timestamp('created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('updated_at', 'updated_at') }} as updated_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
