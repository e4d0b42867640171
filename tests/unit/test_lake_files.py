"""Atomic, private files: nothing partial under a final name, 0600 files in 0700 directories."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.extract.checkpoint import Checkpoint, Phase, WindowState, sweep_uncommitted
from pipelines.extract.rows import rows_to_table
from pipelines.files import atomic_write_bytes, ensure_dir, temp_path_for
from pipelines.healthie.streams import ENTRIES
from pipelines.lake.layout import BatchId, BatchKind, list_batches, part_name
from pipelines.lake.writer import PartWriter

from .synthetic import make_row

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def table(n: int, start: int = 0) -> pa.Table:
    return rows_to_table(
        ENTRIES, [make_row(ENTRIES, i) for i in range(start, start + n)], extracted_at=NOW, sync_id="b"
    )


def test_ensure_dir_and_atomic_write_are_private(tmp_path: Path) -> None:
    directory = ensure_dir(tmp_path / "a" / "b")
    target = atomic_write_bytes(directory / "x.json", b"{}")
    assert mode(tmp_path / "a") == mode(directory) == 0o700
    assert mode(target) == 0o600 and target.read_bytes() == b"{}"
    assert not temp_path_for(target).exists()


def part_counter() -> Callable[[], str]:
    numbers = iter(range(1000))
    return lambda: part_name(next(numbers))


def test_part_writer_rolls_files_and_hides_uncommitted_rows(tmp_path: Path) -> None:
    writer = PartWriter(tmp_path, ENTRIES.arrow_schema, part_counter(), row_group_rows=4, rows_per_file=10)
    writer.write(table(6))
    assert not list(tmp_path.glob("*.parquet")), "rows are invisible until commit"
    writer.write(table(6, start=6))
    assert writer.file_full
    assert writer.commit() == "part-00000.parquet"
    writer.write(table(3, start=12))
    assert writer.commit() == "part-00001.parquet"
    assert writer.commit() is None
    files = sorted(tmp_path.glob("*.parquet"))
    assert [pq.read_metadata(f).num_rows for f in files] == [12, 3]
    assert pq.read_metadata(files[0]).num_row_groups == 2
    assert all(mode(f) == 0o600 for f in files)
    assert not list(tmp_path.glob(".*"))


def test_part_writer_abort_leaves_nothing(tmp_path: Path) -> None:
    writer = PartWriter(tmp_path, ENTRIES.arrow_schema, part_counter(), row_group_rows=2)
    writer.write(table(5))
    assert list(tmp_path.glob(".*.tmp")), "a row group went to the temp file"
    writer.abort()
    assert not list(tmp_path.iterdir())


def test_batch_ids_sort_by_time_and_parse(tmp_path: Path) -> None:
    early = BatchId.new(BatchKind.FULL, datetime(2024, 1, 1, tzinfo=UTC))
    late = BatchId.new(BatchKind.CHANGE, datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC))
    assert early.value < late.value
    assert early.value.startswith("20240101T000000000000Z-full-") and len(early.value.split("-")[-1]) == 8
    parsed = BatchId.parse(late.value)
    assert parsed is not None and parsed.kind is BatchKind.CHANGE and parsed.started_at == late.started_at
    assert BatchId.parse("not-a-batch") is None
    for batch in (late, early):
        ensure_dir(tmp_path / "landing" / "healthie" / "entries" / batch.value)
    assert [b for b, _ in list_batches(tmp_path, "entries")] == [early, late]
    assert [b for b, _ in list_batches(tmp_path, "entries", BatchKind.FULL)] == [early]


def test_checkpoint_round_trip_and_sweep(tmp_path: Path) -> None:
    from pipelines.healthie.streams import WindowKind
    from pipelines.healthie.windows import Window

    checkpoint = Checkpoint("entries", "b", NOW, WindowKind.DATE, phase=Phase.VERIFY)
    checkpoint.windows.append(
        WindowState("w0000", Window(None, NOW.date()), 5, cursor="abc", rows=5, done=True)
    )
    checkpoint.parts.append(checkpoint.allocate_part())
    checkpoint.save(tmp_path)
    loaded = Checkpoint.load(tmp_path)
    assert loaded == checkpoint
    (tmp_path / "part-00000.parquet").write_bytes(b"kept")
    (tmp_path / "part-00001.parquet").write_bytes(b"orphan")
    (tmp_path / ".part-00002.parquet.tmp").write_bytes(b"temp")
    assert sweep_uncommitted(tmp_path, checkpoint) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_checkpoint.json", "part-00000.parquet"]


@pytest.mark.parametrize("content", ['{"version": 99}'])
def test_checkpoint_of_another_version_is_ignored(tmp_path: Path, content: str) -> None:
    (tmp_path / "_checkpoint.json").write_text(content)
    assert Checkpoint.load(tmp_path) is None
