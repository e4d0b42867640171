"""Read the lake back through DuckDB: the current view, reconciliation candidates, batch statistics.

Only explicit lists of published part files are scanned (never temp files), so a reader running next
to a writer sees whole files only. The SQL lives in `sql/*.sql` and takes parameters, never f-strings.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.lake.layout import PART_PATTERN, stream_dir

SQL_PACKAGE = "pipelines.lake.sql"
#: DuckDB memory for the bookkeeping queries (they spill to disk beyond it). Counting distinct ids
#: needs little; the newest-row-per-id grouping of reconciliation gets more headroom.
STATS_MEMORY_LIMIT = "16MB"
GROUPING_MEMORY_LIMIT = "32MB"


@cache
def sql(name: str) -> str:
    """The text of `sql/<name>.sql`."""
    return resources.files(SQL_PACKAGE).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def stream_files(warehouse_dir: Path, stream: str) -> list[str]:
    """Every published part file of a stream, in batch order."""
    return sorted(str(p) for p in stream_dir(warehouse_dir, stream).glob(f"*/{PART_PATTERN}"))


def batch_files(batch_path: Path) -> list[str]:
    return sorted(str(p) for p in Path(batch_path).glob(PART_PATTERN))


@contextmanager
def _connection(memory_limit: str = GROUPING_MEMORY_LIMIT) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private in-memory DuckDB, one thread, small memory limit, spilling to a private temp dir: the
    bookkeeping queries run inside the extraction process, whose memory must not grow with the lake."""
    with tempfile.TemporaryDirectory(prefix="lake-spill-") as spill:
        connection = duckdb.connect(
            config={
                "memory_limit": memory_limit,
                "threads": 1,
                "temp_directory": spill,
                "preserve_insertion_order": False,
            }
        )
        try:
            yield connection
        finally:
            connection.close()


def _fetchall(name: str, params: dict[str, Any], memory_limit: str = GROUPING_MEMORY_LIMIT) -> list[Any]:
    with _connection(memory_limit) as connection:
        return connection.sql(sql(name), params=params).fetchall()


def current_view(warehouse_dir: Path, stream: str) -> pa.Table:
    """Newest row per id of a stream, tombstones dropped (what staging models compute), sorted by id."""
    files = stream_files(warehouse_dir, stream)
    if not files:
        return STREAMS_BY_NAME[stream].arrow_schema.empty_table()
    with _connection() as connection:
        return connection.sql(sql("current_view"), params={"files": files}).to_arrow_table()


def vanished_ids(warehouse_dir: Path, stream: str, started_at: datetime) -> list[str]:
    """Ids to tombstone after a complete full pull that started at `started_at` (see vanished_ids.sql)."""
    files = stream_files(warehouse_dir, stream)
    if not files:
        return []
    return [str(row[0]) for row in _fetchall("vanished_ids", {"files": files, "started_at": started_at})]


def batch_stats(batch_path: Path) -> dict[str, int]:
    """Rows, distinct live ids and tombstones in one batch directory."""
    files = batch_files(batch_path)
    if not files:
        return {"row_count": 0, "live_ids": 0, "tombstones": 0}
    (row,) = _fetchall("batch_stats", {"files": files}, STATS_MEMORY_LIMIT)
    return {"row_count": int(row[0]), "live_ids": int(row[1]), "tombstones": int(row[2])}
