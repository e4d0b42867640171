"""Practice overview: how many visits, how they end, what was collected, how many patients."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, data, filters
from dashboards import formatting as fmt


def render() -> None:
    st.title("Practice overview")
    params = filters.sidebar().params()
    head = data.query("overview_headline", params).iloc[0]
    cells = [*st.columns(3), *st.columns(3)]
    cells[0].metric("Appointments booked", fmt.count(head["booked"]), help="fct_appointments, not blocks")
    cells[1].metric(
        "No-show rate", fmt.percent(head["no_show_rate"]), help="no-shows / (occurred + no-shows)"
    )
    cells[2].metric("Cancellation rate", fmt.percent(head["cancellation_rate"]), help="cancelled / booked")
    cells[3].metric("Revenue collected", fmt.money(head["collected"]), help="fct_billing_items, succeeded")
    cells[4].metric("Outstanding", fmt.money(head["outstanding"]), help="payments pending or scheduled")
    cells[5].metric(
        "Active patients", fmt.count(head["active_patients"]), help="dim_patients not archived (today)"
    )

    st.subheader("Appointments per week, by status")
    weekly = data.query("overview_weekly_status", params)
    charts.show(
        charts.stacked_bars(
            weekly,
            x="week_start",
            x_title="Week (UTC)",
            y="appointments",
            y_title="Appointments",
            color="status_group",
        ),
        weekly,
        "No appointments in this range.",
    )

    left, right = st.columns(2)
    with left:
        st.subheader("No-show and cancellation rates")
        rates = charts.long_format(
            data.query("overview_monthly_rates", params),
            index="month_start",
            columns={"no_show_rate": "no-show rate", "cancellation_rate": "cancellation rate"},
            var="rate",
            value="share",
        )
        charts.show(
            charts.lines(
                rates,
                x="month_start",
                x_title="Month (UTC)",
                y="share",
                y_title="Share",
                color="rate",
                y_format=".0%",
            ),
            rates,
            "No appointments in this range.",
        )
    with right:
        st.subheader("Revenue collected vs outstanding")
        revenue = charts.long_format(
            data.query("overview_monthly_revenue", params),
            index="month_start",
            columns={"collected": "collected", "outstanding": "outstanding"},
            var="kind",
            value="amount",
        )
        charts.show(
            charts.grouped_bars(
                revenue, x="month_start", x_title="Month (UTC)", y="amount", y_title="Amount", color="kind"
            ),
            revenue,
            "No payments in this range.",
        )
    st.caption(
        "Appointments by start, payments by creation, in UTC. Outstanding: payments pending or scheduled. "
        "Source: marts.fct_appointments, marts.fct_billing_items, marts.dim_patients."
    )
