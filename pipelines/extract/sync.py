"""A full sync of one stream into one lake batch: plan, pull concurrently, verify, reconcile.

1. Plan: one count per cell of a coarse grid over [history_start, today + future_days] plus the open
   ends, all concurrent; sparse neighbours merge. Non-windowed streams are one window, and ask the
   client to let their requests pass the windowed streams' at the limiter (a serial chain of pages
   is what would end the run last; healthie/pacing.py).
2. Pull: windows run concurrently (at most `window_concurrency` at once per stream, biggest first),
   each paging with the generic pager into its own rolling part files; after every committed part the
   checkpoint records the window's durable cursor, so a killed sync resumes from there (see
   extract/checkpoint.py). A cell holding too many rows is cut into ceil(count / target) slices that
   share its count out as an estimate (`count_slices` counts them instead, a request each). A window
   counted empty is not paged (`skip_empty_windows`): step 4 catches a row that arrived since.
   Every request spent on a count or a partly filled last page is one fewer for rows, so windows are
   few and full (`min_window_pages`): the streams of a run together keep the limiter busy.
3. Catch-up (mutable windowing, e.g. form answer groups on updated_at): rows updated during the sync
   leave the window they were in, so one more window `updated_after: sync start - margin` picks them up.
4. Verify: if the batch's distinct ids differ from the stream's count, recount every window; one
   whose count now exceeds what its pass landed (a row created in or moved into it after it was
   pulled: an appointment rescheduled into an earlier window) is pulled again, up to `max_passes`.
5. Reconcile: ids that vanished from Healthie are re-read, and confirmed gone (extract/reconcile.py).
6. Merge: the newest landed row of each id is MERGEd into the stream's Delta table (lake/table.py):
   new ids inserted, changed rows updated, unchanged rows untouched, vanished ids deleted, and never
   a newer version (a webhook refresh's) replaced by the pull's older one. The commit names the
   batch, so a sync killed after it does not merge twice.
7. Maintain: compact small files, checkpoint the log, expire versions past the retention; then the
   landing batch is deleted (the table holds its rows).
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipelines.extract.checkpoint import Checkpoint, MergeSummary, Phase, WindowState, sweep_uncommitted
from pipelines.extract.options import Log, StreamResult, SyncOptions
from pipelines.extract.reconcile import reconcile
from pipelines.extract.rows import rows_to_table
from pipelines.files import LockedError, ensure_dir, exclusive_lock
from pipelines.healthie.client import ClientSettings, HealthieClient
from pipelines.healthie.concurrency import gather_all
from pipelines.healthie.errors import ExtractionError, HealthieError
from pipelines.healthie.pager import PageSizer, iter_pages
from pipelines.healthie.responses import require_count
from pipelines.healthie.streams import StreamSpec
from pipelines.healthie.windows import (
    Window,
    grid,
    initial_windows,
    merge_small,
    share_out,
    target_rows_per_window,
    to_bound,
)
from pipelines.lake.layout import BatchId, BatchKind, batch_dir, lake_table, list_batches, stream_dir
from pipelines.lake.reader import batch_stats, rows_to_merge
from pipelines.lake.table import MaintenanceResult, deletions
from pipelines.lake.writer import PartWriter

#: The catch-up pass starts this long before the sync did, to absorb client/server clock skew.
CATCHUP_MARGIN = timedelta(minutes=5)
CATCHUP_KEY = "catchup"
SYNC_LOCK_NAME = ".sync.lock"
#: A window is cut only when it holds this much more than the target (a few rows over is not worth a
#: count request and an extra window).
SPLIT_SLACK = 1.5


class StreamSync:
    """Runs (or resumes) one full batch of one stream; create one per stream per run."""

    def __init__(
        self, client: HealthieClient, spec: StreamSpec, warehouse_dir: Path, options: SyncOptions, log: Log
    ) -> None:
        self.client, self.spec, self.options, self.log = client, spec, options, log
        self.warehouse_dir = Path(warehouse_dir)
        self._slots = asyncio.Semaphore(options.window_concurrency)
        self.sizer = PageSizer(min(spec.page_size_cap, options.page_size or spec.page_size_cap))
        self.pages = 0
        self.directory = Path()
        self.cp = Checkpoint(spec.name, "", datetime.now(UTC), None)
        self.table = lake_table(self.warehouse_dir, spec.name, spec.arrow_schema)
        self.maintenance: MaintenanceResult | None = None

    async def run(self) -> StreamResult:
        """Run the stream's sync; a second sync of the same stream at the same time fails fast rather
        than sweeping the first one's files as uncommitted."""
        lock = stream_dir(self.warehouse_dir, self.spec.name) / SYNC_LOCK_NAME
        try:
            with exclusive_lock(lock):
                return await self._run()
        except LockedError:
            raise ExtractionError(f"{self.spec.name}: another full sync of this stream is running") from None

    async def _run(self) -> StreamResult:
        began = time.monotonic()
        resumed = self._open_batch()
        cp = self.cp
        if cp.phase is Phase.PULL:
            if not cp.windows:
                await self._plan()
                self._save()
            self._prioritize()
            await self._pull(cp.windows)
            cp.phase = Phase.CATCHUP if self.spec.windowing and self.spec.windowing.mutable else Phase.VERIFY
            self._save()
        if cp.phase is Phase.CATCHUP:
            await self._catch_up()
            cp.phase = Phase.VERIFY
            self._save()
        if cp.phase is Phase.VERIFY:
            await self._verify()
            cp.phase = Phase.RECONCILE
            self._save()
        if cp.phase is Phase.RECONCILE:
            await reconcile(self.client, self.spec, self.table, self.directory, self.cp, self.log)
            cp.phase = Phase.MERGE
            self._save()
        if cp.phase is Phase.MERGE:
            await asyncio.to_thread(self._merge)
            cp.phase = Phase.MAINTAIN
            self._save()
        if cp.phase is Phase.MAINTAIN:
            if self.options.maintain:
                self.maintenance = await asyncio.to_thread(self.table.maintain, self.options.retention)
            cp.phase = Phase.COMPLETE
            self._save()
        result = self._result(time.monotonic() - began, resumed)
        shutil.rmtree(self.directory)  # merged: no second copy of the records stays in landing
        return result

    # -- batch ----------------------------------------------------------------------------------------

    def _open_batch(self) -> bool:
        """Resume the stream's latest landing batch if it is unfinished and recent, else start a new one.
        Any other landing batch is abandoned (too old, or merged but not yet removed): deleted."""
        batches = list_batches(self.warehouse_dir, self.spec.name, BatchKind.FULL)
        resumable = None
        if self.options.resume and batches:
            batch, path = batches[-1]
            checkpoint = Checkpoint.load(path)
            age = datetime.now(UTC) - batch.started_at
            if checkpoint and checkpoint.phase is not Phase.COMPLETE and age <= self.options.resume_max_age:
                resumable = batch, path, checkpoint
        for _, path in batches[:-1] if resumable else batches:
            shutil.rmtree(path)
        if resumable:
            batch, path, checkpoint = resumable
            swept = sweep_uncommitted(path, checkpoint)
            self.directory, self.cp = path, checkpoint
            self.log.info(
                "%s: resuming batch %s at phase %s (%d/%d windows done, %d uncommitted file(s) removed)",
                self.spec.name,
                batch,
                checkpoint.phase.value,
                sum(s.done for s in checkpoint.windows),
                len(checkpoint.windows),
                swept,
            )
            return True
        batch = BatchId.new(BatchKind.FULL)
        self.directory = ensure_dir(batch_dir(self.warehouse_dir, self.spec.name, batch))
        kind = self.spec.windowing.kind if self.spec.windowing else None
        self.cp = Checkpoint(self.spec.name, batch.value, batch.started_at, kind)
        self.cp.table_version = self.table.version()
        return False

    def _save(self) -> None:
        self.cp.save(self.directory)

    # -- planning -------------------------------------------------------------------------------------

    def _target_rows(self) -> int:
        """The plan's rows per window (set when the stream was counted, before any window is cut)."""
        target = self.cp.summary.target_rows
        if target is None:
            raise RuntimeError(f"{self.spec.name}: no window target planned before splitting a window")
        return target

    async def _count(self, window: Window) -> int | None:
        if self.spec.count_operation is None:
            return None
        variables = {**self.spec.count_variables(), **window.variables(self.spec.windowing)}
        try:
            data = await self.client.execute(
                self.spec.query_text, self.spec.count_operation, variables, label=self.spec.name
            )
            return require_count(data)
        except HealthieError as exc:
            raise ExtractionError(f"{self.spec.name} count of window {window.label()}: {exc}") from exc

    async def _plan(self) -> None:
        """First cut: one count for a non-windowed stream; for a windowed one, a coarse grid of cells
        counted concurrently (their sum is the total). Sparse neighbours merge; a cell too big for one
        window is marked coarse and cut later, while other windows are already pulling (`_process`)."""
        windowing = self.spec.windowing
        cells: list[Window] = [Window()]
        if windowing is None or self.spec.count_operation is None:
            counts = [await self._count(Window())]
        else:
            horizon = self.cp.started_at + timedelta(days=self.options.future_days)
            head, middle, tail = initial_windows(windowing.kind, self.options.history_start, horizon)
            cells = [head, *grid(middle, windowing.kind, self.options.coarse_cells), tail]
            counts = list(await gather_all(self._count(w) for w in cells))
        known = [c or 0 for c in counts]
        total = sum(known) if counts[0] is not None else None
        target = target_rows_per_window(
            total or 0,
            self.sizer.size,
            self.options.window_concurrency,
            self.options.min_window_pages,
        )
        self.cp.source_count_start = total
        self.cp.summary.target_rows = target
        planned: list[tuple[Window, int | None]] = [(cells[0], counts[0])]
        if len(cells) > 1:
            planned = list(merge_small(cells, known, target))
        self.cp.windows = [
            WindowState(f"w{i:04d}", w, c, coarse=self._too_big(w, c)) for i, (w, c) in enumerate(planned)
        ]
        if len(cells) > 1 and known[0] > target * SPLIT_SLACK:
            self.log.warning(
                "%s: %d rows predate history_start %s; set it earlier to split them",
                self.spec.name,
                known[0],
                self.options.history_start.date(),
            )
        self.log.info(
            "%s: %s rows, %d window(s) planned (target %d rows each, %d still to cut)",
            self.spec.name,
            "?" if total is None else total,
            len(planned),
            target,
            sum(s.coarse for s in self.cp.windows),
        )

    def _prioritize(self) -> None:
        """A stream planned as one window is one serial chain of pages: ask the client to serve its
        requests before the windowed streams', ranked by its length in pages (healthie/pacing.py).
        Also on a resumed pull, whose plan comes from the checkpoint."""
        windows = self.cp.windows
        if self.options.prioritize_single_window and len(windows) == 1 and not windows[0].coarse:
            pages = -(-(windows[0].planned_count or 0) // self.sizer.size)
            self.client.prioritize(self.spec.name, 1 + pages)

    def _too_big(self, window: Window, count: int | None) -> bool:
        """Whether a window should be cut further before it is pulled."""
        windowing = self.spec.windowing
        if windowing is None or count is None:
            return False
        target = self._target_rows()
        return count > target * SPLIT_SLACK and len(grid(window, windowing.kind, 2)) == 2

    async def _count_pieces(self, pieces: Sequence[Window], total: int) -> list[int]:
        """Counts of windows tiling a range of `total` rows: all counted concurrently but the last,
        which is what remains (only a plan estimate: rows may change meanwhile)."""
        counted = [c or 0 for c in await gather_all(self._count(w) for w in pieces[:-1])]
        return [*counted, max(total - sum(counted), 0)]

    # -- pulling --------------------------------------------------------------------------------------

    async def _pull(self, states: Sequence[WindowState]) -> None:
        """Process unfinished windows, biggest first: the last to start are small, so the run does not
        end with one long window paging alone while the rate budget sits idle."""
        await gather_all(self._process(s) for s in _biggest_first(s for s in states if not s.done))

    async def _process(self, state: WindowState) -> None:
        """Pull a window, or first cut a coarse one into ceil(count / target) equal time slices and
        process those. Counting the slices (`count_slices`) costs a round trip and a request each but
        cuts skewed data again; otherwise the cell's count is shared out as an estimate and each slice
        keeps the cell's count as its bound (the verify step recounts if the batch falls short)."""
        if not state.coarse:
            await self._pull_window(state)
            return
        assert self.spec.windowing is not None and state.planned_count is not None
        target = self._target_rows()
        pieces = grid(state.window, self.spec.windowing.kind, -(-state.planned_count // target))
        if self.options.count_slices:
            counts = await self._count_pieces(pieces, state.planned_count)
            states = [
                WindowState(f"{state.key}.{i}", w, c, coarse=self._too_big(w, c))
                for i, (w, c) in enumerate(zip(pieces, counts, strict=True))
            ]
        else:
            bound = state.row_bound or state.planned_count
            states = [
                WindowState(f"{state.key}.{i}", w, c, row_bound=bound)
                for i, (w, c) in enumerate(
                    zip(pieces, share_out(state.planned_count, len(pieces)), strict=True)
                )
            ]
        at = next(i for i, s in enumerate(self.cp.windows) if s is state)
        self.cp.windows[at : at + 1] = states
        self._save()
        await gather_all(self._process(s) for s in _biggest_first(states))

    async def _pull_window(self, state: WindowState) -> None:
        counted_empty = state.planned_count == 0 and state.row_bound is None and state.pass_no == 1
        if counted_empty and self.options.skip_empty_windows and state.key != CATCHUP_KEY:
            # Counted empty at planning: no page to ask for. A row arriving since makes the stream's
            # count at the verify step exceed what landed; every window is then recounted and this
            # one pulled in a second pass. (The catch-up window is always asked: it exists for rows
            # that move while the sync runs.)
            state.done = True
            self._save()
            return
        writer = PartWriter(
            self.directory,
            self.spec.arrow_schema,
            self.cp.allocate_part,
            row_group_rows=self.options.row_group_rows,
            rows_per_file=self.options.rows_per_file,
        )
        rows = pages = 0
        await self._slots.acquire()
        try:
            async for page in iter_pages(
                self.client,
                self.spec,
                state.window,
                self.sizer,
                cursor=state.cursor,
                offset=state.offset,
                expected_rows=state.row_bound or state.planned_count,
            ):
                if page.items:
                    extracted_at = datetime.now(UTC)
                    writer.write(
                        rows_to_table(
                            self.spec, page.items, extracted_at=extracted_at, sync_id=self.cp.batch_id
                        )
                    )
                rows, pages = rows + len(page.items), pages + 1
                self.pages += 1
                if writer.file_full or page.is_last:
                    self._commit(state, writer, page.next_cursor, page.next_offset, rows, pages, page.is_last)
                    rows = pages = 0
                if page.number % self.options.progress_every_pages == 0:
                    self._progress(state, rows)
        except HealthieError as exc:
            writer.abort()
            page_no = state.pages + pages + 1  # the page being fetched or converted when it failed
            where = f"{self.spec.name} window {state.window.label()} pass {state.pass_no} page {page_no}"
            raise ExtractionError(f"{where}: {exc}") from exc
        except BaseException:
            writer.abort()
            raise
        finally:
            self._slots.release()
        self._progress(state, 0, finished=True)

    def _commit(
        self,
        state: WindowState,
        writer: PartWriter,
        cursor: str | None,
        offset: int,
        rows: int,
        pages: int,
        done: bool,
    ) -> None:
        """Publish the window's open part, then (only then) move its durable cursor in the checkpoint."""
        name = writer.commit()
        if name:
            self.cp.parts.append(name)
        state.cursor, state.offset, state.done = cursor, offset, done
        state.rows += rows
        state.pages += pages
        self._save()

    def _progress(self, state: WindowState, uncommitted: int, finished: bool = False) -> None:
        expected = "?" if state.planned_count is None else state.planned_count
        self.log.info(
            "%s window %s pass %d: %s %d/%s rows, %d pages",
            self.spec.name,
            state.window.label(),
            state.pass_no,
            "done" if finished else "at",
            state.rows + uncommitted,
            expected,
            state.pages,
        )

    async def _catch_up(self) -> None:
        """Pull what was updated since the sync began (it may have left a window already pulled)."""
        assert self.spec.windowing is not None
        if not any(s.key == CATCHUP_KEY for s in self.cp.windows):
            window = Window(to_bound(self.cp.started_at - CATCHUP_MARGIN, self.spec.windowing.kind), None)
            self.cp.windows.append(WindowState(CATCHUP_KEY, window, await self._count(window)))
            self._save()
        await self._pull(self.cp.windows)

    async def _verify(self) -> None:
        """Compare the batch with the stream's count; on a mismatch recount each window and pull again
        those whose count exceeds what they landed (at most `max_passes` passes per window)."""
        end = await self._count(Window())
        self.cp.summary.source_count_end = end
        if end is None or batch_stats(self.directory)["live_ids"] == end:
            return
        while True:
            await self._pull(self.cp.windows)
            unverified = [s for s in self.cp.windows if s.verified_count is None]
            counts = await gather_all(self._count(s.window) for s in unverified)
            short = []
            for state, count in zip(unverified, counts, strict=True):
                state.verified_count = count
                if count is not None and count > state.rows and state.pass_no < self.options.max_passes:
                    short.append(state)
            for state in short:
                state.restart()
            self._save()
            if not short:
                self.cp.summary.source_count_end = await self._count(Window())
                return
            self.log.info(
                "%s: %d window(s) grew while syncing; pulling them again", self.spec.name, len(short)
            )

    # -- merge ----------------------------------------------------------------------------------------

    def _merge(self) -> None:
        """MERGE the landed batch into the Delta table (once: a resumed sync checks the commit log)."""
        cp, table = self.cp, self.table
        with table.write_lock():
            if table.has_commit(cp.batch_id, since_version=cp.table_version):
                self.log.info("%s: batch %s was already merged", self.spec.name, cp.batch_id)
                return
            with rows_to_merge(table.files(), self.directory, self.spec.arrow_schema) as upserts:
                merged = table.merge(
                    upserts,
                    deletions(cp.deleted_ids, cp.started_at),
                    retention=self.options.retention,
                    refresh_unchanged=False,
                    read_since_version=cp.table_version,
                    batch_id=cp.batch_id,
                )
        cp.summary.merge = MergeSummary(
            merged.version, merged.inserted, merged.updated, merged.deleted, merged.stale
        )
        self.log.info(
            "%s: merged into table version %d: %d inserted, %d updated, %d deleted, %d stale skipped",
            self.spec.name,
            merged.version,
            merged.inserted,
            merged.updated,
            merged.deleted,
            merged.stale,
        )

    # -- result ---------------------------------------------------------------------------------------

    def _result(self, duration: float, resumed: bool) -> StreamResult:
        stats = batch_stats(self.directory)
        counters = self.client.stats(self.spec.name)
        health = self.table.health()
        merged = self.cp.summary.merge or MergeSummary(0, 0, 0, 0, 0)
        maintenance = self.maintenance
        start, end = self.cp.source_count_start, self.cp.summary.source_count_end
        churn = (start != end) or any(
            s.pass_no > 1 or (s.verified_count is not None and s.verified_count != s.rows)
            for s in self.cp.windows
        )
        return StreamResult(
            stream=self.spec.name,
            batch_id=self.cp.batch_id,
            path=str(self.table.path),
            rows=stats["row_count"],
            live_ids=health.rows,
            inserted=merged.inserted,
            updated=merged.updated,
            deleted=merged.deleted,
            stale_skipped=merged.stale,
            recovered=self.cp.summary.recovered,
            table_version=health.version,
            table_files=health.files,
            table_bytes=health.bytes,
            disk_bytes=health.disk_bytes,
            compacted_files=maintenance.compacted_files if maintenance else 0,
            vacuumed_files=maintenance.vacuumed_files if maintenance else 0,
            pages=self.pages,
            requests=counters.requests,
            retries=counters.retries,
            rate_limited=counters.rate_limited,
            duration_seconds=round(duration, 3),
            windows=len(self.cp.windows),
            repulled_windows=sum(s.pass_no > 1 for s in self.cp.windows),
            resumed=resumed,
            source_count_start=start,
            source_count_end=end,
            churn_observed=churn,
            server_errors=counters.server_errors,
            transport_errors=counters.transport_errors,
            graphql_transient_errors=counters.graphql_transient_errors,
            graphql_permanent_errors=counters.graphql_permanent_errors,
            api_version=self.client.settings.api_version,
        )


def _biggest_first(states: Iterable[WindowState]) -> list[WindowState]:
    return sorted(states, key=lambda s: -(s.planned_count or 0))


async def sync_streams(
    client: HealthieClient,
    specs: Sequence[StreamSpec],
    warehouse_dir: Path,
    options: SyncOptions,
    log: Log,
) -> dict[str, StreamResult | BaseException]:
    """Sync streams concurrently under one client (one limiter); a failing stream spares the others."""
    outcomes = await asyncio.gather(
        *(StreamSync(client, spec, warehouse_dir, options, log).run() for spec in specs),
        return_exceptions=True,
    )
    return {spec.name: outcome for spec, outcome in zip(specs, outcomes, strict=True)}


def run_sync(
    settings: ClientSettings,
    specs: Sequence[StreamSpec],
    warehouse_dir: Path,
    options: SyncOptions,
    log: Log,
) -> dict[str, StreamResult | BaseException]:
    """`sync_streams` for synchronous callers (the Dagster asset, the CLI): one client for the call."""

    async def run() -> dict[str, StreamResult | BaseException]:
        async with HealthieClient(settings) as client:
            return await sync_streams(client, specs, warehouse_dir, options, log)

    return asyncio.run(run())
