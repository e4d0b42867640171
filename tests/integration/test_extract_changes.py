"""Data changing under the sync: churn, deletions between syncs, re-reads by id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.healthie.streams import APPOINTMENTS, STREAMS_BY_NAME
from pipelines.lake.layout import lake_table
from pipelines.refresh.drain import HealthieByIdReader

from .conftest import NO_MISMATCH, materializations, materialize, mismatches, resource_for

CHURNED = ["appointments", "billing_items", "entries", "form_answer_groups"]


def truth_ids(control: Any, stream: str) -> set[str]:
    return {str(row["id"]) for row in control.truth(stream)}


def test_concurrent_changes_miss_nothing_that_existed_throughout(own_sandbox: Any, tmp_path: Path) -> None:
    with own_sandbox.control() as control:
        before = {s: truth_ids(control, s) for s in CHURNED}
        control.set_faults(latency_ms=5)
        control.start_churn(rate_per_s=50, streams=CHURNED)
        try:
            result = materialize(resource_for(own_sandbox), tmp_path, CHURNED, page_size=20)
        finally:
            control.stop_churn()
            control.clear_faults()
        assert sum(control.stats()["changes"].values()) > 20, "the data really changed during the sync"
        for stream in CHURNED:
            survivors = before[stream] & truth_ids(control, stream)
            table = lake_table(tmp_path, stream, STREAMS_BY_NAME[stream].arrow_schema)
            landed = set(table.to_arrow().column("id").to_pylist())
            assert survivors <= landed, (
                f"{stream}: {len(survivors - landed)} rows that existed throughout missed"
            )
        assert result.success


def test_rerun_deletes_deleted_rows(own_sandbox: Any, tmp_path: Path) -> None:
    # soft deletes (appointments, payments, claims) and hard ones (policies under patients, tasks)
    streams = ["appointments", "billing_items", "claims", "insurance_policies", "tasks"]
    healthie = resource_for(own_sandbox)
    with own_sandbox.control() as control:
        assert materialize(healthie, tmp_path, streams).success
        for stream in streams:
            for row in control.truth(stream)[:2]:
                control.delete(stream, row["id"])
        result = materialize(healthie, tmp_path, streams)
        assert result.success
        for stream in streams:
            assert materializations(result)[stream]["deleted"] == 2
            assert mismatches(tmp_path, control, STREAMS_BY_NAME[stream]) == NO_MISMATCH
        assert all(e.passed for e in result.get_asset_check_evaluations())


def test_fetch_by_ids_returns_rows_and_none_for_gone(own_sandbox: Any) -> None:
    healthie = resource_for(own_sandbox)
    with own_sandbox.control() as control:
        live, doomed = (str(row["id"]) for row in control.truth("appointments")[:2])
        control.delete("appointments", doomed)
        found = HealthieByIdReader(healthie.client_settings()).fetch_by_ids(
            APPOINTMENTS, [live, doomed, "999999999", live]
        )
    assert set(found) == {live, doomed, "999999999"}
    row = found[live]
    assert row is not None and row["id"] == live
    assert found[doomed] is None and found["999999999"] is None
