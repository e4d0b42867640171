"""The generic pager and the full-sync engine (below the Dagster assets) against the sandbox over HTTP:
complete, resumable, guarded against runaway paging.

The module has its own small server (`engine`): tests delete, move and unfinish rows, so each reads
the sandbox's truth after its own changes. Requests go over loopback through `RecordingTransport`,
which keeps what the client sent and lets a test act at a chosen request (schedule a fault, move a row).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle, start_in_thread
from healthie_sandbox.timestamps import parse_any
from pipelines.extract.change import ChangeSet, ReadMark, merge_changes
from pipelines.extract.checkpoint import Checkpoint, Phase
from pipelines.extract.options import StreamResult, SyncOptions
from pipelines.extract.sync import StreamSync
from pipelines.files import exclusive_lock
from pipelines.healthie.errors import ExtractionError, RunawayPaginationError
from pipelines.healthie.pager import Page, PageSizer, iter_pages, page_budget
from pipelines.healthie.streams import (
    APPOINTMENTS,
    BILLING_ITEMS,
    FORM_ANSWER_GROUPS,
    PROVIDERS,
    STREAMS_BY_NAME,
    StreamSpec,
)
from pipelines.healthie.windows import Window
from pipelines.lake.layout import lake_table, list_batches, stream_dir
from pipelines.lake.reader import batch_files, batch_stats

from .conftest import RecordingTransport, client_for

LOG = logging.getLogger("test")
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
OPTIONS = SyncOptions(
    history_start=TODAY - timedelta(days=3 * 365),  # seeded data spans the last two years
    future_days=30,
    window_concurrency=4,
    rows_per_file=25,
    page_size=10,
    min_window_pages=1,
)


@pytest.fixture(scope="module")
def engine() -> Iterator[SandboxHandle]:
    """This module's server: 200 appointments, 100 payments, 40 forms, 3 providers."""
    with start_in_thread(scale=0.05, seed=5) as handle:
        yield handle


@pytest.fixture
def control(engine: SandboxHandle) -> Iterator[SandboxControl]:
    with engine.control() as client:
        yield client
        client.clear_faults()


def truth_ids(control: SandboxControl, stream: str) -> set[str]:
    return {str(row["id"]) for row in control.truth(stream)}


def table_rows(warehouse: Path, spec: StreamSpec) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in lake_table(warehouse, spec.name, spec.arrow_schema).to_arrow().to_pylist()}


def view_ids(warehouse: Path, stream: str) -> list[str]:
    return list(table_rows(warehouse, STREAMS_BY_NAME[stream]))


def sync(
    handle: SandboxHandle,
    spec: StreamSpec,
    warehouse: Path,
    options: SyncOptions = OPTIONS,
    transport: httpx.AsyncBaseTransport | None = None,
) -> StreamResult:
    async def go() -> StreamResult:
        async with client_for(handle, transport) as client:
            return await StreamSync(client, spec, warehouse, options, LOG).run()

    return asyncio.run(go())


def all_pages(
    handle: SandboxHandle,
    spec: StreamSpec,
    sizer: PageSizer,
    expected: int | None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Page]:
    async def go() -> list[Page]:
        async with client_for(handle, transport) as client:
            return [p async for p in iter_pages(client, spec, Window(), sizer, expected_rows=expected)]

    return asyncio.run(go())


