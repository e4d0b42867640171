"""Where `WAREHOUSE_DIR` points, resolved one way for every process that reads it.

The extraction, the webhook receiver, Dagster and dbt (whose profile cannot see the current directory,
and which dagster-dbt starts inside `dbt_project/`) must all agree on one folder. So a relative
`WAREHOUSE_DIR` is taken from the project root (the folder holding `pipelines/` and `dbt_project/`),
never from whatever directory a process happens to start in; an absolute one is used as given.
Kept free of Dagster imports: the receiver uses it too.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WAREHOUSE_DIR_VAR = "WAREHOUSE_DIR"
DEFAULT_WAREHOUSE_DIR = "./data"


def resolve_warehouse_dir(value: str | os.PathLike[str] | None = None) -> Path:
    """`value`, else `$WAREHOUSE_DIR`, else `./data`; relative paths from the project root."""
    raw = value or os.environ.get(WAREHOUSE_DIR_VAR) or DEFAULT_WAREHOUSE_DIR
    path = Path(raw).expanduser()
    return (path if path.is_absolute() else PROJECT_ROOT / path).resolve()
