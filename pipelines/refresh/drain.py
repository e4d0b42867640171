"""The webhook refresh's drain, free of Dagster: claim inbox events, re-read their records by id, MERGE.

A webhook only says "resource X of stream S changed"; the truth is whatever Healthie returns for X now.
So the order, number and kind of events do not matter (a delete delivered before its create, a
hundred retries of one update): events are coalesced to one id per (stream, resource), each id is
re-read once, and a null answer deletes the record. Each touched stream gets one MERGE (one commit).

Events are marked done only after their MERGE is committed. Any failure before that releases them,
so the next run (a later webhook, or the sensor's retry) re-reads them; re-reading is idempotent, so
doing it twice is harmless.
"""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipelines.extract.change import ChangeOutcome, ChangeSet, ReadMark
from pipelines.healthie import byid
from pipelines.healthie.client import ClientSettings, HealthieClient
from pipelines.healthie.streams import STREAMS_BY_NAME, StreamSpec
from pipelines.lake.layout import lake_table
from pipelines.webhooks.inbox import ClaimedEvent, Inbox

ALL_PENDING = sys.maxsize
#: Done events are kept a week for inspection (`Inbox.stats`), then pruned by the refresh run.
DONE_RETENTION_SECONDS = 7 * 24 * 3600


class ByIdReader(Protocol):
    """Re-reads rows by id through the Healthie client; a missing resource maps to None."""

    def fetch_by_ids(
        self, spec: StreamSpec, ids: Sequence[str]
    ) -> Mapping[str, Mapping[str, Any] | None]: ...


class ChangeMerger(Protocol):
    """MERGEs one stream's change set into its lake table (one commit)."""

    def __call__(self, warehouse_dir: Path, spec: StreamSpec, changes: ChangeSet) -> ChangeOutcome: ...


class RefreshError(RuntimeError):
    """A re-read could not be trusted; the run fails and its events stay pending."""


@dataclass(frozen=True)
class RefreshPlan:
    """Claimed events coalesced: which ids to re-read per stream, and which events that settles."""

    event_ids: tuple[int, ...]
    ids_by_stream: Mapping[str, tuple[str, ...]]

    @property
    def resources(self) -> int:
        return sum(len(ids) for ids in self.ids_by_stream.values())


@dataclass(frozen=True)
class StreamChange:
    stream: str
    reread: int
    deleted: int
    """Ids read back as null (gone in Healthie)."""
    outcome: ChangeOutcome


@dataclass(frozen=True)
class RefreshResult:
    events_drained: int
    changes: tuple[StreamChange, ...]

    @property
    def streams(self) -> list[str]:
        return [c.stream for c in self.changes]

    @property
    def resources_reread(self) -> int:
        return sum(c.reread for c in self.changes)

    @property
    def deleted(self) -> int:
        return sum(c.deleted for c in self.changes)


def plan_refresh(events: Iterable[ClaimedEvent]) -> RefreshPlan:
    """Coalesce events per (stream, resource id); ids sorted so batches are deterministic."""
    event_ids: list[int] = []
    ids: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.stream not in STREAMS_BY_NAME:
            raise RefreshError(f"event {event.event_id} names unknown stream {event.stream!r}")
        event_ids.append(event.event_id)
        for stream in (event.stream, *STREAMS_BY_NAME[event.stream].also_rereads):
            ids[stream].add(event.resource_id)
    return RefreshPlan(
        event_ids=tuple(sorted(event_ids)),
        ids_by_stream={stream: tuple(sorted(ids[stream])) for stream in sorted(ids)},
    )


def reread_stream(
    spec: StreamSpec,
    ids: Sequence[str],
    reader: ByIdReader,
    merge: ChangeMerger,
    warehouse_dir: Path,
) -> StreamChange:
    """Re-read `ids` of one stream and MERGE them as one change set (null answers delete the record)."""
    mark = ReadMark.now(lake_table(warehouse_dir, spec.name, spec.arrow_schema))
    found = reader.fetch_by_ids(spec, ids)
    missing = set(ids) - set(found)
    if missing:
        raise RefreshError(f"{spec.name}: the client returned no answer for {len(missing)} id(s)")
    rows: list[dict[str, Any]] = []
    deleted: list[str] = []
    for resource_id in ids:
        row = found[resource_id]
        if row is None:
            deleted.append(resource_id)
        else:
            rows.append(dict(row))
    outcome = merge(warehouse_dir, spec, ChangeSet(rows, deleted, mark))
    return StreamChange(spec.name, reread=len(ids), deleted=len(deleted), outcome=outcome)


def drain_inbox(
    inbox: Inbox,
    *,
    high_water_mark: int,
    reader: ByIdReader,
    merge: ChangeMerger,
    warehouse_dir: Path,
    lease_seconds: float,
) -> RefreshResult:
    """Claim events up to the mark, MERGE one change set per stream, then mark them done.

    The whole drain is the unit of success: if any stream fails, every claimed event is released, and
    change sets already merged are simply merged again by the next run (a newer read wins).
    """
    claimed = inbox.claim(high_water_mark if high_water_mark > 0 else ALL_PENDING, lease_seconds)
    if not claimed:
        return RefreshResult(events_drained=0, changes=())
    event_ids = [e.event_id for e in claimed]
    try:
        plan = plan_refresh(claimed)
        changes = tuple(
            reread_stream(STREAMS_BY_NAME[stream], ids, reader, merge, warehouse_dir)
            for stream, ids in plan.ids_by_stream.items()
        )
    except BaseException:
        inbox.release(event_ids)
        raise
    inbox.mark_done(event_ids)
    return RefreshResult(events_drained=len(event_ids), changes=changes)


@dataclass(frozen=True)
class HealthieByIdReader:
    """`ByIdReader` over the real client: one client (one rate limiter) per call."""

    settings: ClientSettings

    def fetch_by_ids(self, spec: StreamSpec, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """Re-read resources by id: `{id: row}`, `None` when Healthie returns null (gone: delete)."""

        async def run() -> dict[str, dict[str, Any] | None]:
            async with HealthieClient(self.settings) as client:
                return await byid.fetch_by_ids(client, spec, ids)

        return asyncio.run(run())
