"""API rows → typed Arrow tables, strictly: a wrong type fails loudly instead of landing silently.

Arrow's own conversion is lenient (it truncates 1.5 to an int64 1) and its error messages quote the
offending value, which would put a patient's data into logs. So each column is checked against the
spec's Arrow type first, recursively through structs and lists, and failures name the field path and
the Python types seen, never a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from pipelines.healthie.errors import MalformedResponseError
from pipelines.healthie.streams import StreamSpec

_SCALAR_TYPES: list[tuple[Any, tuple[type, ...]]] = [
    (pa.types.is_string, (str,)),
    (pa.types.is_int64, (int,)),
    (pa.types.is_floating, (float, int)),
    (pa.types.is_boolean, (bool,)),
]


def _allowed_types(arrow_type: pa.DataType) -> tuple[type, ...] | None:
    for predicate, python_types in _SCALAR_TYPES:
        if predicate(arrow_type):
            return python_types
    return None


def _type_names(values: Iterable[Any]) -> str:
    return ", ".join(sorted({type(v).__name__ for v in values}))


def check_values(path: str, values: Sequence[Any], arrow_type: pa.DataType) -> None:
    """Raise MalformedResponseError if any non-null value cannot be `arrow_type` without loss."""
    present = [v for v in values if v is not None]
    if not present:
        return
    seen = {type(v) for v in present}
    scalar = _allowed_types(arrow_type)
    if scalar is not None:
        # Exact type match: bool (an int subclass) is not an int, and no float lands in an int column.
        if seen - set(scalar):
            raise MalformedResponseError(f"field `{path}` expects {arrow_type}, got {_type_names(present)}")
        return
    if pa.types.is_struct(arrow_type):
        if seen - {dict}:
            raise MalformedResponseError(f"field `{path}` expects an object, got {_type_names(present)}")
        for child in arrow_type:
            check_values(f"{path}.{child.name}", [v.get(child.name) for v in present], child.type)
        return
    if pa.types.is_list(arrow_type):
        if seen - {list}:
            raise MalformedResponseError(f"field `{path}` expects a list, got {_type_names(present)}")
        check_values(f"{path}[]", [item for v in present for item in v], arrow_type.value_type)
        return
    raise TypeError(f"unsupported Arrow type in a stream schema: {arrow_type}")


def _check_rows(spec: StreamSpec, rows: Sequence[Any]) -> None:
    names = frozenset(f.name for f in spec.fields)
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise MalformedResponseError(f"row {index} is a {type(row).__name__}, expected an object")
        missing = names - row.keys()
        if missing:
            raise MalformedResponseError(f"row {index} lacks field(s) {', '.join(sorted(missing))}")


def _column(field: pa.Field, values: list[Any]) -> pa.Array:
    check_values(field.name, values, field.type)
    try:
        array = pa.array(values, type=field.type)
    except (pa.ArrowException, OverflowError, TypeError, ValueError) as exc:
        raise MalformedResponseError(
            f"field `{field.name}` does not convert to {field.type} ({type(exc).__name__})"
        ) from None
    if not field.nullable and array.null_count:
        raise MalformedResponseError(f"field `{field.name}` is null in {array.null_count} row(s)")
    return array


def _bookkeeping(
    spec: StreamSpec, n: int, extracted_at: datetime, sync_id: str, deleted: bool
) -> list[pa.Array]:
    schema = spec.arrow_schema
    return [
        pa.array([extracted_at] * n, type=schema.field("_extracted_at").type),
        pa.array([deleted] * n, type=pa.bool_()),
        pa.array([sync_id] * n, type=pa.string()),
    ]


def rows_to_table(
    spec: StreamSpec, rows: Sequence[Mapping[str, Any]], *, extracted_at: datetime, sync_id: str
) -> pa.Table:
    """Validate API rows against the spec and build a lake table (live rows, `_deleted = false`)."""
    _check_rows(spec, rows)
    columns = [_column(f, [row[f.name] for row in rows]) for f in spec.fields]
    columns += _bookkeeping(spec, len(rows), extracted_at, sync_id, deleted=False)
    return pa.Table.from_arrays(columns, schema=spec.arrow_schema)


def tombstone_table(
    spec: StreamSpec, ids: Sequence[str], *, extracted_at: datetime, sync_id: str
) -> pa.Table:
    """Rows that say "this id is gone": only `id` and the bookkeeping columns are set."""
    columns = [
        pa.array(list(ids), type=f.type) if f.name == "id" else pa.nulls(len(ids), type=f.type)
        for f in spec.fields
    ]
    columns += _bookkeeping(spec, len(ids), extracted_at, sync_id, deleted=True)
    return pa.Table.from_arrays(columns, schema=spec.arrow_schema)
