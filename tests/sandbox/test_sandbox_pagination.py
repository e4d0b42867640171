"""A complete pull, by cursor or by offset, returns exactly the ground truth, for every stream."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from sandbox_gql import STREAM_DOC, STREAM_DOCS, Gql, matches_truth

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import start_in_thread

CURSOR_STREAMS = [s.stream for s in STREAM_DOCS if s.cursor]
COUNTED_STREAMS = [s.stream for s in STREAM_DOCS if s.count_op]


def _assert_complete(rows: list[dict], truth: list[dict]) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "a row was returned twice"
    by_id = {t["id"]: t for t in truth}
    assert set(ids) == set(by_id)
    assert all(matches_truth(r, by_id[r["id"]]) for r in rows)


@pytest.mark.parametrize("stream", CURSOR_STREAMS)
def test_cursor_pull_equals_truth(stream: str, gql: Gql, sandbox_control: SandboxControl) -> None:
    rows = gql.pull_cursor(stream, page_size=7)
    _assert_complete(rows, sandbox_control.truth(stream))


@pytest.mark.parametrize("stream", [s.stream for s in STREAM_DOCS])
def test_offset_pull_equals_truth(stream: str, gql: Gql, sandbox_control: SandboxControl) -> None:
    rows = gql.pull_offset(stream, page_size=2 if stream == "providers" else 9)
    _assert_complete(rows, sandbox_control.truth(stream))


@pytest.mark.parametrize("order_by", ["CREATED_AT_DESC", "UPDATED_AT_ASC", "UPDATED_AT_DESC"])
def test_cursor_pull_is_complete_in_other_orders(
    order_by: str, gql: Gql, sandbox_control: SandboxControl
) -> None:
    rows = gql.pull_cursor("appointments", page_size=50, order_by=order_by)
    _assert_complete(rows, sandbox_control.truth("appointments"))


def test_cursors_are_healthie_shaped_keyset_positions(gql: Gql) -> None:
    page = gql.op("billing_items", "BillingItems", page_size=3, order_by="CREATED_AT_ASC")
    decoded = json.loads(base64.b64decode(page[0]["cursor"]))
    assert decoded["k"][1] == page[0]["id"] and decoded["o"] == "CREATED_AT_ASC"


@pytest.mark.parametrize("stream", COUNTED_STREAMS)
def test_counts_equal_complete_lists(stream: str, gql: Gql) -> None:
    spec = STREAM_DOC[stream]
    count_args = {k: v for k, v in spec.required.items() if k != "should_paginate"}
    count = gql.op(stream, spec.count_op or "", **count_args)
    assert count == len(gql.pull_offset(stream, page_size=100))


def test_offset_past_the_end_is_empty(gql: Gql) -> None:
    assert gql.offset_page("billing_items", 10**6, page_size=10) == []
    assert gql.offset_page("providers", 10**6, page_size=10) == []


@pytest.fixture(scope="module")
def bigger() -> Iterator[Gql]:
    """A server with more than 100 payments, patients and forms (the shared one has fewer)."""
    with start_in_thread(scale=0.3, seed=3) as handle:
        client = Gql(handle.url, handle.api_key)
        yield client
        client.close()


@pytest.mark.parametrize("stream", ["billing_items", "patients", "form_answer_groups"])
def test_page_size_is_clamped_to_the_cap(stream: str, bigger: Gql) -> None:
    spec = STREAM_DOC[stream]
    assert len(bigger.op(stream, spec.list_op, **spec.required, page_size=1000)) == 100


def test_default_page_sizes_follow_healthies_schema(bigger: Gql) -> None:
    assert len(bigger.op("billing_items", "BillingItems")) == 20
    assert len(bigger.op("patients", "Patients")) == 10
    assert len(bigger.op("entries", "Entries", is_org=True)) == 10


SCALARS = {"ID": str, "String": str, "Int": int, "Float": float, "Boolean": bool, "ISO8601DateTime": str}


def _assert_types(value: object, type_name: str) -> None:
    from healthie_sandbox.schema import schema

    gql_type = schema().type_map[type_name]
    assert isinstance(value, dict)
    for key, item in value.items():
        if key == "cursor" or item is None:
            continue
        field_type = gql_type.fields[key].type  # type: ignore[attr-defined]
        while hasattr(field_type, "of_type"):
            field_type = field_type.of_type
        if field_type.name in SCALARS:
            for element in item if isinstance(item, list) else [item]:  # a list of scalars: pointers
                assert element is None or type(element) is SCALARS[field_type.name], f"{type_name}.{key}"
        elif isinstance(item, list):
            for element in item:
                _assert_types(element, field_type.name)
        else:
            _assert_types(item, field_type.name)


@pytest.mark.parametrize(
    ("stream", "type_name"),
    [("appointments", "Appointment"), ("billing_items", "BillingItem"), ("entries", "Entry"),
     ("form_answer_groups", "FormAnswerGroup"), ("patients", "User"), ("providers", "User"),
     ("appointment_types", "AppointmentType"), ("claims", "Cms1500"), ("invoices", "RequestedPayment"),
     ("invoice_previews", "RequestedPayment"), ("insurance_policies", "Policy"),
     ("form_templates", "CustomModuleForm"), ("care_plans", "CarePlan"), ("goals", "Goal"),
     ("goal_histories", "GoalHistory"), ("tasks", "Task"), ("documents", "Document")],
)  # fmt: skip
def test_values_have_their_schema_types(stream: str, type_name: str, sandbox_control: SandboxControl) -> None:
    for row in sandbox_control.truth(stream):
        _assert_types(row, type_name)
