"""A refresh that fails never costs the marts or the events: what is true depends on where it fails.

* Before the change batch is durable (Healthie refuses the re-read): the run fails in the drain step,
  no batch lands, and the events go back to waiting. The sensor does not relaunch the same mark at
  once (it retries a failed mark after `retry_after_seconds`), but the next webhook raises the mark,
  and that run drains the old events with the new one.
* After the batch is durable (dbt cannot build the lake, here an unparseable timestamp): the events
  are done (re-reading is not what failed, so re-executing the dbt step is enough), the run fails in
  the dbt step with a message naming the model and column, and nothing is published: readers keep
  the previous `warehouse.duckdb`, the same file, untouched.
* The next `nightly_sync` supersedes the corrupt version with a full pull and the build passes again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from pipelines.dev.harness import ReceiverProcess
from pipelines.extract.change import ChangeSet, ReadMark, merge_changes
from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.lake.layout import lake_table
from pipelines.settings import build_warehouse_config
from pipelines.webhooks.inbox import Inbox, inbox_path

from . import truth
from .assertions import assert_succeeded, failed_steps
from .product import Product, webhooks_to_receiver

SANDBOX_SEED = 303
DRAIN_STEP = "drain_webhook_inbox"
DBT_STEP = "build_downstream_models"
UNPARSEABLE = "next Tuesday, after lunch"
REVOKED_KEY = "revoked-key-4f9c2e"


def lake_rows(product: Product, stream: str) -> dict[str, dict[str, Any]]:
    """The stream's Delta table as it is now, by id."""
    table = lake_table(product.warehouse_dir, stream, STREAMS_BY_NAME[stream].arrow_schema)
    return {row["id"]: row for row in table.to_arrow().to_pylist()}


def change_batches(product: Product, stream: str) -> set[str]:
    """The webhook change sets whose rows are in the stream's table."""
    return {row["_sync_id"] for row in lake_rows(product, stream).values() if "-change-" in row["_sync_id"]}


def file_state(path: Path) -> tuple[int, str]:
    """Which file `path` names (its inode) and what it holds."""
    return path.stat().st_ino, hashlib.sha256(path.read_bytes()).hexdigest()


def waiting_events(product: Product) -> int:
    with Inbox(inbox_path(product.warehouse_dir)) as inbox:
        return inbox.pending().count


def status_in_marts(product: Product, appointment_id: str) -> str | None:
    [(status, *_)] = product.query("appointment", [appointment_id])
    return status if status is None else str(status)


@pytest.fixture(scope="module")
def receiver(product: Product, nightly: dg.ExecuteInProcessResult) -> Iterator[ReceiverProcess]:
    with webhooks_to_receiver(product) as running:
        yield running


@pytest.fixture(scope="module")
def appointments(product: Product, nightly: dg.ExecuteInProcessResult) -> list[str]:
    return truth.open_appointments(product.control.truth("appointments"))


@pytest.fixture(scope="module")
def refused(
    product: Product, receiver: ReceiverProcess, appointments: list[str]
) -> dg.ExecuteInProcessResult:
    """A status change whose refresh runs with a key Healthie refuses (resolved per run, as rotated)."""
    product.control.update("appointments", appointments[0], pm_status="Occurred")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("HEALTHIE_API_KEY", REVOKED_KEY)
        return product.refresh()


def test_refused_reread_fails_the_drain_step(refused: dg.ExecuteInProcessResult) -> None:
    assert not refused.success
    failures = failed_steps(refused)
    assert list(failures) == [DRAIN_STEP]
    assert "HTTP 401 (check HEALTHIE_API_KEY" in failures[DRAIN_STEP]
    assert REVOKED_KEY not in failures[DRAIN_STEP], "an API key never appears in an error"


def test_refused_reread_keeps_the_events_waiting(
    product: Product, refused: dg.ExecuteInProcessResult, appointments: list[str]
) -> None:
    assert waiting_events(product) == 1
    assert change_batches(product, "appointments") == set()
    assert status_in_marts(product, appointments[0]) is None
    assert not product.sense().run_requests, "a failed mark is retried later, not on the next tick"


@dataclass(frozen=True)
class FailedBuild:
    result: dg.ExecuteInProcessResult
    counts_before: dict[str, int]
    published_before: tuple[int, str]


@pytest.fixture(scope="module")
def failed_build(
    product: Product, refused: dg.ExecuteInProcessResult, appointments: list[str]
) -> FailedBuild:
    """A corrupt version of one appointment lands in the lake; then a webhook about another one."""
    row = truth.by_id(product.control.truth("appointments"))[appointments[2]]
    spec = STREAMS_BY_NAME["appointments"]
    mark = ReadMark.now(lake_table(product.warehouse_dir, spec.name, spec.arrow_schema))
    corrupt = ChangeSet([{**row, "date": UNPARSEABLE}], [], mark)
    merge_changes(product.warehouse_dir, spec, corrupt, retention=build_warehouse_config().history_retention)
    counts = dict(product.query("row_counts"))
    published = file_state(product.warehouse_file)
    product.control.update("appointments", appointments[3], pm_status="Cancelled")
    return FailedBuild(product.refresh(), counts, published)


def test_failed_build_names_the_model_and_column(failed_build: FailedBuild) -> None:
    assert not failed_build.result.success
    failures = failed_steps(failed_build.result)
    assert list(failures) == [DBT_STEP]
    assert "stg_healthie__appointments.starts_at" in failures[DBT_STEP]
    assert UNPARSEABLE not in failures[DBT_STEP], "values may be PHI: errors name columns, not values"


def test_failed_build_keeps_the_previous_marts(
    product: Product, failed_build: FailedBuild, appointments: list[str]
) -> None:
    assert file_state(product.warehouse_file) == failed_build.published_before, "nothing published"
    assert not list(product.warehouse_dir.glob(".warehouse.duckdb*")), "no temp file left"
    assert dict(product.query("row_counts")) == failed_build.counts_before
    assert status_in_marts(product, appointments[0]) is None  # the previous build, not a half-built one
    assert status_in_marts(product, appointments[3]) is None


def test_next_webhook_drained_the_events_left_waiting(
    product: Product, failed_build: FailedBuild, appointments: list[str]
) -> None:
    """The run raised the mark past the refused events, re-read them, and settled them before dbt."""
    assert waiting_events(product) == 0
    assert not product.sense().run_requests
    lake = lake_rows(product, "appointments")
    reread = {appointments[0]: "Occurred", appointments[3]: "Cancelled"}
    assert {record: lake[record]["pm_status"] for record in reread} == reread
    assert all("-change-" in lake[record]["_sync_id"] for record in reread)


def test_nightly_sync_supersedes_the_corrupt_version(
    product: Product, failed_build: FailedBuild, appointments: list[str]
) -> None:
    assert_succeeded(product.run("nightly_sync"))
    assert status_in_marts(product, appointments[0]) == "Occurred"
    assert status_in_marts(product, appointments[3]) == "Cancelled"
    expected = truth.by_id(product.control.truth("appointments"))[appointments[2]]
    [(_, _, starts_at, _)] = product.query("appointment", [appointments[2]])
    assert starts_at == truth.parse_timestamp(expected["date"])
