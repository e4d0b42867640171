"""The refresh core: coalescing, re-reading by id (null -> delete), one MERGE per stream, done last."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from pipelines.extract.change import ChangeOutcome, ChangeSet, merge_changes
from pipelines.healthie.streams import APPOINTMENTS, StreamSpec
from pipelines.lake.layout import lake_table
from pipelines.lake.table import MergeResult
from pipelines.refresh.drain import RefreshError, drain_inbox, plan_refresh
from pipelines.webhooks.events import WebhookEvent, stream_for
from pipelines.webhooks.inbox import ClaimedEvent, Delivery, Inbox, inbox_path


class FakeHealthie:
    """Answers by-id reads from a dict: present -> the row, absent -> None (deleted in Healthie)."""

    def __init__(self, rows: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
        self.rows = rows
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def fetch_by_ids(self, spec: StreamSpec, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        self.calls.append((spec.name, tuple(ids)))
        table = self.rows.get(spec.name, {})
        return {i: dict(table[i]) if i in table else None for i in ids}


class RecordingWriter:
    def __init__(self, fail_on: str | None = None) -> None:
        self.batches: list[tuple[str, list[str], list[str]]] = []
        self.fail_on = fail_on

    def __call__(self, warehouse_dir: Path, spec: StreamSpec, changes: ChangeSet) -> ChangeOutcome:
        if spec.name == self.fail_on:
            raise OSError("disk full")
        self.batches.append((spec.name, [r["id"] for r in changes.rows], list(changes.deleted_ids)))
        merged = MergeResult(len(self.batches), len(changes.rows), 0, len(changes.deleted_ids), 0)
        return ChangeOutcome(f"batch-{len(self.batches)}", merged, warehouse_dir / spec.name)


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    with Inbox(inbox_path(tmp_path)) as opened:
        yield opened


def deliver(inbox: Inbox, events: Sequence[tuple[str | int, str, str]]) -> None:
    for n, (resource_id, resource_type, event_type) in enumerate(events):
        event = WebhookEvent(str(resource_id), resource_type, event_type)
        inbox.append(Delivery(event, stream_for(event), body_sha256=f"body-{n}"))


def claimed(events: Sequence[tuple[str, str, str]]) -> list[ClaimedEvent]:
    return [
        ClaimedEvent(n, rid, rtype, etype, stream_for(WebhookEvent(rid, rtype, etype)) or "")
        for n, (rid, rtype, etype) in enumerate(events, start=1)
    ]


MIXED = [
    ("5", "Appointment", "appointment.deleted"),
    ("5", "Appointment", "appointment.created"),
    ("5", "Appointment", "appointment.updated"),
    ("8", "Entry", "metric_entry.created"),
    ("8", "Entry", "entry.updated"),
    ("2", "Appointment", "appointment.updated"),
    ("3", "User", "patient.created"),
]


def test_plan_coalesces_per_stream_and_resource() -> None:
    plan = plan_refresh(claimed(MIXED))
    assert plan.ids_by_stream == {"appointments": ("2", "5"), "entries": ("8",), "patients": ("3",)}
    assert plan.event_ids == tuple(range(1, 8))
    assert plan.resources == 4


def test_plan_does_not_depend_on_arrival_order() -> None:
    """A delete delivered before its create, or any shuffle, asks for the same re-reads."""
    expected = plan_refresh(claimed(MIXED)).ids_by_stream
    rng = random.Random(7)
    for _ in range(20):
        shuffled = MIXED[:]
        rng.shuffle(shuffled)
        assert plan_refresh(claimed(shuffled)).ids_by_stream == expected


def test_plan_refuses_an_unknown_stream() -> None:
    with pytest.raises(RefreshError):
        plan_refresh([ClaimedEvent(1, "1", "Widget", "widget.created", "widgets")])


def test_drain_rereads_once_per_resource_and_deletes_nulls(inbox: Inbox, tmp_path: Path) -> None:
    deliver(inbox, MIXED)
    healthie = FakeHealthie({"appointments": {"5": {"id": "5"}}, "entries": {"8": {"id": "8"}}})
    writer = RecordingWriter()
    result = drain_inbox(
        inbox,
        high_water_mark=0,
        reader=healthie,
        merge=writer,
        warehouse_dir=tmp_path,
        lease_seconds=60,
    )
    assert healthie.calls == [("appointments", ("2", "5")), ("entries", ("8",)), ("patients", ("3",))]
    assert writer.batches == [
        ("appointments", ["5"], ["2"]),
        ("entries", ["8"], []),
        ("patients", [], ["3"]),
    ]
    assert (result.events_drained, result.resources_reread, result.deleted) == (7, 4, 2)
    assert result.streams == ["appointments", "entries", "patients"]
    assert inbox.stats()["done"] == 7
    assert inbox.pending_count() == 0


def test_drain_stops_at_the_high_water_mark(inbox: Inbox, tmp_path: Path) -> None:
    deliver(inbox, MIXED)
    result = drain_inbox(
        inbox,
        high_water_mark=2,
        reader=FakeHealthie({}),
        merge=RecordingWriter(),
        warehouse_dir=tmp_path,
        lease_seconds=60,
    )
    assert result.events_drained == 2
    assert inbox.stats()["pending"] == 5


def test_a_failed_write_leaves_every_event_pending(inbox: Inbox, tmp_path: Path) -> None:
    deliver(inbox, MIXED)
    with pytest.raises(OSError):
        drain_inbox(
            inbox,
            high_water_mark=0,
            reader=FakeHealthie({}),
            merge=RecordingWriter(fail_on="entries"),
            warehouse_dir=tmp_path,
            lease_seconds=60,
        )
    assert inbox.stats()["done"] == 0
    assert len(inbox.claim(10**6)) == 7  # released: the next run gets all of them


def test_a_client_that_skips_ids_fails_the_run(inbox: Inbox, tmp_path: Path) -> None:
    deliver(inbox, MIXED[:1])

    class Forgetful(FakeHealthie):
        def fetch_by_ids(self, spec: StreamSpec, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
            return {}

    with pytest.raises(RefreshError):
        drain_inbox(
            inbox,
            high_water_mark=0,
            reader=Forgetful({}),
            merge=RecordingWriter(),
            warehouse_dir=tmp_path,
            lease_seconds=60,
        )
    assert inbox.pending_count() == 1


def test_nothing_pending_is_a_no_op(inbox: Inbox, tmp_path: Path) -> None:
    result = drain_inbox(
        inbox,
        high_water_mark=0,
        reader=FakeHealthie({}),
        merge=RecordingWriter(),
        warehouse_dir=tmp_path,
        lease_seconds=60,
    )
    assert result.events_drained == 0 and result.streams == []


def test_drain_into_the_real_lake(inbox: Inbox, tmp_path: Path) -> None:
    """With the lake's own MERGE: the re-read row is in the table, the id read back null is not."""
    deliver(inbox, [("5", "Appointment", "appointment.updated"), ("6", "Appointment", "appointment.deleted")])
    row = {field.name: None for field in APPOINTMENTS.fields} | {
        "id": "5",
        "pm_status": "Occurred",
        "length": 30,
    }
    result = drain_inbox(
        inbox,
        high_water_mark=0,
        reader=FakeHealthie({"appointments": {"5": row}}),
        merge=partial(merge_changes, retention=timedelta(days=7)),
        warehouse_dir=tmp_path,
        lease_seconds=60,
    )
    (change,) = result.changes
    table = lake_table(tmp_path, "appointments", APPOINTMENTS.arrow_schema).to_arrow().to_pylist()
    assert [(r["id"], r["pm_status"], r["_sync_id"]) for r in table] == [
        ("5", "Occurred", change.outcome.sync_id)
    ]
    assert (change.outcome.merge.inserted, change.deleted) == (1, 1)