def page_sizes(total: int, size: int) -> list[int]:
    """What paging `total` rows by `size` yields: full pages, then a short (maybe empty) last one."""
    return [size] * (total // size) + [total % size]


def item_ids(pages: list[Page]) -> list[str]:
    return [str(item["id"]) for page in pages for item in page.items]


# -- the pager -------------------------------------------------------------------------------------


def test_cursor_pager_walks_every_page_with_required_args(
    engine: SandboxHandle, control: SandboxControl
) -> None:
    truth = truth_ids(control, "appointments")
    transport = RecordingTransport()
    pages = all_pages(engine, APPOINTMENTS, PageSizer(60), len(truth), transport)
    assert [len(p.items) for p in pages] == page_sizes(len(truth), 60)
    assert pages[-1].is_last and not any(p.is_last for p in pages[:-1])
    ids = item_ids(pages)
    assert len(ids) == len(set(ids)) and set(ids) == truth, "every row once (the required args keep all)"
    first, second = transport.variables("Appointments")[:2]
    assert first == {**APPOINTMENTS.required_args, "page_size": 60, "order_by": "CREATED_AT_ASC"}
    assert second["after"] == pages[0].next_cursor


def test_offset_pager(engine: SandboxHandle, control: SandboxControl) -> None:
    truth = truth_ids(control, "providers")
    assert len(truth) == 3
    transport = RecordingTransport()
    pages = all_pages(engine, PROVIDERS, PageSizer(2), len(truth), transport)
    assert [p.next_offset for p in pages] == [2, 3]
    assert [v["offset"] for v in transport.variables("Providers")] == [0, 2]
    assert set(item_ids(pages)) == truth


def test_page_size_halves_when_too_complex(engine: SandboxHandle, control: SandboxControl) -> None:
    control.set_faults(max_complexity=30)  # a payment costs 1 per row: 100 and 50 are refused, 25 fits
    control.reset_stats()
    truth = truth_ids(control, "billing_items")
    sizer = PageSizer(100)
    pages = all_pages(engine, BILLING_ITEMS, sizer, len(truth))
    assert sizer.size == 25 and set(item_ids(pages)) == truth and len(item_ids(pages)) == len(truth)
    assert control.stats()["too_complex"] == 2


class StuckCursorTransport(RecordingTransport):
    """Answers the second list request with the server's first page again: a server that does not
    advance. The sandbox cannot be made to do this (its keyset cursors always move past the page just
    served, and no fault kind repeats an answer), so this one response is replayed on the client side;
    every request still goes to the sandbox over HTTP."""

    def __init__(self) -> None:
        super().__init__()
        self.first: bytes | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        body = await response.aread()
        if self.first is None:
            self.first = body
        else:
            body = self.first
        return httpx.Response(response.status_code, headers=response.headers, content=body)


def test_repeated_cursor_is_a_runaway(engine: SandboxHandle, control: SandboxControl) -> None:
    expected = len(truth_ids(control, "billing_items"))
    with pytest.raises(RunawayPaginationError, match="cursor repeated on page 2"):
        all_pages(engine, BILLING_ITEMS, PageSizer(10), expected, StuckCursorTransport())


def test_more_pages_than_the_count_allows_is_a_runaway(engine: SandboxHandle) -> None:
    transport = RecordingTransport()
    with pytest.raises(RunawayPaginationError, match="does not end"):
        all_pages(engine, BILLING_ITEMS, PageSizer(10), 2, transport)  # the server holds ~100 rows
    assert page_budget(2, 10) == 3 and len(transport.bodies) == 3


# -- full syncs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec", [APPOINTMENTS, BILLING_ITEMS, FORM_ANSWER_GROUPS, PROVIDERS], ids=lambda s: s.name
)
def test_full_sync_lands_every_row_once(
    spec: StreamSpec, engine: SandboxHandle, control: SandboxControl, tmp_path: Path
) -> None:
    result = sync(engine, spec, tmp_path)
    truth = truth_ids(control, spec.name)
    landed = view_ids(tmp_path, spec.name)
    assert len(landed) == len(set(landed)) and set(landed) == truth
    assert result.live_ids == result.source_count_end == len(truth)
    assert not result.churn_observed and result.deleted == 0
    assert result.inserted == len(truth) and result.table_files >= 1
    assert list_batches(tmp_path, spec.name) == [], "the landing copy is removed once merged"
    if spec.windowing:
        assert result.windows > 3, "the stream was split into windows"


def fail_at_list_request(
    control: SandboxControl, operation: str, number: int
) -> Callable[[dict[str, Any]], None]:
    """A `before` hook scheduling one malformed answer for the `number`-th `operation` request."""
    seen = 0

    def before(body: dict[str, Any]) -> None:
        nonlocal seen
        if body["operationName"] == operation:
            seen += 1
            if seen == number:
                control.fail_next(1, "invalid_json")

    return before


def test_kill_mid_sync_then_rerun_completes_without_duplicates(
    engine: SandboxHandle, control: SandboxControl, tmp_path: Path
) -> None:
    truth = truth_ids(control, "billing_items")
    one_at_a_time = replace(OPTIONS, window_concurrency=1, page_size=5, rows_per_file=10)
    transport = RecordingTransport(before=fail_at_list_request(control, "BillingItems", 8))
    with pytest.raises(ExtractionError, match=r"billing_items window .* page \d+: invalid JSON") as caught:
        sync(engine, BILLING_ITEMS, tmp_path, one_at_a_time, transport)
    assert engine.api_key not in str(caught.value)
    assert not list(tmp_path.rglob(".*.tmp")), "no temp file survives a failure"
    assert view_ids(tmp_path, "billing_items") == [], "nothing is merged before the pull is complete"
    ((_, landing),) = list_batches(tmp_path, "billing_items")
    assert 0 < batch_stats(landing)["live_ids"] < len(truth)
    result = sync(engine, BILLING_ITEMS, tmp_path)
    assert result.resumed
    ids = view_ids(tmp_path, "billing_items")
    assert len(ids) == len(set(ids)) and set(ids) == truth
    assert list_batches(tmp_path, "billing_items") == []


