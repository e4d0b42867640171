"""The `webhook_refresh` job in process: inbox -> change batches -> dbt build of the touched streams."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.healthie.streams import APPOINTMENTS, ENTRIES, StreamSpec
from pipelines.refresh import webhook_refresh_job
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.events import WebhookEvent, stream_for
from pipelines.webhooks.inbox import Delivery, Inbox, inbox_path
from pipelines.webhooks.refresh_config import REFRESH_JOB_NAME, refresh_run_config


class FakeHealthie:
    def __init__(self, rows: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.rows = rows

    def fetch_by_ids(self, spec: StreamSpec, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        return {i: self.rows.get(spec.name, {}).get(i) for i in ids}


class FakeDbt:
    """Stands in for DbtCliResource: records the command lines it was asked to run."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def cli(self, args: Sequence[str], **_: Any) -> FakeDbt:
        self.commands.append(list(args))
        return self

    def stream(self) -> Iterator[dg.AssetMaterialization]:
        yield dg.AssetMaterialization(asset_key=["marts", "fct_appointments"])


def full_row(spec: StreamSpec, **values: Any) -> dict[str, Any]:
    return {field.name: None for field in spec.fields} | values


def deliver(warehouse_dir: Path, *events: tuple[str, str, str]) -> int:
    with Inbox(inbox_path(warehouse_dir)) as inbox:
        results = [
            inbox.append(Delivery(WebhookEvent(*e), stream_for(WebhookEvent(*e)), body_sha256=f"{n}"))
            for n, e in enumerate(events)
        ]
    return max(r.event_id for r in results)


def run(warehouse_dir: Path, mark: int, healthie: FakeHealthie, dbt: FakeDbt) -> dg.ExecuteInProcessResult:
    return webhook_refresh_job.execute_in_process(
        run_config=refresh_run_config(mark),
        resources={
            "healthie": healthie,
            "warehouse": WarehouseConfig(warehouse_dir=str(warehouse_dir)),
            "dbt": dbt,
        },
        raise_on_error=False,
    )


def test_job_lands_batches_marks_done_and_builds_only_touched_streams(tmp_path: Path) -> None:
    mark = deliver(
        tmp_path,
        ("5", "Appointment", "appointment.updated"),
        ("5", "Appointment", "appointment.updated"),
        ("6", "Appointment", "appointment.deleted"),
        ("9", "Entry", "entry.created"),
    )
    healthie = FakeHealthie(
        {"appointments": {"5": full_row(APPOINTMENTS, id="5")}, "entries": {"9": full_row(ENTRIES, id="9")}}
    )
    dbt = FakeDbt()
    result = run(tmp_path, mark, healthie, dbt)
    assert result.success
    assert webhook_refresh_job.name == REFRESH_JOB_NAME

    materializations = result.asset_materializations_for_node("drain_webhook_inbox")
    materialized = {m.asset_key.path[-1]: m.metadata for m in materializations}
    assert set(materialized) == {"appointments", "entries"}
    assert materialized["appointments"]["tombstones"].value == 1
    assert dbt.commands == [
        [
            "build",
            "--select",
            "source:healthie.appointments+ source:healthie.entries+",
            "--exclude",
            "tag:lake_scan",
        ]
    ]
    built = result.asset_materializations_for_node("build_downstream_models")
    assert [m.asset_key.path for m in built] == [["marts", "fct_appointments"]]

    batches = sorted((tmp_path / "lake" / "healthie").glob("*/*/*.parquet"))
    assert len(batches) == 2
    with Inbox(inbox_path(tmp_path)) as inbox:
        assert inbox.pending_count() == 0


def test_job_with_nothing_pending_builds_nothing(tmp_path: Path) -> None:
    dbt = FakeDbt()
    result = run(tmp_path, 0, FakeHealthie({}), dbt)
    assert result.success
    assert dbt.commands == []


def test_failed_job_leaves_events_pending(tmp_path: Path) -> None:
    mark = deliver(tmp_path, ("5", "Appointment", "appointment.updated"))

    class Broken(FakeHealthie):
        def fetch_by_ids(self, spec: StreamSpec, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
            raise ConnectionError("Healthie unreachable")

    dbt = FakeDbt()
    result = run(tmp_path, mark, Broken({}), dbt)
    assert not result.success
    assert dbt.commands == []
    with Inbox(inbox_path(tmp_path)) as inbox:
        assert len(inbox.claim(mark)) == 1  # released at once, not left to the lease
    assert not list((tmp_path / "lake").glob("**/*.parquet"))
