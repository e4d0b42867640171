"""Revenue cycle: what insurers still owe and how old it is, who pays what, what patients owe.

Claims aging and invoices outstanding are reports as of one day (the day the build ran, UTC: the
page says which), over every open claim and invoice: the date range does not narrow them. The range
picks months of service for the payer mix and the denial share. The reports carry no provider, so
this page has no provider filter. Invoices are summed over patients: no patient is named here.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, data, filters
from dashboards import formatting as fmt

PAYER_COLUMNS = {
    "payer_name": "Payer",
    "claims": "Claims billed",
    "billed_amount": "Billed",
    "paid_amount": "Paid",
    "collection_rate": "Collection rate",
    "share_billed": "Share of billing",
}
AGING_COLUMNS = {
    "payer_name": "Payer",
    "open_claims": "Open claims",
    "outstanding_amount": "Outstanding",
    "oldest_age_days": "Oldest (days)",
}


def payers_table(mix: pd.DataFrame) -> pd.DataFrame:
    """Per payer over the months shown: claims, billed, paid, collection rate, share of billing."""
    payers = mix.groupby("payer_name", as_index=False)[["claims", "billed_amount", "paid_amount"]].sum()
    billed = payers["billed_amount"].astype(float)
    payers["collection_rate"] = payers["paid_amount"].astype(float) / billed.where(billed != 0)
    payers["share_billed"] = billed / (billed.sum() or float("nan"))
    payers = payers.sort_values(["billed_amount", "payer_name"], ascending=[False, True])
    shown = payers[list(PAYER_COLUMNS)].copy()
    shown["claims"] = [fmt.count(value) for value in payers["claims"]]
    for column in ("billed_amount", "paid_amount"):
        shown[column] = [fmt.money(value) for value in payers[column]]
    for column in ("collection_rate", "share_billed"):
        shown[column] = [fmt.percent(value) for value in payers[column]]
    return shown.rename(columns=PAYER_COLUMNS).set_index("Payer")


def aging_table(aging: pd.DataFrame) -> pd.DataFrame:
    """Per payer, every open claim: how many, what is still to collect, the oldest one's age."""
    payers = aging.groupby("payer_name", as_index=False).agg(
        open_claims=("open_claims", "sum"),
        outstanding_amount=("outstanding_amount", "sum"),
        oldest_age_days=("oldest_age_days", "max"),
    )
    payers = payers.sort_values(["outstanding_amount", "payer_name"], ascending=[False, True])
    shown = payers[list(AGING_COLUMNS)].copy()
    shown["open_claims"] = [fmt.count(value) for value in payers["open_claims"]]
    shown["outstanding_amount"] = [fmt.money(value) for value in payers["outstanding_amount"]]
    shown["oldest_age_days"] = [fmt.count(value) for value in payers["oldest_age_days"]]
    return shown.rename(columns=AGING_COLUMNS).set_index("Payer")


def render() -> None:
    st.title("Revenue cycle")
    params = filters.sidebar(providers=False, bounds_query="revenue_date_bounds").params()
    dated = {key: params[key] for key in ("start", "end_excl")}
    head = data.query("revenue_headline", dated).iloc[0]
    cells = [*st.columns(3), *st.columns(3)]
    cells[0].metric(
        "Open claims", fmt.count(head["open_claims"]), help="billed, not settled (rpt_claims_aging)"
    )
    cells[1].metric(
        "Outstanding on open claims",
        fmt.money(head["claims_outstanding"]),
        help="billed - paid - adjustments (rpt_claims_aging)",
    )
    cells[2].metric(
        "Denial share",
        fmt.percent(head["denial_share"]),
        help="claims billed in these months of service now denied or rejected / claims billed (fct_claims)",
    )
    cells[3].metric(
        "Billed", fmt.money(head["billed"]), help="claims billed, by month of service (rpt_payer_mix)"
    )
    cells[4].metric(
        "Collection rate", fmt.percent(head["collection_rate"]), help="paid / billed (rpt_payer_mix)"
    )
    cells[5].metric(
        "Invoices outstanding",
        fmt.money(head["invoices_balance_due"]),
        help=f"due on {fmt.count(head['invoices_outstanding'])} sent invoices (rpt_invoices_outstanding)",
    )
    st.caption(
        f"Claims aged to {fmt.day(head['claims_as_of'])}, invoices to {fmt.day(head['invoices_as_of'])} "
        "(the reports' as-of day: the UTC day the marts were built), over every open claim and invoice. "
        "Billed, collection rate and denial share: claims whose month of service overlaps the dates picked."
    )

    aging = data.query("revenue_claims_aging")
    left, right = st.columns(2)
    with left:
        st.subheader("Open claims by age and payer")
        charts.show(
            charts.bucket_bars(
                aging,
                bucket="age_bucket",
                order=charts.bucket_order(aging),
                x_title="Days since the date of service",
                y="outstanding_amount",
                y_title="Outstanding",
                color="payer_name",
                y_format=",.0f",
            ),
            aging,
            "No open claims.",
        )
    with right:
        st.subheader("Open claims by payer")
        if aging.empty:
            st.info("No open claims.")
        else:
            st.table(aging_table(aging))

    mix = data.query("revenue_monthly_payer_mix", dated)
    left, right = st.columns(2)
    with left:
        st.subheader("Billed vs paid per month")
        monthly = charts.long_format(
            mix.groupby("month_start", as_index=False)[["billed_amount", "paid_amount"]].sum(),
            index="month_start",
            columns={"billed_amount": "billed", "paid_amount": "paid"},
            var="kind",
            value="amount",
        )
        charts.show(
            charts.grouped_bars(
                monthly,
                x="month_start",
                x_title="Month of service",
                y="amount",
                y_title="Amount",
                color="kind",
            ),
            monthly,
            "No claims billed in these months.",
        )
    with right:
        st.subheader("Payer mix: billed per month")
        charts.show(
            charts.stacked_bars(
                mix,
                x="month_start",
                x_title="Month of service",
                y="billed_amount",
                y_title="Billed",
                color="payer_name",
            ),
            mix,
            "No claims billed in these months.",
        )
    st.subheader("Payers")
    if mix.empty:
        st.info("No claims billed in these months.")
    else:
        st.table(payers_table(mix))

    st.subheader("Invoices outstanding by age")
    invoices = data.query("revenue_invoices_aging")
    owed = invoices[invoices["balance_due"] > 0]
    charts.show(
        charts.bucket_bars(
            owed,
            bucket="age_bucket",
            order=charts.bucket_order(invoices),
            x_title="Days since the invoice date",
            y="balance_due",
            y_title="Balance due",
            color="currency",
            y_format=",.0f",
        ),
        owed,
        "No outstanding invoices.",
    )
    st.caption(
        "Claims billed: every status but draft; open: submitted, denied, partially paid or unknown. "
        "Invoices: sent, unpaid or partly paid, with a balance due, summed over patients. Source: "
        "marts.rpt_claims_aging, rpt_payer_mix, rpt_invoices_outstanding, fct_claims."
    )
