"""Change batches: the webhook refresh's atomic unit of write.

One call writes one batch directory (`<ts>-change-<hex>`) holding one part file with the re-read rows
and the tombstones of ids that came back null. The part appears by rename, so readers see all of the
batch or none of it; its rows are newer than any earlier read, so they win in the current view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipelines.healthie.streams import StreamSpec
from pipelines.lake.files import ensure_dir
from pipelines.lake.layout import BatchId, BatchKind, batch_dir, part_name
from pipelines.lake.rows import rows_to_table, tombstone_table
from pipelines.lake.writer import PartWriter


def write_change_batch(
    warehouse_dir: Path,
    spec: StreamSpec,
    rows: Sequence[Mapping[str, Any]],
    deleted_ids: Iterable[str],
    *,
    now: datetime | None = None,
) -> Path:
    """Write re-read `rows` and tombstones for `deleted_ids` as one change batch; returns its directory."""
    deleted = sorted(set(deleted_ids))
    if not rows and not deleted:
        raise ValueError("a change batch needs at least one row or deleted id")
    clash = {str(row.get("id")) for row in rows} & set(deleted)
    if clash:
        raise ValueError(f"{len(clash)} id(s) are both re-read and deleted in one change batch")
    extracted_at = (now or datetime.now(UTC)).astimezone(UTC)
    batch = BatchId.new(BatchKind.CHANGE, extracted_at)
    live = rows_to_table(spec, rows, extracted_at=extracted_at, sync_id=batch.value)
    gone = tombstone_table(spec, deleted, extracted_at=extracted_at, sync_id=batch.value)
    directory = ensure_dir(batch_dir(Path(warehouse_dir), spec.name, batch))
    writer = PartWriter(directory, spec.arrow_schema, lambda: part_name(0))
    try:
        writer.write(pa.concat_tables([live, gone]))
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return directory
