"""Recovery from `sentWebhooks` against a real inbox: what is enqueued, what is not, and the cursor.

The list Healthie returns is given directly (a reader returning `SentWebhook` records), so each rule is
shown on its own; tests/webhooks/test_webhook_recovery_http.py reads it from the sandbox over HTTP.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.healthie.errors import ServerError
from pipelines.healthie.sent_webhooks import SentWebhook, SentWebhookRead, parse_healthie_time, parse_record
from pipelines.refresh.recovery import (
    OVERLAP_SECONDS,
    RecoveryError,
    read_start,
    recover_missed,
    sent_to_receiver,
)
from pipelines.webhooks.events import WebhookEvent
from pipelines.webhooks.inbox import Delivery, Inbox, RecoveryOutcome, inbox_path

RECEIVER = "https://warehouse.example.org/webhooks/healthie"


class ListedReader:
    """Stands in for `sentWebhooks`: returns the records sent at or after `since`, counts the calls."""

    def __init__(self, records: list[SentWebhook]) -> None:
        self.records = records
        self.calls: list[datetime] = []

    def __call__(self, since: datetime) -> SentWebhookRead:
        self.calls.append(since)
        return SentWebhookRead(tuple(r for r in self.records if r.created_at >= since), requests=1)


def sent(
    sent_id: int,
    resource_id: str = "100001",
    *,
    status: int | None = None,
    event_type: str = "appointment.updated",
    resource_type: str = "Appointment",
    at: datetime | None = None,
    url: str | None = RECEIVER,
) -> SentWebhook:
    return SentWebhook(
        id=str(sent_id),
        created_at=at or datetime.now(UTC),
        event_type=event_type,
        resource_id=resource_id,
        resource_id_type=resource_type,
        url=url,
        http_status=status,
    )


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    with Inbox(inbox_path(tmp_path)) as opened:
        yield opened


def pending_resources(inbox: Inbox) -> list[tuple[str, str]]:
    return [(e.stream, e.resource_id) for e in inbox.claim(10**9)]


def test_undelivered_events_are_enqueued_and_routed_like_the_receiver(inbox: Inbox) -> None:
    reader = ListedReader(
        [
            sent(1, "100001", status=None),  # connection refused
            sent(2, "200002", status=401, event_type="billing_item.created", resource_type="BillingItem"),
            sent(3, "300003", status=503, event_type="metric_entry.created", resource_type="Entry"),
        ]
    )
    report = recover_missed(inbox, reader)
    assert report.enqueued == 3 and report.newest_missed == "3"
    assert sorted(pending_resources(inbox)) == [
        ("appointments", "100001"),
        ("billing_items", "200002"),
        ("entries", "300003"),
    ]


def test_a_delivered_event_in_the_inbox_is_not_enqueued_again(inbox: Inbox) -> None:
    event = WebhookEvent("100001", "Appointment", "appointment.updated")
    inbox.append(Delivery(event, "appointments", "body-1"))
    [done] = inbox.claim(10**9)
    inbox.mark_done([done.event_id])
    report = recover_missed(
        inbox, ListedReader([sent(1, status=202, at=datetime.now(UTC) - timedelta(seconds=5))])
    )
    assert report.outcomes == {RecoveryOutcome.DELIVERED: 1}
    assert inbox.pending().count == 0


def test_a_2xx_the_inbox_never_saw_is_enqueued(inbox: Inbox) -> None:
    """Healthie got a 2xx but the inbox has no trace (a proxy answered, an inbox restored from backup)."""
    report = recover_missed(inbox, ListedReader([sent(1, status=200)]))
    assert report.enqueued == 1
    assert pending_resources(inbox) == [("appointments", "100001")]


def test_a_record_already_waiting_in_the_inbox_is_not_enqueued_twice(inbox: Inbox) -> None:
    inbox.append(Delivery(WebhookEvent("100001", "Appointment", "appointment.updated"), "appointments", "b"))
    report = recover_missed(inbox, ListedReader([sent(1, status=500), sent(2, status=None)]))
    assert report.outcomes == {RecoveryOutcome.WAITING: 2}
    assert inbox.stats()["pending"] == 1


def test_event_types_the_product_does_not_pull_are_ignored(inbox: Inbox) -> None:
    reader = ListedReader(
        [
            sent(1, status=None, event_type="chat_message.created", resource_type="ChatMessage"),
            sent(2, status=None, event_type="appointment.updated", resource_type="Entry"),  # disagree
            sent(3, status=None, event_type="lab_order.created", resource_type="LabOrder"),
        ]
    )
    report = recover_missed(inbox, reader)
    assert report.outcomes == {RecoveryOutcome.IGNORED: 3}
    assert inbox.stats()["pending"] == 0


def test_webhooks_sent_to_another_integration_are_not_ours(inbox: Inbox) -> None:
    reader = ListedReader(
        [sent(1, status=None, url="https://hooks.example.com/zap/123"), sent(2, status=None)]
    )
    report = recover_missed(inbox, reader)
    assert (report.listed, report.other_targets, report.enqueued) == (2, 1, 1)
    assert sent_to_receiver(None) and sent_to_receiver(RECEIVER + "/") and not sent_to_receiver("https://x/y")


def test_the_cursor_is_durable_and_each_sent_webhook_is_decided_once(tmp_path: Path) -> None:
    path = inbox_path(tmp_path)
    with Inbox(path) as inbox:
        opened_at = inbox.recovery_watermark()
        first_seen = datetime.now(UTC)
        reader = ListedReader([sent(1, "100001", status=None, at=first_seen)])
        assert recover_missed(inbox, reader).enqueued == 1
    reader.records.append(sent(2, "100002", status=None, at=first_seen + timedelta(seconds=30)))
    with Inbox(path) as reopened:  # a later run, a new process: the cursor is read from disk
        assert reopened.recovery_watermark() == pytest.approx(first_seen.timestamp())
        assert opened_at is not None and opened_at <= first_seen.timestamp()
        report = recover_missed(reopened, reader)
        assert report.outcomes == {RecoveryOutcome.SEEN: 1, RecoveryOutcome.ENQUEUED: 1}
        assert reader.calls[-1] == datetime.fromtimestamp(first_seen.timestamp() - OVERLAP_SECONDS, UTC)
        assert sorted(r for _, r in pending_resources(reopened)) == ["100001", "100002"]
        assert read_start(reopened).timestamp() == pytest.approx(
            first_seen.timestamp() + 30 - OVERLAP_SECONDS
        )
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, "the cursor lives in the private inbox file"


def test_the_cursor_starts_when_the_inbox_is_first_opened(inbox: Inbox) -> None:
    """What was sent before the inbox existed is the nightly sync's to reconcile, not the recovery's."""
    old = datetime.now(UTC) - timedelta(days=3)
    report = recover_missed(inbox, ListedReader([sent(1, status=None, at=old)]))
    assert report.listed == 0 and inbox.stats()["pending"] == 0


def test_the_cursor_never_moves_back(inbox: Inbox) -> None:
    now = datetime.now(UTC)
    recover_missed(inbox, ListedReader([sent(1, status=200, at=now + timedelta(minutes=1))]))
    mark = inbox.recovery_watermark()
    recover_missed(inbox, ListedReader([sent(2, status=200, at=now)]))
    assert inbox.recovery_watermark() == mark


def test_a_dry_run_writes_nothing(inbox: Inbox) -> None:
    reader = ListedReader([sent(1, status=None)])
    mark = inbox.recovery_watermark()
    assert recover_missed(inbox, reader, commit=False).enqueued == 1
    assert inbox.stats()["pending"] == 0 and inbox.recovery_watermark() == mark
    assert recover_missed(inbox, reader).enqueued == 1, "the dry run remembered nothing"


def test_a_failed_read_changes_nothing_and_says_why(inbox: Inbox) -> None:
    def failing(_since: datetime) -> SentWebhookRead:
        raise ServerError("sentWebhooks: HTTP 503 (gave up after 8 attempts)")

    mark = inbox.recovery_watermark()
    with pytest.raises(RecoveryError, match="HTTP 503 \\(gave up after 8 attempts\\)"):
        recover_missed(inbox, failing)
    assert inbox.recovery_watermark() == mark and inbox.stats()["pending"] == 0


def test_recovered_events_are_drained_like_deliveries(inbox: Inbox) -> None:
    recover_missed(inbox, ListedReader([sent(7, "100001", status=None)]))
    [claimed] = inbox.claim(10**9)
    assert (claimed.stream, claimed.resource_id, claimed.event_type) == (
        "appointments",
        "100001",
        "appointment.updated",
    )
    inbox.mark_done([claimed.event_id])
    # Read again in the overlap after it was drained: decided, not enqueued a second time.
    assert recover_missed(inbox, ListedReader([sent(7, "100001", status=None)])).outcomes == {
        RecoveryOutcome.SEEN: 1
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 05:04:47 -0500", datetime(2026, 12, 1, 10, 4, 47, tzinfo=UTC)),
        ("2026-12-01 10:04:47 UTC", datetime(2026, 12, 1, 10, 4, 47, tzinfo=UTC)),
        ("2026-12-01T10:04:47Z", datetime(2026, 12, 1, 10, 4, 47, tzinfo=UTC)),
        ("2026-12-01T12:04:47.250+02:00", datetime(2026, 12, 1, 10, 4, 47, 250000, tzinfo=UTC)),
    ],
)
def test_healthie_timestamps_parse_in_every_style(text: str, expected: datetime) -> None:
    assert parse_healthie_time(text) == expected


def test_a_malformed_record_fails_the_read_without_its_values() -> None:
    from pipelines.healthie.errors import MalformedResponseError

    with pytest.raises(MalformedResponseError, match="created_at") as caught:
        parse_record({"id": "1", "created_at": "last Tuesday, Jane Doe"})
    assert "Jane" not in str(caught.value)
    record = parse_record({"id": 5, "created_at": "2026-12-01 10:04:47 UTC", "http_response_status": "502"})
    assert (record.id, record.http_status, record.delivered) == ("5", 502, False)
