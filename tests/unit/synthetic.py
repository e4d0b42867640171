"""Synthetic rows for a stream's schema, for the pure lake and row-coercion tests (no server involved).

Values follow each field's Arrow type (`<field>-<i>` strings, `i` ints, empty lists, null structs),
with `id` the string of `i`. Tests that need realistic Healthie rows read them from the sandbox.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from pipelines.healthie.streams import StreamSpec


def _value(name: str, arrow_type: pa.DataType, i: int) -> Any:
    if pa.types.is_string(arrow_type):
        return f"{name}-{i}"
    if pa.types.is_int64(arrow_type):
        return i
    if pa.types.is_floating(arrow_type):
        return float(i) / 2
    if pa.types.is_boolean(arrow_type):
        return i % 2 == 0
    if pa.types.is_list(arrow_type):
        return []
    return None


def make_row(spec: StreamSpec, i: int) -> dict[str, Any]:
    row = {f.name: _value(f.name, f.type, i) for f in spec.fields}
    row["id"] = str(i)
    return row
