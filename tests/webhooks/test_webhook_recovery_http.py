"""Missed webhooks recovered over HTTP: the sandbox sends to the real receiver process, which refuses a
wrong secret (as during a rotation) or is down; `sentWebhooks` is read through the real client, and
`sent_webhooks_sensor` asks for the refresh that recovers them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle, start_in_thread
from pipelines.dev.harness import receiver_process
from pipelines.refresh.config import DRAIN_OP_NAME
from pipelines.refresh.recovery import RecoveryReport, healthie_reader, recover_missed
from pipelines.refresh.sensors import SentWebhooksCursor, build_sent_webhooks_sensor, evaluate_sent_webhooks
from pipelines.resources import HealthieResource
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.inbox import Inbox, RecoveryOutcome, inbox_path

SECRET = "whsec_current"


@pytest.fixture(scope="module")
def handle() -> Iterator[SandboxHandle]:
    with start_in_thread(scale=0.05, seed=31) as running:
        yield running


@pytest.fixture
def control(handle: SandboxHandle) -> Iterator[SandboxControl]:
    with handle.control() as opened:
        yield opened
        opened.clear_faults()
        opened.configure_webhooks(None, "")


@pytest.fixture
def healthie(handle: SandboxHandle) -> HealthieResource:
    return HealthieResource(api_key=handle.api_key, api_url=handle.url, rate_limit_rps=1000, max_attempts=2)


def appointment_ids(control: SandboxControl, n: int, skip: int = 0) -> list[str]:
    return [str(row["id"]) for row in control.truth("appointments")[skip : skip + n]]


def sense(healthie: HealthieResource, warehouse_dir: Path, cursor: str | None) -> dg.SensorResult:
    sensor = build_sent_webhooks_sensor()
    resources = {"healthie": healthie, "warehouse": WarehouseConfig(warehouse_dir=str(warehouse_dir))}
    with (
        dg.instance_for_test() as instance,
        dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context,
    ):
        result = sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def test_refused_deliveries_are_recovered_and_delivered_ones_are_not(
    control: SandboxControl, healthie: HealthieResource, tmp_path: Path
) -> None:
    with receiver_process(tmp_path, SECRET) as receiver:
        control.configure_webhooks(receiver.webhook_url, "whsec_old", max_attempts=1)  # mid-rotation
        refused = appointment_ids(control, 3)
        for resource_id in refused:
            control.update("appointments", resource_id)
        assert control.flush_webhooks()
        assert [d["status"] for d in control.webhook_deliveries()[-3:]] == [401, 401, 401]
        control.configure_webhooks(receiver.webhook_url, SECRET, max_attempts=1)
        [delivered] = appointment_ids(control, 1, skip=3)
        control.update("appointments", delivered)
        assert control.flush_webhooks()
        with Inbox(inbox_path(tmp_path)) as inbox:  # opened beside the running receiver, as a run does
            assert inbox.stats()["pending"] == 1
            sensed = sense(healthie, tmp_path, None)
            [request] = sensed.run_requests or []
            assert request.run_key is not None and request.run_key.startswith("sent-webhooks-")
            assert request.run_config["ops"][DRAIN_OP_NAME]["config"]["high_water_mark"] == 0
            assert inbox.stats()["pending"] == 1, "the sensor only looks"
            control.reset_stats()
            report = recover_missed(inbox, healthie_reader(healthie))
            assert report.outcomes == {RecoveryOutcome.ENQUEUED: 3, RecoveryOutcome.DELIVERED: 1}
            assert control.stats()["operations"] == {"SentWebhooks": report.requests}
            assert report.requests == 2, "one page of 4 records, one empty page that shows the end"
            waiting = sorted(e.resource_id for e in inbox.claim(10**9))
            assert waiting == sorted([*refused, delivered])
            # The next read covers the overlap again: every record was decided, nothing is added.
            again = recover_missed(inbox, healthie_reader(healthie))
            assert again.outcomes == {RecoveryOutcome.SEEN: 4}
        assert not sense(healthie, tmp_path, sensed.cursor).run_requests


def test_events_sent_while_the_receiver_was_down_are_recovered(tmp_path: Path) -> None:
    """A sandbox of its own: the module's sandbox lists what it sent to the other tests' receivers."""
    with start_in_thread(scale=0.02, seed=32) as own, own.control() as control:
        healthie = HealthieResource(api_key=own.api_key, api_url=own.url, rate_limit_rps=1000)
        with receiver_process(tmp_path, SECRET) as receiver:
            url = receiver.webhook_url
        control.configure_webhooks(url, SECRET, max_attempts=2, retry_backoff_s=0.01)  # nobody listens
        down = appointment_ids(control, 2, skip=10)
        for resource_id in down:
            control.update("appointments", resource_id)
        assert control.flush_webhooks()
        assert [(d["status"], d["attempts"]) for d in control.webhook_deliveries()] == [(None, 2)] * 2
        with Inbox(inbox_path(tmp_path)) as inbox:
            report = recover_missed(inbox, healthie_reader(healthie))
            # Two attempts per event: the second is already waiting once the first is enqueued.
            assert report.outcomes == {RecoveryOutcome.ENQUEUED: 2, RecoveryOutcome.WAITING: 2}
            assert sorted(e.resource_id for e in inbox.claim(10**9)) == sorted(down)


def test_a_failing_sentwebhooks_read_leaves_the_sensor_waiting(
    control: SandboxControl, healthie: HealthieResource, tmp_path: Path
) -> None:
    control.fail_every(1, "http_error", status=503)
    result = sense(healthie, tmp_path, None)
    assert not result.run_requests
    assert result.skip_reason is not None
    assert "reading sentWebhooks" in (result.skip_reason.skip_message or "")


def test_a_missed_batch_still_missed_later_is_retried() -> None:
    report = RecoveryReport(requests=1, listed=1, other_targets=0, newest_missed="42")
    request, cursor, _ = evaluate_sent_webhooks(
        report, SentWebhooksCursor(), now=1000.0, retry_after_seconds=600
    )
    assert request is not None and request.run_key == "sent-webhooks-42"
    request, same, seen = evaluate_sent_webhooks(report, cursor, now=1300.0, retry_after_seconds=600)
    assert request is None and same == cursor and "launched 300 s ago" in seen
    request, retried, _ = evaluate_sent_webhooks(report, cursor, now=1700.0, retry_after_seconds=600)
    assert request is not None and request.run_key == "sent-webhooks-42-retry-1" and retried.retries == 1
    assert SentWebhooksCursor.parse(retried.dumps()) == retried
