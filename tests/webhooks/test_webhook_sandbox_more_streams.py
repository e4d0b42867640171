"""Sandbox change -> signed webhook -> receiver -> inbox -> webhook_refresh -> lake, for each of the
claims, invoices, policies, care-plan, goal, goal-history, task and document streams (dbt stubbed as
in test_webhook_sandbox.py). A sent draft leaves invoice_previews and lands in invoices."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from test_webhook_sandbox import NoDbt, table_of

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle
from pipelines.dev.harness import receiver_process
from pipelines.refresh.job import webhook_refresh_job
from pipelines.refresh.sensors import webhook_inbox_sensor
from pipelines.resources import HealthieResource
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.inbox import Inbox, inbox_path

#: Streams whose webhooks Healthie sends: (is an update announced, is a delete announced).
STREAMS = {
    "claims": (True, True),
    "insurance_policies": (True, True),
    "care_plans": (True, True),
    "goals": (True, True),
    "goal_histories": (False, False),  # goal_history.created only
    "tasks": (True, True),
    "documents": (True, True),
    "invoices": (True, False),  # an invoice is deleted without a webhook
}


def test_changes_of_each_new_stream_reach_the_lake(
    sandbox: SandboxHandle,
    sandbox_control: SandboxControl,
    tmp_path: Path,
    secret: str,
    built_warehouse: Path,
) -> None:
    warehouse = WarehouseConfig(warehouse_dir=str(tmp_path))
    created: dict[str, str] = {}
    updated: dict[str, str] = {}
    deleted: dict[str, str] = {}
    with receiver_process(tmp_path, secret) as receiver:
        sandbox_control.configure_webhooks(
            receiver.webhook_url, secret, digest_encoding="hex", duplicate_rate=0.3
        )
        for stream, (updates, deletes) in STREAMS.items():
            created[stream] = sandbox_control.create(stream)
            if updates:
                updated[stream] = sandbox_control.truth(stream)[0]["id"]
                sandbox_control.update(stream, updated[stream])
            if deletes:
                deleted[stream] = sandbox_control.create(stream)
                sandbox_control.delete(stream, deleted[stream])
        draft = sandbox_control.create("invoice_previews")
        sandbox_control.update("invoice_previews", draft, is_preview=False)  # sent
        still_draft = sandbox_control.create("invoice_previews")
        assert sandbox_control.flush_webhooks()
        deliveries = sandbox_control.webhook_deliveries()
        assert deliveries and all(d["status"] in (200, 202) for d in deliveries)

    with dg.instance_for_test() as instance:
        with dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse}) as context:
            sensed = webhook_inbox_sensor(context)
        assert isinstance(sensed, dg.SensorResult) and sensed.run_requests
        (request,) = sensed.run_requests
        healthie = HealthieResource(api_key=sandbox.api_key, api_url=sandbox.url, rate_limit_rps=1000)
        result = webhook_refresh_job.execute_in_process(
            run_config=request.run_config,
            resources={"healthie": healthie, "warehouse": warehouse, "dbt": NoDbt()},
            instance=instance,
        )
    assert result.success
    with Inbox(inbox_path(tmp_path)) as inbox:
        assert inbox.pending_count() == 0

    for stream in STREAMS:
        truth = {row["id"]: row for row in sandbox_control.truth(stream)}
        landed = {row["id"]: row for row in table_of(tmp_path, stream).to_pylist()}
        assert created[stream] in landed, f"{stream}: the created row did not land"
        changed = [created[stream], *([updated[stream]] if stream in updated else [])]
        assert set(changed) <= set(landed), f"{stream}: a changed row did not land"
        for row_id in changed:
            for field in ("updated_at", "status", "is_active", "hidden", "shared", "due_date"):
                if field in truth[row_id]:
                    assert landed[row_id][field] == truth[row_id][field], (stream, field)
        if stream in deleted:
            assert deleted[stream] not in landed, f"{stream}: the deleted row is still there"
    invoices = {row["id"] for row in table_of(tmp_path, "invoices").to_pylist()}
    previews = {row["id"] for row in table_of(tmp_path, "invoice_previews").to_pylist()}
    assert draft in invoices and draft not in previews
    assert still_draft in previews and still_draft not in invoices
