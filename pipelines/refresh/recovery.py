"""Recover webhooks that never reached the inbox, from the list Healthie keeps of what it sent.

The receiver can miss deliveries: it was down (a deploy, an outage), or it refused them (a wrong
secret during a rotation). Healthie still lists every webhook it sent for 180 days in `sentWebhooks`,
with the HTTP status it got. So every `webhook_refresh` run first reads that list back from a durable
cursor and enqueues into the inbox each event whose delivery did not reach us; the drain then re-reads
those records like any other event.

- **Which sent webhooks are ours**: those sent to the receiver's endpoint path (`/webhooks/healthie`;
  a SentWebhook without a URL counts as ours). A practice may have other integrations' webhooks too.
- **Missed** = no 2xx (an error status, or none: the connection failed), or a 2xx the inbox has no
  trace of; unless a pending event for the same record will be re-read anyway, or an earlier recovery
  already decided it. Event types route to streams exactly as the receiver routes them
  (`events.stream_for`); a type the product does not pull is ignored.
- **Cursor**: the newest send time read, kept in the inbox database (private, beside the events it
  enqueues, committed with them). Each read restarts `OVERLAP_SECONDS` before it, because a send can
  be listed after a later one (its status is recorded when its answer or timeout comes); the
  overlap's records are decided once (remembered in the inbox), so reading them again costs requests
  but no re-reads. The cursor starts when the inbox is first opened: what was sent before is the
  nightly sync's to reconcile.

A recovery never invents data: an enqueued event only asks the drain to re-read a record by id, so an
event enqueued without need costs one read and changes nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from pipelines.healthie.client import ClientSettings, HealthieClient
from pipelines.healthie.sent_webhooks import SentWebhook, SentWebhookRead, read_sent_since
from pipelines.webhooks.app import WEBHOOK_PATH
from pipelines.webhooks.events import WebhookEvent, stream_for
from pipelines.webhooks.inbox import Delivery, Inbox, RecoveryOutcome, SentCandidate

#: Each read restarts this long before the newest send time read so far (see module docstring):
#: longer than a delivery can take to be recorded (Healthie's request timeout plus its queue).
OVERLAP_SECONDS = 10 * 60
#: A 2xx SentWebhook matches an inbox event received at most this long before its send time (clocks).
DELIVERED_SKEW_SECONDS = 2 * 60
#: Delivery ids of recovered events: never a header value the receiver stores.
DELIVERY_ID_PREFIX = "healthie-sent-webhook:"

SentReader = Callable[[datetime], SentWebhookRead]


class ClientSource(Protocol):
    """What holds the Healthie client's settings (the `HealthieResource`)."""

    def client_settings(self) -> ClientSettings: ...


class RecoveryError(RuntimeError):
    """`sentWebhooks` could not be read (after the client's retries); nothing was enqueued."""


@dataclass(frozen=True)
class RecoveryReport:
    """What one recovery read and decided (counts only: no ids of records, no values)."""

    requests: int
    listed: int
    """Sent webhooks listed since the cursor (less the overlap)."""
    other_targets: int
    """Of those, sent to another URL than the receiver's endpoint."""
    outcomes: Counter[RecoveryOutcome] = field(default_factory=Counter)
    newest_missed: str | None = None
    """Id of the newest sent webhook found missed (the sensor's run key), None when none was."""
    since: datetime | None = None

    @property
    def enqueued(self) -> int:
        return self.outcomes[RecoveryOutcome.ENQUEUED]

    def metadata(self) -> dict[str, Any]:
        return {
            "sent_webhooks_requests": self.requests,
            "sent_webhooks_listed": self.listed,
            "sent_webhooks_other_targets": self.other_targets,
            **{f"sent_webhooks_{o.value}": self.outcomes[o] for o in RecoveryOutcome},
            "sent_webhooks_since": self.since.isoformat() if self.since else "",
        }

    def summary(self) -> str:
        return (
            f"sentWebhooks: {self.listed} listed since {self.since:%Y-%m-%d %H:%M:%S} UTC in "
            f"{self.requests} request(s); {self.enqueued} missed and enqueued, "
            f"{self.outcomes[RecoveryOutcome.DELIVERED]} delivered, "
            f"{self.outcomes[RecoveryOutcome.WAITING]} already waiting, "
            f"{self.outcomes[RecoveryOutcome.IGNORED]} not ours to act on, "
            f"{self.outcomes[RecoveryOutcome.SEEN]} decided before"
        )


