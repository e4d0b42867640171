"""Forms: which templates get submitted, how long they take to lock, how many get signed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, data, filters
from dashboards import formatting as fmt

COLUMNS = {
    "form_template_name": "Template",
    "is_charting_note": "Chart note",
    "submissions": "Submissions",
    "share_locked": "Locked",
    "share_signed": "Signed",
    "median_hours_to_lock": "Median hours to lock",
}


def templates_table(templates: pd.DataFrame) -> pd.DataFrame:
    shown = templates[list(COLUMNS)].copy()
    shown["is_charting_note"] = ["yes" if value else "no" for value in templates["is_charting_note"]]
    shown["submissions"] = [fmt.count(value) for value in templates["submissions"]]
    for column in ("share_locked", "share_signed"):
        shown[column] = [fmt.percent(value) for value in templates[column]]
    shown["median_hours_to_lock"] = [fmt.hours(value) for value in templates["median_hours_to_lock"]]
    return shown.rename(columns=COLUMNS).set_index("Template")


def render() -> None:
    st.title("Forms")
    params = filters.sidebar().params()
    head = data.query("forms_headline", params).iloc[0]
    cells = st.columns(4)
    cells[0].metric("Templates used", fmt.count(head["templates"]))
    cells[1].metric("Submissions", fmt.count(head["submissions"]))
    cells[2].metric("Share signed", fmt.percent(head["share_signed"]))
    cells[3].metric("Median hours to lock", fmt.hours(head["median_hours_to_lock"]), help="locked forms")

    templates = data.query("form_templates", params)
    left, right = st.columns(2)
    with left:
        st.subheader("Submissions by template")
        charts.show(
            charts.horizontal_bars(
                templates,
                category="form_template_name",
                value="submissions",
                title="Submissions",
                value_format=",d",
            ),
            templates,
            "No forms submitted in this range.",
            height=charts.bars_height(templates),
        )
    with right:
        st.subheader("Median hours to lock")
        locked = templates.dropna(subset=["median_hours_to_lock"])
        charts.show(
            charts.horizontal_bars(
                locked,
                category="form_template_name",
                value="median_hours_to_lock",
                title="Hours",
                value_format=".1f",
            ),
            locked,
            "No locked forms in this range.",
            height=charts.bars_height(locked),
        )
    st.subheader("Templates")
    if not templates.empty:
        st.table(templates_table(templates))
    st.caption(
        "Filled forms submitted in the range; provider: who filled the form in (patient-filled intake "
        "forms drop out under a provider filter). Over every day and provider these equal "
        "marts.rpt_form_templates. Source: marts.fct_form_answer_groups."
    )
