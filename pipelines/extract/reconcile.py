"""Reconciliation after a complete full pull: find the ids that vanished from Healthie.

Candidates are ids of the stream's Delta table whose row was read before this sync began and which
the sync did not land (lake/sql/vanished_ids.sql). Where the stream has a by-id query each is re-read
first: null confirms it is gone (the MERGE deletes it, as of the sync's start, so a webhook re-read
during the sync still wins), a row means the pull missed it (landed with the batch, not deleted).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pipelines.extract.checkpoint import Checkpoint
from pipelines.extract.options import Log
from pipelines.extract.rows import rows_to_table
from pipelines.healthie.byid import fetch_by_ids
from pipelines.healthie.client import HealthieClient
from pipelines.healthie.streams import StreamSpec
from pipelines.lake.reader import vanished_ids
from pipelines.lake.table import LakeTable
from pipelines.lake.writer import PartWriter


async def reconcile(
    client: HealthieClient,
    spec: StreamSpec,
    table: LakeTable,
    directory: Path,
    cp: Checkpoint,
    log: Log,
) -> None:
    """Land the vanished ids still alive, and record in the checkpoint those confirmed gone; the
    caller saves the checkpoint, whose parts, deleted ids and summary this updates."""
    vanished = vanished_ids(table.files(), directory, cp.started_at)
    if not vanished:
        return
    if spec.by_id_operation is not None:
        found = await fetch_by_ids(client, spec, vanished)
        alive = [row for row in found.values() if row is not None]
        gone = sorted(resource_id for resource_id, row in found.items() if row is None)
    else:
        alive, gone = [], vanished
    if alive:
        writer = PartWriter(directory, spec.arrow_schema, cp.allocate_part)
        try:
            writer.write(rows_to_table(spec, alive, extracted_at=datetime.now(UTC), sync_id=cp.batch_id))
            name = writer.commit()
        except BaseException:
            writer.abort()
            raise
        if name:
            cp.parts.append(name)
    cp.deleted_ids = gone
    cp.summary.recovered = len(alive)
    log.info(
        "%s: %d id(s) vanished since the last sync: %d gone, %d still live",
        spec.name,
        len(vanished),
        len(gone),
        len(alive),
    )
