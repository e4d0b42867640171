"""A stream with no table or no rows yet builds empty, not a failure; WAREHOUSE_DIR may be relative."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from dbt_harness import REPO_ROOT, build_database, column, run_dbt
from lake_factory import FULL_SYNC_AT, SCENARIO, create_empty, write_batch


def test_missing_streams_read_as_empty_with_a_relative_warehouse_dir(tmp_path: Path) -> None:
    warehouse_dir = tmp_path / "warehouse"
    for stream in ("appointments", "providers", "appointment_types"):
        write_batch(warehouse_dir, stream, SCENARIO.full[stream], extracted_at=FULL_SYNC_AT)
    create_empty(warehouse_dir, "patients")  # the table exists, nothing merged into it yet
    create_empty(warehouse_dir, "claims")
    # Relative WAREHOUSE_DIR values are taken from the repository root, where make and Dagster run.
    relative = os.path.relpath(warehouse_dir, REPO_ROOT)

    started = datetime.now(UTC).date()
    run = run_dbt(relative, ["build"], tmp_path / "dbt")
    finished = datetime.now(UTC).date()

    assert run.ok, run.output
    assert "no data files for stream 'patients' yet" in run.output  # an empty table
    assert "no data files for stream 'entries' yet" in run.output  # no table at all
    assert "no data files for stream 'claims' yet" in run.output
    assert "no data files for stream 'invoice_previews' yet" in run.output
    assert build_database(warehouse_dir).exists()
    # Unpinned, the aging reports' as-of day is the UTC date the run started (macros/healthie/reports.sql).
    compiled = next((tmp_path / "dbt" / "target" / "compiled").rglob("rpt_task_backlog.sql")).read_text()
    assert any(f"cast('{day.isoformat()}' as date)" in compiled for day in {started, finished}), compiled
    assert column(warehouse_dir, "select count(*) from marts.fct_appointments") == [9]
    for empty in (
        "dim_patients",
        "fct_entries",
        "fct_form_answers",
        "rpt_patient_weekly",
        "fct_billing_items",
        # The streams of issue 10: no table at all, or (claims) a table with no rows yet.
        "fct_claims",
        "fct_claim_lines",
        "fct_claim_diagnoses",
        "fct_invoices",
        "dim_insurance_policies",
        "dim_form_templates",
        "fct_care_plans",
        "fct_goals",
        "fct_goal_history",
        "fct_tasks",
        "fct_documents",
        "rpt_claims_aging",
        "rpt_payer_mix",
        "rpt_invoices_outstanding",
        "rpt_goal_progress",
        "rpt_task_backlog",
        "rpt_form_templates",
    ):
        assert column(warehouse_dir, f"select count(*) from marts.{empty}") == [0], empty
