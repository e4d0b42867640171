"""Form templates, care plans, goals, tasks and documents from the canonical lake, as of 2024-03-10.

Ids: form templates 60x, care plans 97xx, goals 98xx with completions 99xx, tasks 995x, documents 998x.
The change batch deleted care plan 9703, document 9983 and completion 9906, recorded completion 9907
and completed task 9956.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from dbt_harness import column, query
from lake_factory import REPORT_AS_OF

AS_OF = REPORT_AS_OF


def test_form_templates_are_a_dimension_with_or_without_submissions(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select form_template_id, form_template_name, is_charting_note, is_default_template "
        "from marts.dim_form_templates order by 1",
    )
    assert rows == [
        ("601", "Intake", False, False),
        ("602", "SOAP note", True, False),
        ("603", "Consent", False, True),
    ]
    names = query(
        built_warehouse,
        "select form_template_id, form_template_name from marts.rpt_form_templates order by 1",
    )
    assert names == [("601", "Intake"), ("602", "SOAP note"), ("603", "Consent")]


def test_care_plans_keep_templates_flagged(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select care_plan_id, patient_id, created_by_id, care_plan_name, is_active, is_template "
        "from marts.fct_care_plans order by 1",
    )
    assert rows == [
        ("9701", "1", "101", "Diabetes plan", True, False),
        ("9702", None, "101", "Weight template", False, True),
    ]  # 9703 was deleted


def test_goals_count_their_completions(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select goal_id, patient_id, provider_id, parent_goal_id, is_subgoal, completions, is_completed, "
        "last_completed_on from marts.fct_goals order by 1",
    )
    assert rows == [
        ("9801", "1", "101", None, False, 3, True, date(2024, 3, 9)),
        ("9802", "1", None, None, False, 0, False, None),  # set by the patient; its completion was deleted
        ("9803", "1", "101", "9801", True, 1, True, date(2024, 3, 1)),
        ("9804", "2", "102", None, False, 1, True, date(2024, 3, 10)),  # completed by the change batch
        ("9805", "2", None, None, False, 1, True, date(2024, 2, 20)),
    ]
    history = column(built_warehouse, "select goal_history_id from marts.fct_goal_history order by 1")
    assert history == ["9901", "9902", "9903", "9904", "9905", "9907"]


def test_goal_progress_per_patient_and_provider(built_warehouse: Path) -> None:
    rows = query(built_warehouse, "select * from marts.rpt_goal_progress order by patient_id")
    assert rows == [
        # 9802 was set by patient 1 and counts for their primary provider 101; 9803 is a subgoal.
        # Last 30 days (2024-02-10 .. 2024-03-10): 9901, 9902 and the subgoal's 9904.
        ("1", "101", AS_OF, 2, 1, 0.5, 1, 1, 4, 3, date(2024, 3, 9)),
        # 9805 was set by patient 2: their primary provider is 102, who set 9804.
        ("2", "102", AS_OF, 2, 2, 1.0, 0, 0, 2, 2, date(2024, 3, 10)),
    ]


def test_tasks_and_the_backlog_by_assignee_and_age(built_warehouse: Path) -> None:
    tasks = query(
        built_warehouse,
        "select task_id, assignee_id, is_complete, is_high_priority, due_date, days_to_complete "
        "from marts.fct_tasks order by 1",
    )
    assert tasks == [
        ("9951", "101", False, True, date(2024, 3, 8), None),
        ("9952", "101", False, False, date(2024, 3, 15), None),
        ("9953", "101", False, False, None, None),
        ("9954", "102", False, True, date(2024, 3, 9), None),
        ("9955", "102", True, False, None, 2.0),
        ("9956", "101", True, False, None, 9 - 1 / 24),  # completed by the change batch
        ("9957", None, False, False, date(2024, 2, 1), None),
    ]
    backlog = query(
        built_warehouse,
        "select as_of_date, assignee_id, age_bucket, open_tasks, overdue_tasks, tasks_without_due_date, "
        "high_priority_tasks, oldest_created_at from marts.rpt_task_backlog "
        "order by assignee_id nulls last, age_bucket_start_days",
    )
    assert backlog == [
        (AS_OF, "101", "0-7", 1, 1, 0, 1, datetime(2024, 3, 5, 10, 0)),
        (AS_OF, "101", "8-30", 1, 0, 0, 0, datetime(2024, 2, 20, 10, 0)),
        (AS_OF, "101", "90+", 1, 0, 1, 0, datetime(2023, 11, 1, 10, 0)),
        # Created 2024-03-09 23:30 -0500, i.e. on the as-of day in UTC: 0 days old, and overdue.
        (AS_OF, "102", "0-7", 1, 1, 0, 1, datetime(2024, 3, 10, 4, 30)),
        (AS_OF, None, "31-90", 1, 1, 0, 0, datetime(2024, 1, 20, 10, 0)),  # unassigned and hidden
    ]


def test_documents_are_metadata_only(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select document_id, patient_id, owner_id, display_name, file_content_type, extension, is_shared "
        "from marts.fct_documents order by 1",
    )
    assert rows == [
        ("9981", "1", "101", "Lab results.pdf", "application/pdf", "pdf", True),
        ("9982", "2", "2", "Insurance card.png", "image/png", "png", False),
    ]  # 9983 was deleted


def test_no_free_text_or_file_columns_reach_the_new_marts(built_warehouse: Path) -> None:
    """Clinical free text (descriptions, notes, task contents) and file links stay out of the marts."""
    forbidden = {
        "description",
        "notes",
        "internal_notes",
        "content",
        "expiring_url",
        "additional_text",
        "details",
    }
    columns = column(
        built_warehouse,
        "select column_name from information_schema.columns where table_schema = 'marts' and table_name in "
        "('fct_claims', 'fct_claim_lines', 'fct_claim_diagnoses', 'fct_invoices', 'dim_insurance_policies', "
        "'fct_care_plans', 'fct_goals', 'fct_goal_history', 'fct_tasks', 'fct_documents')",
    )
    assert forbidden.isdisjoint(columns)