def test_reconciliation_deletes_what_vanished(
    engine: SandboxHandle, control: SandboxControl, tmp_path: Path
) -> None:
    sync(engine, APPOINTMENTS, tmp_path)
    for row in control.truth("appointments")[3:5]:
        control.delete("appointments", row["id"])
    result = sync(engine, APPOINTMENTS, tmp_path)
    assert result.deleted == 2 and not result.resumed
    assert set(view_ids(tmp_path, "appointments")) == truth_ids(control, "appointments")


def test_a_second_sync_of_the_same_stream_fails_fast(
    engine: SandboxHandle, control: SandboxControl, tmp_path: Path
) -> None:
    lock = exclusive_lock(stream_dir(tmp_path, "billing_items") / ".sync.lock")
    with lock, pytest.raises(ExtractionError, match="another full sync"):
        sync(engine, BILLING_ITEMS, tmp_path)
    assert sync(engine, BILLING_ITEMS, tmp_path).live_ids == len(truth_ids(control, "billing_items"))


def test_reconciliation_rereads_before_tombstoning(
    engine: SandboxHandle, control: SandboxControl, tmp_path: Path
) -> None:
    sync(engine, FORM_ANSWER_GROUPS, tmp_path)
    # Lists show finished forms only, a by-id read any live form: unfinished, the form leaves the list
    # yet exists, so it must be re-read and kept, not deleted.
    unlisted = str(control.truth("form_answer_groups")[7]["id"])
    control.update("form_answer_groups", unlisted, finished=False)
    result = sync(engine, FORM_ANSWER_GROUPS, tmp_path)
    assert (result.recovered, result.deleted) == (1, 0)
    assert unlisted not in truth_ids(control, "form_answer_groups")
    assert set(view_ids(tmp_path, "form_answer_groups")) == truth_ids(control, "form_answer_groups") | {
        unlisted
    }


def test_rows_moved_into_a_pulled_window_are_recovered_by_the_recount(
    engine: SandboxHandle, control: SandboxControl, tmp_path: Path
) -> None:
    pulled: list[tuple[str, str]] = []  # (first day, last day) of each window paged so far, in order
    moved: list[str] = []

    def inside(day: str) -> bool:
        return any(lo <= day <= hi for lo, hi in pulled)

    def reschedule(body: dict[str, Any]) -> None:
        """Once a window is finished, move an appointment not pulled yet into it (a reschedule)."""
        if body["operationName"] != "Appointments" or moved:
            return
        variables = body["variables"]
        current = (variables.get("startDate", "0000-00-00"), variables.get("endDate", "9999-99-99"))
        done = [w for w in pulled if w != current]  # one window at a time: earlier ones are finished
        if current not in pulled:
            pulled.append(current)
        if not done:
            return
        row = next(r for r in control.truth("appointments") if not inside(utc_day(r["date"])))
        target = done[0][0] if done[0][0] != "0000-00-00" else done[0][1]
        control.update("appointments", row["id"], date=f"{target} 12:00:00 +0000")
        moved.append(str(row["id"]))

    transport = RecordingTransport(before=reschedule)
    result = sync(engine, APPOINTMENTS, tmp_path, replace(OPTIONS, window_concurrency=1), transport)
    assert moved, "an appointment was moved mid-sync"
    assert set(view_ids(tmp_path, "appointments")) == truth_ids(control, "appointments")
    assert result.churn_observed and result.repulled_windows >= 1


def test_a_row_created_in_a_window_counted_empty_is_pulled_in_a_second_pass(
    engine: SandboxHandle, control: SandboxControl, tmp_path: Path
) -> None:
    """Windows counted empty are not paged; a row created in one meanwhile makes the stream's count
    disagree at the verify step, and the recount pulls that window."""
    created: list[str] = []

    def create_in_the_head(body: dict[str, Any]) -> None:
        if body["operationName"] == "Appointments" and not created:
            created.append(control.create("appointments", date="2012-03-01 12:00:00 +0000"))

    transport = RecordingTransport(before=create_in_the_head)
    result = sync(engine, APPOINTMENTS, tmp_path, transport=transport)
    assert created, "an appointment was created mid-sync"
    assert created[0] in view_ids(tmp_path, "appointments")
    assert set(view_ids(tmp_path, "appointments")) == truth_ids(control, "appointments")
    assert result.churn_observed and result.repulled_windows >= 1
    control.delete("appointments", created[0])


