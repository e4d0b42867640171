-- Revenue cycle headline. As of the reports' day (every open claim and invoice, whatever the range):
-- open claims and what is still to collect on them (rpt_claims_aging), outstanding invoices and their
-- balance due (rpt_invoices_outstanding). Over the months of service that overlap [$start, $end_excl):
-- what claims billed and what was paid on them (rpt_payer_mix), and the share of those claims now
-- denied or rejected (fct_claims, billed as rpt_payer_mix counts them: every status but draft).
with aging as (
    select
        max(as_of_date) as claims_as_of,
        coalesce(sum(open_claims), 0) as open_claims,
        coalesce(sum(outstanding_amount), 0) as claims_outstanding
    from marts.rpt_claims_aging
),
invoices as (
    select
        max(as_of_date) as invoices_as_of,
        coalesce(sum(outstanding_invoices), 0) as invoices_outstanding,
        coalesce(sum(balance_due_amount), 0) as invoices_balance_due
    from marts.rpt_invoices_outstanding
),
mix as (
    select coalesce(sum(billed_amount), 0) as billed, coalesce(sum(paid_amount), 0) as paid
    from marts.rpt_payer_mix
    where month_start >= date_trunc('month', $start) and month_start < $end_excl
),
denials as (
    select count(*) filter (where status_group = 'denied') / nullif(count(*), 0) as denial_share
    from marts.fct_claims
    where status_group <> 'draft'
      and date_trunc('month', coalesce(service_date, cast(created_at as date))) >= date_trunc('month', $start)
      and date_trunc('month', coalesce(service_date, cast(created_at as date))) < $end_excl
)
select
    aging.claims_as_of,
    aging.open_claims,
    aging.claims_outstanding,
    denials.denial_share,
    mix.billed,
    mix.paid,
    mix.paid / nullif(mix.billed, 0) as collection_rate,
    invoices.invoices_as_of,
    invoices.invoices_outstanding,
    invoices.invoices_balance_due
from aging, invoices, mix, denials
