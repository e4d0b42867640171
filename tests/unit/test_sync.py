"""The generic pager and the full-sync engine against an in-memory fake: complete, resumable, guarded."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipelines.healthie.errors import ExtractionError, RunawayPaginationError
from pipelines.healthie.options import StreamResult, SyncOptions
from pipelines.healthie.pager import PageSizer, iter_pages, page_budget
from pipelines.healthie.streams import APPOINTMENTS, BILLING_ITEMS, FORM_ANSWER_GROUPS, PROVIDERS, StreamSpec
from pipelines.healthie.sync import StreamSync
from pipelines.healthie.windows import Window
from pipelines.lake.files import exclusive_lock
from pipelines.lake.layout import list_batches, stream_dir
from pipelines.lake.reader import current_view

from .fakes import FakeHealthie, fail_with, graphql_error, utc

LOG = logging.getLogger("test")
START = utc(2022, 1, 1)
OPTIONS = SyncOptions(
    history_start=START,
    future_days=30,
    window_concurrency=4,
    rows_per_file=25,
    page_size=20,
    min_window_pages=1,
)


def sync(fake: FakeHealthie, warehouse: Path, options: SyncOptions = OPTIONS) -> StreamResult:
    async def go() -> StreamResult:
        async with fake.client() as client:
            return await StreamSync(client, fake.spec, warehouse, options, LOG).run()

    return asyncio.run(go())


def seeded(spec: StreamSpec, n: int) -> FakeHealthie:
    fake = FakeHealthie(spec)
    fake.add(n, utc(2022, 6, 1), timedelta(hours=13))
    return fake


def view_ids(warehouse: Path, stream: str) -> list[str]:
    return current_view(warehouse, stream).column("id").to_pylist()


async def all_pages(fake: FakeHealthie, window: Window, sizer: PageSizer, expected: int | None) -> list[Any]:
    async with fake.client() as client:
        return [p async for p in iter_pages(client, fake.spec, window, sizer, expected_rows=expected)]


def test_cursor_pager_walks_every_page_with_required_args() -> None:
    fake = seeded(APPOINTMENTS, 1100)
    pages = asyncio.run(all_pages(fake, Window(), PageSizer(500), 1100))
    assert [len(p.items) for p in pages] == [500, 500, 100]
    assert pages[-1].is_last
    first, second = fake.requests[0]["variables"], fake.requests[1]["variables"]
    assert first == {**APPOINTMENTS.required_args, "page_size": 500, "order_by": "CREATED_AT_ASC"}
    assert second["after"] == pages[0].next_cursor


def test_offset_pager() -> None:
    fake = seeded(PROVIDERS, 250)
    pages = asyncio.run(all_pages(fake, Window(), PageSizer(100), 250))
    assert [p.next_offset for p in pages] == [100, 200, 250]
    assert [r["variables"]["offset"] for r in fake.requests] == [0, 100, 200]


def test_page_size_halves_when_too_complex() -> None:
    fake = seeded(BILLING_ITEMS, 60)
    too_complex = graphql_error("Query has complexity of 2600, which exceeds max complexity of 2000")
    fake.faults = [too_complex, too_complex]
    sizer = PageSizer(100)
    pages = asyncio.run(all_pages(fake, Window(), sizer, 60))
    assert sizer.size == 25 and sum(len(p.items) for p in pages) == 60


def test_repeated_cursor_is_a_runaway() -> None:
    fake = seeded(BILLING_ITEMS, 30)
    stuck = fake._page({"page_size": 10})
    fake.faults = [lambda _: None, fail_with(200, {"data": {"items": stuck}})]
    with pytest.raises(RunawayPaginationError, match="cursor repeated"):
        asyncio.run(all_pages(fake, Window(), PageSizer(10), 30))


def test_more_pages_than_the_count_allows_is_a_runaway() -> None:
    fake = seeded(BILLING_ITEMS, 100)
    with pytest.raises(RunawayPaginationError, match="does not end"):
        asyncio.run(all_pages(fake, Window(), PageSizer(10), 2))
    assert page_budget(2, 10) == 3


@pytest.mark.parametrize(
    "spec", [APPOINTMENTS, BILLING_ITEMS, FORM_ANSWER_GROUPS, PROVIDERS], ids=lambda s: s.name
)
def test_full_sync_lands_every_row_once(spec: StreamSpec, tmp_path: Path) -> None:
    fake = seeded(spec, 300)
    result = sync(fake, tmp_path)
    assert sorted(view_ids(tmp_path, spec.name), key=int) == sorted(fake.ids(), key=int)
    assert result.live_ids == result.source_count_end == 300
    assert not result.churn_observed and result.tombstones == 0
    if spec.windowing:
        assert result.windows > 3, "the stream was split into windows"


def test_kill_mid_sync_then_rerun_completes_without_duplicates(tmp_path: Path) -> None:
    fake = seeded(BILLING_ITEMS, 400)
    fake.faults = [lambda _: None] * 30 + [graphql_error("internal failure")]
    with pytest.raises(ExtractionError, match=r"billing_items window .* page \d+: GraphQL error"):
        sync(fake, tmp_path, replace(OPTIONS, window_concurrency=1, rows_per_file=10))
    assert not list(tmp_path.rglob(".*.tmp")), "no temp file survives a failure"
    partial = len(view_ids(tmp_path, "billing_items"))
    assert 0 < partial < 400
    result = sync(fake, tmp_path)
    assert result.resumed
    ids = view_ids(tmp_path, "billing_items")
    assert len(ids) == len(set(ids)) == 400
    assert len(list_batches(tmp_path, "billing_items")) == 1


def test_reconciliation_tombstones_what_vanished(tmp_path: Path) -> None:
    fake = seeded(APPOINTMENTS, 50)
    sync(fake, tmp_path)
    for gone in ("3", "17"):
        fake.delete(gone)
    result = sync(fake, tmp_path)
    assert result.tombstones == 2 and not result.resumed
    assert set(view_ids(tmp_path, "appointments")) == fake.ids()


def test_a_second_sync_of_the_same_stream_fails_fast(tmp_path: Path) -> None:
    lock = exclusive_lock(stream_dir(tmp_path, "billing_items") / ".sync.lock")
    with lock, pytest.raises(ExtractionError, match="another full sync"):
        sync(seeded(BILLING_ITEMS, 5), tmp_path)
    assert sync(seeded(BILLING_ITEMS, 5), tmp_path).live_ids == 5


def test_reconciliation_rereads_before_tombstoning(tmp_path: Path) -> None:
    fake = seeded(BILLING_ITEMS, 50)
    sync(fake, tmp_path)
    fake.unlisted.add("7")  # the list misses it, yet it exists: it must not be tombstoned
    result = sync(fake, tmp_path)
    assert (result.recovered, result.tombstones) == (1, 0)
    assert set(view_ids(tmp_path, "billing_items")) == fake.ids()


def test_rows_moved_into_a_pulled_window_are_recovered_by_the_recount(tmp_path: Path) -> None:
    fake = seeded(APPOINTMENTS, 200)
    seen: list[tuple[str, str]] = []

    def requested(record: Any) -> bool:
        day = record.at.date().isoformat()
        return any(lo <= day <= hi for lo, hi in seen)

    def reschedule(fake: FakeHealthie, variables: dict[str, Any]) -> None:
        seen.append((variables.get("startDate", "0000"), variables.get("endDate", "9999")))
        if len(seen) == 6:  # mid-sync, an appointment not pulled yet moves into the first, pulled window
            moved = next(r for r in fake.records if not requested(r))
            moved.at = datetime.fromisoformat(seen[0][0] if seen[0][0] != "0000" else seen[0][1]).replace(
                tzinfo=UTC
            )

    fake.on_list = reschedule
    result = sync(fake, tmp_path, replace(OPTIONS, window_concurrency=1))
    assert set(view_ids(tmp_path, "appointments")) == fake.ids()
    assert result.churn_observed and result.repulled_windows >= 1


def test_mutable_windows_end_with_a_catch_up_pass_from_the_sync_start(tmp_path: Path) -> None:
    fake = seeded(FORM_ANSWER_GROUPS, 200)
    before = datetime.now(UTC)
    sync(fake, tmp_path)
    catch_up = [r["variables"] for r in fake.requests if r["operationName"] == "FormAnswerGroups"][-1]
    assert "updated_before" not in catch_up
    started = datetime.fromisoformat(catch_up["updated_after"])
    assert before - timedelta(minutes=6) <= started <= before
    assert set(view_ids(tmp_path, "form_answer_groups")) == fake.ids()
