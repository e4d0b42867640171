"""A small private DuckDB for the lake's bookkeeping queries, and the SQL files they run.

The queries run inside the extraction process, whose memory must not grow with the lake: one thread,
a small memory limit, spilling to a private temp dir. The SQL lives in `sql/*.sql` and takes
parameters, never f-strings.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources

import duckdb

SQL_PACKAGE = "pipelines.lake.sql"
#: DuckDB memory for the bookkeeping queries (they spill to disk beyond it).
MEMORY_LIMIT = "64MB"
#: The MERGE source (newest landed row per id, whole rows) needs more to sort and spill: measured
#: at 1M rows, 276 MB peak for the whole process.
MERGE_SOURCE_MEMORY_LIMIT = "256MB"


@cache
def sql(name: str) -> str:
    """The text of `sql/<name>.sql`."""
    return resources.files(SQL_PACKAGE).joinpath(f"{name}.sql").read_text(encoding="utf-8")


@contextmanager
def connection(memory_limit: str = MEMORY_LIMIT) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private in-memory DuckDB (one thread, bounded memory, private spill directory)."""
    with tempfile.TemporaryDirectory(prefix="lake-spill-") as spill:
        db = duckdb.connect(
            config={
                "memory_limit": memory_limit,
                "threads": 1,
                "temp_directory": spill,
                "preserve_insertion_order": False,
            }
        )
        try:
            yield db
        finally:
            db.close()
