"""What a full sync is told (options) and what it reports (results), shared by the engine, the CLI
and the Dagster asset."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pipelines.lake.settings import history_retention

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
    min_window_pages: int = 24
    """Windows are never planned smaller than this many pages: each window costs its partly filled
    last page, so fewer, fuller windows spend the rate budget on rows (small streams stay one window).
    The streams of a run share the limiter, so a few windows per stream already keep it busy."""
    page_size: int | None = None
    """Ask for pages smaller than the stream's cap (None = the cap, the fewest requests)."""
    coarse_cells: int = 4
    """First planning round: the bounded range in this many equal cells, counted concurrently (plus
    the open head and tail). Dense cells are cut later, so a finer grid mostly buys count requests."""
    prioritize_single_window: bool = True
    """A stream planned as one window asks the client to let its requests pass the windowed
    streams' at the limiter, the longest first: its serial chain of pages is what would otherwise
    end the run last (healthie/pacing.py)."""
    skip_empty_windows: bool = True
    """A window counted empty at planning is not asked for its (empty) page; should rows arrive in
    it meanwhile, the verify step's count disagrees and every window is recounted and re-pulled."""
    count_slices: bool = False
    """Count the slices a dense cell is cut into (one request each) rather than share its count out
    evenly. Counted slices balance skewed data better; the completeness check never needs them."""
    max_passes: int = 2
    rows_per_file: int = 100_000
    row_group_rows: int = 4_000
    """Rows buffered per window before they are written as a row group: memory is bounded by
    `window_concurrency x row_group_rows` rows whatever the size of the stream."""
    progress_every_pages: int = 25
    resume: bool = True
    resume_max_age: timedelta = timedelta(hours=24)
    retention: timedelta = field(default_factory=history_retention)
    """How long the lake keeps earlier table versions (`LAKE_HISTORY_RETENTION_DAYS`)."""
    maintain: bool = True
    """Compact, checkpoint and expire the table after its MERGE (the nightly sync does)."""

    @classmethod
    def baseline(cls) -> SyncOptions:
        """The engine's planning before issue 12, for the benchmark's side-by-side figures: four
        windows of at least 8 pages from 8 counted cells, every slice of a dense cell counted, windows
        counted empty still pulled, no priority at the limiter."""
        return cls(
            min_window_pages=8,
            coarse_cells=8,
            count_slices=True,
            prioritize_single_window=False,
            skip_empty_windows=False,
        )


@dataclass(frozen=True)
class StreamResult:
    """What one stream's sync did: the asset's materialization metadata and the completeness check's input."""

    stream: str
    batch_id: str
    path: str
    """The stream's Delta table."""
    rows: int
    """Rows the pull landed (an id pulled twice counts twice)."""
    live_ids: int
    """Records in the table after the MERGE: what the completeness check compares with the source."""
    inserted: int
    updated: int
    deleted: int
    stale_skipped: int
    """Landed rows not merged because a webhook refresh deleted their record after they were read."""
    recovered: int
    table_version: int | None
    table_files: int
    table_bytes: int
    disk_bytes: int
    """The table's folder on disk: the current version plus versions kept for time travel."""
    compacted_files: int
    vacuumed_files: int
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
    server_errors: int = 0
    """HTTP 5xx answers (retried)."""
    transport_errors: int = 0
    """Timeouts and dropped connections (retried)."""
    graphql_transient_errors: int = 0
    """HTTP 200 answers with GraphQL errors reporting a server-side failure (retried like a 5xx)."""
    graphql_permanent_errors: int = 0
    """GraphQL errors no retry can fix (invalid query, refused key): they fail the stream at once."""
    api_version: str | None = None
    """The `Healthie-GraphQL-API-Version` the requests carried (None: no header, Healthie's default)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
