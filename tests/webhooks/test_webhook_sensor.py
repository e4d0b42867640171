"""webhook_inbox_sensor: run requests per high-water mark, the JSON cursor, skips and retries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from pipelines.refresh.config import DRAIN_OP_NAME
from pipelines.refresh.sensors import (
    InboxCursor,
    build_webhook_inbox_sensor,
    evaluate_inbox,
    webhook_inbox_sensor,
)
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.events import WebhookEvent
from pipelines.webhooks.inbox import Delivery, Inbox, PendingSummary, inbox_path


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    with Inbox(inbox_path(tmp_path)) as opened:
        yield opened


def add_events(inbox: Inbox, *resource_ids: str) -> int:
    results = inbox.append_many(
        [
            Delivery(WebhookEvent(i, "Appointment", "appointment.updated"), "appointments", f"b{i}")
            for i in resource_ids
        ]
    )
    return max(r.event_id for r in results)


def evaluate(
    sensor: dg.SensorDefinition, instance: dg.DagsterInstance, tmp_path: Path, cursor: str | None
) -> dg.SensorResult:
    resources = {"warehouse": WarehouseConfig(warehouse_dir=str(tmp_path))}
    with dg.build_sensor_context(cursor=cursor, instance=instance, resources=resources) as context:
        result = sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def high_water_mark(request: dg.RunRequest) -> int:
    return int(request.run_config["ops"][DRAIN_OP_NAME]["config"]["high_water_mark"])


def test_no_inbox_yet_skips(instance: dg.DagsterInstance, tmp_path: Path) -> None:
    result = evaluate(webhook_inbox_sensor, instance, tmp_path, None)
    assert result.skip_reason is not None
    assert "no inbox yet" in (result.skip_reason.skip_message or "")


def test_empty_inbox_skips(instance: dg.DagsterInstance, tmp_path: Path, inbox: Inbox) -> None:
    result = evaluate(webhook_inbox_sensor, instance, tmp_path, None)
    assert not result.run_requests
    assert result.skip_reason is not None and result.skip_reason.skip_message == "no pending events"


def test_pending_events_launch_one_run_per_batch(
    instance: dg.DagsterInstance, tmp_path: Path, inbox: Inbox
) -> None:
    mark = add_events(inbox, "1", "2", "3")
    result = evaluate(webhook_inbox_sensor, instance, tmp_path, None)
    assert result.run_requests is not None and len(result.run_requests) == 1
    request = result.run_requests[0]
    assert request.run_key == f"inbox-upto-{mark}"
    assert high_water_mark(request) == mark
    assert result.cursor is not None and json.loads(result.cursor)["high_water_mark"] == mark

    # The same events on the next tick: already launched.
    again = evaluate(webhook_inbox_sensor, instance, tmp_path, result.cursor)
    assert not again.run_requests
    assert again.skip_reason is not None
    assert (again.skip_reason.skip_message or "").startswith(f"3 pending ≤ cursor {mark}")

    # A new event raises the mark: one new run covering everything pending.
    newer = add_events(inbox, "4")
    third = evaluate(webhook_inbox_sensor, instance, tmp_path, again.cursor)
    assert [r.run_key for r in third.run_requests or []] == [f"inbox-upto-{newer}"]


def test_done_events_are_not_launched_again(
    instance: dg.DagsterInstance, tmp_path: Path, inbox: Inbox
) -> None:
    mark = add_events(inbox, "1")
    inbox.mark_done(e.event_id for e in inbox.claim(mark))
    result = evaluate(webhook_inbox_sensor, instance, tmp_path, InboxCursor(mark, 0.0).dumps())
    assert not result.run_requests


def test_stale_events_below_the_cursor_are_retried(
    instance: dg.DagsterInstance, tmp_path: Path, inbox: Inbox
) -> None:
    mark = add_events(inbox, "1")
    sensor = build_webhook_inbox_sensor(name="retrying", retry_after_seconds=0)
    cursor = InboxCursor(high_water_mark=mark, launched_at=0.0, retries=0).dumps()
    result = evaluate(sensor, instance, tmp_path, cursor)
    assert [r.run_key for r in result.run_requests or []] == [f"inbox-upto-{mark}-retry-1"]
    assert result.cursor is not None and json.loads(result.cursor)["retries"] == 1


def test_evaluate_inbox_is_pure() -> None:
    pending = PendingSummary(count=2, max_event_id=9, oldest_received_at=0.0)
    request, cursor, seen = evaluate_inbox(
        pending, InboxCursor(9, launched_at=100.0), now=150.0, retry_after_seconds=60
    )
    assert request is None and cursor == InboxCursor(9, 100.0) and "50 s ago" in seen
    request, cursor, _ = evaluate_inbox(pending, InboxCursor(4), now=150.0, retry_after_seconds=60)
    assert request is not None and request.run_key == "inbox-upto-9" and cursor == InboxCursor(9, 150.0, 0)


def test_sensor_targets_the_refresh_job_by_name() -> None:
    assert webhook_inbox_sensor.job_name == "webhook_refresh"
    assert webhook_inbox_sensor.minimum_interval_seconds == 5
