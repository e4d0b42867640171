"""Run coroutines concurrently, fail fast, and surface the first error rather than an ExceptionGroup."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

T = TypeVar("T")


def first_leaf(error: BaseException) -> BaseException:
    """The first real exception inside (possibly nested) exception groups."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


async def gather_all(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Results in order; on the first failure the others are cancelled and that failure is raised."""

    async def run(awaitable: Awaitable[T]) -> T:
        return await awaitable

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(run(a)) for a in awaitables]
    except BaseExceptionGroup as errors:
        leaf = first_leaf(errors)
        raise leaf from leaf.__cause__  # keep its cause (what a retry decision reads), drop the group
    return [task.result() for task in tasks]
