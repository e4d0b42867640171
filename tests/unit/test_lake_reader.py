"""Change batches and the current view: newest row per id wins, tombstones drop ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.healthie.streams import BILLING_ITEMS
from pipelines.lake.change import write_change_batch
from pipelines.lake.layout import PART_PATTERN
from pipelines.lake.reader import batch_stats, current_view, vanished_ids

from .synthetic import make_row

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def test_current_view_of_an_empty_lake(tmp_path: Path) -> None:
    view = current_view(tmp_path, "billing_items")
    assert view.num_rows == 0 and view.schema == BILLING_ITEMS.arrow_schema


def test_newest_row_wins_and_tombstones_drop(tmp_path: Path) -> None:
    rows = [make_row(BILLING_ITEMS, i) for i in range(3)]
    first = write_change_batch(tmp_path, BILLING_ITEMS, rows, [], now=T0)
    updated = {**rows[1], "state": "refunded"}
    write_change_batch(tmp_path, BILLING_ITEMS, [updated], ["2"], now=T0 + timedelta(seconds=1))
    view = current_view(tmp_path, "billing_items")
    assert view.column("id").to_pylist() == ["0", "1"]
    assert view.column("state").to_pylist() == ["state-0", "refunded"]
    assert len(list(first.glob(PART_PATTERN))) == 1
    assert batch_stats(first) == {"row_count": 3, "live_ids": 3, "tombstones": 0}


def test_vanished_ids_are_those_last_read_before_the_sync(tmp_path: Path) -> None:
    rows = [make_row(BILLING_ITEMS, i) for i in range(4)]
    write_change_batch(tmp_path, BILLING_ITEMS, rows[:3], [], now=T0)
    write_change_batch(tmp_path, BILLING_ITEMS, [], ["0"], now=T0 + timedelta(seconds=1))
    write_change_batch(tmp_path, BILLING_ITEMS, rows[2:], [], now=T0 + timedelta(seconds=5))
    assert vanished_ids(tmp_path, "billing_items", T0 + timedelta(seconds=3)) == ["1"]


@pytest.mark.parametrize(
    ("rows", "deleted", "message"),
    [([], [], "at least one"), ([make_row(BILLING_ITEMS, 1)], ["1"], "both")],
)
def test_change_batch_rejects_empty_or_contradictory_input(
    tmp_path: Path, rows: list[dict[str, object]], deleted: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        write_change_batch(tmp_path, BILLING_ITEMS, rows, deleted)


def test_change_batch_with_bad_rows_writes_nothing(tmp_path: Path) -> None:
    bad = {**make_row(BILLING_ITEMS, 1), "amount_paid": 12.5}
    with pytest.raises(Exception, match="amount_paid"):
        write_change_batch(tmp_path, BILLING_ITEMS, [bad], [])
    assert not list(tmp_path.rglob("*.parquet"))
