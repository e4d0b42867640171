"""The durable webhook inbox: SQLite in WAL mode, written by the receiver, drained by webhook_refresh.

Healthie stops retrying once it sees a 2xx, so an event must be on disk before the receiver answers.
The inbox runs `journal_mode=WAL` with `synchronous=FULL`: in WAL mode NORMAL already survives a killed
process, but a power cut can roll back the last commits, and those are exactly the deliveries Healthie
will never resend. FULL costs one fsync per commit; the receiver groups concurrent deliveries into one
commit (see `writer.py`), so the fsync is paid per batch, not per request.

Only ids, types and event names are stored (no `changed_fields`, no body): the inbox holds no PHI.
Events move pending -> claimed -> done; a claim is a lease, so a crashed run's events become claimable
again when it expires, and a failed run can release them at once.

The inbox also holds the durable state of the recovery from Healthie's `sentWebhooks` (its cursor and
the sent webhooks already decided, see `recover_missed`), so that state and the events it enqueues
commit together: a recovery is all in the inbox or not at all.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Self

from pipelines.files import touch_private
from pipelines.paths import resolve_warehouse_dir
from pipelines.sql_files import named_statements
from pipelines.webhooks.events import WebhookEvent

INBOX_FILENAME = "inbox.sqlite3"
DEFAULT_LEASE_SECONDS = 15 * 60
BUSY_TIMEOUT_SECONDS = 10.0


def inbox_path(warehouse_dir: str | os.PathLike[str] | None = None) -> Path:
    """`$WAREHOUSE_DIR/webhooks/inbox.sqlite3`, read at call time (never at import), resolved as every
    other process resolves it (`pipelines.paths`)."""
    return resolve_warehouse_dir(warehouse_dir) / "webhooks" / INBOX_FILENAME


@cache
def _statements() -> dict[str, str]:
    """The named statements of `inbox.sql`."""
    return named_statements(resources.files(__package__).joinpath("inbox.sql").read_text(encoding="utf-8"))


def _sql(name: str) -> str:
    return _statements()[name]


class AppendOutcome(Enum):
    """What the receiver tells Healthie: every outcome is a 2xx."""

    ACCEPTED = "accepted"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Delivery:
    """One verified delivery, reduced to what the inbox stores."""

    event: WebhookEvent
    stream: str | None
    body_sha256: str
    delivery_id: str | None = None


@dataclass(frozen=True)
class AppendResult:
    event_id: int
    outcome: AppendOutcome


@dataclass(frozen=True)
class PendingSummary:
    """Events not yet done (pending or claimed): how many, the newest id, the oldest receipt time."""

    count: int
    max_event_id: int | None
    oldest_received_at: float | None


class RecoveryOutcome(Enum):
    """What the recovery made of one webhook Healthie lists as sent."""

    ENQUEUED = "enqueued"
    """It never reached the inbox: added as a pending event."""
    DELIVERED = "delivered"
    """Healthie got a 2xx and the inbox holds that delivery."""
    WAITING = "waiting"
    """Not delivered, but a pending event for the same record will re-read it anyway."""
    IGNORED = "ignored"
    """Not an event this product acts on (or names no record)."""
    SEEN = "seen"
    """Decided by an earlier recovery (read again in the cursor's overlap)."""


@dataclass(frozen=True)
class SentCandidate:
    """A webhook Healthie sent, reduced to what the inbox decides on (built by `recovery.py`)."""

    sent_webhook_id: str
    created_at: float
    """When Healthie sent it (epoch seconds, Healthie's clock)."""
    delivered: bool
    """Healthie got a 2xx answer."""
    delivery: Delivery | None
    """The inbox row to add if it was missed; None when the event is not ours to act on."""


@dataclass(frozen=True)
class ClaimedEvent:
    event_id: int
    resource_id: str
    resource_id_type: str
    event_type: str
    stream: str


class Inbox:
    """One connection to the inbox. Not shared across threads: open one per thread or process."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else inbox_path()
        touch_private(self.path)
        self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_sql("schema"))
        if self.recovery_watermark() is None:
            self._conn.execute(_sql("init_cursor"), {"now": time.time()})

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: takes the write lock up front, so readers never deadlock it."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def append(self, delivery: Delivery) -> AppendResult:
        return self.append_many([delivery])[0]

    def append_many(self, deliveries: Sequence[Delivery]) -> list[AppendResult]:
        """Store deliveries in one commit (one fsync); duplicates are counted on the row they repeat."""
        now = time.time()
        results = []
        with self._write() as conn:
            for d in deliveries:
                results.append(self._append_one(conn, d, now))
        return results

    @staticmethod
    def _append_one(conn: sqlite3.Connection, d: Delivery, now: float) -> AppendResult:
        status = "pending" if d.stream is not None else "ignored"
        params: dict[str, Any] = {
            "received_at": now,
            "body_sha256": d.body_sha256,
            "delivery_id": d.delivery_id,
            "resource_id": d.event.resource_id,
            "resource_id_type": d.event.resource_id_type,
            "event_type": d.event.event_type,
            "stream": d.stream,
            "status": status,
        }
        cursor = conn.execute(_sql("insert"), params)
        if cursor.rowcount == 1 and cursor.lastrowid is not None:
            outcome = AppendOutcome.ACCEPTED if d.stream is not None else AppendOutcome.IGNORED
            return AppendResult(cursor.lastrowid, outcome)
        row = conn.execute(
            _sql("find_duplicate"), {"delivery_id": d.delivery_id, "body_sha256": d.body_sha256}
        ).fetchone()
        if row is None:  # OR IGNORE also swallows CHECK/NOT NULL failures: never report those as 2xx
            raise sqlite3.IntegrityError("the inbox refused the delivery")
        conn.execute(_sql("count_duplicate"), {"id": row["id"]})
        return AppendResult(int(row["id"]), AppendOutcome.DUPLICATE)

    def pending(self) -> PendingSummary:
        row = self._conn.execute(_sql("pending")).fetchone()
        return PendingSummary(int(row["n"]), row["max_id"], row["oldest"])

    def pending_by_stream(self) -> dict[str, PendingSummary]:
        """`pending()` per stream (streams with nothing waiting are absent)."""
        return {
            row["stream"]: PendingSummary(int(row["n"]), row["max_id"], row["oldest"])
            for row in self._conn.execute(_sql("pending_by_stream"))
        }

    def pending_count(self) -> int:
        return self.pending().count

    def claim(self, upto: int, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> list[ClaimedEvent]:
        """Lease every pending event with id <= `upto` (and any whose lease expired) to the caller."""
        now = time.time()
        with self._write() as conn:
            rows = conn.execute(
                _sql("claim"), {"upto": upto, "now": now, "lease_until": now + lease_seconds}
            ).fetchall()
        return sorted(
            (
                ClaimedEvent(r["id"], r["resource_id"], r["resource_id_type"], r["event_type"], r["stream"])
                for r in rows
            ),
            key=lambda e: e.event_id,
        )

    def mark_done(self, event_ids: Iterable[int]) -> int:
        """Close claimed events; call only once what they asked for is durable in the lake."""
        with self._write() as conn:
            return conn.execute(
                _sql("mark_done"), {"now": time.time(), "ids": json.dumps(list(event_ids))}
            ).rowcount

    def release(self, event_ids: Iterable[int]) -> int:
        """Give claimed events back now (a failed run), instead of waiting for their lease to expire."""
        with self._write() as conn:
            return conn.execute(_sql("release"), {"ids": json.dumps(list(event_ids))}).rowcount

    def stats(self) -> dict[str, int]:
        """Event counts per status, plus `duplicates` (repeat deliveries folded into existing rows)."""
        counts = {"pending": 0, "claimed": 0, "done": 0, "ignored": 0, "duplicates": 0}
        for row in self._conn.execute(_sql("stats")):
            counts[row["status"]] = int(row["n"])
            counts["duplicates"] += int(row["duplicates"])
        return counts

    def recovery_watermark(self) -> float | None:
        """The newest `sentWebhooks` send time the recovery has read (epoch seconds); it starts as the
        time this inbox was first opened."""
        row = self._conn.execute(_sql("cursor")).fetchone()
        return None if row is None else float(row["watermark"])

    def recover_missed(
        self,
        candidates: Sequence[SentCandidate],
        *,
        delivered_skew_seconds: float,
        forget_before: float,
        commit: bool = True,
    ) -> list[RecoveryOutcome]:
        """Decide each sent webhook in one transaction; enqueue the missed ones, advance the cursor.

        A webhook is missed unless (a) an earlier recovery decided it, (b) Healthie got a 2xx and the
        inbox received that event for that record since it was sent (less `delivered_skew_seconds`,
        for the two clocks), or (c) an event for the record is waiting, so the next drain re-reads it
        after the change. A missed one is added as a pending event whose delivery id names the sent
        webhook, so it can never be added twice. With `commit=False` nothing is written (the sensor's
        dry run). `forget_before` (epoch seconds): decisions older than this are dropped, as no read
        reaches back that far again.
        """
        now = time.time()
        outcomes: list[RecoveryOutcome] = []
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for candidate in candidates:
                outcome = self._decide(candidate, now, delivered_skew_seconds)
                if outcome is RecoveryOutcome.ENQUEUED:
                    assert candidate.delivery is not None
                    self._append_one(self._conn, candidate.delivery, now)
                if outcome is not RecoveryOutcome.SEEN:
                    self._conn.execute(
                        _sql("remember_sent"),
                        {
                            "id": candidate.sent_webhook_id,
                            "created_at": candidate.created_at,
                            "outcome": outcome.value,
                        },
                    )
                outcomes.append(outcome)
            if candidates:
                watermark = max(c.created_at for c in candidates)
                self._conn.execute(_sql("advance_cursor"), {"watermark": watermark, "now": now})
            self._conn.execute(_sql("forget_sent"), {"before": forget_before})
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT" if commit else "ROLLBACK")
        return outcomes

    def _decide(self, candidate: SentCandidate, now: float, skew: float) -> RecoveryOutcome:
        conn = self._conn
        if conn.execute(_sql("sent_seen"), {"id": candidate.sent_webhook_id}).fetchone() is not None:
            return RecoveryOutcome.SEEN
        delivery = candidate.delivery
        if delivery is None or delivery.stream is None:
            return RecoveryOutcome.IGNORED
        event = delivery.event
        if candidate.delivered:
            received = conn.execute(
                _sql("received_since"),
                {
                    "resource_id": event.resource_id,
                    "resource_id_type": event.resource_id_type,
                    "event_type": event.event_type,
                    "since": candidate.created_at - skew,
                },
            ).fetchone()
            if received is not None:
                return RecoveryOutcome.DELIVERED
        waiting = conn.execute(
            _sql("waiting_for"), {"resource_id": event.resource_id, "stream": delivery.stream, "now": now}
        ).fetchone()
        return RecoveryOutcome.WAITING if waiting is not None else RecoveryOutcome.ENQUEUED

    def prune_done(self, older_than_seconds: float) -> int:
        """Forget done events older than the given age (ids never repeat, so cursors stay valid)."""
        with self._write() as conn:
            return conn.execute(_sql("prune_done"), {"before": time.time() - older_than_seconds}).rowcount
