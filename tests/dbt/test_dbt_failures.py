"""Bad data stops the build with a message naming the column, and the marts analysts read survive it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
from dbt_harness import query, run_dbt
from lake_factory import CHANGES_AT, write_batch, write_unparseable_appointment

from pipelines.healthie.streams import APPOINTMENTS

LATER = CHANGES_AT + timedelta(hours=1)


def snapshot(warehouse_dir: Path, table: str) -> list[tuple[Any, ...]]:
    return query(warehouse_dir, f"select * from {table} order by 1")


def test_unparseable_timestamp_fails_the_build_and_keeps_the_marts(warehouse_copy: Path) -> None:
    before = {
        t: snapshot(warehouse_copy, t) for t in ("marts.fct_appointments", "marts.rpt_provider_monthly")
    }
    write_unparseable_appointment(warehouse_copy, LATER)

    run = run_dbt(
        warehouse_copy, ["build", "--select", "source:healthie.appointments+"], warehouse_copy / "dbt"
    )

    assert not run.ok
    assert "stg_healthie__appointments.starts_at: a value is not a Healthie timestamp" in run.output
    assert "next Tuesday" not in run.output  # values are never echoed: they may be PHI
    assert {t: snapshot(warehouse_copy, t) for t in before} == before


def test_a_bad_value_in_a_column_no_mart_reads_still_fails(warehouse_copy: Path) -> None:
    """DuckDB would never evaluate it; the staging model's all_values_parse test does."""
    write_batch(
        warehouse_copy,
        "patients",
        [{"id": "1", "first_name": "Pat", "updated_at": "yesterday"}],
        extracted_at=LATER,
        kind="change",
    )

    run = run_dbt(warehouse_copy, ["build", "--select", "stg_healthie__patients"], warehouse_copy / "dbt")

    assert not run.ok
    assert "all_values_parse_stg_healthie__patients" in run.output
    assert "stg_healthie__patients.updated_at: a value is not a Healthie timestamp" in run.output


def test_failed_table_build_keeps_the_previous_table(warehouse_copy: Path) -> None:
    """dbt-duckdb builds a table under a temporary name and swaps it in only once it is complete."""
    before = snapshot(warehouse_copy, "marts.fct_billing_items")
    write_batch(
        warehouse_copy,
        "billing_items",
        [
            {
                "id": "2001",
                "amount_paid": "$150",
                "state": "succeeded",
                "sender_id": "1",
                "recipient_id": "101",
            }
        ],
        extracted_at=LATER,
        kind="change",
    )

    run = run_dbt(
        warehouse_copy,
        ["run", "--select", "stg_healthie__billing_items", "fct_billing_items"],
        warehouse_copy / "dbt",
    )

    assert not run.ok
    assert "stg_healthie__billing_items.amount_paid: a value is not a decimal amount" in run.output
    assert snapshot(warehouse_copy, "marts.fct_billing_items") == before


def test_failed_incremental_build_keeps_the_previous_rows(warehouse_copy: Path) -> None:
    before = snapshot(warehouse_copy, "marts.fct_appointments")
    write_batch(
        warehouse_copy,
        "appointments",
        [
            {"id": "1010", "date": "2024-04-01 10:00:00 UTC", "user_id": 1, "provider": {"id": "101"}},
            {"id": "1003", "date": "2024-02-03T10:00:00Z", "end": "soon", "provider": {"id": "102"}},
        ],
        extracted_at=LATER,
        kind="change",
    )

    run = run_dbt(
        warehouse_copy,
        ["run", "--select", "stg_healthie__appointments", "fct_appointments"],
        warehouse_copy / "dbt",
    )

    assert not run.ok
    assert "stg_healthie__appointments.ends_at" in run.output
    assert snapshot(warehouse_copy, "marts.fct_appointments") == before  # neither 1010 nor the new 1003


def test_null_id_in_the_lake_fails_the_build(warehouse_copy: Path) -> None:
    nullable_ids = pa.schema([field.with_nullable(True) for field in APPOINTMENTS.arrow_schema])
    write_batch(
        warehouse_copy,
        "appointments",
        [{"id": None, "date": "2024-04-01 10:00:00 UTC"}],
        extracted_at=LATER,
        kind="change",
        schema=nullable_ids,
    )

    run = run_dbt(
        warehouse_copy, ["build", "--select", "source:healthie.appointments+"], warehouse_copy / "dbt"
    )

    assert not run.ok
    assert 'healthie lake stream "appointments": a row has a null id' in run.output
