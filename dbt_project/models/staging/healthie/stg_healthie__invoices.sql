-- One row per live invoice (Healthie RequestedPayment), sent ones and drafts: Healthie lists invoices
-- still in preview (drafts, hidden from its UI) only when asked (`preview: true`), so they land in a
-- stream of their own, `invoice_previews`. An invoice sent since its preview was read is in both
-- tables until the next pull of the previews: the sent version wins (sending cannot be undone).
with

sent as (
    select *, false as _from_previews from {{ healthie_live_rows('invoices') }}
),

previews as (
    select *, true as _from_previews from {{ healthie_live_rows('invoice_previews') }}
),

both_streams as (
    select * from sent
    union all by name
    select * from previews
),

source as (
    select * from both_streams
    qualify row_number() over (partition by id order by _from_previews, _extracted_at desc) = 1
),

renamed as (
    select
        -- ids
        id as invoice_id,
        recipient_id as patient_id,
        sender_id as provider_id,
        requested_payer_id,
        appointment_id,
        cms1500_id as claim_id,
        offering_id,

        -- strings
        invoice_id as invoice_number,
        invoice_type,
        status,
        upper(currency) as currency,

        -- money (DECIMAL) and numerics
        {{ healthie_money('price', 'invoiced_amount') }} as invoiced_amount,
        {{ healthie_float_money('balance_due', 'balance_due_amount') }} as balance_due_amount,
        {{ healthie_float_money('write_off_amount', 'write_off_amount') }} as write_off_amount,
        paid_percent,

        -- booleans
        coalesce(is_preview, false) or _from_previews as is_draft,
        coalesce(is_manually_paid, false) as is_manually_paid,

        -- dates and timestamps (UTC)
        {{ healthie_day('date_to_show', 'invoice_date') }} as invoice_date,
        {{ healthie_day('service_date', 'service_date') }} as service_date,
        {{ healthie_timestamp('paid_at', 'paid_at') }} as paid_at,
        {{ healthie_timestamp('email_sent_at', 'email_sent_at') }} as email_sent_at,

        -- lake bookkeeping
        timezone('UTC', _extracted_at) as _extracted_at,
        _sync_id

    from source
)

select * from renamed