def sent_to_receiver(url: str | None) -> bool:
    """Whether a webhook was sent to this product's receiver (by its endpoint path)."""
    if url is None:
        return True
    return urlsplit(url).path.rstrip("/") == WEBHOOK_PATH


def candidate_for(record: SentWebhook) -> SentCandidate:
    """The inbox's view of a sent webhook: routed like a delivery (None when not ours to act on)."""
    delivery = None
    if record.resource_id and record.resource_id_type and record.event_type:
        event = WebhookEvent(record.resource_id, record.resource_id_type, record.event_type)
        stream = stream_for(event)
        if stream is not None:
            delivery_id = DELIVERY_ID_PREFIX + record.id
            delivery = Delivery(
                event=event,
                stream=stream,
                body_sha256=hashlib.sha256(delivery_id.encode()).hexdigest(),
                delivery_id=delivery_id,
            )
    return SentCandidate(record.id, record.created_at.timestamp(), record.delivered, delivery)


def read_start(inbox: Inbox) -> datetime:
    """Where a read starts: the cursor less the overlap."""
    watermark = inbox.recovery_watermark()
    assert watermark is not None, "the inbox sets its cursor when it is opened"
    return datetime.fromtimestamp(watermark - OVERLAP_SECONDS, UTC)


def recover_missed(inbox: Inbox, read: SentReader, *, commit: bool = True) -> RecoveryReport:
    """Read `sentWebhooks` from the inbox's cursor and enqueue what never reached it.

    With `commit=False` it only reports what it would enqueue (the sensor's check). Raises
    `RecoveryError` when the list cannot be read; then nothing changed.
    """
    since = read_start(inbox)
    try:
        listed = read(since)
    except Exception as exc:
        raise RecoveryError(f"reading sentWebhooks to recover missed webhooks failed: {exc}") from exc
    ours = sorted((r for r in listed.records if sent_to_receiver(r.url)), key=lambda r: (r.created_at, r.id))
    candidates = [candidate_for(r) for r in ours]
    decided = inbox.recover_missed(
        candidates,
        delivered_skew_seconds=DELIVERED_SKEW_SECONDS,
        forget_before=since.timestamp(),
        commit=commit,
    )
    missed = [r.id for r, o in zip(ours, decided, strict=True) if o is RecoveryOutcome.ENQUEUED]
    return RecoveryReport(
        requests=listed.requests,
        listed=len(listed.records),
        other_targets=len(listed.records) - len(ours),
        outcomes=Counter(decided),
        newest_missed=missed[-1] if missed else None,
        since=since,
    )


def healthie_reader(
    source: ClientSource, *, max_attempts: int | None = None, timeout_seconds: float | None = None
) -> SentReader:
    """A reader of `sentWebhooks` through one client (its rate limiter and retries) per read.

    A sensor passes fewer attempts and a shorter timeout than a run: its evaluation must end within
    Dagster's sensor timeout, and its next tick is the retry.
    """
    settings = source.client_settings()
    if max_attempts is not None:
        settings = replace(settings, max_attempts=max_attempts)
    if timeout_seconds is not None:
        settings = replace(settings, timeout_seconds=timeout_seconds)

    async def read(since: datetime) -> SentWebhookRead:
        async with HealthieClient(settings) as client:
            return await read_sent_since(client, since)

    return lambda since: asyncio.run(read(since))
