"""Schema coercion: rows land typed, and wrong shapes fail naming the field but never the value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest

from pipelines.extract.rows import rows_to_table
from pipelines.healthie.errors import MalformedResponseError
from pipelines.healthie.streams import APPOINTMENTS, FORM_ANSWER_GROUPS, STREAMS, StreamSpec

from .synthetic import make_row

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)
SECRET = "Jane-Doe-1980"


@pytest.mark.parametrize("spec", STREAMS, ids=lambda s: s.name)
def test_rows_land_with_the_lake_schema(spec: StreamSpec) -> None:
    table = rows_to_table(spec, [make_row(spec, 1), make_row(spec, 2)], extracted_at=NOW, sync_id="b1")
    assert table.schema == spec.arrow_schema
    assert table.column("id").to_pylist() == ["1", "2"]
    assert table.column("_sync_id").to_pylist() == ["b1", "b1"]
    assert table.column("_extracted_at").type == pa.timestamp("us", tz="UTC")


def test_nested_form_answers_stay_a_list_of_structs() -> None:
    row = make_row(FORM_ANSWER_GROUPS, 1)
    row["form_answers"] = [{"id": "9", "label": "Q", "answer": SECRET, "custom_module_id": "3"}]
    row["custom_module_form"] = {"id": "5", "name": "Intake", "use_for_charting": False}
    table = rows_to_table(FORM_ANSWER_GROUPS, [row], extracted_at=NOW, sync_id="b")
    answers = table.column("form_answers").to_pylist()[0]
    assert answers[0]["answer"] == SECRET and answers[0]["displayed_answer"] is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("length", SECRET, "`length` expects int64"),
        ("length", 1.5, "`length` expects int64"),
        ("length", True, "`length` expects int64"),
        ("is_blocker", 1, "`is_blocker` expects bool"),
        ("notes", 42, "`notes` expects string"),
        ("provider", SECRET, "`provider` expects an object"),
        ("provider", {"id": 7}, "`provider.id` expects string"),
        ("id", None, "`id` is null"),
    ],
)
def test_wrong_types_fail_with_the_field_not_the_value(field: str, value: Any, message: str) -> None:
    row = make_row(APPOINTMENTS, 1)
    row[field] = value
    with pytest.raises(MalformedResponseError, match=message) as caught:
        rows_to_table(APPOINTMENTS, [row], extracted_at=NOW, sync_id="b")
    assert SECRET not in str(caught.value)


def test_nested_list_type_errors_name_the_path() -> None:
    row = make_row(FORM_ANSWER_GROUPS, 1)
    row["form_answers"] = [{"id": "1", "answer": 5}]
    with pytest.raises(MalformedResponseError, match=r"`form_answers\[\].answer` expects string"):
        rows_to_table(FORM_ANSWER_GROUPS, [row], extracted_at=NOW, sync_id="b")


@pytest.mark.parametrize("bad", [{"id": "1"}, "not-an-object"])
def test_missing_fields_or_non_objects_fail(bad: Any) -> None:
    with pytest.raises(MalformedResponseError, match="row 0"):
        rows_to_table(APPOINTMENTS, [bad], extracted_at=NOW, sync_id="b")


def test_float_column_accepts_ints() -> None:
    from pipelines.healthie.streams import ENTRIES

    row = make_row(ENTRIES, 1)
    row["metric_stat"] = 180
    assert rows_to_table(ENTRIES, [row], extracted_at=NOW, sync_id="b").column("metric_stat").to_pylist() == [
        180.0
    ]


def test_row_hash_follows_content_not_key_order_or_read_time() -> None:
    row = make_row(FORM_ANSWER_GROUPS, 1)
    row["custom_module_form"] = {"id": "5", "name": "Intake", "use_for_charting": False}
    reordered = {key: row[key] for key in reversed(list(row))}
    reordered["custom_module_form"] = {"use_for_charting": False, "name": "Intake", "id": "5"}
    changed = {**row, "custom_module_form": {"id": "5", "name": "Intake v2", "use_for_charting": False}}
    first = rows_to_table(FORM_ANSWER_GROUPS, [row, reordered], extracted_at=NOW, sync_id="a")
    later = rows_to_table(FORM_ANSWER_GROUPS, [row, changed], extracted_at=NOW.replace(hour=13), sync_id="b")
    hashes = first.column("_row_hash").to_pylist() + later.column("_row_hash").to_pylist()
    assert hashes[0] == hashes[1] == hashes[2] != hashes[3]
