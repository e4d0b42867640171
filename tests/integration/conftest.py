"""Extraction against the sandbox over real HTTP, through the Dagster assets and real resources.

The session `sandbox` and `sandbox_control` fixtures come from tests/conftest.py. Syncs here use
small pages and windows so even a small sandbox is cut into many windows that run concurrently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import httpx
import pyarrow as pa
import pytest

from healthie_sandbox.server import start_in_thread
from pipelines.assets import extract_assets
from pipelines.healthie.client import ClientSettings, HealthieClient
from pipelines.healthie.streams import STREAMS_BY_NAME, StreamSpec
from pipelines.lake.layout import lake_table
from pipelines.resources import HealthieResource
from pipelines.settings import WarehouseConfig

#: Small pages and windows: a small sandbox still becomes many windows pulled concurrently.
FAST_CONFIG: dict[str, Any] = {
    "history_start": "2020-01-01",
    "page_size": 50,
    "min_window_pages": 1,
    "window_concurrency": 4,
}


@pytest.fixture(scope="module")
def control(sandbox: Any) -> Iterator[Any]:
    """A module-wide admin client (`sandbox_control` is per test), starting from no faults or churn."""
    with sandbox.control() as client:
        client.stop_churn()
        client.clear_faults()
        yield client
        client.stop_churn()
        client.clear_faults()


def resource_for(handle: Any, **overrides: Any) -> HealthieResource:
    """A fast-retrying resource pointed at a sandbox server (`overrides`: other resource settings)."""
    settings: dict[str, Any] = {
        "rate_limit_rps": 1000,
        "backoff_initial_seconds": 0.05,
        "backoff_max_seconds": 0.5,
        "timeout_seconds": 10,
    }
    return HealthieResource(api_key=handle.api_key, api_url=handle.url, **{**settings, **overrides})


class RecordingTransport(httpx.AsyncHTTPTransport):
    """Real HTTP to the server, keeping every request (headers) and its JSON body (`operationName`,
    `variables`) so a test can assert what the client sent. `before(body)`, if set, runs just before
    each request goes out: a test uses it to change the sandbox (a fault, a change) at a chosen point."""

    def __init__(self, before: Callable[[dict[str, Any]], None] | None = None) -> None:
        super().__init__()
        self.before = before
        self.requests: list[httpx.Request] = []
        self.bodies: list[dict[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(request)
        self.bodies.append(body)
        if self.before is not None:
            self.before(body)
        return await super().handle_async_request(request)

    def variables(self, operation: str) -> list[dict[str, Any]]:
        """The variables of every request of `operation`, in the order they were sent."""
        return [b["variables"] for b in self.bodies if b["operationName"] == operation]


def client_for(
    handle: Any, transport: httpx.AsyncBaseTransport | None = None, **overrides: Any
) -> HealthieClient:
    """An engine-level client for a sandbox: no client-side pacing, near-instant backoff."""
    settings = ClientSettings(
        api_key=overrides.pop("api_key", handle.api_key),
        api_url=handle.url,
        rate_limit_rps=overrides.pop("rate_limit_rps", 10_000),
        backoff_initial_seconds=overrides.pop("backoff_initial_seconds", 0.001),
        backoff_max_seconds=overrides.pop("backoff_max_seconds", 0.01),
        **overrides,
    )
    return HealthieClient(settings, transport=transport)


@pytest.fixture(scope="session")
def healthie(sandbox: Any) -> HealthieResource:
    return resource_for(sandbox)


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[Any]:
    """A private server for tests that change data heavily (churn, deletes, kill -9)."""
    with start_in_thread(scale=0.1, seed=11) as handle:
        yield handle


def materialize(
    healthie: HealthieResource,
    warehouse: Path,
    streams: Sequence[str] | None = None,
    **config: Any,
) -> dg.ExecuteInProcessResult:
    """Run the extract assets (and their checks) in-process; failures are returned, not raised."""
    selection = [dg.AssetKey(["healthie", s]) for s in streams] if streams else None
    return dg.materialize(
        extract_assets,
        resources={"healthie": healthie, "warehouse": WarehouseConfig(warehouse_dir=str(warehouse))},
        run_config={"ops": {"healthie_extract": {"config": {**FAST_CONFIG, **config}}}},
        selection=selection,
        raise_on_error=False,
    )


def covers(landed: Any, truth: Any) -> bool:
    """`landed` holds everything `truth` says (nested objects may carry more fields than the truth shows)."""
    if isinstance(truth, dict):
        return isinstance(landed, dict) and all(covers(landed.get(k), v) for k, v in truth.items())
    if isinstance(truth, list):
        return isinstance(landed, list) and len(landed) == len(truth) and all(map(covers, landed, truth))
    return bool(landed == truth)


def project(value: Any, arrow_type: pa.DataType) -> Any:
    """A truth value without the nested fields the lake does not keep (keys absent stay absent)."""
    if isinstance(value, dict) and pa.types.is_struct(arrow_type):
        kept = {child.name: child.type for child in arrow_type}
        return {k: project(v, kept[k]) for k, v in value.items() if k in kept}
    if isinstance(value, list) and pa.types.is_list(arrow_type):
        return [project(item, arrow_type.value_type) for item in value]
    return value


def truth_rows(control: Any, spec: StreamSpec) -> dict[str, dict[str, Any]]:
    """The sandbox's live rows of a stream by id, reduced to the lake's fields."""
    return {
        str(row["id"]): {f.name: project(row.get(f.name), f.type) for f in spec.fields}
        for row in control.truth(spec.name)
    }


def lake_rows(warehouse: Path, stream: str) -> dict[str, dict[str, Any]]:
    spec = STREAMS_BY_NAME[stream]
    view = lake_table(warehouse, stream, spec.arrow_schema).to_arrow().select([f.name for f in spec.fields])
    return {row["id"]: row for row in view.to_pylist()}


def mismatches(warehouse: Path, control: Any, spec: StreamSpec) -> dict[str, list[str]]:
    """Ids missing from the lake, extra in it, or landed with different values than the truth."""
    landed, truth = lake_rows(warehouse, spec.name), truth_rows(control, spec)
    return {
        "missing": sorted(truth.keys() - landed.keys()),
        "extra": sorted(landed.keys() - truth.keys()),
        "different": sorted(i for i in truth.keys() & landed.keys() if not covers(landed[i], truth[i])),
    }


NO_MISMATCH: dict[str, list[str]] = {"missing": [], "extra": [], "different": []}


def materializations(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, Any]]:
    """Stream → materialization metadata values."""
    out = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        out[materialization.asset_key.path[-1]] = {k: v.value for k, v in materialization.metadata.items()}
    return out