def utc_day(stamp: str) -> str:
    """The UTC day of a sandbox timestamp (`2026-01-06 12:00:00 -0700` and its other styles)."""
    return datetime.fromtimestamp(parse_any(stamp), UTC).date().isoformat()


def test_mutable_windows_end_with_a_catch_up_pass_from_the_sync_start(
    engine: SandboxHandle, control: SandboxControl, tmp_path: Path
) -> None:
    transport = RecordingTransport()
    before = datetime.now(UTC)
    sync(engine, FORM_ANSWER_GROUPS, tmp_path, transport=transport)
    catch_up = transport.variables("FormAnswerGroups")[-1]
    assert "updated_before" not in catch_up
    started = datetime.fromisoformat(catch_up["updated_after"])
    assert before - timedelta(minutes=6) <= started <= before
    assert set(view_ids(tmp_path, "form_answer_groups")) == truth_ids(control, "form_answer_groups")


def test_a_sync_killed_after_its_merge_commits_does_not_merge_twice(
    engine: SandboxHandle, control: SandboxControl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The MERGE is committed but the process dies before the checkpoint says so: the rerun finds the
    batch in the table's commit log and goes on to maintenance, without a second MERGE."""
    save = Checkpoint.save

    def die_after_merge(self: Checkpoint, directory: Path) -> None:
        if self.phase is Phase.MAINTAIN:
            raise KeyboardInterrupt("killed after the merge commit")
        save(self, directory)

    monkeypatch.setattr(Checkpoint, "save", die_after_merge)
    with pytest.raises(KeyboardInterrupt):
        sync(engine, BILLING_ITEMS, tmp_path)
    monkeypatch.setattr(Checkpoint, "save", save)
    version = lake_table(tmp_path, "billing_items", BILLING_ITEMS.arrow_schema).version()
    result = sync(engine, BILLING_ITEMS, tmp_path)
    assert result.resumed and result.inserted == 0
    assert result.table_version == version, "no second MERGE commit"
    assert set(view_ids(tmp_path, "billing_items")) == truth_ids(control, "billing_items")


def landed_ids(warehouse: Path, stream: str) -> list[str]:
    """Ids the running pull has landed so far (its committed parts)."""
    ((_, landing),) = list_batches(warehouse, stream)
    return [
        i for f in batch_files(landing) for i in pq.read_table(f, columns=["id"]).column("id").to_pylist()
    ]


@pytest.mark.parametrize("webhook", ["update", "delete"])
def test_a_webhook_refresh_during_a_pull_wins_over_the_pulls_older_copy(
    engine: SandboxHandle, control: SandboxControl, tmp_path: Path, webhook: str
) -> None:
    """While the nightly pull is under way a record it already read changes (or is deleted) and a
    webhook refresh MERGEs the re-read; the pull's later MERGE must not bring the old copy back."""
    sync(engine, BILLING_ITEMS, tmp_path)
    table = lake_table(tmp_path, "billing_items", BILLING_ITEMS.arrow_schema)
    changed: list[str] = []

    def refresh_midway(body: dict[str, Any]) -> None:
        if changed or body["operationName"] != "BillingItems" or not list_batches(tmp_path, "billing_items"):
            return
        landed = landed_ids(tmp_path, "billing_items")
        if not landed:
            return
        record = landed[0]
        mark = ReadMark.now(table)
        if webhook == "update":
            control.update("billing_items", record, note="changed by a webhook")
            (row,) = [r for r in control.truth("billing_items") if str(r["id"]) == record]
            fresh = {f.name: row.get(f.name) for f in BILLING_ITEMS.fields}
            merge_changes(tmp_path, BILLING_ITEMS, ChangeSet([fresh], [], mark), retention=timedelta(days=7))
        else:
            control.delete("billing_items", record)
            merge_changes(tmp_path, BILLING_ITEMS, ChangeSet([], [record], mark), retention=timedelta(days=7))
        changed.append(record)

    slow = replace(OPTIONS, window_concurrency=1, page_size=5, rows_per_file=5)
    result = sync(engine, BILLING_ITEMS, tmp_path, slow, RecordingTransport(before=refresh_midway))
    assert changed, "the webhook refresh happened mid-pull"
    rows = table_rows(tmp_path, BILLING_ITEMS)
    if webhook == "update":
        assert rows[changed[0]]["note"] == "changed by a webhook"
    else:
        assert changed[0] not in rows
    assert set(rows) == truth_ids(control, "billing_items")
    assert result.inserted == 0
