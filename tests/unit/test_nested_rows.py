"""Streams without a root list (insurance policies under patients): rows are the parents' nested lists."""

from __future__ import annotations

import pytest

from pipelines.healthie.errors import MalformedResponseError
from pipelines.healthie.pager import nested_rows
from pipelines.healthie.streams import INSURANCE_POLICIES


def test_rows_are_the_nested_elements_in_order() -> None:
    parents = [
        {"cursor": "a", "id": "1", "policies": [{"id": "10"}, {"id": "11"}]},
        {"cursor": "b", "id": "2", "policies": []},
        {"cursor": "c", "id": "3", "policies": None},
        {"cursor": "d", "id": "4", "policies": [{"id": "12"}]},
    ]
    assert [r["id"] for r in nested_rows(parents, "policies")] == ["10", "11", "12"]


def test_a_nested_value_that_is_not_a_list_fails_loudly_without_quoting_it() -> None:
    with pytest.raises(MalformedResponseError) as raised:
        nested_rows([{"id": "1", "policies": {"id": "secret"}}], "policies")
    assert "secret" not in str(raised.value)


def test_the_policies_stream_pages_patients_and_reads_policies_by_id() -> None:
    assert INSURANCE_POLICIES.nested_rows == "policies"
    assert "users(" in INSURANCE_POLICIES.query_text and "policy(id: $id)" in INSURANCE_POLICIES.query_text
    assert INSURANCE_POLICIES.count_operation is None  # Healthie counts patients, not policies
