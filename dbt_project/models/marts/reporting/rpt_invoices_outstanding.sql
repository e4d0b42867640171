-- What each patient still owes on sent invoices, per currency, by age of the invoice (days from the
-- invoice date to the report's as-of day; macros/healthie/reports.sql). Drafts are never owed.
{% set buckets = [30, 60, 90, 120] %}
with

outstanding as (
    select
        {{ healthie_report_as_of() }} as as_of_date,
        patient_id,
        currency,
        invoice_date,
        invoiced_amount,
        balance_due_amount
    from {{ ref('fct_invoices') }}
    where is_outstanding
),

aged as (
    select
        *,
        date_diff('day', invoice_date, as_of_date) as age_days
    from outstanding
),

final as (
    select
        as_of_date,
        patient_id,
        currency,
        count(*) as outstanding_invoices,
        coalesce(sum(invoiced_amount), 0) as invoiced_amount,
        sum(balance_due_amount) as balance_due_amount,
        {%- for limit in buckets %}
        coalesce(sum(balance_due_amount) filter (where {{ healthie_age_bucket('age_days', buckets) }} = '{{ 0 if loop.first else buckets[loop.index0 - 1] + 1 }}-{{ limit }}'), 0)
            as balance_due_{{ 0 if loop.first else buckets[loop.index0 - 1] + 1 }}_{{ limit }}_days,
        {%- endfor %}
        coalesce(sum(balance_due_amount) filter (where age_days > {{ buckets[-1] }}), 0)
            as balance_due_over_{{ buckets[-1] }}_days,
        min(invoice_date) as oldest_invoice_date,
        max(age_days) as oldest_age_days
    from aged
    group by all
)

select * from final
