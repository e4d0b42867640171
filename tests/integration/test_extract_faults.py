"""Injected failures: transient ones are retried to an exact result (8% mixed faults, GraphQL-level
"Internal server error" answers, a 20 s outage in the middle of a sync healed by the extract step's
own retries), errors that can never succeed and malformed answers fail cleanly and fast."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow.parquet as pq
import pytest

from pipelines.assets.extract import build_extract_assets
from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.resources import HealthieResource
from pipelines.settings import WarehouseConfig

from .conftest import FAST_CONFIG, NO_MISMATCH, materializations, materialize, mismatches, resource_for

STREAMS = ["appointments", "billing_items", "entries"]


def assert_exact(warehouse: Path, control: Any, streams: list[str]) -> None:
    for stream in streams:
        assert mismatches(warehouse, control, STREAMS_BY_NAME[stream]) == NO_MISMATCH, stream


def extract_with(
    retry_policy: dg.RetryPolicy | None, healthie: HealthieResource, warehouse: Path, streams: Sequence[str]
) -> dg.ExecuteInProcessResult:
    """`materialize` with the extract step's retry policy replaced."""
    return dg.materialize(
        [build_extract_assets(retry_policy=retry_policy)],
        resources={"healthie": healthie, "warehouse": WarehouseConfig(warehouse_dir=str(warehouse))},
        run_config={"ops": {"healthie_extract": {"config": FAST_CONFIG}}},
        selection=[dg.AssetKey(["healthie", s]) for s in streams],
        raise_on_error=False,
    )


def step_retries(result: dg.ExecuteInProcessResult) -> int:
    return sum(e.event_type_value == "STEP_UP_FOR_RETRY" for e in result.all_events)


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    failure = result.failure_data_for_node("healthie_extract")
    assert failure is not None and failure.error is not None
    return failure.error.message


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "http_429", "every": 4},
        {"kind": "http_error", "every": 3, "status": 502},
        {"kind": "too_many_requests", "every": 3},
        {"kind": "graphql_error", "every": 4},
        {"kind": "graphql_error", "every": 4, "message": "Timeout on Query.entries", "code": "TIMEOUT"},
        {"kind": "drop", "every": 4},
    ],
    ids=["http_429", "http_error", "too_many_requests", "graphql_error", "graphql_timeout", "drop"],
)
def test_transient_failures_are_retried_to_the_exact_truth(
    rule: dict[str, Any], sandbox_control: Any, healthie: HealthieResource, tmp_path: Path
) -> None:
    sandbox_control.set_faults(rules=[rule])
    result = materialize(healthie, tmp_path, STREAMS)
    assert result.success
    sandbox_control.clear_faults()
    assert_exact(tmp_path, sandbox_control, STREAMS)
    metadata = materializations(result).values()
    assert sum(m["retries"] for m in metadata) > 0
    if rule["kind"] == "graphql_error":
        assert sum(m["graphql_transient_errors"] for m in metadata) > 0
    assert all(m["graphql_permanent_errors"] == 0 for m in metadata)
    assert all(e.passed for e in result.get_asset_check_evaluations())


def test_eight_percent_mixed_faults_never_fail_a_sync(
    sandbox: Any, sandbox_control: Any, tmp_path: Path
) -> None:
    """503, 502, dropped connections, 429, TOO_MANY_REQUESTS and 200 + "Internal server error", mixed
    into 8% of the answers (and one GraphQL-level error every 9 requests, so there surely are some)."""
    sandbox_control.set_faults(mixed_fault_rate=0.08, rules=[{"kind": "graphql_error", "every": 9}])
    sandbox_control.reset_stats()
    healthie = resource_for(sandbox, api_version="2024-06-01")
    result = materialize(healthie, tmp_path, STREAMS)
    assert result.success
    stats = sandbox_control.stats()
    sandbox_control.clear_faults()
    assert_exact(tmp_path, sandbox_control, STREAMS)
    metadata = materializations(result)
    assert sum(m["graphql_transient_errors"] for m in metadata.values()) >= stats["requests"] // 10
    assert sum(m["retries"] for m in metadata.values()) >= sum(stats["faults"].values())
    assert {m["api_version"] for m in metadata.values()} == {"2024-06-01"}
    assert stats["api_versions"] == {"2024-06-01": stats["requests"]}, "every request carried the version"


def test_a_validation_error_fails_fast_without_step_retries(
    sandbox_control: Any, healthie: HealthieResource, tmp_path: Path
) -> None:
    message = "Field 'billingItems' doesn't exist on type 'Query'"
    sandbox_control.fail_next(1, "graphql_error", message=message, code="undefinedField")
    sandbox_control.reset_stats()
    began = time.monotonic()
    result = materialize(healthie, tmp_path, ["billing_items"])  # the shipped retry policy
    assert not result.success and step_retries(result) == 0
    assert time.monotonic() - began < 20, "no 30 s step retry delay"
    text = failure_message(result)
    assert f"GraphQL error: {message}" in text and "not retried" in text
    # Only the next request failed: had the client or the step tried it again, the sync had succeeded.
    assert sandbox_control.stats()["faults"] == {"graphql_error": 1}


def test_a_transient_error_that_persists_says_how_many_attempts_were_made(
    sandbox: Any, sandbox_control: Any, tmp_path: Path
) -> None:
    sandbox_control.fail_every(1, "graphql_error")
    result = extract_with(None, resource_for(sandbox, max_attempts=3), tmp_path, ["billing_items"])
    assert not result.success
    text = failure_message(result)
    assert "transient GraphQL error: Internal server error (gave up after 3 attempts)" in text
    assert "billing_items" in text and "not retried" not in text


def test_a_20_second_outage_mid_sync_heals_without_a_person(
    sandbox_control: Any, healthie: HealthieResource, tmp_path: Path
) -> None:
    """Every request fails for 20 s from the 40th on (of ~110): the client gives up, the extract step
    fails and retries itself (a 1 s delay here, 30 s and more in production) until the outage is over;
    unfinished streams resume from their checkpoints, finished ones are not pulled again."""
    sandbox_control.outage(20, after=40)
    began = time.monotonic()
    result = extract_with(dg.RetryPolicy(max_retries=40, delay=1), healthie, tmp_path, STREAMS)
    assert result.success
    assert time.monotonic() - began >= 20 and step_retries(result) >= 1
    sandbox_control.clear_faults()
    assert_exact(tmp_path, sandbox_control, STREAMS)
    keys = Counter(e.asset_key.path[-1] for e in result.get_asset_materialization_events() if e.asset_key)
    assert keys == Counter(STREAMS), "each stream materialized once, however many attempts"
    assert any(m["resumed"] for m in materializations(result).values()), "resumed from a checkpoint"
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
