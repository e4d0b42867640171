"""The marts built from the canonical lake (lake_factory.SCENARIO): what analysts query must be right.

The scenario is a full sync followed by a change batch: ids below are Healthie-style numeric strings
(appointments 10xx, payments 20xx, entries 30xx, forms 40xx, answers 50xx, patients 1-4, providers 10x).
The revenue-cycle, care, task and document marts are asserted in test_dbt_revenue_cycle.py and
test_dbt_care_tasks_documents.py.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from dbt_harness import column, query


def test_only_the_contract_schemas_hold_relations(built_warehouse: Path) -> None:
    schemas = column(built_warehouse, "select distinct table_schema from information_schema.tables")
    assert sorted(schemas) == ["marts", "staging"]
    marts = column(
        built_warehouse,
        "select table_name from information_schema.tables where table_schema = 'marts' and "
        "table_type = 'BASE TABLE' order by 1",
    )
    assert marts == [
        "dim_appointment_types",
        "dim_form_templates",
        "dim_insurance_policies",
        "dim_patients",
        "dim_providers",
        "fct_appointments",
        "fct_billing_items",
        "fct_care_plans",
        "fct_claim_diagnoses",
        "fct_claim_lines",
        "fct_claims",
        "fct_documents",
        "fct_entries",
        "fct_form_answer_groups",
        "fct_form_answers",
        "fct_goal_history",
        "fct_goals",
        "fct_invoices",
        "fct_tasks",
        "rpt_claims_aging",
        "rpt_form_templates",
        "rpt_goal_progress",
        "rpt_invoices_outstanding",
        "rpt_patient_weekly",
        "rpt_payer_mix",
        "rpt_provider_monthly",
        "rpt_revenue_daily",
        "rpt_task_backlog",
    ]


def test_appointments_are_the_newest_live_versions(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select appointment_id, patient_id, provider_id, status, is_blocker from marts.fct_appointments "
        "order by appointment_id",
    )
    assert rows == [
        ("1001", "1", "101", "Occurred", False),
        ("1002", "2", "101", "No-Show", False),  # the change batch's version wins
        ("1003", "1", "102", "Cancelled", False),
        ("1004", None, "101", None, True),  # a block: kept, flagged, no patient
        ("1005", "2", "102", None, False),  # status not set yet: null, not a made-up value
        ("1008", "99", "101", "Late Cancellation", False),
        ("1009", "2", "101", "Re-Scheduled", False),
    ]  # 1006 was soft-deleted, 1007 deleted from the lake


def test_timestamps_are_utc_instants_whatever_the_style(built_warehouse: Path) -> None:
    starts = dict(query(built_warehouse, "select appointment_id, starts_at from marts.fct_appointments"))
    assert starts["1001"] == datetime(2024, 1, 15, 14, 0)  # 2024-01-15 09:00:00 -0500
    assert starts["1002"] == datetime(2024, 1, 20, 15, 30)  # 2024-01-20 15:30:00 UTC
    assert starts["1003"] == datetime(2024, 2, 3, 10, 0)  # 2024-02-03T10:00:00Z
    assert starts["1004"] == datetime(2024, 2, 5, 16, 0, 0, 250000)  # 2024-02-05T08:00:00.250-08:00
    assert starts["1008"] == datetime(2024, 1, 30, 4, 30)  # 2024-01-29 23:30:00 -0500: next day in UTC
    assert starts["1009"] == datetime(2024, 1, 10, 14, 0)  # 2024-01-10 09:00:00 EST
    types = column(
        built_warehouse,
        "select distinct data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'fct_appointments' and column_name in ('starts_at', 'ends_at', 'created_at')",
    )
    assert types == ["TIMESTAMP"]


def test_money_is_exact_and_collected_means_succeeded(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select billing_item_id, amount_paid, state, is_collected from marts.fct_billing_items order by 1",
    )
    assert rows == [
        ("2001", Decimal("150.00"), "succeeded", True),
        ("2002", Decimal("75.50"), "failed", False),
        ("2003", Decimal("20.00"), "refunded", False),
        ("2004", Decimal("1234.56"), "succeeded", True),
        ("2006", Decimal("0.10"), "pending", False),
        ("2007", Decimal("99.99"), "succeeded", True),  # pending at the full sync, succeeded since
    ]  # 2005 was soft-deleted
    assert column(built_warehouse, "select sum(amount_paid) from marts.fct_billing_items") == [
        Decimal("1580.15")
    ]


def test_entries_keep_type_category_and_metric_value(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select entry_id, patient_id, entry_type, category, metric_value from marts.fct_entries order by 1",
    )
    assert rows == [
        ("3001", "1", "MetricEntry", "Weight", 180.5),
        ("3002", "1", "MetricEntry", "Weight", 179.0),
        ("3003", "1", "MetricEntry", "A1C", 6.1),
        ("3004", "1", "FoodEntry", None, None),
        ("3006", "2", "MetricEntry", "Blood Pressure", 120.0),
        ("3007", "2", "MetricEntry", "Steps", 8000.0),
        ("3008", "1", "MirrorEntry", None, None),
    ]  # 3005 was deleted from the lake


def test_one_row_per_answer_of_the_newest_live_form(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select form_answer_id, form_answer_group_id, patient_id, provider_id, form_template_id, answer "
        "from marts.fct_form_answers order by 1",
    )
    assert rows == [
        ("5001", "4001", "1", None, "601", "Lose weight"),
        ("5002", "4001", "1", None, "601", "Peanuts"),  # the newer version's answer
        ("5003", "4002", "2", None, "601", "Sleep better"),
        ("5004", "4003", "1", "101", "602", "Doing well"),
        ("5005", "4003", "1", "101", "602", "Continue"),
        ("5007", "4001", "1", None, "601", 'Line one\nLine "two" 🍎'),  # text kept byte for byte
    ]  # 5006 belonged to the soft-deleted form 4004
    groups = query(
        built_warehouse,
        "select form_answer_group_id, answer_count, is_locked, is_signed, hours_to_lock "
        "from marts.fct_form_answer_groups order by 1",
    )
    assert groups == [
        ("4001", 3, True, True, 24.0),
        ("4002", 1, False, False, None),
        ("4003", 2, True, True, 2.0),
    ]


def test_dimensions_hold_live_people_and_types(built_warehouse: Path) -> None:
    patients = query(
        built_warehouse, "select patient_id, full_name, date_of_birth from marts.dim_patients order by 1"
    )
    assert patients == [("1", "Pat One", date(1980, 4, 2)), ("2", "Pat Two", None), ("4", "New Name", None)]
    assert column(built_warehouse, "select provider_id from marts.dim_providers order by 1") == ["101", "102"]
    prices = query(
        built_warehouse, "select appointment_type_id, price from marts.dim_appointment_types order by 1"
    )
    assert prices == [("11", Decimal("150.00")), ("12", Decimal("75.50")), ("13", None)]


def test_provider_monthly_counts_rates_and_revenue(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse, "select * from marts.rpt_provider_monthly order by provider_id, month_start"
    )
    assert rows == [
        # 1001 occurred, 1002 no-show, 1008 late cancellation, 1009 re-scheduled; 2001 + 2007 collected.
        ("101", date(2024, 1, 1), 4, 1, 1, 1, 1, 0.5, 0.25, Decimal("249.99")),
        # Only revenue: 2004 was created 2024-01-31 23:30 -0500, i.e. in February (UTC).
        ("101", date(2024, 2, 1), 0, 0, 0, 0, 0, None, None, Decimal("1234.56")),
        # Nothing came due: the no-show rate is null, not zero and not a division error.
        ("102", date(2024, 2, 1), 1, 0, 0, 1, 0, None, 1.0, Decimal("0.00")),
        ("102", date(2024, 3, 1), 1, 0, 0, 0, 0, None, 0.0, Decimal("0.00")),
    ]


def test_patient_weekly_entries_and_latest_metrics(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select patient_id, week_start, journal_entries, metric_entries, latest_weight, latest_a1c, "
        "latest_blood_pressure, latest_metrics from marts.rpt_patient_weekly order by 1, 2",
    )
    assert rows == [
        ("1", date(2024, 1, 15), 4, 3, 179.0, 6.1, None, {"A1C": 6.1, "Weight": 179.0}),
        ("1", date(2024, 1, 22), 1, 0, None, None, None, {}),  # Sunday 23:30 -0500 is Monday in UTC
        ("2", date(2024, 1, 22), 2, 2, None, None, 120.0, {"Blood Pressure": 120.0, "Steps": 8000.0}),
    ]


def test_form_templates_and_daily_revenue(built_warehouse: Path) -> None:
    templates = query(
        built_warehouse,
        "select form_template_id, submissions, share_locked, share_signed, median_hours_to_lock "
        "from marts.rpt_form_templates order by 1",
    )
    # 603 has no submissions yet: it is listed (dim_form_templates), with null shares.
    assert templates == [("601", 2, 0.5, 0.5, 24.0), ("602", 1, 1.0, 1.0, 2.0), ("603", 0, None, None, None)]
    daily = query(
        built_warehouse,
        "select revenue_date, state, sum(amount) from marts.rpt_revenue_daily group by all order by 1, 2",
    )
    assert daily[0] == (date(2024, 1, 15), "succeeded", Decimal("249.99"))
    assert len(daily) == 5
