"""The inbox's life cycle: append, dedupe, claim with a lease, release, done, prune, permissions."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.paths import PROJECT_ROOT
from pipelines.webhooks.events import WebhookEvent
from pipelines.webhooks.inbox import AppendOutcome, Delivery, Inbox, inbox_path


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    with Inbox(inbox_path(tmp_path)) as opened:
        yield opened


def delivery(resource_id: str, body: str | None = None, *, stream: str | None = "entries") -> Delivery:
    event = WebhookEvent(resource_id, "Entry", "entry.updated")
    return Delivery(event, stream, body_sha256=body or f"sha-{resource_id}")


def test_inbox_lives_under_the_warehouse_and_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    path = inbox_path()
    assert path == tmp_path / "webhooks" / "inbox.sqlite3"
    with Inbox(path) as inbox:
        inbox.append(delivery("1"))
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for file in path.parent.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name


def test_empty_warehouse_dir_means_the_default_as_everywhere_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_DIR", "")
    assert inbox_path() == inbox_path("") == PROJECT_ROOT / "data" / "webhooks" / "inbox.sqlite3"


def test_wal_and_full_sync(inbox: Inbox) -> None:
    conn = inbox._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_append_many_dedupes_within_and_across_commits(inbox: Inbox) -> None:
    results = inbox.append_many([delivery("1"), delivery("1"), delivery("2")])
    assert [r.outcome for r in results] == [
        AppendOutcome.ACCEPTED,
        AppendOutcome.DUPLICATE,
        AppendOutcome.ACCEPTED,
    ]
    assert results[1].event_id == results[0].event_id
    assert inbox.append(delivery("2")).outcome is AppendOutcome.DUPLICATE
    assert inbox.stats() == {"pending": 2, "claimed": 0, "done": 0, "ignored": 0, "duplicates": 2}


def test_pending_summary(inbox: Inbox) -> None:
    assert inbox.pending().count == 0
    assert inbox.pending().max_event_id is None
    ids = [r.event_id for r in inbox.append_many([delivery("1"), delivery("2")])]
    summary = inbox.pending()
    assert (summary.count, summary.max_event_id) == (2, max(ids))
    assert summary.oldest_received_at is not None and summary.oldest_received_at <= time.time()


def test_claim_stops_at_the_high_water_mark(inbox: Inbox) -> None:
    first, second = (r.event_id for r in inbox.append_many([delivery("1"), delivery("2")]))
    assert [e.event_id for e in inbox.claim(first)] == [first]
    assert inbox.claim(first) == []  # leased
    assert [e.event_id for e in inbox.claim(second)] == [second]
    assert inbox.pending_count() == 2  # claimed is still not done


def test_done_only_after_mark_done(inbox: Inbox) -> None:
    event_id = inbox.append(delivery("1")).event_id
    claimed = inbox.claim(event_id)
    assert inbox.mark_done(e.event_id for e in claimed) == 1
    assert inbox.pending_count() == 0
    assert inbox.stats()["done"] == 1


def test_release_makes_events_claimable_again(inbox: Inbox) -> None:
    event_id = inbox.append(delivery("1")).event_id
    inbox.release(e.event_id for e in inbox.claim(event_id))
    assert [e.event_id for e in inbox.claim(event_id)] == [event_id]


def test_expired_lease_is_claimable_again(inbox: Inbox) -> None:
    event_id = inbox.append(delivery("1")).event_id
    assert inbox.claim(event_id, lease_seconds=-1)  # a run that died long ago
    assert [e.event_id for e in inbox.claim(event_id)] == [event_id]


def test_body_arriving_while_its_twin_is_claimed_is_kept(inbox: Inbox) -> None:
    """The claimed twin may already have been re-read: the new delivery must trigger another read."""
    first = inbox.append(delivery("1")).event_id
    inbox.claim(first)
    second = inbox.append(delivery("1"))
    assert second.outcome is AppendOutcome.ACCEPTED
    inbox.release([first])  # a pending twin exists now; releasing must not collide with it
    assert {e.event_id for e in inbox.claim(second.event_id)} == {first, second.event_id}


def test_ignored_events_are_counted_not_pending(inbox: Inbox) -> None:
    result = inbox.append(delivery("9", stream=None))
    assert result.outcome is AppendOutcome.IGNORED
    assert inbox.claim(result.event_id) == []
    assert inbox.stats()["ignored"] == 1


def test_prune_keeps_ids_increasing(inbox: Inbox) -> None:
    first = inbox.append(delivery("1")).event_id
    inbox.mark_done(e.event_id for e in inbox.claim(first))
    assert inbox.prune_done(older_than_seconds=-1) == 1
    assert inbox.append(delivery("2")).event_id > first


def test_two_connections_see_each_other(tmp_path: Path) -> None:
    with Inbox(inbox_path(tmp_path)) as writer, Inbox(inbox_path(tmp_path)) as reader:
        writer.append(delivery("1"))
        assert reader.pending_count() == 1
