"""`LAKE_HISTORY_RETENTION_DAYS`: how long the lake keeps earlier versions of its tables.

Delta keeps every version's files until VACUUM expires them; the nightly maintenance expires versions
older than this (log entries and data files). `0` keeps only the current state: the lake's size then
follows the data, not the number of nights. Kept free of Dagster imports: the receiver may read it.
"""

from __future__ import annotations

import os
from datetime import timedelta

RETENTION_VAR = "LAKE_HISTORY_RETENTION_DAYS"
#: A week of history: "what did this record look like last Tuesday" stays answerable.
DEFAULT_RETENTION_DAYS = 7


def retention_days(value: str | None = None) -> int:
    """`value`, else `$LAKE_HISTORY_RETENTION_DAYS`, else the default; a clear error if malformed."""
    raw = value if value is not None else os.environ.get(RETENTION_VAR, "")
    if raw.strip() == "":
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise ValueError(f"{RETENTION_VAR} must be a whole number of days (0 or more), got {raw!r}") from None
    if days < 0:
        raise ValueError(f"{RETENTION_VAR} must be 0 or more, got {days}")
    return days


def history_retention(days: int | None = None) -> timedelta:
    """The retention as a duration (the environment's when `days` is None)."""
    return timedelta(days=retention_days() if days is None else days)
