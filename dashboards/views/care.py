"""Care & tasks: care plans in force, how far patients get with their goals, the staff's task backlog.

Aggregates only: counts per provider or assignee, never a patient. Assignees are named from
dim_providers (staff) and nothing else. The goal and task reports are as of one day (the page says
which), so this page has a provider filter and no date range.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, data, filters
from dashboards import formatting as fmt

GOAL_COLUMNS = {
    "provider_name": "Provider",
    "patients": "Patients with goals",
    "goals": "Goals",
    "goals_completed": "Completed",
    "share_goals_completed": "Share completed",
    "completions_last_30_days": "Completions, last 30 days",
}
TASK_COLUMNS = {
    "assignee_name": "Assignee",
    "open_tasks": "Open tasks",
    "overdue_tasks": "Overdue",
    "high_priority_tasks": "High priority",
    "tasks_without_due_date": "No due date",
}


def goals_table(goals: pd.DataFrame) -> pd.DataFrame:
    shown = goals[list(GOAL_COLUMNS)].copy()
    for column in ("patients", "goals", "goals_completed", "completions_last_30_days"):
        shown[column] = [fmt.count(value) for value in goals[column]]
    shown["share_goals_completed"] = [fmt.percent(value) for value in goals["share_goals_completed"]]
    return shown.rename(columns=GOAL_COLUMNS).set_index("Provider")


def tasks_table(backlog: pd.DataFrame) -> pd.DataFrame:
    """Per assignee, over every age bucket."""
    counts = [column for column in TASK_COLUMNS if column != "assignee_name"]
    per_assignee = backlog.groupby("assignee_name", as_index=False)[counts].sum()
    per_assignee = per_assignee.sort_values(["open_tasks", "assignee_name"], ascending=[False, True])
    shown = per_assignee[list(TASK_COLUMNS)].copy()
    for column in counts:
        shown[column] = [fmt.count(value) for value in per_assignee[column]]
    return shown.rename(columns=TASK_COLUMNS).set_index("Assignee")


def render() -> None:
    st.title("Care & tasks")
    chosen = filters.sidebar(dates=False)
    params = {key: value for key, value in chosen.params().items() if key in ("all_providers", "providers")}
    head = data.query("care_headline", params).iloc[0]
    cells = [*st.columns(3), *st.columns(3)]
    cells[0].metric(
        "Active care plans",
        fmt.count(head["active_care_plans"]),
        help="patients' plans active now, not templates (fct_care_plans; by primary provider)",
    )
    cells[1].metric("Goals", fmt.count(head["goals"]), help="live goals, not subgoals (rpt_goal_progress)")
    cells[2].metric(
        "Goals completed",
        fmt.count(head["goals_completed"]),
        help="completed at least once (rpt_goal_progress)",
    )
    cells[3].metric("Share of goals completed", fmt.percent(head["share_goals_completed"]))
    cells[4].metric("Open tasks", fmt.count(head["open_tasks"]), help="not completed (rpt_task_backlog)")
    cells[5].metric("Overdue tasks", fmt.count(head["overdue_tasks"]), help="open, due before the as-of day")
    st.caption(
        f"As of {fmt.day(head['as_of_date'])} (the reports' as-of day: the UTC day the marts were built). "
        "A goal counts for the provider who set it, or the patient's primary provider when the patient "
        "set it."
    )

    goals = data.query("care_goal_progress", params)
    backlog = data.query("care_task_backlog", params)
    left, right = st.columns(2)
    with left:
        st.subheader("Goals completed per provider")
        charts.show(
            charts.horizontal_bars(
                goals,
                category="provider_name",
                value="goals_completed",
                title="Goals completed",
                value_format=",d",
            ),
            goals,
            "No goals set.",
            height=charts.bars_height(goals),
        )
    with right:
        st.subheader("Open tasks by age and assignee")
        charts.show(
            charts.bucket_bars(
                backlog,
                bucket="age_bucket",
                order=charts.bucket_order(backlog),
                x_title="Days since the task was created",
                y="open_tasks",
                y_title="Open tasks",
                color="assignee_name",
            ),
            backlog,
            "No open tasks.",
        )

    left, right = st.columns(2)
    with left:
        st.subheader("Goals per provider")
        if goals.empty:
            st.info("No goals set.")
        else:
            st.table(goals_table(goals))
    with right:
        st.subheader("Task backlog per assignee")
        if backlog.empty:
            st.info("No open tasks.")
        else:
            st.table(tasks_table(backlog))
    st.caption(
        "Care plans: active, not templates or group plans. Goals: live goals (subgoals apart), completed "
        "at least once. Tasks: open (hidden ones included), aged from creation. Source: "
        "marts.fct_care_plans, rpt_goal_progress, rpt_task_backlog, dim_providers."
    )
