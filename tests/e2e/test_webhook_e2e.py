"""Change in Healthie -> signed webhook -> receiver process -> inbox -> sensor -> webhook_refresh -> marts.

Everything is the product as deployed: the sandbox signs with its own code, the receiver is uvicorn in
a child process, the sensor is ticked like the daemon ticks it, and `webhook_refresh` runs in-process
with the real `HealthieResource` and real dbt. After each refresh the changed rows in the marts equal
the sandbox's ground truth. The sandbox sends every webhook twice and the test re-posts them all in
reverse order before the first refresh, as Healthie's retries and a busy network would; later, the
same deliveries arrive late (after their records were refreshed) and one of them a hundred times.
None of that changes anything but what Healthie itself changed. A reader holds the published file open
through the refresh: the refresh does not fail for it, and it keeps the build it opened.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import httpx
import pytest

from pipelines.dev.harness import ReceiverProcess, event_body, signed_headers
from pipelines.webhooks.inbox import Inbox, inbox_path

from . import truth
from .assertions import assert_facts_equal_truth, assert_succeeded
from .product import Product, named_queries, webhooks_to_receiver

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


@dataclass(frozen=True)
class Changes:
    """What the module changed in Healthie: ids by role, and every webhook event that queued."""

    ids: dict[str, str]
    events: list[dict[str, Any]]
    held: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]
    """The updated appointment as a reader connected since before the refresh read it, before and after."""


@pytest.fixture(scope="module")
def receiver(product: Product, nightly: dg.ExecuteInProcessResult) -> Iterator[ReceiverProcess]:
    """The receiver, with the sandbox delivering every webhook twice."""
    with webhooks_to_receiver(product, duplicate_rate=1.0) as running:
        yield running


@pytest.fixture(scope="module")
def changed(product: Product, receiver: ReceiverProcess) -> Changes:
    """One change of each kind in Healthie, webhooks doubled and then re-posted reversed; one refresh.

    One appointment is updated twice (the last status wins), one entry is created and deleted at once
    (so its `created` event also lands after its `deleted` one).
    """
    control = product.control
    appointments = truth.open_appointments(control.truth("appointments"))
    patient = str(control.truth("patients")[0]["id"])
    form = next(row for row in control.truth("form_answer_groups") if row.get("locked_at") is None)
    locked_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ids = {
        "updated_appointment": appointments[0],
        "deleted_appointment": appointments[1],
        "patient": patient,
        "form": str(form["id"]),
        "billing_item": str(control.truth("billing_items")[0]["id"]),
    }
    metric = control.change(
        "create", "entries", type="MetricEntry", category="Weight", metric_stat=81.4, poster={"id": patient}
    )
    food = control.change("create", "entries", type="FoodEntry", poster={"id": patient})
    ids.update(entry=metric["id"], deleted_entry=food["id"])
    changes = [
        control.update("appointments", ids["updated_appointment"], pm_status="Occurred"),
        control.update("appointments", ids["updated_appointment"], pm_status="No-Show"),
        control.delete("appointments", ids["deleted_appointment"]),
        metric,
        food,
        control.delete("entries", ids["deleted_entry"]),
        control.update("form_answer_groups", ids["form"], locked_at=locked_at, locked_by={"id": patient}),
        control.update("patients", patient, phone_number="(555) 010-4242"),
        control.update("billing_items", ids["billing_item"], state="refunded"),
    ]
    events = [event for change in changes for event in change["events"]]
    assert control.flush_webhooks()
    doubled = control.webhook_deliveries()[-2 * len(events) :]
    assert Counter(map(body_of, doubled)) == Counter(map(body_of, events * 2)), "each sent twice"
    assert set(post_events(receiver, product.webhook_secret, events[::-1])) == {200}, "all still waiting"
    appointment = named_queries()["appointment"]
    with product.held_reader() as reader:
        before = reader.execute(appointment, [ids["updated_appointment"]]).fetchall()
        assert_succeeded(product.refresh())
        after = reader.execute(appointment, [ids["updated_appointment"]]).fetchall()
    return Changes(ids, events, (before, after))


def test_a_reader_held_open_through_the_refresh_keeps_its_build(changed: Changes) -> None:
    before, after = changed.held
    assert after == before and before[0][0] is None, "still the status it read before the refresh"


def test_refresh_drains_every_event_once(product: Product, changed: Changes) -> None:
    stats = inbox_stats(product)
    distinct = len({body_of(event) for event in changed.events})
    assert stats["pending"] == stats["claimed"] == 0
    assert stats["done"] == distinct
    assert stats["duplicates"] == 3 * len(changed.events) - distinct  # twice sent, once re-posted


def test_updated_status_reaches_the_marts(product: Product, changed: Changes) -> None:
    appointment = changed.ids["updated_appointment"]
    expected = truth.by_id(product.control.truth("appointments"))[appointment]
    [(status, status_group, starts_at, updated_at)] = product.query("appointment", [appointment])
    assert (status, status_group) == (expected["pm_status"], "no_show") == ("No-Show", "no_show")
    assert starts_at == truth.parse_timestamp(expected["date"])
    assert updated_at == truth.parse_timestamp(expected["updated_at"])


def test_created_entry_reaches_the_marts(product: Product, changed: Changes) -> None:
    entry = changed.ids["entry"]
    expected = truth.by_id(product.control.truth("entries"))[entry]
    [(entry_type, category, value, patient_id, created_at)] = product.query("entry", [entry])
    assert (entry_type, category, value) == (expected["type"], expected["category"], expected["metric_stat"])
    assert (entry_type, category, value, patient_id) == (
        "MetricEntry",
        "Weight",
        81.4,
        changed.ids["patient"],
    )
    assert created_at == truth.parse_timestamp(expected["created_at"])


@pytest.mark.parametrize(
    ("role", "stream", "query"),
    [("deleted_appointment", "appointments", "appointment"), ("deleted_entry", "entries", "entry")],
)
def test_deleted_records_leave_the_marts(
    product: Product, changed: Changes, role: str, stream: str, query: str
) -> None:
    assert changed.ids[role] in product.control.truth_deleted_ids(stream)
    assert product.query(query, [changed.ids[role]]) == []


def test_locked_form_reaches_the_marts(product: Product, changed: Changes) -> None:
    form = changed.ids["form"]
    expected = truth.by_id(product.control.truth("form_answer_groups"))[form]
    [(is_locked, locked_at, locked_by_id, updated_at)] = product.query("form_answer_group", [form])
    assert is_locked is True
    assert locked_at == truth.parse_timestamp(expected["locked_at"]) is not None
    assert locked_by_id == truth.ref_id(expected, "locked_by") == changed.ids["patient"]
    assert updated_at == truth.parse_timestamp(expected["updated_at"])


def test_updated_payment_reaches_the_marts(product: Product, changed: Changes) -> None:
    billing_item = changed.ids["billing_item"]
    expected = truth.by_id(product.control.truth("billing_items"))[billing_item]
    [(state, is_collected, amount_paid)] = product.query("billing_item", [billing_item])
    assert (state, is_collected) == (expected["state"], False) == ("refunded", False)
    assert amount_paid == truth.money(expected["amount_paid"])


def test_updated_patient_reaches_the_dimension(product: Product, changed: Changes) -> None:
    patient = changed.ids["patient"]
    expected = truth.by_id(product.control.truth("patients"))[patient]
    [(phone, is_active, updated_at)] = product.query("patient", [patient])
    assert phone == expected["phone_number"] == "(555) 010-4242"
    assert is_active == expected["active"]
    assert updated_at == truth.parse_timestamp(expected["updated_at"])


def test_facts_equal_truth_after_refresh(product: Product, changed: Changes) -> None:
    assert_facts_equal_truth(product)


# --- late and replayed deliveries ----------------------------------------------------------------------


def test_late_deliveries_after_a_refresh_change_nothing(
    product: Product, receiver: ReceiverProcess, changed: Changes
) -> None:
    """Every delivery again, reversed, after it was handled: all re-read, and the truth is unchanged.

    The entry created and deleted is re-read too, comes back null, and stays a tombstone.
    """
    before = product.mart_snapshot(BOOKKEEPING)
    late = changed.events[::-1]
    assert post_events(receiver, product.webhook_secret, late) == statuses_when_none_waiting(late)
    assert_succeeded(product.refresh())
    assert product.mart_snapshot(BOOKKEEPING) == before
    assert_facts_equal_truth(product)


def test_one_delivery_replayed_a_hundred_times(
    product: Product, receiver: ReceiverProcess, changed: Changes
) -> None:
    """A delivery already handled, sent a hundred times more: one event, one re-read, marts unchanged."""
    [delivery] = [event for event in changed.events if event["event_type"] == "patient.updated"]
    before = product.mart_snapshot(BOOKKEEPING)
    duplicates_before = inbox_stats(product)["duplicates"]

    statuses = post_events(receiver, product.webhook_secret, [delivery] * REPLAYS)
    assert statuses == [202] + [200] * (REPLAYS - 1)
    assert inbox_stats(product)["duplicates"] == duplicates_before + REPLAYS - 1
    replayed = product.refresh()
    assert_succeeded(replayed)

    assert rereads_by_stream(replayed) == {"patients": 1}
    assert product.mart_snapshot(BOOKKEEPING) == before
