"""A dbt-duckdb plugin that lets dbt read the lake's Delta tables with DuckDB's own Parquet reader.

DuckDB's `delta` extension cannot be installed here, and reading through `to_pyarrow_dataset()` breaks
on filter push-down with pyarrow 26. So the plugin registers a SQL function `delta_files(table_path)`
returning the data files of the table's current version (`DeltaTable.file_uris()`, `[]` for a
missing table), and staging reads `read_parquet(delta_files('<table>'))`.

Each table's file list is taken once per build and reused, so every model of one build reads the same
version of every table, whatever commits land meanwhile. The plugin holds the lake's read lease
(lake/table.py) for the build, so VACUUM never deletes a file the build reads. A build ends with its
dbt process (the kernel releases the lease), or, for dbt run inside a Dagster step
(`pipelines.assets.dbt_in_process`), with `end_build()`: the next build there pins the lake afresh.

Enabled in `dbt_project/profiles.yml` (`plugins: [{module: pipelines.lake.dbt_plugin, config:
{lake_dir: ...}}]`).
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from deltalake import DeltaTable

from pipelines.lake.table import read_lease

FUNCTION_NAME = "delta_files"

_lease = contextlib.ExitStack()
_leased = False
_pinned: dict[str, list[str]] = {}
_guard = threading.Lock()


def pinned_files(table_path: str) -> list[str]:
    """The data files of `table_path`'s current version, read once per build."""
    with _guard:
        if table_path not in _pinned:
            exists = DeltaTable.is_deltatable(table_path)
            _pinned[table_path] = DeltaTable(table_path).file_uris() if exists else []
        return _pinned[table_path]


class Plugin(BasePlugin):
    """Registers `delta_files()` on every connection dbt opens; holds the lake's read lease."""

    def initialize(self, config: dict[str, Any]) -> None:
        lake_dir = config.get("lake_dir")
        if not lake_dir:
            raise ValueError("pipelines.lake.dbt_plugin needs `lake_dir` in its config (profiles.yml)")
        global _leased
        with _guard:
            if not _leased:  # once per build: a new build pins every table afresh
                _pinned.clear()
                _lease.enter_context(read_lease(Path(lake_dir)))
                _leased = True

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        conn.create_function(
            FUNCTION_NAME,
            pinned_files,
            [duckdb.sqltype("VARCHAR")],
            duckdb.sqltype("VARCHAR[]"),
            side_effects=False,
        )


def end_build() -> None:
    """Release the read lease and forget the pinned file lists: the build in this process is over."""
    global _leased
    with _guard:
        _lease.close()
        _pinned.clear()
        _leased = False
