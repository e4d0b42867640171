"""Opaque keyset cursors in Healthie's shape: base64 of `{"k": [...]}`.

Healthie's cursors look like `eyJrIjpbIjMiXX0=` (`{"k":["3"]}`): a keyset position, not an offset,
which is why they survive rows being inserted, updated or deleted while a client pages. Ours encode
the row's sort value and id, plus the order they belong to (`o`), so a cursor replayed under another
`order_by` is refused instead of silently skipping or repeating rows.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson


class CursorError(ValueError):
    """A cursor that is malformed or belongs to another order."""


def encode(order_key: str, sort_value: Any, row_id: int) -> str:
    return base64.b64encode(orjson.dumps({"k": [sort_value, str(row_id)], "o": order_key})).decode("ascii")


def decode(cursor: str, order_key: str) -> tuple[Any, int]:
    """(sort value, id) of a cursor issued for `order_key`; CursorError otherwise."""
    try:
        payload = orjson.loads(base64.b64decode(cursor.encode("ascii"), validate=True))
        sort_value, raw_id = payload["k"]
        order = payload["o"]
        row_id = int(raw_id)
    except (binascii.Error, UnicodeError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise CursorError(f"Invalid cursor: {cursor[:64]!r}") from None
    if order != order_key:
        raise CursorError(f"Cursor was issued for order_by {order}, not {order_key}; restart without `after`")
    if not isinstance(sort_value, int | float | str):
        raise CursorError(f"Invalid cursor: {cursor[:64]!r}")
    return sort_value, row_id
