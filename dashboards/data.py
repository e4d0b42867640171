"""Read-only access to the published marts: the only way the dashboards touch data.

The dashboards read `$WAREHOUSE_DIR/warehouse.duckdb`, the file the pipeline publishes by renaming a
new build over it, never dbt's build database. Each query opens the file read-only, runs one statement
from `queries/<name>.sql` with named parameters, and closes it, so:

- a sync or webhook refresh never waits for a dashboard (nothing here holds the file open between
  queries, and a rename does not care about readers anyway);
- every rerun reads the newest publish: results are cached per published file (its inode and mtime)
  and only for `CACHE_TTL_SECONDS`, so a new publish is a new cache key at once.

Nothing here logs a row or a parameter value: pages show aggregates, and errors name the query only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from pipelines.assets.publish import MARTS_SCHEMA, published_path
from pipelines.paths import resolve_warehouse_dir

QUERIES_DIR = Path(__file__).with_name("queries")
#: How long a query's result is reused for the same published file (a new publish is a new key).
CACHE_TTL_SECONDS = 30
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

Params = Mapping[str, object]


class State(Enum):
    """What the dashboards found at the published path."""

    READY = "ready"
    MISSING = "missing"
    EMPTY = "empty"


@dataclass(frozen=True)
class WarehouseStatus:
    state: State
    path: Path
    marts: tuple[str, ...] = ()
    reason: str = ""

    @property
    def ready(self) -> bool:
        return self.state is State.READY


@dataclass(frozen=True)
class FileVersion:
    """Which publish a path holds now: a publish renames a new file (a new inode) over it."""

    inode: int
    mtime_ns: int
    size: int

    @property
    def published_at(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9, UTC)


def warehouse_path() -> Path:
    """`$WAREHOUSE_DIR/warehouse.duckdb`, with `WAREHOUSE_DIR` resolved as every process resolves it."""
    return published_path(resolve_warehouse_dir())


def file_version(path: Path) -> FileVersion | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return FileVersion(stat.st_ino, stat.st_mtime_ns, stat.st_size)


@cache
def sql(name: str) -> str:
    """The statement of `queries/<name>.sql` (names are code, never user input)."""
    if not _NAME.match(name):
        raise ValueError(f"not a query name: {name!r}")
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_query(path: Path, name: str, params: Params | None = None) -> pd.DataFrame:
    """Run query `name` on a read-only connection to `path`, closed before returning."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql(name), dict(params or {})).df()


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=256)
def _cached_query(
    path: str, inode: int, mtime_ns: int, name: str, params: tuple[tuple[str, object], ...]
) -> pd.DataFrame:
    del inode, mtime_ns  # part of the cache key only: a new publish misses the cache
    return run_query(Path(path), name, query_params(dict(params)))


def query(name: str, params: Params | None = None) -> pd.DataFrame:
    """Query `name` on the newest publish (cached for a few seconds per published file)."""
    path = warehouse_path()
    version = file_version(path)
    if version is None:
        raise WarehouseMissingError(path)
    frozen = tuple(sorted((key, _hashable(value)) for key, value in (params or {}).items()))
    return _cached_query(str(path), version.inode, version.mtime_ns, name, frozen).copy()


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def query_params(values: Params) -> Params:
    """Lists back from their cache-key tuples (DuckDB binds a list, not a tuple, as a LIST)."""
    return {key: list(value) if isinstance(value, tuple) else value for key, value in values.items()}


class WarehouseMissingError(RuntimeError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"no published warehouse at {path}")


def status() -> WarehouseStatus:
    """Whether the published file exists and holds marts; never raises for a missing or broken file."""
    path = warehouse_path()
    if file_version(path) is None:
        return WarehouseStatus(State.MISSING, path, reason="the file does not exist yet")
    try:
        marts = tuple(run_query(path, "warehouse_marts")["table_name"])
    except duckdb.Error as error:
        return WarehouseStatus(State.EMPTY, path, reason=f"DuckDB cannot open it ({type(error).__name__})")
    if not marts:
        return WarehouseStatus(State.EMPTY, path, reason=f"it holds no `{MARTS_SCHEMA}` tables")
    return WarehouseStatus(State.READY, path, marts)


def mart_rows(marts: tuple[str, ...]) -> pd.DataFrame:
    """Rows per mart of the newest publish (the table name is bound as a parameter, never spliced)."""
    counts = [
        (mart, int(query("mart_rows", {"table_name": f"{MARTS_SCHEMA}.{mart}"})["row_count"].iloc[0]))
        for mart in marts
    ]
    return pd.DataFrame(counts, columns=["mart", "rows"])


def mart_batches() -> pd.DataFrame:
    """Per mart that records its batches (`_sync_id`, found in the catalog): the newest nightly pull and
    webhook refresh whose rows it holds, and when its newest row was read (table names bound, never
    spliced)."""
    columns = ["mart", "last_full_batch", "last_change_batch", "newest_row_read_at"]
    rows = [
        (mart, *query("freshness_batches", {"table_name": f"{MARTS_SCHEMA}.{mart}"}).iloc[0])
        for mart in query("freshness_batch_marts")["table_name"]
    ]
    return pd.DataFrame(rows, columns=columns)


def env_flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """An on/off environment variable: on for 1, true, yes or on (any case)."""
    value = (environ if environ is not None else os.environ).get(name, "")
    return value.strip().lower() in {"1", "true", "yes", "on"}
