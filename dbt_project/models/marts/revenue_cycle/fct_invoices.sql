-- One row per live invoice (RequestedPayment), drafts (previews) flagged.
with

invoices as (
    select * from {{ ref('stg_healthie__invoices') }}
),

final as (
    select
        invoice_id,
        invoice_number,
        patient_id,
        provider_id,
        requested_payer_id,
        appointment_id,
        claim_id,
        offering_id,

        invoice_type,
        status,
        {{ healthie_invoice_status_group('status') }} as status_group,
        is_draft,
        is_manually_paid,
        -- Owed and visible to the payer: sent (not a draft), not settled, with a balance left.
        not is_draft
            and {{ healthie_invoice_status_group('status') }} in ('unpaid', 'partial', 'other')
            and coalesce(balance_due_amount, 0) > 0 as is_outstanding,

        currency,
        invoiced_amount,
        balance_due_amount,
        write_off_amount,
        paid_percent,

        coalesce(invoice_date, service_date) as invoice_date,
        service_date,
        paid_at,
        email_sent_at,
        _extracted_at,
        _sync_id
    from invoices
)

select * from final
