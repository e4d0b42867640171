"""A stream with no files yet builds empty instead of failing the project; WAREHOUSE_DIR may be relative."""

from __future__ import annotations

import os
from pathlib import Path

from dbt_harness import REPO_ROOT, column, run_dbt
from lake_factory import FULL_SYNC_AT, SCENARIO, write_batch


def test_missing_streams_read_as_empty_with_a_relative_warehouse_dir(tmp_path: Path) -> None:
    warehouse_dir = tmp_path / "warehouse"
    for stream in ("appointments", "providers", "appointment_types"):
        write_batch(warehouse_dir, stream, SCENARIO.full[stream], extracted_at=FULL_SYNC_AT)
    (warehouse_dir / "lake" / "healthie" / "patients").mkdir()  # the folder exists, no batch landed yet
    # Relative WAREHOUSE_DIR values are taken from the repository root, where make and Dagster run.
    relative = os.path.relpath(warehouse_dir, REPO_ROOT)

    run = run_dbt(relative, ["build"], tmp_path / "dbt")

    assert run.ok, run.output
    assert "no Parquet files for stream 'patients' yet" in run.output
    assert (warehouse_dir / "warehouse.duckdb").exists()
    assert column(warehouse_dir, "select count(*) from marts.fct_appointments") == [9]
    for empty in (
        "dim_patients",
        "fct_entries",
        "fct_form_answers",
        "rpt_patient_weekly",
        "fct_billing_items",
    ):
        assert column(warehouse_dir, f"select count(*) from marts.{empty}") == [0], empty
