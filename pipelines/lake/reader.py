"""Bookkeeping reads over a landing batch (the Parquet parts a full pull lands before its MERGE).

Only explicit lists of published part files are scanned (never temp files), so a reader running next
to a writer sees whole files only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from pipelines.lake.layout import PART_PATTERN
from pipelines.lake.query import MERGE_SOURCE_MEMORY_LIMIT, connection, sql

#: Rows per Arrow batch streamed from the merge-source query into the MERGE.
ROWS_PER_BATCH = 50_000


def batch_files(batch_path: Path) -> list[str]:
    """The published part files of a landing batch."""
    return sorted(str(p) for p in Path(batch_path).glob(PART_PATTERN))


def batch_stats(batch_path: Path) -> dict[str, int]:
    """Rows and distinct ids landed in one batch directory."""
    files = batch_files(batch_path)
    if not files:
        return {"row_count": 0, "live_ids": 0}
    with connection() as db:
        (row,) = db.sql(sql("batch_stats"), params={"files": files}).fetchall()
    return {"row_count": int(row[0]), "live_ids": int(row[1])}


def vanished_ids(table_files: list[str], batch_path: Path, started_at: datetime) -> list[str]:
    """Ids of the table a complete pull that began at `started_at` did not land (vanished_ids.sql)."""
    landing = batch_files(batch_path)
    if not table_files:
        return []
    params: dict[str, object] = {"current": table_files, "started_at": started_at}
    query = "read_before"  # a complete pull that landed nothing: every older record vanished
    if landing:
        params["landing"], query = landing, "vanished_ids"
    with connection() as db:
        return [str(r[0]) for r in db.sql(sql(query), params=params).fetchall()]


@contextmanager
def rows_to_merge(
    table_files: list[str], batch_path: Path, schema: pa.Schema
) -> Iterator[pa.RecordBatchReader]:
    """The landed rows a MERGE must write, streamed: the newest per id, minus those the table already
    holds unchanged (changed_landed.sql); all of them for an empty table (newest_landed.sql). The
    stream is valid inside the `with` block; memory stays bounded however large the stream."""
    landing = batch_files(batch_path)
    if not landing:
        yield pa.RecordBatchReader.from_batches(schema, [])
        return
    with connection(MERGE_SOURCE_MEMORY_LIMIT) as db:
        if table_files:
            relation = db.sql(sql("changed_landed"), params={"landing": landing, "current": table_files})
        else:
            relation = db.sql(sql("newest_landed"), params={"landing": landing})
        yield relation.to_arrow_reader(ROWS_PER_BATCH)
