"""Window planning helpers: tiling, splitting, merging, variables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from pipelines.healthie.streams import APPOINTMENTS, ENTRIES, FORM_ANSWER_GROUPS, WindowKind
from pipelines.healthie.windows import (
    Window,
    grid,
    initial_windows,
    merge_small,
    target_rows_per_window,
)

START = datetime(2020, 1, 1, tzinfo=UTC)
HORIZON = datetime(2021, 1, 1, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize("kind", list(WindowKind))
def test_initial_windows_tile_the_line(kind: WindowKind) -> None:
    head, middle, tail = initial_windows(kind, START, HORIZON)
    assert head.start is None and tail.end is None
    if kind is WindowKind.DATE:
        assert head.end == date(2019, 12, 31) and middle.start == date(2020, 1, 1)
        assert middle.end == date(2021, 1, 1) and tail.start == date(2021, 1, 2)
    else:
        assert head.end == middle.start == START
        assert middle.end == tail.start == HORIZON


def test_merge_small_joins_neighbours_within_target() -> None:
    windows = [Window(None, date(2019, 12, 31))] + [
        Window(date(2020, 1, d), date(2020, 1, d)) for d in range(1, 6)
    ]
    merged = merge_small(windows, [0, 3, 4, 10, 1, 1], target=8)
    assert [count for _, count in merged] == [7, 10, 2]
    assert merged[0][0] == Window(None, date(2020, 1, 2))
    assert merged[-1][0] == Window(date(2020, 1, 4), date(2020, 1, 5))


def test_variables_omit_open_ends_and_format_by_kind() -> None:
    assert Window(date(2020, 1, 1), None).variables(APPOINTMENTS.windowing) == {"startDate": "2020-01-01"}
    assert Window(None, START).variables(FORM_ANSWER_GROUPS.windowing) == {
        "updated_before": "2020-01-01T00:00:00Z"
    }
    assert Window().variables(None) == {}


@pytest.mark.parametrize("kind", list(WindowKind))
def test_window_json_round_trip(kind: WindowKind) -> None:
    for window in initial_windows(kind, START, HORIZON):
        assert Window.from_json(window.to_json(), kind) == window


@pytest.mark.parametrize(
    ("total", "page", "concurrency", "expected"),
    [(0, 500, 16, 4000), (1_000_000, 500, 16, 15625), (1000, 100, 1, 800)],
)
def test_target_rows_per_window(total: int, page: int, concurrency: int, expected: int) -> None:
    assert target_rows_per_window(total, page, concurrency) == expected


def test_entries_end_is_exclusive_and_needs_a_start() -> None:
    windowing = ENTRIES.windowing
    assert Window(date(2020, 1, 1), date(2020, 1, 31)).variables(windowing) == {
        "start_range": "2020-01-01",
        "end_range": "2020-02-01",
    }
    assert Window(None, date(2019, 12, 31)).variables(windowing) == {
        "start_range": "1900-01-01",
        "end_range": "2020-01-01",
    }
    assert Window(date(2020, 1, 1), None).variables(windowing) == {"start_range": "2020-01-01"}


@pytest.mark.parametrize(
    ("window", "kind", "pieces", "expected"),
    [
        (Window(date(2020, 1, 1), date(2020, 1, 10)), WindowKind.DATE, 3, 3),
        (Window(date(2020, 1, 1), date(2020, 1, 2)), WindowKind.DATE, 5, 2),
        (Window(START, START + timedelta(hours=1)), WindowKind.DATETIME, 4, 4),
        (Window(None, date(2020, 1, 2)), WindowKind.DATE, 5, 1),
    ],
)
def test_grid_tiles_the_window(window: Window, kind: WindowKind, pieces: int, expected: int) -> None:
    cells = grid(window, kind, pieces)
    assert len(cells) == expected
    assert (cells[0].start, cells[-1].end) == (window.start, window.end)
    step = timedelta(days=1) if kind is WindowKind.DATE else timedelta(0)
    for left, right in pairwise(cells):
        assert right.start == left.end + step  # type: ignore[operator]
