"""One full sync of every stream through the Dagster assets lands exactly the sandbox's truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from deltalake import DeltaTable

from pipelines.assets.checks import CHECK_NAME, SIZE_CHECK_NAME
from pipelines.healthie.streams import STREAMS, STREAMS_BY_NAME, StreamSpec

from .conftest import NO_MISMATCH, materializations, materialize, mismatches


@pytest.fixture(scope="module")
def synced(
    control: Any, healthie: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dg.ExecuteInProcessResult, Path]:
    warehouse = tmp_path_factory.mktemp("warehouse")
    return materialize(healthie, warehouse), warehouse


@pytest.mark.parametrize("spec", STREAMS, ids=lambda s: s.name)
def test_stream_lands_exactly_the_truth(spec: StreamSpec, synced: Any, control: Any) -> None:
    result, warehouse = synced
    assert spec.name in materializations(result), f"{spec.name} did not materialize"
    assert mismatches(warehouse, control, spec) == NO_MISMATCH


def test_every_check_passes(synced: Any) -> None:
    result, _ = synced
    evaluations = result.get_asset_check_evaluations()
    checked = {(e.asset_key.path[-1], e.check_name) for e in evaluations}
    counted = {(s.name, CHECK_NAME) for s in STREAMS if s.count_operation}
    assert checked == counted | {(s.name, SIZE_CHECK_NAME) for s in STREAMS}
    assert all(e.passed for e in evaluations), [
        (e.asset_key, e.description) for e in evaluations if not e.passed
    ]


def test_materialization_metadata(synced: Any) -> None:
    result, warehouse = synced
    for stream, metadata in materializations(result).items():
        assert metadata["pages"] >= 1 and metadata["requests"] >= metadata["pages"]
        assert metadata["retries"] == 0 and metadata["duration_seconds"] > 0
        assert Path(metadata["path"]) == warehouse / "lake" / "healthie" / stream
        assert metadata["table_version"] >= 1 and metadata["table_files"] >= 1
        assert metadata["disk_bytes"] >= metadata["table_bytes"] > 0
        assert metadata["rows"] == metadata["live_ids"] == metadata["source_count_end"] or (
            STREAMS_BY_NAME[stream].count_operation is None
        )
    assert materializations(result)["appointments"]["windows"] > 3, "appointments were split into windows"


def test_lake_files_are_private(synced: Any) -> None:
    _, warehouse = synced
    for tree in (warehouse / "lake", warehouse / "landing"):
        assert all((p.stat().st_mode & 0o077) == 0 for p in tree.rglob("*"))
        assert not list(tree.rglob(".*.tmp"))


def test_every_lake_table_is_a_delta_table_any_reader_can_open(synced: Any, control: Any) -> None:
    """Read with deltalake alone (as pandas, Spark or DuckDB would): the current version is the source."""
    _, warehouse = synced
    for spec in STREAMS:
        frame = DeltaTable(str(warehouse / "lake" / "healthie" / spec.name)).to_pandas()
        assert frame["id"].is_unique
        assert set(frame["id"]) == {str(row["id"]) for row in control.truth(spec.name)}
