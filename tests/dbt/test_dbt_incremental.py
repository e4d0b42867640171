"""An incremental build after batches MERGEd into the lake gives exactly what a full refresh gives."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from dbt_harness import column, query, run_dbt
from lake_factory import CHANGES_AT, FULL_SYNC_AT, tombstone, write_batch

from pipelines.assets.dbt import dbt_build_args

STREAMS = ["appointments", "entries"]
FACTS = (
    "marts.fct_appointments",
    "marts.fct_entries",
    "marts.rpt_provider_monthly",
    "marts.rpt_patient_weekly",
)


def contents(warehouse_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {table: query(warehouse_dir, f"select * from {table} order by all") for table in FACTS}


def test_incremental_build_equals_full_refresh(warehouse_copy: Path) -> None:
    write_batch(
        warehouse_copy,
        "appointments",
        [
            {
                "id": "1003",
                "date": "2024-02-03T10:00:00Z",
                "pm_status": "Late Cancellation",
                "user_id": 1,
                "provider": {"id": "102"},
            },
            {
                "id": "1010",
                "date": "2024-04-01 10:00:00 UTC",
                "pm_status": None,
                "user_id": 2,
                "provider": {"id": "101"},
            },
            # Deleted by the scenario's change batch, read again since: inserted anew.
            {
                "id": "1007",
                "date": "2024-01-23 12:00:00 UTC",
                "pm_status": "Occurred",
                "user_id": 1,
                "provider": {"id": "101"},
            },
            {
                "id": "1009",
                "date": "2024-01-10 09:00:00 EST",
                "deleted_at": "2024-03-11 10:00:00 UTC",
                "user_id": 2,
                "provider": {"id": "101"},
            },
            tombstone("1001"),
        ],
        extracted_at=CHANGES_AT + timedelta(hours=2),
        kind="change",
    )
    # A full pull that merges late: read at 03:00, before the 11:00 change batch already built, merged
    # after that build. A single `_extracted_at` watermark would skip its rows; comparing per id does not.
    write_batch(
        warehouse_copy,
        "appointments",
        [
            # Newer than the full sync's row of 1005 (02:00) that was built, and changed: the MERGE takes it.
            {
                "id": "1005",
                "date": "2024-03-01 12:00:00 +0000",
                "pm_status": "Occurred",
                "user_id": 2,
                "provider": {"id": "102"},
            },
            {
                "id": "1011",
                "date": "2024-03-02 12:00:00 UTC",
                "pm_status": "Occurred",
                "user_id": 1,
                "provider": {"id": "101"},
            },
        ],
        extracted_at=FULL_SYNC_AT + timedelta(hours=1),
        kind="full",
    )
    # Older than the table's row of 1008: the MERGE keeps the newer row, the build must not change it.
    write_batch(
        warehouse_copy,
        "appointments",
        [{"id": "1008", "date": "2024-01-29 23:30:00 -0500", "pm_status": "Occurred", "user_id": 99}],
        extracted_at=FULL_SYNC_AT - timedelta(hours=1),
        kind="full",
    )
    write_batch(
        warehouse_copy,
        "entries",
        [
            {
                "id": "3009",
                "type": "MetricEntry",
                "category": "Weight",
                "metric_stat": 178.0,
                "poster": {"id": "1"},
                "created_at": "2024-01-19 08:00:00 UTC",
            },
            tombstone("3001"),
        ],
        extracted_at=CHANGES_AT + timedelta(hours=2),
        kind="change",
    )

    incremental_run = run_dbt(warehouse_copy, dbt_build_args(streams=STREAMS), warehouse_copy / "dbt")
    assert incremental_run.ok, incremental_run.output
    incremental = contents(warehouse_copy)

    assert column(warehouse_copy, "select appointment_id from marts.fct_appointments order by 1") == [
        "1002",
        "1003",
        "1004",
        "1005",
        "1007",
        "1008",
        "1010",
        "1011",
    ]
    statuses = dict(query(warehouse_copy, "select appointment_id, status from marts.fct_appointments"))
    assert (statuses["1003"], statuses["1005"], statuses["1008"]) == (
        "Late Cancellation",
        "Occurred",
        "Late Cancellation",
    )
    assert column(
        warehouse_copy, "select latest_weight from marts.rpt_patient_weekly where week_start = '2024-01-15'"
    ) == [178.0]

    full_run = run_dbt(
        warehouse_copy, dbt_build_args(streams=STREAMS, full_refresh=True), warehouse_copy / "dbt"
    )
    assert full_run.ok, full_run.output
    assert contents(warehouse_copy) == incremental
