"""Reconciliation after a complete full pull: ids that vanished from Healthie become tombstones.

Candidates are ids live in the lake whose newest row was read before this sync began and which the
sync did not see (lake/sql/vanished_ids.sql). Where the stream has a by-id query each is re-read first:
null confirms it is gone (a tombstone dated at the sync start, so a webhook re-read during the sync
still wins), a row means the pull missed it (landed as live rather than wrongly deleted).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from pipelines.healthie.byid import fetch_by_ids
from pipelines.healthie.client import HealthieClient
from pipelines.healthie.options import Log
from pipelines.healthie.streams import StreamSpec
from pipelines.lake.checkpoint import Checkpoint
from pipelines.lake.reader import vanished_ids
from pipelines.lake.rows import rows_to_table, tombstone_table
from pipelines.lake.writer import PartWriter


async def reconcile(
    client: HealthieClient,
    spec: StreamSpec,
    warehouse_dir: Path,
    directory: Path,
    cp: Checkpoint,
    log: Log,
) -> None:
    """Land tombstones (and missed rows) for the ids a complete full pull did not see; the caller
    saves the checkpoint, whose parts and summary this updates."""
    vanished = vanished_ids(warehouse_dir, spec.name, cp.started_at)
    if not vanished:
        return
    if spec.by_id_operation is not None:
        found = await fetch_by_ids(client, spec, vanished)
        alive = [row for row in found.values() if row is not None]
        gone = [resource_id for resource_id, row in found.items() if row is None]
    else:
        alive, gone = [], vanished
    batch = cp.batch_id
    tables: list[pa.Table] = []
    if alive:
        tables.append(rows_to_table(spec, alive, extracted_at=datetime.now(UTC), sync_id=batch))
    if gone:
        tables.append(tombstone_table(spec, gone, extracted_at=cp.started_at, sync_id=batch))
    writer = PartWriter(directory, spec.arrow_schema, cp.allocate_part)
    try:
        writer.write(pa.concat_tables(tables))
        name = writer.commit()
    except BaseException:
        writer.abort()
        raise
    if name:
        cp.parts.append(name)
    cp.summary.update(recovered=len(alive), tombstoned=len(gone))
    log.info(
        "%s: %d id(s) vanished since the last sync: %d tombstoned, %d still live",
        spec.name,
        len(vanished),
        len(gone),
        len(alive),
    )
