"""Change in Healthie -> signed webhook -> receiver process -> inbox -> sensor -> webhook_refresh -> marts.

Everything is the product as deployed: the sandbox signs with its own code, the receiver is uvicorn in
a child process, the sensor is ticked like the daemon ticks it, and `webhook_refresh` runs in-process
with the real `HealthieResource` and real dbt. After each refresh the changed rows in the marts equal
the sandbox's ground truth. Deliveries that repeat, arrive in reverse order, or arrive late (after
their resource was already refreshed) change nothing but what Healthie itself changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import httpx
import pytest

from pipelines.webhooks.harness import ReceiverProcess, event_body, signed_headers
from pipelines.webhooks.inbox import Inbox, inbox_path

from . import truth
from .product import Product, webhooks_to_receiver
from .test_nightly_marts import FACT_KEYS, assert_keys_equal_truth

SANDBOX_SEED = 202
#: Columns that say when and from which batch a row was read, not what Healthie holds.
BOOKKEEPING = frozenset({"_extracted_at", "_sync_id"})
REPLAYS = 100


def body_of(event: Mapping[str, Any]) -> bytes:
    """The body Healthie (and the sandbox) sends for an event, byte for byte."""
    return event_body(
        event["resource_id"], event["resource_id_type"], event["event_type"], event["changed_fields"]
    )


def post_events(receiver: ReceiverProcess, secret: str, events: Sequence[Mapping[str, Any]]) -> list[int]:
    """Post webhook events signed as Healthie signs them, one after another; the HTTP statuses."""
    statuses = []
    with httpx.Client(timeout=10) as http:
        for body in map(body_of, events):
            response = http.post(receiver.webhook_url, content=body, headers=signed_headers(secret, body))
            statuses.append(response.status_code)
    return statuses


def statuses_when_none_waiting(events: Sequence[Mapping[str, Any]]) -> list[int]:
    """What the receiver answers when none of `events` is waiting: 202 once per body, then 200."""
    seen: set[bytes] = set()
    statuses = []
    for body in map(body_of, events):
        statuses.append(200 if body in seen else 202)
        seen.add(body)
    return statuses


def rereads_by_stream(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    """Records re-read per stream by a refresh run (its change-batch materializations)."""
    rereads = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key.path[0] == "healthie":
            count = materialization.metadata["resources_reread"].value
            assert isinstance(count, int)
            rereads[materialization.asset_key.path[-1]] = count
    return rereads


def inbox_stats(product: Product) -> dict[str, int]:
    with Inbox(inbox_path(product.warehouse_dir)) as inbox:
        return inbox.stats()


def assert_refreshed(result: dg.ExecuteInProcessResult) -> None:
    failures = [event.message for event in result.all_events if event.is_failure]
    assert result.success, failures


def assert_facts_equal_truth(product: Product) -> None:
    for stream, query in FACT_KEYS:
        assert_keys_equal_truth(product, stream, query)


@pytest.fixture(scope="module")
def receiver(product: Product, nightly: dg.ExecuteInProcessResult) -> Iterator[ReceiverProcess]:
    with webhooks_to_receiver(product) as running:
        yield running


def open_appointments(product: Product) -> list[str]:
    """Appointments with no status yet, not availability blocks: the ones a practice updates."""
    rows = product.control.truth("appointments")
    return [str(row["id"]) for row in rows if row.get("pm_status") is None and not row.get("is_blocker")]


@pytest.fixture(scope="module")
def changed(product: Product, receiver: ReceiverProcess) -> dict[str, str]:
    """One change of each kind in Healthie, then one refresh: the ids touched, by role."""
    control = product.control
    appointments = open_appointments(product)
    patient = str(control.truth("patients")[0]["id"])
    form = next(row for row in control.truth("form_answer_groups") if row.get("locked_at") is None)
    ids = {
        "updated_appointment": appointments[0],
        "deleted_appointment": appointments[1],
        "patient": patient,
        "form": str(form["id"]),
    }
    control.update("appointments", ids["updated_appointment"], pm_status="No-Show")
    control.delete("appointments", ids["deleted_appointment"])
    ids["entry"] = control.create(
        "entries", type="MetricEntry", category="Weight", metric_stat=81.4, poster={"id": patient}
    )
    locked_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    control.update("form_answer_groups", ids["form"], locked_at=locked_at, locked_by={"id": patient})
    control.update("patients", patient, phone_number="(555) 010-4242")
    assert_refreshed(product.refresh())
    return ids


def test_refresh_drains_every_event(product: Product, changed: dict[str, str]) -> None:
    stats = inbox_stats(product)
    assert stats["pending"] == stats["claimed"] == 0
    assert stats["done"] >= 5


def test_updated_status_reaches_the_marts(product: Product, changed: dict[str, str]) -> None:
    expected = truth.by_id(product.control.truth("appointments"))[changed["updated_appointment"]]
    [(status, status_group, starts_at, updated_at)] = product.query(
        "appointment", [changed["updated_appointment"]]
    )
    assert (status, status_group) == (expected["pm_status"], "no_show") == ("No-Show", "no_show")
    assert starts_at == truth.parse_timestamp(expected["date"])
    assert updated_at == truth.parse_timestamp(expected["updated_at"])


def test_created_entry_reaches_the_marts(product: Product, changed: dict[str, str]) -> None:
    expected = truth.by_id(product.control.truth("entries"))[changed["entry"]]
    [(entry_type, category, value, patient_id, created_at)] = product.query("entry", [changed["entry"]])
    assert (entry_type, category, value) == (expected["type"], expected["category"], expected["metric_stat"])
    assert (entry_type, category, value, patient_id) == ("MetricEntry", "Weight", 81.4, changed["patient"])
    assert created_at == truth.parse_timestamp(expected["created_at"])


def test_deleted_appointment_leaves_the_marts(product: Product, changed: dict[str, str]) -> None:
    assert changed["deleted_appointment"] in product.control.truth_deleted_ids("appointments")
    assert product.query("appointment", [changed["deleted_appointment"]]) == []


def test_locked_form_reaches_the_marts(product: Product, changed: dict[str, str]) -> None:
    expected = truth.by_id(product.control.truth("form_answer_groups"))[changed["form"]]
    [(is_locked, locked_at, locked_by_id, updated_at)] = product.query("form_answer_group", [changed["form"]])
    assert is_locked is True
    assert locked_at == truth.parse_timestamp(expected["locked_at"]) is not None
    assert locked_by_id == truth.ref_id(expected, "locked_by") == changed["patient"]
    assert updated_at == truth.parse_timestamp(expected["updated_at"])


def test_updated_patient_reaches_the_dimension(product: Product, changed: dict[str, str]) -> None:
    expected = truth.by_id(product.control.truth("patients"))[changed["patient"]]
    [(phone, is_active, updated_at)] = product.query("patient", [changed["patient"]])
    assert phone == expected["phone_number"] == "(555) 010-4242"
    assert is_active == expected["active"]
    assert updated_at == truth.parse_timestamp(expected["updated_at"])


def test_facts_equal_truth_after_refresh(product: Product, changed: dict[str, str]) -> None:
    assert_facts_equal_truth(product)


# --- duplicated, reversed and late deliveries ---------------------------------------------------------


@pytest.fixture(scope="module")
def messy_deliveries(
    product: Product, receiver: ReceiverProcess, changed: dict[str, str]
) -> list[dict[str, Any]]:
    """Changes whose webhooks the sandbox sends twice, re-posted in reverse order before the refresh.

    The entry is created and deleted, so its `created` event also arrives after its `deleted` one.
    """
    control = product.control
    control.configure_webhooks(receiver.webhook_url, product.webhook_secret, duplicate_rate=1.0)
    appointment = open_appointments(product)[0]
    billing_item = str(control.truth("billing_items")[0]["id"])
    created = control.change("create", "entries", type="FoodEntry", poster={"id": changed["patient"]})
    changes = [
        created,
        control.change("delete", "entries", created["id"]),
        control.change("update", "appointments", appointment, pm_status="Occurred"),
        control.change("update", "appointments", appointment, pm_status="Cancelled"),
        control.change("update", "billing_items", billing_item, state="refunded"),
    ]
    events = [event for change in changes for event in change["events"]]
    assert control.flush_webhooks()
    deliveries = control.webhook_deliveries()[-2 * len(events) :]
    assert [d["resource_id"] for d in deliveries[::2]] == [e["resource_id"] for e in events]
    statuses = post_events(receiver, product.webhook_secret, events[::-1])
    assert set(statuses) == {200}, "a re-post of a waiting event is a duplicate"
    assert_refreshed(product.refresh())
    return events


def test_duplicates_and_reversed_order_give_the_truth(
    product: Product, messy_deliveries: list[dict[str, Any]]
) -> None:
    stats = inbox_stats(product)
    assert stats["pending"] == 0 and stats["duplicates"] >= 2 * len(messy_deliveries)
    assert_facts_equal_truth(product)
    for event in messy_deliveries:
        if event["resource_id_type"] == "Appointment":
            [(status, *_)] = product.query("appointment", [str(event["resource_id"])])
            assert status == "Cancelled"


def test_late_deliveries_after_a_refresh_change_nothing(
    product: Product, receiver: ReceiverProcess, messy_deliveries: list[dict[str, Any]]
) -> None:
    """The same events again, reversed, after they were handled: re-read, and the truth is unchanged."""
    before = product.mart_snapshot(BOOKKEEPING)
    late = messy_deliveries[::-1]
    assert post_events(receiver, product.webhook_secret, late) == statuses_when_none_waiting(late)
    assert_refreshed(product.refresh())
    assert product.mart_snapshot(BOOKKEEPING) == before
    assert_facts_equal_truth(product)


def test_one_delivery_replayed_a_hundred_times(
    product: Product, receiver: ReceiverProcess, changed: dict[str, str]
) -> None:
    """A delivery already handled, sent a hundred times more: one event, one re-read, marts unchanged."""
    [delivery] = [
        d
        for d in product.control.webhook_deliveries()
        if d["event_type"] == "patient.updated" and str(d["resource_id"]) == changed["patient"]
    ]
    before = product.mart_snapshot(BOOKKEEPING)
    duplicates_before = inbox_stats(product)["duplicates"]

    statuses = post_events(receiver, product.webhook_secret, [delivery] * REPLAYS)
    assert statuses == [202] + [200] * (REPLAYS - 1)
    assert inbox_stats(product)["duplicates"] == duplicates_before + REPLAYS - 1
    replayed = product.refresh()
    assert_refreshed(replayed)

    assert rereads_by_stream(replayed) == {"patients": 1}
    assert product.mart_snapshot(BOOKKEEPING) == before
