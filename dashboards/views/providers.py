"""Providers: a scorecard per provider (bookings, outcomes, revenue, how fast chart notes get locked)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, data, filters
from dashboards import formatting as fmt

COLUMNS = {
    "provider_name": "Provider",
    "booked": "Booked",
    "occurred": "Occurred",
    "no_shows": "No-shows",
    "no_show_rate": "No-show rate",
    "revenue": "Revenue collected",
    "median_hours_to_lock": "Median hours to lock chart notes",
}


def scorecard_table(scorecard: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as shown: every number formatted the one way the tests format the marts."""
    shown = scorecard[list(COLUMNS)].copy()
    for column, formatter in {
        "booked": fmt.count,
        "occurred": fmt.count,
        "no_shows": fmt.count,
        "no_show_rate": fmt.percent,
        "revenue": fmt.money,
        "median_hours_to_lock": fmt.hours,
    }.items():
        shown[column] = [formatter(value) for value in scorecard[column]]
    return shown.rename(columns=COLUMNS).set_index("Provider")


def render() -> None:
    st.title("Providers")
    params = filters.sidebar().params()
    scorecard = data.query("provider_scorecard", params)
    cells = st.columns(3)
    cells[0].metric("Providers", fmt.count(len(scorecard)), help="with bookings, revenue or chart notes")
    cells[1].metric("Appointments booked", fmt.count(scorecard["booked"].sum()))
    cells[2].metric("Revenue collected", fmt.money(scorecard["revenue"].sum()))

    st.subheader("Scorecard")
    if scorecard.empty:
        st.info("No provider activity in this range.")
    else:
        st.table(scorecard_table(scorecard))

    left, right = st.columns(2)
    with left:
        st.subheader("No-show rate")
        rates = scorecard.dropna(subset=["no_show_rate"])
        charts.show(
            charts.horizontal_bars(
                rates,
                category="provider_name",
                value="no_show_rate",
                title="No-show rate",
                value_format=".0%",
            ),
            rates,
            "No appointments came due in this range.",
            height=charts.bars_height(rates),
        )
    with right:
        st.subheader("Median hours to lock chart notes")
        locking = scorecard.dropna(subset=["median_hours_to_lock"])
        charts.show(
            charts.horizontal_bars(
                locking,
                category="provider_name",
                value="median_hours_to_lock",
                title="Hours",
                value_format=".1f",
            ),
            locking,
            "No locked chart notes in this range.",
            height=charts.bars_height(locking),
        )
    st.caption(
        "Booked: appointments (not availability blocks) starting in the range; no-show rate: no-shows / "
        "(occurred + no-shows); revenue: succeeded payments to the provider; hours to lock: chart notes "
        "the provider filled. Source: marts.fct_appointments, fct_billing_items, fct_form_answer_groups."
    )
