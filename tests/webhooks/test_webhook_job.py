"""The `webhook_refresh` job in process: inbox -> lake MERGEs -> dbt build of the touched streams.

Rows are re-read by id from a Healthie sandbox over HTTP through the real `HealthieResource`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle, start_in_thread
from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.lake.layout import lake_table
from pipelines.refresh.config import REFRESH_JOB_NAME, refresh_run_config
from pipelines.refresh.job import webhook_refresh_job
from pipelines.resources import HealthieResource
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.events import WebhookEvent, stream_for
from pipelines.webhooks.inbox import Delivery, Inbox, inbox_path


@pytest.fixture(scope="module")
def healthie_sandbox() -> Iterator[SandboxHandle]:
    """This module's own server: a test deletes a row and another injects faults."""
    with start_in_thread(scale=0.05, seed=9) as handle:
        yield handle


@pytest.fixture
def control(healthie_sandbox: SandboxHandle) -> Iterator[SandboxControl]:
    with healthie_sandbox.control() as client:
        yield client
        client.clear_faults()


def current(warehouse: Path, stream: str) -> list[dict[str, Any]]:
    return lake_table(warehouse, stream, STREAMS_BY_NAME[stream].arrow_schema).to_arrow().to_pylist()


def healthie_for(handle: SandboxHandle, **overrides: Any) -> HealthieResource:
    settings: dict[str, Any] = {
        "rate_limit_rps": 1000,
        "backoff_initial_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "timeout_seconds": 10,
    }
    return HealthieResource(api_key=handle.api_key, api_url=handle.url, **{**settings, **overrides})


class FakeDbt:
    """Stands in for DbtCliResource: records the command lines it was asked to run.

    A real dbt build costs seconds here; tests/e2e/test_webhook_e2e.py runs this job with real dbt."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def cli(self, args: Sequence[str], **_: Any) -> FakeDbt:
        self.commands.append(list(args))
        return self

    def stream(self) -> Iterator[dg.AssetMaterialization]:
        yield dg.AssetMaterialization(asset_key=["marts", "fct_appointments"])


def deliver(warehouse_dir: Path, *events: tuple[str, str, str]) -> int:
    with Inbox(inbox_path(warehouse_dir)) as inbox:
        results = [
            inbox.append(Delivery(WebhookEvent(*e), stream_for(WebhookEvent(*e)), body_sha256=f"{n}"))
            for n, e in enumerate(events)
        ]
    return max(r.event_id for r in results)


def run(
    warehouse_dir: Path, mark: int, healthie: HealthieResource, dbt: FakeDbt
) -> dg.ExecuteInProcessResult:
    return webhook_refresh_job.execute_in_process(
        run_config=refresh_run_config(mark),
        resources={
            "healthie": healthie,
            "warehouse": WarehouseConfig(warehouse_dir=str(warehouse_dir)),
            "dbt": dbt,
        },
        raise_on_error=False,
    )


def test_job_lands_batches_marks_done_and_builds_only_touched_streams(
    healthie_sandbox: SandboxHandle, control: SandboxControl, tmp_path: Path, built_warehouse: Path
) -> None:
    updated, deleted = (str(row["id"]) for row in control.truth("appointments")[:2])
    entry = str(control.truth("entries")[0]["id"])
    control.update("appointments", updated)
    control.delete("appointments", deleted)
    mark = deliver(
        tmp_path,
        (updated, "Appointment", "appointment.updated"),
        (updated, "Appointment", "appointment.updated"),
        (deleted, "Appointment", "appointment.deleted"),
        (entry, "Entry", "entry.created"),
    )
    dbt = FakeDbt()
    result = run(tmp_path, mark, healthie_for(healthie_sandbox), dbt)
    assert result.success
    assert webhook_refresh_job.name == REFRESH_JOB_NAME

    materializations = result.asset_materializations_for_node("drain_webhook_inbox")
    materialized = {m.asset_key.path[-1]: m.metadata for m in materializations}
    assert set(materialized) == {"appointments", "entries"}
    assert materialized["appointments"]["resources_reread"].value == 2
    assert materialized["appointments"]["deleted_in_source"].value == 1
    assert dbt.commands == [
        [
            "build",
            "--select",
            "source:healthie.appointments+ source:healthie.entries+",
            "--exclude",
            "tag:lake_scan resource_type:unit_test",
            "--no-write-json",
        ]
    ]
    built = result.asset_materializations_for_node("build_downstream_models")
    assert [m.asset_key.path for m in built] == [["marts", "fct_appointments"]]

    versions = {s: lake_table(tmp_path, s, STREAMS_BY_NAME[s].arrow_schema).version() for s in materialized}
    assert versions == {"appointments": 1, "entries": 1}, "one MERGE commit per stream (after create)"
    appointments = {r["id"]: r for r in current(tmp_path, "appointments")}
    assert set(appointments) == {updated}, "the deleted appointment is not in the table"
    (now,) = (r for r in control.truth("appointments") if str(r["id"]) == updated)
    assert appointments[updated]["updated_at"] == now["updated_at"], "the row as Healthie holds it now"
    assert [r["id"] for r in current(tmp_path, "entries")] == [entry]
    with Inbox(inbox_path(tmp_path)) as inbox:
        assert inbox.pending_count() == 0


def test_job_with_nothing_pending_builds_nothing(
    healthie_sandbox: SandboxHandle, control: SandboxControl, tmp_path: Path, built_warehouse: Path
) -> None:
    control.reset_stats()
    dbt = FakeDbt()
    result = run(tmp_path, 0, healthie_for(healthie_sandbox), dbt)
    assert result.success
    assert dbt.commands == []
    stats = control.stats()
    assert stats["requests"] == 1 and stats["operations"] == {"SentWebhooks": 1}, "only the recovery's read"


def test_failed_job_leaves_events_pending(
    healthie_sandbox: SandboxHandle, control: SandboxControl, tmp_path: Path, built_warehouse: Path
) -> None:
    appointment = str(control.truth("appointments")[5]["id"])
    mark = deliver(tmp_path, (appointment, "Appointment", "appointment.updated"))
    control.fail_every(1, "drop")  # Healthie unreachable: every connection closes unanswered
    dbt = FakeDbt()
    result = run(tmp_path, mark, healthie_for(healthie_sandbox, max_attempts=2), dbt)
    assert not result.success
    assert dbt.commands == []
    with Inbox(inbox_path(tmp_path)) as inbox:
        assert len(inbox.claim(mark)) == 1  # released at once, not left to the lease
    assert not list((tmp_path / "lake").glob("**/*.parquet"))
