"""Patients to follow up (row level: names): active patients with no visit that occurred in 90 days.

Off unless `DASHBOARDS_ROW_LEVEL=1`: every other page shows aggregates only. When on, the names
reach the browser of whoever may open the app, so enable it only behind the practice's login.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboards import data, filters
from dashboards import formatting as fmt


def render() -> None:
    st.title("Patients to follow up")
    st.warning("Row-level page: patient names (enabled by DASHBOARDS_ROW_LEVEL). Do not share screenshots.")
    chosen = filters.sidebar()
    params = {**chosen.params(), "today": datetime.now(UTC).date()}
    patients = data.query("followups", {key: params[key] for key in ("all_providers", "providers", "today")})
    st.metric("Active patients without a visit in 90 days", fmt.count(len(patients)))
    st.dataframe(
        patients.rename(
            columns={
                "patient_id": "Patient id",
                "full_name": "Name",
                "primary_provider": "Primary provider",
                "last_visit": "Last visit",
            }
        ),
        hide_index=True,
    )
