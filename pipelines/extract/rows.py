"""API rows → typed Arrow tables, strictly: a wrong type fails loudly instead of landing silently.

Rows convert in one Arrow pass (fast), but Arrow is lenient in two ways (a float lands in an int64
column truncated, a bool in a float column as 1.0), checked first, and its error messages quote the
offending value, which would put a patient's data into logs. So on a failed conversion each column is
checked against the spec's Arrow type, recursively through structs and lists, and the error names the
field path and the Python types seen, never a value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
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


#: Conversions Arrow accepts silently but that lose or invent information: a float in an int64 column
#: (1.5 lands as 1) or a bool in a float column (True lands as 1.0). Arrow rejects every other mismatch.
_LENIENT = ((pa.types.is_int64, float), (pa.types.is_floating, bool))


def _check_lenient_columns(spec: StreamSpec, rows: Sequence[Mapping[str, Any]]) -> None:
    for field in spec.fields:
        for predicate, bad_type in _LENIENT:
            if predicate(field.type) and any(type(row[field.name]) is bad_type for row in rows):
                raise MalformedResponseError(
                    f"field `{field.name}` expects {field.type}, got {bad_type.__name__}"
                )


def _convert(spec: StreamSpec, rows: Sequence[Mapping[str, Any]]) -> pa.RecordBatch:
    """One C++ pass over the rows; on failure, find the offending field without quoting any value."""
    try:
        batch = pa.RecordBatch.from_pylist(list(rows), schema=pa.schema(spec.fields))
    except (pa.ArrowException, OverflowError, TypeError, ValueError) as exc:
        for field in spec.fields:
            check_values(field.name, [row[field.name] for row in rows], field.type)
        raise MalformedResponseError(f"rows do not convert to the schema ({type(exc).__name__})") from None
    for field in spec.fields:
        if not field.nullable and batch.column(field.name).null_count:
            raise MalformedResponseError(
                f"field `{field.name}` is null in {batch.column(field.name).null_count} row(s)"
            )
    return batch


def row_hash(names: Sequence[str], row: Mapping[str, Any]) -> int:
    """A 64-bit hash of a row's values (nested objects with sorted keys): equal content, equal hash."""
    encoded = orjson.dumps([row[name] for name in names], option=orjson.OPT_SORT_KEYS)
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "little", signed=True)


def rows_to_table(
    spec: StreamSpec, rows: Sequence[Mapping[str, Any]], *, extracted_at: datetime, sync_id: str
) -> pa.Table:
    """Validate API rows against the spec and build a lake table (the row, then bookkeeping columns)."""
    _check_rows(spec, rows)
    _check_lenient_columns(spec, rows)
    columns = _convert(spec, rows).columns
    schema = spec.arrow_schema
    names = [f.name for f in spec.fields]
    columns += [
        pa.array([extracted_at] * len(rows), type=schema.field("_extracted_at").type),
        pa.array([sync_id] * len(rows), type=pa.string()),
        pa.array([row_hash(names, row) for row in rows], type=pa.int64()),
    ]
    return pa.Table.from_arrays(columns, schema=schema)
