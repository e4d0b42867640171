"""The receiver is down while 10 changes happen in Healthie; once it is back, one webhook_refresh brings
the marts to Healthie's state, launched by `sent_webhooks_sensor`, with no nightly sync and no person.

The product as deployed: the receiver is uvicorn in a child process (killed, then started again on the
same inbox), the sandbox sends to it and records each attempt (connection refused: no status), the
sensors are ticked like the daemon ticks them, and the refresh runs in-process with the real client
and real dbt. The marts are then compared with the sandbox's ground truth.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import pytest

from pipelines.dev.harness import receiver_process
from pipelines.refresh.sensors import sent_webhooks_sensor
from pipelines.resources import resource_from_env
from pipelines.settings import build_warehouse_config
from pipelines.webhooks.inbox import Inbox, inbox_path

from . import truth
from .assertions import assert_facts_equal_truth, assert_keys_equal_truth, assert_succeeded
from .product import Product, webhooks_to_receiver

SANDBOX_SEED = 404


@dataclass(frozen=True)
class Outage:
    ids: dict[str, str]
    events: int
    resources: int
    """Distinct records the events name (an entry created and deleted is one)."""
    refresh: dg.ExecuteInProcessResult
    inbox_sensor_saw: dg.SensorResult
    seconds_to_fresh_marts: float
    """From the receiver being back to the refresh finished (marts published)."""


def sense_sent_webhooks(product: Product) -> dg.SensorResult:
    resources = {"healthie": resource_from_env(), "warehouse": build_warehouse_config()}
    with dg.build_sensor_context(instance=product.instance, resources=resources) as context:
        result = sent_webhooks_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def ten_changes(product: Product) -> tuple[dict[str, str], list[dict[str, Any]]]:
    control = product.control
    appointments = truth.open_appointments(control.truth("appointments"))
    patient = str(control.truth("patients")[0]["id"])
    form = next(row for row in control.truth("form_answer_groups") if row.get("locked_at") is None)
    ids = {
        "occurred": appointments[0],
        "no_show": appointments[1],
        "cancelled": appointments[2],
        "deleted_appointment": appointments[3],
        "patient": patient,
        "form": str(form["id"]),
        "billing_item": str(control.truth("billing_items")[0]["id"]),
    }
    metric = control.change(
        "create", "entries", type="MetricEntry", category="Weight", metric_stat=92.5, poster={"id": patient}
    )
    food = control.change("create", "entries", type="FoodEntry", poster={"id": patient})
    ids.update(entry=metric["id"], deleted_entry=food["id"])
    locked_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    changes = [
        control.update("appointments", ids["occurred"], pm_status="Occurred"),
        control.update("appointments", ids["no_show"], pm_status="No-Show"),
        control.update("appointments", ids["cancelled"], pm_status="Cancelled"),
        control.delete("appointments", ids["deleted_appointment"]),
        metric,
        food,
        control.delete("entries", ids["deleted_entry"]),
        control.update("billing_items", ids["billing_item"], state="refunded"),
        control.update("patients", patient, phone_number="(555) 010-9999"),
        control.update("form_answer_groups", ids["form"], locked_at=locked_at, locked_by={"id": patient}),
    ]
    return ids, [event for change in changes for event in change["events"]]


@pytest.fixture(scope="module")
def outage(product: Product, nightly: dg.ExecuteInProcessResult) -> Iterator[Outage]:
    with webhooks_to_receiver(product, max_attempts=2, retry_backoff_s=0.05) as receiver:
        receiver.kill()  # a deploy, a crash: Healthie's deliveries are refused from here on
        ids, events = ten_changes(product)
        assert product.control.flush_webhooks()
        deliveries = product.control.webhook_deliveries()[-len(events) :]
        assert {(d["status"], d["delivered"]) for d in deliveries} == {(None, False)}
        with receiver_process(product.warehouse_dir, product.webhook_secret):  # back, on the same inbox
            back = time.monotonic()
            inbox_sensor_saw = product.sense()
            sensed = sense_sent_webhooks(product)
            [request] = sensed.run_requests or []
            refresh = product.run("webhook_refresh", request.run_config)
            seconds = time.monotonic() - back
            resources = len({(e["resource_id_type"], str(e["resource_id"])) for e in events})
            yield Outage(ids, len(events), resources, refresh, inbox_sensor_saw, seconds)


def test_nothing_reached_the_inbox_so_only_sentwebhooks_knows(outage: Outage) -> None:
    assert not outage.inbox_sensor_saw.run_requests


def test_one_refresh_recovers_every_missed_event(product: Product, outage: Outage) -> None:
    assert_succeeded(outage.refresh)
    drain = outage.refresh.output_for_node("drain_webhook_inbox")
    assert set(drain) == {"appointments", "entries", "billing_items", "patients", "form_answer_groups"}
    metadata = next(
        e.event_specific_data.metadata  # type: ignore[union-attr]
        for e in outage.refresh.all_events
        if e.event_type == dg.DagsterEventType.STEP_OUTPUT and e.step_key == "drain_webhook_inbox"
    )
    # Two attempts per event were listed: one enqueued per record, the rest found already waiting.
    assert metadata["sent_webhooks_enqueued"].value == outage.resources
    assert metadata["sent_webhooks_waiting"].value == 2 * outage.events - outage.resources
    assert metadata["events_drained"].value == outage.resources
    print(  # the figures quoted in the README
        f"\nreceiver back -> marts correct: {outage.seconds_to_fresh_marts:.1f} s; "
        f"sentWebhooks requests: {metadata['sent_webhooks_requests'].value}"
    )
    with Inbox(inbox_path(product.warehouse_dir)) as inbox:
        assert inbox.pending().count == 0


def test_the_marts_are_at_healthies_state(product: Product, outage: Outage) -> None:
    assert_facts_equal_truth(product)
    assert_keys_equal_truth(product, "patients", "patient_ids")
    appointments = truth.by_id(product.control.truth("appointments"))
    for role in ("occurred", "no_show", "cancelled"):
        [(status, *_)] = product.query("appointment", [outage.ids[role]])
        assert status == appointments[outage.ids[role]]["pm_status"]
    assert product.query("appointment", [outage.ids["deleted_appointment"]]) == []
    assert product.query("entry", [outage.ids["deleted_entry"]]) == []
    [(entry_type, category, value, *_)] = product.query("entry", [outage.ids["entry"]])
    assert (entry_type, category, value) == ("MetricEntry", "Weight", 92.5)
    [(state, *_)] = product.query("billing_item", [outage.ids["billing_item"]])
    assert state == "refunded"
    [(phone, *_)] = product.query("patient", [outage.ids["patient"]])
    assert phone == "(555) 010-9999"
    [(is_locked, *_)] = product.query("form_answer_group", [outage.ids["form"]])
    assert is_locked is True


def test_once_recovered_the_sensor_finds_nothing_missed(product: Product, outage: Outage) -> None:
    assert not sense_sent_webhooks(product).run_requests
