"""The Delta lake table: MERGE rules (newer wins, unchanged untouched, no resurrection), serialized
writers with no lost update, maintenance that keeps the table its size, and crash safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipelines.extract.change import ChangeSet, ReadMark, merge_changes
from pipelines.extract.rows import rows_to_table
from pipelines.healthie.streams import BILLING_ITEMS
from pipelines.lake import table as lake_table_module
from pipelines.lake.layout import lake_table
from pipelines.lake.reader import rows_to_merge, vanished_ids
from pipelines.lake.table import LakeTable, deletions, read_lease
from pipelines.lake.writer import PartWriter

from .synthetic import make_row

T0 = datetime(2024, 5, 1, tzinfo=UTC)
KEEP = timedelta(days=7)


def table_of(warehouse: Path) -> LakeTable:
    return lake_table(warehouse, BILLING_ITEMS.name, BILLING_ITEMS.arrow_schema)


def rows(*ids: int, **overrides: Any) -> list[dict[str, Any]]:
    return [{**make_row(BILLING_ITEMS, i), **overrides} for i in ids]


def change(
    warehouse: Path, live: list[dict[str, Any]], gone: list[str], at: datetime, version: int = -1
) -> None:
    merge_changes(warehouse, BILLING_ITEMS, ChangeSet(live, gone, ReadMark(at, version)), retention=KEEP)


def full_merge(
    warehouse: Path,
    live: list[dict[str, Any]],
    at: datetime,
    since: int,
    gone: list[str] = (),  # type: ignore[assignment]
) -> Any:
    table = table_of(warehouse)
    with table.write_lock():
        return table.merge(
            rows_to_table(BILLING_ITEMS, live, extracted_at=at, sync_id="full"),
            deletions(list(gone), at),
            retention=KEEP,
            refresh_unchanged=False,
            read_since_version=since,
        )


def state(warehouse: Path) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in table_of(warehouse).to_arrow().to_pylist()}


def test_a_missing_table_reads_empty(tmp_path: Path) -> None:
    table = table_of(tmp_path)
    assert table.version() == -1 and table.files() == []
    view = table.to_arrow()
    assert view.num_rows == 0 and view.schema == BILLING_ITEMS.arrow_schema
    assert table.health().rows == 0


def test_change_sets_insert_update_and_delete_one_commit_each(tmp_path: Path) -> None:
    change(tmp_path, rows(0, 1, 2), [], T0)
    change(tmp_path, rows(1, state="refunded"), ["2"], T0 + timedelta(seconds=1))
    current = state(tmp_path)
    assert sorted(current) == ["0", "1"]
    assert current["1"]["state"] == "refunded"
    assert table_of(tmp_path).version() == 2  # create, then one commit per change set
    assert table_of(tmp_path).health().rows == 2


def test_an_older_read_never_replaces_a_newer_one(tmp_path: Path) -> None:
    change(tmp_path, rows(1, state="newer"), [], T0 + timedelta(seconds=5))
    change(tmp_path, rows(1, state="older"), [], T0)  # landed later, read earlier
    change(tmp_path, [], ["1"], T0 + timedelta(seconds=1))  # a delete read before the newest row
    assert state(tmp_path)["1"]["state"] == "newer"


def test_a_full_pull_leaves_unchanged_rows_untouched(tmp_path: Path) -> None:
    change(tmp_path, rows(0, 1), [], T0)
    before = state(tmp_path)
    result = full_merge(tmp_path, [*rows(0), *rows(1, state="changed"), *rows(2)], T0 + timedelta(hours=1), 1)
    after = state(tmp_path)
    assert (result.inserted, result.updated, result.deleted) == (1, 1, 0)
    assert after["0"]["_sync_id"] == before["0"]["_sync_id"]  # same content: same version
    assert after["0"]["_extracted_at"] == before["0"]["_extracted_at"]
    assert after["1"]["state"] == "changed" and after["1"]["_sync_id"] == "full"


def test_a_full_pull_deletes_only_what_was_read_before_it(tmp_path: Path) -> None:
    change(tmp_path, rows(0), [], T0)
    change(tmp_path, rows(1), [], T0 + timedelta(hours=2))  # a webhook re-read during the pull
    full_merge(tmp_path, [], T0 + timedelta(hours=1), 2, gone=["0", "1"])
    assert sorted(state(tmp_path)) == ["1"]


def test_a_webhook_delete_during_a_pull_is_not_undone_by_it(tmp_path: Path) -> None:
    change(tmp_path, rows(0, 1), [], T0)
    pull_began = table_of(tmp_path).version()
    read_at = datetime.now(UTC)  # the pull reads 0 and 1 ...
    time.sleep(0.01)
    change(tmp_path, [], ["1"], datetime.now(UTC), pull_began)  # ... then a webhook says 1 is gone
    result = full_merge(tmp_path, rows(0, 1, state="pulled"), read_at, pull_began)
    assert result.stale == 1
    assert sorted(state(tmp_path)) == ["0"]


def test_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    """Two writers MERGE interleaved change sets into one table: every write survives."""
    change(tmp_path, rows(0), [], T0)
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for n in range(6):
                i = 100 * offset + n
                change(tmp_path, rows(i, state=f"w{offset}"), [], datetime.now(UTC))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(state(tmp_path)) == sorted(["0", *(str(100 * k + n) for k in (1, 2) for n in range(6))])


def test_landing_rows_to_merge_and_vanished_ids(tmp_path: Path) -> None:
    change(tmp_path, rows(0, 1, 2), [], T0)
    landing = tmp_path / "landing"
    landing.mkdir()
    parts = iter(range(10))
    writer = PartWriter(landing, BILLING_ITEMS.arrow_schema, lambda: f"part-{next(parts):05d}.parquet")
    began = T0 + timedelta(hours=1)
    writer.write(rows_to_table(BILLING_ITEMS, rows(0, 1, state="x"), extracted_at=began, sync_id="f"))
    later = began + timedelta(minutes=1)
    writer.write(rows_to_table(BILLING_ITEMS, rows(0, 3), extracted_at=later, sync_id="f"))
    writer.commit()
    files = table_of(tmp_path).files()
    assert vanished_ids(files, landing, began) == ["2"]
    with rows_to_merge(files, landing, BILLING_ITEMS.arrow_schema) as merged:
        ids = [i for batch in merged for i in batch.column("id").to_pylist()]
    # id 0 landed twice (the second read, unchanged, wins and is skipped); 1 changed; 3 is new
    assert sorted(ids) == ["1", "3"]


def test_maintenance_compacts_and_expires_to_the_current_state(tmp_path: Path) -> None:
    for n in range(8):
        change(tmp_path, rows(n, state=f"s{n}"), [], T0 + timedelta(minutes=n))
    table = table_of(tmp_path)
    before = table.health()
    assert before.files >= 8
    result = table.maintain(timedelta(0))
    after = table.health()
    assert result.compacted_files >= 8 and result.vacuumed_files >= 8 and not result.vacuum_skipped
    assert after.files == 1 and after.rows == 8
    assert after.disk_bytes < before.disk_bytes
    assert sorted(state(tmp_path)) == [str(n) for n in range(8)]
    with pytest.raises(Exception):  # noqa: B017 - history expired: the first version's files are gone
        table.to_arrow(version=1)


def test_maintenance_keeps_history_within_the_retention(tmp_path: Path) -> None:
    change(tmp_path, rows(1, state="monday"), [], T0)
    change(tmp_path, rows(1, state="tuesday"), [], T0 + timedelta(days=1))
    table = table_of(tmp_path)
    table.maintain(KEEP)
    assert table.to_arrow(version=1).column("state").to_pylist() == ["monday"]  # time travel
    assert state(tmp_path)["1"]["state"] == "tuesday"


def test_vacuum_waits_for_readers_and_skips_past_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    change(tmp_path, rows(1), [], T0)
    change(tmp_path, rows(1, state="again"), [], T0 + timedelta(seconds=1))
    table = table_of(tmp_path)
    pinned = table.files(version=1)
    monkeypatch.setattr(lake_table_module, "READ_LEASE_TIMEOUT_SECONDS", 0.2)
    with read_lease(table.lake_dir):  # a dbt build reading version 1
        result = table.maintain(timedelta(0))
        assert result.vacuum_skipped and result.vacuumed_files == 0
        assert all(os.path.exists(f) for f in pinned)
    assert table.maintain(timedelta(0)).vacuumed_files >= 1


@pytest.mark.parametrize(
    ("live", "gone", "message"),
    [([], [], "at least one"), (rows(1), ["1"], "both")],
)
def test_change_set_rejects_empty_or_contradictory_input(
    tmp_path: Path, live: list[dict[str, Any]], gone: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        change(tmp_path, live, gone, T0)


def test_change_set_with_bad_rows_writes_nothing(tmp_path: Path) -> None:
    change(tmp_path, rows(0), [], T0)
    bad = {**make_row(BILLING_ITEMS, 1), "amount_paid": 12.5}
    with pytest.raises(Exception, match="amount_paid"):
        change(tmp_path, [bad], [], T0 + timedelta(seconds=1))
    assert table_of(tmp_path).version() == 1 and sorted(state(tmp_path)) == ["0"]


_CRASH_LOOP = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from pipelines.healthie.streams import BILLING_ITEMS
    from pipelines.extract.change import ChangeSet, ReadMark, merge_changes
    from pipelines.lake.layout import lake_table
    sys.path.insert(0, sys.argv[2])
    from synthetic import make_row
    warehouse = sys.argv[1]
    table = lake_table(warehouse, BILLING_ITEMS.name, BILLING_ITEMS.arrow_schema)
    n = 0
    while True:
        n += 1
        row = {**make_row(BILLING_ITEMS, n % 50), "state": f"round-{n}"}
        merge_changes(warehouse, BILLING_ITEMS, ChangeSet([row], [], ReadMark(datetime.now(UTC), -1)),
                      retention=timedelta(0))
        if n % 5 == 0:
            table.maintain(timedelta(0))
        print(n, flush=True)
    """
)


def test_kill_9_during_merges_and_maintenance_loses_nothing(tmp_path: Path) -> None:
    """A writer merging and maintaining in a loop is killed at arbitrary moments; each time the table
    still reads, holds every record committed before, and the next maintenance cleans up."""
    here = str(Path(__file__).parent)
    committed = 0
    for delay in (0.9, 1.3, 1.7, 2.1):
        proc = subprocess.Popen(
            [sys.executable, "-c", _CRASH_LOOP, str(tmp_path), here],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        committed = max([committed, *(int(line.split()[0]) for line in out.split())])
        current = state(tmp_path)
        assert len(current) == min(committed, 50) or len(current) == min(committed + 1, 50)
    table = table_of(tmp_path)
    table.maintain(timedelta(0))
    assert table.health().files == 1
    assert len(state(tmp_path)) == min(committed, 50) or len(state(tmp_path)) == min(committed + 1, 50)
