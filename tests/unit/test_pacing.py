"""The pacer hands the limiter's tokens to waiting requests highest priority first, first come first
served among equals, and a cancelled waiter passes its token on."""

from __future__ import annotations

import asyncio

from aiolimiter import AsyncLimiter

from pipelines.healthie.pacing import PriorityPacer


async def granted_order(priorities: list[float], cancel: int | None = None) -> list[int]:
    pacer = PriorityPacer(AsyncLimiter(1, 0.01))  # one token every 10 ms
    await pacer.acquire()  # spend the first token: everything below has to queue
    order: list[int] = []

    async def request(index: int, priority: float) -> None:
        await pacer.acquire(priority)
        order.append(index)

    tasks = [asyncio.create_task(request(i, p)) for i, p in enumerate(priorities)]
    await asyncio.sleep(0)  # all queued before the next token
    if cancel is not None:
        tasks[cancel].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    pacer.close()
    return order


def test_highest_priority_first_then_arrival_order() -> None:
    assert asyncio.run(granted_order([0, 5, 0, 9, 5])) == [3, 1, 4, 0, 2]


def test_a_cancelled_waiter_does_not_hold_up_the_others() -> None:
    assert asyncio.run(granted_order([0, 9, 0], cancel=1)) == [0, 2]
