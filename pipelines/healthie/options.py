"""What a full sync is told (options) and what it reports (results), shared by the engine, the CLI
and the Dagster asset."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

DEFAULT_HISTORY_START = datetime(2010, 1, 1, tzinfo=UTC)


class Log(Protocol):
    """What the sync needs of a logger (a `logging.Logger` or Dagster's `context.log`)."""

    def info(self, msg: str, *args: Any) -> None: ...

    def warning(self, msg: str, *args: Any) -> None: ...


@dataclass(frozen=True)
class SyncOptions:
    """Tuning of a full sync; the defaults suit production (Dagster run config can override them)."""

    history_start: datetime = DEFAULT_HISTORY_START
    """Where bounded windows begin; anything older lands in the open-ended first window."""
    future_days: int = 730
    """How far past today bounded windows reach (appointments are booked ahead)."""
    window_concurrency: int = 16
    min_window_pages: int = 8
    """Windows are never planned smaller than this many pages: each window costs a count request or
    two, so fewer, fuller windows spend the rate budget on rows (small streams stay one window)."""
    page_size: int | None = None
    """Ask for pages smaller than the stream's cap (None = the cap, the fewest requests)."""
    coarse_cells: int = 8
    """First planning round: the bounded range in this many equal cells, counted concurrently."""
    max_passes: int = 2
    rows_per_file: int = 100_000
    row_group_rows: int = 4_000
    """Rows buffered per window before they are written as a row group: memory is bounded by
    `window_concurrency x row_group_rows` rows whatever the size of the stream."""
    progress_every_pages: int = 25
    resume: bool = True
    resume_max_age: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class StreamResult:
    """What one stream's sync did: the asset's materialization metadata and the completeness check's input."""

    stream: str
    batch_id: str
    path: str
    rows: int
    live_ids: int
    tombstones: int
    recovered: int
    pages: int
    requests: int
    retries: int
    rate_limited: int
    duration_seconds: float
    windows: int
    repulled_windows: int
    resumed: bool
    source_count_start: int | None
    source_count_end: int | None
    churn_observed: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
