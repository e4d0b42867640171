"""Configuration read from the environment, in one place.

Paths and endpoints live in configuration, never in code (ARCHITECTURE.md): everything here has a safe
default for the demo and is overridden with the documented env vars. Values that may be secret are
passed on as `dg.EnvVar` so Dagster resolves them at run time and never shows them in the UI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.paths import DEFAULT_WAREHOUSE_DIR, WAREHOUSE_DIR_VAR, resolve_warehouse_dir

DEFAULT_API_URL = "https://api.gethealthie.com/graphql"
#: Healthie documents 250 requests/second per key; stay well below so other clients of the key still fit.
DEFAULT_RATE_LIMIT_RPS = 100.0

API_URL_VAR = "HEALTHIE_API_URL"
API_KEY_VAR = "HEALTHIE_API_KEY"
AUTH_SHARD_VAR = "HEALTHIE_AUTH_SHARD"
RATE_LIMIT_VAR = "HEALTHIE_RATE_LIMIT_RPS"


def env_or_default(name: str, default: Any) -> Any:
    """`dg.EnvVar(name)` when the variable is set (resolved per run, shown as a reference), else `default`."""
    return dg.EnvVar(name) if os.environ.get(name) else default


class WarehouseConfig(dg.ConfigurableResource):
    """Where the lake and the DuckDB warehouse live (`$WAREHOUSE_DIR`, default `./data`)."""

    warehouse_dir: str = DEFAULT_WAREHOUSE_DIR

    @property
    def path(self) -> Path:
        return resolve_warehouse_dir(self.warehouse_dir)


def build_warehouse_config() -> WarehouseConfig:
    """The warehouse resource as configured by `WAREHOUSE_DIR` (default `./data`)."""
    return WarehouseConfig(warehouse_dir=env_or_default(WAREHOUSE_DIR_VAR, DEFAULT_WAREHOUSE_DIR))


def warehouse_dir_from_env() -> Path:
    """The warehouse directory for code running outside Dagster (benchmarks, the demo, tests)."""
    return resolve_warehouse_dir()
