"""Dagster-side configuration read from the environment: the `warehouse` resource and `env_or_default`.

The Healthie variables and the client's defaults live in `pipelines.healthie.settings` (free of
Dagster). Paths and endpoints live in configuration, never in code: everything here has a safe default
for the demo and is overridden with the documented env vars (README, "Configuration"). Values that may
be secret are passed on as `dg.EnvVar` so Dagster resolves them at run time and never shows them in the UI.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.lake.settings import DEFAULT_RETENTION_DAYS, history_retention, retention_days
from pipelines.paths import DEFAULT_WAREHOUSE_DIR, WAREHOUSE_DIR_VAR, resolve_warehouse_dir


def env_or_default(name: str, default: Any) -> Any:
    """`dg.EnvVar(name)` when the variable is set (resolved per run, shown as a reference), else `default`."""
    return dg.EnvVar(name) if os.environ.get(name) else default


class WarehouseConfig(dg.ConfigurableResource):
    """Where the lake and the DuckDB warehouse live (`$WAREHOUSE_DIR`, default `./data`), and how long
    the lake keeps earlier versions (`LAKE_HISTORY_RETENTION_DAYS`, default 7; 0 = current state only)."""

    warehouse_dir: str = DEFAULT_WAREHOUSE_DIR
    lake_history_retention_days: int = DEFAULT_RETENTION_DAYS

    @property
    def path(self) -> Path:
        return resolve_warehouse_dir(self.warehouse_dir)

    @property
    def history_retention(self) -> timedelta:
        return history_retention(retention_days(str(self.lake_history_retention_days)))


def build_warehouse_config() -> WarehouseConfig:
    """The warehouse resource as the environment configures it (`WAREHOUSE_DIR`,
    `LAKE_HISTORY_RETENTION_DAYS`; a malformed retention fails here, when definitions load)."""
    return WarehouseConfig(
        warehouse_dir=env_or_default(WAREHOUSE_DIR_VAR, DEFAULT_WAREHOUSE_DIR),
        lake_history_retention_days=retention_days(),
    )


def warehouse_dir_from_env() -> Path:
    """The warehouse directory for code running outside Dagster (benchmarks, the demo, tests)."""
    return resolve_warehouse_dir()
