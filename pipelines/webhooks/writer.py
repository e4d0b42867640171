"""Group commit: one thread owns the inbox connection and commits concurrent deliveries together.

Each commit is an fsync (`synchronous=FULL`, see inbox.py). Committing request by request would cap the
receiver at one fsync per delivery and queue every other request behind it; instead the writer takes
whatever has queued up while the previous commit was flushing and commits it as one transaction. Under
light load that is a batch of one (no added latency); under a burst the fsync is shared.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from pathlib import Path

from pipelines.webhooks.inbox import AppendResult, Delivery, Inbox

logger = logging.getLogger(__name__)

MAX_BATCH = 512
_Item = tuple[Delivery, "Future[AppendResult]"]


class InboxWriter:
    """Appends deliveries to the inbox from async code; `await append()` returns once committed."""

    def __init__(self, path: Path, max_batch: int = MAX_BATCH) -> None:
        self._path = path
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._open_error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="inbox-writer", daemon=True)

    def start(self) -> None:
        """Open the inbox on the writer thread; raise here (at start-up) if it cannot be opened."""
        self._thread.start()
        self._ready.wait()
        if self._open_error is not None:
            raise self._open_error

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    async def append(self, delivery: Delivery) -> AppendResult:
        future: Future[AppendResult] = Future()
        self._queue.put((delivery, future))
        return await asyncio.wrap_future(future)

    def _run(self) -> None:
        try:
            inbox = Inbox(self._path)
        except BaseException as exc:
            self._open_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while (batch := self._next_batch()) is not None:
                self._commit(inbox, batch)
        finally:
            inbox.close()

    def _next_batch(self) -> list[_Item] | None:
        """Block for one delivery, then take whatever else is already waiting; None means stop."""
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)  # finish this batch, stop on the next call
                break
            batch.append(item)
        return batch

    @staticmethod
    def _commit(inbox: Inbox, batch: list[_Item]) -> None:
        try:
            results = inbox.append_many([delivery for delivery, _ in batch])
        except Exception as exc:
            logger.error("inbox commit failed for %d deliveries: %s", len(batch), type(exc).__name__)
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
