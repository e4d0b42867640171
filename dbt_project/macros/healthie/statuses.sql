{#-
    Healthie keeps claim and invoice statuses as free strings (the schema documents no enum; the UI
    writes them capitalized, e.g. "Partially Paid"). Marts keep the status verbatim and add a small,
    fixed `status_group` for reporting; a status this project does not know becomes `other` (counted as
    still open, so it shows up in aging reports rather than vanishing) and an accepted_values test warns.
-#}

{#-
    Claims: draft (not billed yet), submitted (with the payer or clearinghouse), denied (rejected or
    denied: to be corrected or appealed), partially_paid, paid, closed (settled otherwise: voided,
    written off). Open receivables are submitted, denied, partially_paid and other.
-#}
{% macro healthie_claim_status_group(status) -%}
    case replace(lower(trim({{ status }})), '_', ' ')
        when 'draft' then 'draft'
        when 'not submitted' then 'draft'
        when 'ready to submit' then 'draft'
        when 'submitted' then 'submitted'
        when 'resubmitted' then 'submitted'
        when 'received' then 'submitted'
        when 'accepted' then 'submitted'
        when 'acknowledged' then 'submitted'
        when 'pending' then 'submitted'
        when 'in process' then 'submitted'
        when 'rejected' then 'denied'
        when 'denied' then 'denied'
        when 'partially paid' then 'partially_paid'
        when 'paid' then 'paid'
        when 'closed' then 'closed'
        when 'void' then 'closed'
        when 'voided' then 'closed'
        when 'written off' then 'closed'
        else case when nullif(trim({{ status }}), '') is null then 'draft' else 'other' end
    end
{%- endmacro %}


{#- The claim status groups that are still receivables (billed, not settled). -#}
{% macro healthie_open_claim_groups() -%}
    ('submitted', 'denied', 'partially_paid', 'other')
{%- endmacro %}


{#-
    Invoices (Healthie's `status_filter` says "paid, partial or unpaid"): unpaid, partial, paid, void
    (voided or cancelled). An unset status counts as unpaid.
-#}
{% macro healthie_invoice_status_group(status) -%}
    case replace(lower(trim({{ status }})), '_', ' ')
        when 'unpaid' then 'unpaid'
        when 'sent' then 'unpaid'
        when 'overdue' then 'unpaid'
        when 'partial' then 'partial'
        when 'partially paid' then 'partial'
        when 'paid' then 'paid'
        when 'void' then 'void'
        when 'voided' then 'void'
        when 'cancelled' then 'void'
        when 'canceled' then 'void'
        else case when nullif(trim({{ status }}), '') is null then 'unpaid' else 'other' end
    end
{%- endmacro %}
