"""The client's pacing: one rate limiter, handed out in priority order.

Every request waits for a token of the run's one `AsyncLimiter`; when several wait, the one with the
highest priority goes first (first come, first served among equals). A stream pulled as one window is
one serial chain of pages, so each wait at the limiter adds to the run's length; windowed streams run
many chains and absorb the delay. The engine gives a one-window stream a priority of its size in
pages, so the longest chain is served first and the windowed streams fill the rest of the budget.
"""

from __future__ import annotations

import asyncio
import heapq
from itertools import count

from aiolimiter import AsyncLimiter


class PriorityPacer:
    """Hands out the limiter's tokens to waiting requests, highest priority first."""

    def __init__(self, limiter: AsyncLimiter) -> None:
        self._limiter = limiter
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = count()
        self._dispatcher: asyncio.Task[None] | None = None

    async def acquire(self, priority: float = 0.0) -> None:
        """Wait until this request may be sent."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (-priority, next(self._order), future))
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch())
        await future

    async def _dispatch(self) -> None:
        try:
            while self._waiting:
                await self._limiter.acquire()
                while self._waiting:
                    _, _, future = heapq.heappop(self._waiting)
                    if not future.done():  # a cancelled waiter passes its token on
                        future.set_result(None)
                        break
        finally:
            self._dispatcher = None

    def close(self) -> None:
        """Stop handing out tokens (the client is closing)."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()
