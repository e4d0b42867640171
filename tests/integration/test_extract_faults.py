"""Injected failures: transient ones are retried to an exact result, malformed answers fail cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from pipelines.healthie.resource import HealthieResource
from pipelines.healthie.streams import STREAMS_BY_NAME

from .conftest import NO_MISMATCH, materializations, materialize, mismatches

STREAMS = ["appointments", "billing_items", "entries"]


def assert_exact(warehouse: Path, control: Any, streams: list[str]) -> None:
    for stream in streams:
        assert mismatches(warehouse, control, STREAMS_BY_NAME[stream]) == NO_MISMATCH, stream


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "http_429", "every": 4},
        {"kind": "http_error", "every": 3, "status": 502},
        {"kind": "too_many_requests", "every": 3},
        {"kind": "graphql_error", "every": 4},
        {"kind": "drop", "every": 4},
    ],
    ids=lambda rule: rule["kind"],
)
def test_transient_failures_are_retried_to_the_exact_truth(
    rule: dict[str, Any], sandbox_control: Any, healthie: HealthieResource, tmp_path: Path
) -> None:
    sandbox_control.set_faults(rules=[rule])
    result = materialize(healthie, tmp_path, STREAMS)
    assert result.success
    sandbox_control.clear_faults()
    assert_exact(tmp_path, sandbox_control, STREAMS)
    assert sum(m["retries"] for m in materializations(result).values()) > 0
    assert all(e.passed for e in result.get_asset_check_evaluations())


def test_rate_limited_server_is_obeyed(sandbox: Any, sandbox_control: Any, tmp_path: Path) -> None:
    sandbox_control.set_faults(rate_limit_rps=40, rate_limit_mode="graphql")
    sandbox_control.reset_stats()
    paced = HealthieResource(api_key=sandbox.api_key, api_url=sandbox.url, rate_limit_rps=38.0)
    result = materialize(paced, tmp_path, ["billing_items"], page_size=20)
    stats = sandbox_control.stats()
    assert result.success and stats["over_limit"] == 0
    assert_exact(tmp_path, sandbox_control, ["billing_items"])


def test_rate_limit_responses_are_honoured(
    sandbox_control: Any, healthie: HealthieResource, tmp_path: Path
) -> None:
    sandbox_control.set_faults(rate_limit_rps=30, rate_limit_burst=5)
    result = materialize(healthie, tmp_path, ["billing_items"], page_size=25)
    assert result.success and materializations(result)["billing_items"]["rate_limited"] > 0
    assert_exact(tmp_path, sandbox_control, ["billing_items"])


def test_page_size_shrinks_when_the_query_is_too_complex(
    sandbox_control: Any, healthie: HealthieResource, tmp_path: Path
) -> None:
    sandbox_control.set_faults(max_complexity=400)  # appointments cost 3 per row: 500 -> 250 -> 125 fits
    result = materialize(healthie, tmp_path, ["appointments"], page_size=500)
    assert result.success
    assert sandbox_control.stats()["too_complex"] >= 2
    assert_exact(tmp_path, sandbox_control, ["appointments"])


@pytest.mark.parametrize("kind", ["invalid_json", "missing_fields", "wrong_types"])
def test_malformed_responses_fail_clearly_and_leave_no_partial_file(
    kind: str, sandbox: Any, sandbox_control: Any, healthie: HealthieResource, tmp_path: Path
) -> None:
    sandbox_control.set_faults(rules=[{"kind": kind, "every": 5}])
    result = materialize(healthie, tmp_path, ["entries"])
    assert not result.success
    failure = result.failure_data_for_node("healthie_extract")
    assert failure is not None
    message = str(failure.error)
    assert "entries" in message and ("window" in message or "count" in message)
    assert sandbox.api_key not in message
    lake = tmp_path / "lake"
    assert not list(lake.rglob(".*.tmp"))
    for part in lake.rglob("*.parquet"):
        pq.read_metadata(part)  # every file under a final name is whole
