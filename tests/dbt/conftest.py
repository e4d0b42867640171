"""One real `dbt build` of the canonical synthetic lake, shared by every dbt test that only reads it.

Tests that change the lake or the warehouse work on a copy (`warehouse_copy`), never on the original:
dbt is slow enough that the suite builds from scratch only where the scenario demands it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dbt_harness import run_dbt
from lake_factory import REPORT_AS_OF, write_scenario


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """$WAREHOUSE_DIR with the canonical lake and the warehouse `dbt build` made of it.

    The aging reports are built as of the scenario's sync day (`REPORT_AS_OF`), so their ages are exact.
    """
    warehouse_dir = tmp_path_factory.mktemp("scenario") / "warehouse"
    write_scenario(warehouse_dir)
    run = run_dbt(warehouse_dir, ["build", *report_as_of_vars()], warehouse_dir / "dbt")
    assert run.ok, run.output
    return warehouse_dir


def report_as_of_vars() -> list[str]:
    """dbt arguments pinning the reports' as-of day to the scenario's (macros/healthie/reports.sql)."""
    return ["--vars", f"{{report_as_of: '{REPORT_AS_OF.isoformat()}'}}"]


def copy_warehouse(source: Path, destination: Path) -> Path:
    """A private copy of a built warehouse (lake, DuckDB file and dbt artifacts) to change freely.

    Its staging views still name the original lake until the copy's next dbt run recreates them, so
    every run on a copy must include the staging models it depends on.
    """
    shutil.copytree(source, destination)
    return destination


@pytest.fixture
def warehouse_copy(built_warehouse: Path, tmp_path: Path) -> Path:
    return copy_warehouse(built_warehouse, tmp_path / "warehouse")
