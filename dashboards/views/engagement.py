"""Patients & engagement: journal activity, cohort weight and A1c trends, forms completed.

Aggregates only: cohort trends are medians over patients, and a month with fewer patients than
`DASHBOARDS_MIN_COHORT` (default 5) is left out, so no point stands for one person.
"""

from __future__ import annotations

import os

import streamlit as st

from dashboards import charts, data, filters
from dashboards import formatting as fmt

MIN_COHORT_VAR = "DASHBOARDS_MIN_COHORT"
DEFAULT_MIN_COHORT = 5


def min_cohort() -> int:
    raw = os.environ.get(MIN_COHORT_VAR, "")
    return max(1, int(raw)) if raw.strip().isdigit() else DEFAULT_MIN_COHORT


def render() -> None:
    st.title("Patients & engagement")
    params = filters.sidebar().params()
    head = data.query("engagement_headline", params).iloc[0]
    cells = st.columns(3)
    cells[0].metric("Journal entries", fmt.count(head["journal_entries"]), help="fct_entries logged")
    cells[1].metric("Patients logging", fmt.count(head["patients_logging"]), help="distinct posters")
    cells[2].metric("Forms completed", fmt.count(head["forms_completed"]), help="fct_form_answer_groups")

    st.subheader("Journal entries per week, by type")
    entries = data.query("engagement_weekly_entries", params)
    charts.show(
        charts.stacked_bars(
            entries, x="week_start", x_title="Week (UTC)", y="entries", y_title="Entries", color="entry_type"
        ),
        entries,
        "No journal entries in this range.",
    )

    left, right = st.columns(2)
    cohort = data.query("engagement_cohort_metrics", {**params, "min_cohort": min_cohort()})
    for column, metric, title in ((left, "weight", "Weight"), (right, "a1c", "A1c")):
        with column:
            st.subheader(f"{title}: cohort median per month")
            series = cohort[cohort["metric"] == metric]
            charts.show(
                charts.lines(
                    series,
                    x="month_start",
                    x_title="Month (UTC)",
                    y="median_value",
                    y_title=title,
                    color="metric",
                ),
                series,
                f"Fewer than {min_cohort()} patients logged {title} in any month of this range.",
            )

    st.subheader("Forms completed per week")
    forms = data.query("engagement_weekly_forms", params)
    charts.show(
        charts.stacked_bars(
            forms, x="week_start", x_title="Week (UTC)", y="forms", y_title="Forms", color="form_kind"
        ),
        forms,
        "No forms completed in this range.",
    )
    st.caption(
        "Filtered by the patient's primary provider (entries have none). Cohort medians: each patient's "
        f"last value of the month, months with at least {min_cohort()} patients. Source: marts.fct_entries, "
        "rpt_patient_weekly, fct_form_answer_groups."
    )
