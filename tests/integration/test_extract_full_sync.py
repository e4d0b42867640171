"""One full sync of every stream through the Dagster assets lands exactly the sandbox's truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import pytest

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


def test_every_completeness_check_passes(synced: Any) -> None:
    result, _ = synced
    evaluations = result.get_asset_check_evaluations()
    assert {e.asset_key.path[-1] for e in evaluations} == {s.name for s in STREAMS if s.count_operation}
    assert all(e.passed for e in evaluations), [
        (e.asset_key, e.description) for e in evaluations if not e.passed
    ]


def test_materialization_metadata(synced: Any) -> None:
    result, warehouse = synced
    for stream, metadata in materializations(result).items():
        assert metadata["pages"] >= 1 and metadata["requests"] >= metadata["pages"]
        assert metadata["retries"] == 0 and metadata["duration_seconds"] > 0
        assert Path(metadata["path"]).parent.parent == warehouse / "lake" / "healthie"
        assert metadata["rows"] == metadata["live_ids"] == metadata["source_count_end"] or (
            STREAMS_BY_NAME[stream].count_operation is None
        )
    assert materializations(result)["appointments"]["windows"] > 3, "appointments were split into windows"


def test_lake_files_are_private(synced: Any) -> None:
    _, warehouse = synced
    lake = warehouse / "lake"
    assert all((p.stat().st_mode & 0o077) == 0 for p in lake.rglob("*"))
    assert not list(lake.rglob(".*.tmp"))
