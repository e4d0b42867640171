"""`webhook_refresh`: MERGE what the inbox's pending events changed into the lake, then rebuild downstream.

A webhook only says "resource X of stream S changed"; the truth is whatever Healthie returns for X now.
So the order, number and kind of events do not matter (a delete delivered before its create, a
hundred retries of one update): events are coalesced to one id per (stream, resource), each id is
re-read once, and a null answer deletes the record. Each touched stream gets one MERGE (one commit).

Before draining, the run recovers the webhooks Healthie sent that never reached the inbox
(`pipelines.webhooks.recovery`, from `sentWebhooks`) and drains them with the rest. If that read fails
after the client's retries, the run fails before claiming anything: the run retry (or the sensor's)
heals it, and a failure that persists is visible rather than a silent gap.

Events are marked done only after their MERGE is committed. Any failure before that releases them,
so the next run (a later webhook, or the sensor's retry) re-reads them; re-reading is idempotent, so
doing it twice is harmless. dbt runs in a second op so a failed build can be re-executed from failure
without re-reading anything; after a successful build the marts are published.
"""

# No `from __future__ import annotations`: Dagster reads the ops' config and resource annotations.

import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.assets.dbt import (
    DBT_PROJECT,
    WAREHOUSE_POOL,
    HealthieDbtTranslator,
    dbt_build_args,
    dbt_warehouse_dir,
    ensure_private_warehouse,
    project_marts,
    publish_build,
)
from pipelines.assets.extract import extract_asset_key
from pipelines.assets.publish import missing_marts
from pipelines.healthie.resource import HealthieResource
from pipelines.healthie.streams import STREAMS_BY_NAME, StreamSpec
from pipelines.lake.change import ChangeOutcome, ChangeSet, ReadMark, merge_changes
from pipelines.lake.layout import lake_table
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.inbox import ClaimedEvent, Inbox, inbox_path
from pipelines.webhooks.recovery import healthie_reader, recover_missed
from pipelines.webhooks.refresh_config import DRAIN_OP_NAME, REFRESH_JOB_NAME, WebhookRefreshConfig

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


# --- Dagster wiring -------------------------------------------------------------------------------


@dg.op(
    name=DRAIN_OP_NAME,
    out=dg.Out(list[str], description="Streams whose lake table got a change set."),
    description="Re-read the inbox's pending events by id and MERGE one change set per stream.",
)
def drain_webhook_inbox(
    context: dg.OpExecutionContext,
    config: WebhookRefreshConfig,
    healthie: HealthieResource,
    warehouse: WarehouseConfig,
) -> list[str]:
    with Inbox(inbox_path(warehouse.path)) as inbox:
        recovery = recover_missed(inbox, healthie_reader(healthie))
        context.log.info(recovery.summary())
        mark = config.high_water_mark
        if mark > 0 and recovery.enqueued:  # recovered events are newer than the sensor's mark
            mark = max(mark, inbox.pending().max_event_id or 0)
        result = drain_inbox(
            inbox,
            high_water_mark=mark,
            reader=healthie,
            merge=partial(merge_changes, retention=warehouse.history_retention),
            warehouse_dir=warehouse.path,
            lease_seconds=config.lease_seconds,
        )
        inbox.prune_done(DONE_RETENTION_SECONDS)
    for change in result.changes:
        context.log_event(
            dg.AssetMaterialization(
                asset_key=extract_asset_key(change.stream),
                description="Webhook refresh: re-read records MERGEd into the Delta table.",
                metadata={
                    "resources_reread": change.reread,
                    "deleted_in_source": change.deleted,
                    "inserted": change.outcome.merge.inserted,
                    "updated": change.outcome.merge.updated,
                    "deleted": change.outcome.merge.deleted,
                    "table_version": change.outcome.merge.version,
                    "sync_id": change.outcome.sync_id,
                    "path": dg.MetadataValue.path(str(change.outcome.path)),
                },
            )
        )
    context.add_output_metadata(
        {
            "high_water_mark": mark,
            **recovery.metadata(),
            "events_drained": result.events_drained,
            "resources_reread": result.resources_reread,
            "deleted": result.deleted,
            "streams_touched": ", ".join(result.streams) or "none",
        }
    )
    return result.streams


@dg.op(
    description="dbt build of the models downstream of the streams that changed (nothing if none), "
    "then the marts published to readers.",
    out={},
    pool=WAREHOUSE_POOL,
)
def build_downstream_models(
    context: dg.OpExecutionContext, streams: list[str], dbt: DbtCliResource, warehouse: WarehouseConfig
) -> Iterator[dg.AssetMaterialization | dg.AssetObservation | dg.AssetCheckEvaluation]:
    """Reports each rebuilt model as a materialization of its dbt asset, each dbt test as its check, and
    each published mart as an observation (rows, publish seconds and bytes).

    Runs in the warehouse pool: dbt's build database takes one writer, and publishes are one at a time,
    so this queues behind a nightly build. A failed build raises before publishing: the previous marts
    stay. If the build database lacks marts (its first build, e.g. after an upgrade), every model is
    built, so that what is published is always the complete set.
    """
    if not streams:
        context.log.info("no stream changed; nothing to build")
        return
    warehouse_dir = dbt_warehouse_dir(warehouse)
    build_db = ensure_private_warehouse(warehouse_dir)
    marts = project_marts()
    missing = missing_marts(build_db, marts)
    if missing:
        context.log.warning(f"the build database lacks {len(missing)} mart(s); building every model once")
    invocation = dbt.cli(
        dbt_build_args(streams=None if missing else streams, skip_lake_scans=True),
        manifest=DBT_PROJECT.manifest_path,
        dagster_dbt_translator=HealthieDbtTranslator(),
        raise_on_error=True,
    )
    for event in invocation.stream():
        if isinstance(event, dg.AssetMaterialization | dg.AssetObservation | dg.AssetCheckEvaluation):
            yield event
    yield from publish_build(context, warehouse_dir, marts)


@dg.job(
    name=REFRESH_JOB_NAME,
    description="Drain the webhook inbox into lake change batches, then rebuild the affected dbt models.",
)
def webhook_refresh_job() -> None:
    build_downstream_models(drain_webhook_inbox())
