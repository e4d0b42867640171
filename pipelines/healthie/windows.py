"""Time windows: how one stream is cut into slices that can be pulled concurrently.

A window is a range of the stream's windowing attribute (appointment start date, created_at,
updated_at). DATE windows are inclusive calendar days (`startDate`/`endDate`, `created_at_start`/
`_end`, `start_range`/`end_range`); DATETIME windows are half-open ISO instants (`updated_after`
inclusive, `updated_before` exclusive). A missing bound is an open end: the variable is omitted, so
the first and last windows catch whatever lies before the history start or after the horizon, and the
windows of a plan always tile the whole line with no gap and no overlap. Where a server's arguments
deviate (entries: exclusive `end_range`, ignored without `start_range`), `Windowing` says so and
`Window.variables` translates, so windows keep one meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pipelines.healthie.streams import Windowing, WindowKind

Bound = date | datetime
#: Narrowest DATETIME slice the planner cuts (a DATE window cannot be narrower than one day).
MIN_DATETIME_WIDTH = timedelta(minutes=1)
ONE_DAY = timedelta(days=1)
#: Sent as the start of an open-started window where the server ignores an end without a start.
FLOOR_DATE = date(1900, 1, 1)
FLOOR_DATETIME = datetime(1900, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Window:
    """One slice: `start`/`end` are dates (inclusive) or UTC datetimes ([start, end)); None is open."""

    start: Bound | None = None
    end: Bound | None = None

    def label(self) -> str:
        """A short, PHI-free name for logs and error messages."""
        return f"[{_fmt(self.start) if self.start else '-inf'} .. {_fmt(self.end) if self.end else '+inf'}]"

    def variables(self, windowing: Windowing | None) -> dict[str, str]:
        """The window as list/count variables; open ends are omitted rather than sent as null."""
        if windowing is None:
            return {}
        out: dict[str, str] = {}
        start, end = self.start, self.end
        if start is None and end is not None and windowing.end_needs_start:
            start = FLOOR_DATE if windowing.kind is WindowKind.DATE else FLOOR_DATETIME
        if start is not None:
            out[windowing.start_arg] = _fmt(start)
        if end is not None:
            if windowing.end_exclusive and windowing.kind is WindowKind.DATE:
                assert isinstance(end, date)
                end = end + ONE_DAY
            out[windowing.end_arg] = _fmt(end)
        return out

    def to_json(self) -> dict[str, str | None]:
        return {
            "start": _fmt(self.start) if self.start else None,
            "end": _fmt(self.end) if self.end else None,
        }

    @classmethod
    def from_json(cls, raw: dict[str, str | None], kind: WindowKind | None) -> Window:
        return cls(_parse(raw.get("start"), kind), _parse(raw.get("end"), kind))


def _fmt(bound: Bound | None) -> str:
    if bound is None:
        return ""
    if isinstance(bound, datetime):
        return bound.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return bound.isoformat()


def _parse(text: str | None, kind: WindowKind | None) -> Bound | None:
    if not text:
        return None
    if kind is WindowKind.DATETIME:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    return date.fromisoformat(text)


def to_bound(moment: datetime, kind: WindowKind) -> Bound:
    """A UTC moment as a bound of `kind` (its calendar day for DATE windows, whole seconds otherwise)."""
    moment = moment.astimezone(UTC)
    if kind is WindowKind.DATE:
        return moment.date()
    return moment.replace(microsecond=0)


def initial_windows(kind: WindowKind, history_start: datetime, horizon: datetime) -> list[Window]:
    """Open-ended head, one bounded middle [history_start, horizon], open-ended tail: tiles the line."""
    lo, hi = to_bound(history_start, kind), to_bound(horizon, kind)
    if hi <= lo:
        raise ValueError("horizon must be after history_start")
    if kind is WindowKind.DATE:
        assert isinstance(lo, date) and isinstance(hi, date)
        return [Window(None, lo - ONE_DAY), Window(lo, hi), Window(hi + ONE_DAY, None)]
    return [Window(None, lo), Window(lo, hi), Window(hi, None)]


def grid(window: Window, kind: WindowKind, pieces: int) -> list[Window]:
    """Cut a bounded window into up to `pieces` consecutive, nearly equal windows (tiling it exactly)."""
    start, end = window.start, window.end
    if start is None or end is None or pieces <= 1:
        return [window]
    if kind is WindowKind.DATE:
        assert isinstance(start, date) and isinstance(end, date)
        days = (end - start).days + 1
        pieces = min(pieces, days)
        days_at = [start + timedelta(days=days * i // pieces) for i in range(pieces + 1)]
        return [Window(days_at[i], days_at[i + 1] - ONE_DAY) for i in range(pieces)]
    assert isinstance(start, datetime) and isinstance(end, datetime)
    seconds = int((end - start).total_seconds())
    pieces = max(1, min(pieces, seconds // int(MIN_DATETIME_WIDTH.total_seconds())))
    edges = [start + timedelta(seconds=seconds * i // pieces) for i in range(pieces)] + [end]
    return [Window(edges[i], edges[i + 1]) for i in range(pieces)]


def merge(first: Window, second: Window) -> Window:
    """Join two adjacent windows (first before second) into one."""
    return Window(first.start, second.end)


def merge_small(windows: Sequence[Window], counts: Sequence[int], target: int) -> list[tuple[Window, int]]:
    """Merge runs of adjacent windows while their combined count stays within `target`.

    Sparse stretches (years before a practice started, the empty future of created_at) would otherwise
    cost one request each; merging keeps the plan tiled because only neighbours are joined.
    """
    merged: list[tuple[Window, int]] = []
    for window, count in zip(windows, counts, strict=True):
        if merged and merged[-1][1] + count <= target:
            previous, previous_count = merged[-1]
            merged[-1] = (merge(previous, window), previous_count + count)
        else:
            merged.append((window, count))
    return merged


def target_rows_per_window(total: int, page_size: int, concurrency: int, min_pages: int = 8) -> int:
    """Rows per window for about 4 windows per concurrent slot, never under `min_pages` pages."""
    slots = max(1, concurrency) * 4
    return max(page_size * min_pages, -(-total // slots))


def share_out(total: int, pieces: int) -> list[int]:
    """`total` rows spread as evenly as whole numbers allow over `pieces` windows (an estimate)."""
    return [total * (i + 1) // pieces - total * i // pieces for i in range(pieces)]
