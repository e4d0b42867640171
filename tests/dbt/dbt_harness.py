"""Run the real dbt CLI against a warehouse directory, and read dbt's database back.

dbt runs as a subprocess, as Dagster runs it: dbt-duckdb keeps its DuckDB database open for the life
of the process, which would stop these tests from opening the same file read-only in-process. dbt
builds into `$WAREHOUSE_DIR/build/warehouse.duckdb` (dbt_project/profiles.yml); Dagster publishes the
marts to `$WAREHOUSE_DIR/warehouse.duckdb` afterwards, a step these tests leave out: they read the
build database.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.assets.dbt import DBT_EXECUTABLE, DBT_PROJECT_DIR
from pipelines.files import ensure_dir
from pipelines.paths import resolve_warehouse_dir

REPO_ROOT = DBT_PROJECT_DIR.parent
#: dbt's database under $WAREHOUSE_DIR (the profile's `path`).
BUILD_DATABASE = Path("build") / "warehouse.duckdb"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class DbtRun:
    """What one dbt invocation did."""

    args: tuple[str, ...]
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_dbt(warehouse_dir: Path | str, args: Sequence[str], artifacts_dir: Path) -> DbtRun:
    """`dbt <args>` on the project with `WAREHOUSE_DIR=warehouse_dir`, from dbt_project/ as Dagster runs it.

    `artifacts_dir` holds dbt's target/ and logs/, so runs never touch dbt_project/target (the manifest
    Dagster loads) and runs against one warehouse share partial parsing. The build folder is created
    first (private, as Dagster creates it): DuckDB does not create a database's parent folder.
    """
    ensure_dir(resolve_warehouse_dir(warehouse_dir) / BUILD_DATABASE.parent)
    command = [
        DBT_EXECUTABLE,
        "--no-use-colors",
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(artifacts_dir / "target"),
        "--log-path",
        str(artifacts_dir / "logs"),
    ]
    env = {**os.environ, "WAREHOUSE_DIR": str(warehouse_dir), "DO_NOT_TRACK": "1"}
    completed = subprocess.run(
        command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    return DbtRun(tuple(args), completed.returncode, _ANSI.sub("", completed.stdout + completed.stderr))


def build_database(warehouse_dir: Path) -> Path:
    """The DuckDB file dbt builds for `warehouse_dir`."""
    return warehouse_dir / BUILD_DATABASE


def query(warehouse_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of `sql` against dbt's database, opened read-only and closed again."""
    with duckdb.connect(str(build_database(warehouse_dir)), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def column(warehouse_dir: Path, sql: str) -> list[Any]:
    """The first column of `sql`'s rows."""
    return [row[0] for row in query(warehouse_dir, sql)]
