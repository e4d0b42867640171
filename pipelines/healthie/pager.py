"""The generic pager: every page of one window of one stream, driven only by its StreamSpec.

Cursor streams send `after:` the cursor of the previous page's last item, with the spec's ascending
`order_by` so cursors are keyset positions that survive concurrent inserts and deletes; offset streams
(providers) send `offset`. Page size starts at the spec's cap and halves, for the whole stream, when
the server calls the query too complex. Runaway loops (a cursor seen twice, or more pages than the
expected count allows) stop with an error instead of paging forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from pipelines.healthie.client import HealthieClient
from pipelines.healthie.errors import MalformedResponseError, QueryTooComplexError, RunawayPaginationError
from pipelines.healthie.responses import require_list
from pipelines.healthie.streams import Pagination, StreamSpec
from pipelines.healthie.windows import Window

#: Without a count, stop after this many pages of one window (a safety net, not a real limit).
MAX_PAGES_WITHOUT_COUNT = 100_000


class PageSizer:
    """The page size of one stream, shared by its windows: it only ever shrinks (halving on complexity)."""

    def __init__(self, cap: int) -> None:
        self.size = cap

    def shrink(self, failed_size: int) -> bool:
        """Halve after a too-complex page of `failed_size` rows; False when it cannot get smaller."""
        if failed_size <= 1:
            return False
        self.size = min(self.size, max(1, failed_size // 2))
        return True


@dataclass(frozen=True)
class Page:
    """One page of a window: its rows (list items with `cursor`, or a parent's nested rows), where the
    next page starts, whether it is last."""

    number: int
    items: list[dict[str, Any]]
    next_cursor: str | None
    next_offset: int
    is_last: bool


def page_budget(expected_rows: int | None, page_size: int) -> int:
    """Most pages a window may take: twice its expected rows (room for churn) plus two pages."""
    if expected_rows is None:
        return MAX_PAGES_WITHOUT_COUNT
    return -(-(2 * expected_rows) // page_size) + 2


def list_variables(spec: StreamSpec, window: Window, page_size: int) -> dict[str, Any]:
    """Variables of a list request: required args, the window, page size and order (no paging state)."""
    variables: dict[str, Any] = {
        **spec.required_args,
        **window.variables(spec.windowing),
        "page_size": page_size,
    }
    if spec.order_by:
        variables["order_by"] = spec.order_by
    return variables


def nested_rows(items: list[Any], key: str) -> list[Any]:
    """The rows of a stream without a root list: the elements of each parent's `key` list, in order
    (a parent with none, or null, contributes nothing)."""
    rows: list[Any] = []
    for index, parent in enumerate(items):
        children = parent.get(key) if isinstance(parent, dict) else None
        if children is None:
            continue
        if not isinstance(children, list):
            raise MalformedResponseError(
                f"item {index}: `{key}` is a {type(children).__name__}, expected a list"
            )
        rows.extend(children)
    return rows


def _last_cursor(items: list[Any]) -> str:
    last = items[-1]
    cursor = last.get("cursor") if isinstance(last, dict) else None
    if not isinstance(cursor, str) or not cursor:
        raise MalformedResponseError("the last item of a page has no `cursor`")
    return cursor


async def iter_pages(
    client: HealthieClient,
    spec: StreamSpec,
    window: Window,
    sizer: PageSizer,
    *,
    cursor: str | None = None,
    offset: int = 0,
    expected_rows: int | None = None,
) -> AsyncIterator[Page]:
    """Yield the pages of `window` from a durable position (`cursor` or `offset`) to the end."""
    seen: set[str] = {cursor} if cursor else set()
    number = 0
    while True:
        size = sizer.size
        variables = list_variables(spec, window, size)
        if spec.pagination is Pagination.CURSOR and cursor:
            variables["after"] = cursor
        elif spec.pagination is Pagination.OFFSET:
            variables["offset"] = offset
        try:
            data = await client.execute(spec.query_text, spec.list_operation, variables, label=spec.name)
        except QueryTooComplexError:
            if not sizer.shrink(size):
                raise
            continue
        items = require_list(data)
        number += 1
        offset += len(items)
        is_last = len(items) < size
        if spec.pagination is Pagination.CURSOR and items:
            cursor = _last_cursor(items)
            if cursor in seen:
                raise RunawayPaginationError(f"cursor repeated on page {number}: the server is not advancing")
            seen.add(cursor)
        rows = items if spec.nested_rows is None else nested_rows(items, spec.nested_rows)
        yield Page(number, rows, cursor, offset, is_last)
        if is_last:
            return
        if number >= page_budget(expected_rows, sizer.size):
            raise RunawayPaginationError(
                f"{number} pages for an expected {expected_rows} rows at page size {sizer.size}: "
                "paging does not end"
            )
