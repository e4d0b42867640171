"""Sandbox change -> signed webhook -> receiver process -> inbox -> sensor -> webhook_refresh -> lake.

Everything is real except dbt (its own tests cover the marts): the sandbox signs with its own code,
the receiver runs as uvicorn in a child process, and the job re-reads through `HealthieResource`.
Duplicated deliveries (the sandbox re-sends half of them) must still give one re-read per record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle
from pipelines.dev.harness import receiver_process
from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.lake.layout import lake_table
from pipelines.refresh.job import webhook_refresh_job
from pipelines.refresh.sensors import webhook_inbox_sensor
from pipelines.resources import HealthieResource
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.inbox import Inbox, inbox_path


class NoDbt:
    """dbt is out of scope here: accept the build and report nothing."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def cli(self, args: Sequence[str], **_: Any) -> NoDbt:
        self.commands.append(list(args))
        return self

    def stream(self) -> Iterator[dg.AssetMaterialization]:
        return iter(())


def table_of(warehouse: Path, stream: str) -> pa.Table:
    return lake_table(warehouse, stream, STREAMS_BY_NAME[stream].arrow_schema).to_arrow()


def test_sandbox_changes_reach_the_lake(
    sandbox: SandboxHandle,
    sandbox_control: SandboxControl,
    tmp_path: Path,
    secret: str,
    built_warehouse: Path,
) -> None:
    warehouse = WarehouseConfig(warehouse_dir=str(tmp_path))
    with receiver_process(tmp_path, secret) as receiver:
        sandbox_control.configure_webhooks(
            receiver.webhook_url, secret, digest_encoding="rfc9530", duplicate_rate=0.5
        )
        kept = sandbox_control.create("entries")
        dropped = sandbox_control.create("entries")
        sandbox_control.delete("entries", dropped)
        appointment = sandbox_control.truth("appointments")[0]["id"]
        sandbox_control.update("appointments", appointment)
        assert sandbox_control.flush_webhooks()
        deliveries = sandbox_control.webhook_deliveries()
        assert deliveries and all(d["status"] in (200, 202) for d in deliveries)

    with dg.instance_for_test() as instance:
        with dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse}) as context:
            sensed = webhook_inbox_sensor(context)
        assert isinstance(sensed, dg.SensorResult) and sensed.run_requests
        (request,) = sensed.run_requests
        healthie = HealthieResource(api_key=sandbox.api_key, api_url=sandbox.url, rate_limit_rps=1000)
        dbt = NoDbt()
        result = webhook_refresh_job.execute_in_process(
            run_config=request.run_config,
            resources={"healthie": healthie, "warehouse": warehouse, "dbt": dbt},
            instance=instance,
        )
    assert result.success
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
    with Inbox(inbox_path(tmp_path)) as inbox:
        assert inbox.pending_count() == 0

    live_entries = set(table_of(tmp_path, "entries")["id"].to_pylist())
    assert kept in live_entries
    assert dropped not in live_entries  # entries are hard-deleted: the re-read is null
    truth = {row["id"]: row for row in sandbox_control.truth("appointments")}
    appointments = table_of(tmp_path, "appointments")
    updated = appointments.filter(pc.equal(appointments["id"], appointment)).to_pylist()
    assert [row["updated_at"] for row in updated] == [truth[appointment]["updated_at"]]
