"""Authentication, bad input and query complexity: errors as a GraphQL server gives them, never a 500."""

from __future__ import annotations

import base64

import httpx
import orjson
import pytest
from sandbox_gql import Gql, document

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle

COUNT = "query { usersCount }"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic sandbox-api-key"},
        {"AuthorizationSource": "API"},
        {"Authorization": "Basic wrong-key", "AuthorizationSource": "API"},
        {"Authorization": "Bearer sandbox-api-key", "AuthorizationSource": "API"},
        {"Authorization": "Basic sandbox-api-key", "AuthorizationSource": "WEB"},
    ],
    ids=["none", "no-source", "no-key", "wrong-key", "bearer", "wrong-source"],
)
def test_missing_or_wrong_auth_is_401_json(headers: dict[str, str], sandbox: SandboxHandle) -> None:
    response = httpx.post(sandbox.url, json={"query": COUNT}, headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_both_headers_authenticate_and_a_shard_header_is_accepted(sandbox: SandboxHandle) -> None:
    headers = {
        "Authorization": f"Basic {sandbox.api_key}",
        "AuthorizationSource": "API",
        "AuthorizationShard": "7",
    }
    response = httpx.post(sandbox.url, json={"query": COUNT}, headers=headers)
    assert response.status_code == 200 and isinstance(response.json()["data"]["usersCount"], int)


def test_admin_api_needs_no_auth(sandbox: SandboxHandle) -> None:
    assert httpx.get(f"{sandbox.base_url}/_sandbox/info").status_code == 200


def _raw(sandbox: SandboxHandle, content: bytes) -> httpx.Response:
    headers = {"Authorization": f"Basic {sandbox.api_key}", "AuthorizationSource": "API"}
    return httpx.post(sandbox.url, content=content, headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[1, 2]",
        b'{"variables": {}}',
        b'{"query": 5}',
        b'{"query": "{ usersCount }", "variables": [1]}',
    ],
    ids=["invalid-json", "array", "no-query", "query-not-string", "variables-not-object"],
)
def test_malformed_requests_are_400(content: bytes, sandbox: SandboxHandle) -> None:
    response = _raw(sandbox, content)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "variables", "fragment"),
    [
        ("query { usersCount", {}, "Syntax Error"),
        ("query { nope }", {}, "Cannot query field 'nope'"),
        ("query { users { id ssn } }", {}, "Cannot query field 'ssn'"),
        ("query { billingItems(bogus: 1) { id } }", {}, "Unknown argument 'bogus'"),
        ("query Q($n: Int) { users(page_size: $n) { id } }", {"n": "ten"}, "Int cannot represent"),
        (
            "query Q($t: ISO8601DateTime) { formAnswerGroupsCount(updated_after: $t) }",
            {"t": "yesterday"},
            "not a valid ISO8601DateTime",
        ),
        ("mutation { deleteAppointment { id } }", {}, "queries only"),
    ],
    ids=[
        "syntax",
        "unknown-root",
        "unknown-field",
        "unknown-argument",
        "bad-variable",
        "bad-instant",
        "mutation",
    ],
)
def test_invalid_documents_get_graphql_errors(query: str, variables: dict, fragment: str, gql: Gql) -> None:
    body = gql.result(query, variables)
    assert "data" not in body or body["data"] is None
    assert any(fragment in e["message"] for e in body["errors"]), body["errors"]


def test_operation_name_must_match(gql: Gql) -> None:
    body = gql.result(document("billing_items"), {}, "NoSuchOperation")
    assert "Unknown operation named" in body["errors"][0]["message"]
    body = gql.result(document("billing_items"), {})
    assert "Must provide operation name" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "cursor",
    ["not-base64!!", base64.b64encode(b"not json").decode(), base64.b64encode(b'{"k": []}').decode()],
    ids=["not-base64", "not-json", "wrong-shape"],
)
def test_malformed_cursor_is_a_field_error(cursor: str, gql: Gql) -> None:
    body = gql.result(document("billing_items"), {"after": cursor}, "BillingItems")
    assert body["data"] == {"items": None}
    assert "Invalid cursor" in body["errors"][0]["message"] and body["errors"][0]["path"] == ["items"]


def test_cursor_from_another_order_is_refused(gql: Gql) -> None:
    page = gql.op("billing_items", "BillingItems", page_size=2, order_by="CREATED_AT_ASC")
    body = gql.result(document("billing_items"), {"after": page[-1]["cursor"], "order_by": "UPDATED_AT_ASC"},
                      "BillingItems")  # fmt: skip
    assert body["data"] == {"items": None}
    assert "order_by" in body["errors"][0]["message"]


def test_unsupported_order_and_bad_dates_are_field_errors(gql: Gql) -> None:
    body = gql.result("{ billingItems(order_by: PATIENT_FIRST_NAME_ASC) { id } }")
    assert "not supported" in body["errors"][0]["message"]
    body = gql.result('{ billingItemsCount(created_at_start: "03/04/2024") }')
    assert body["data"] == {"billingItemsCount": None} and "YYYY-MM-DD" in body["errors"][0]["message"]
    body = gql.result('{ appointments(filter: "someday") { id } }')
    assert "filter must be one of" in body["errors"][0]["message"]


def test_by_id_of_a_missing_or_non_numeric_id_is_null(gql: Gql) -> None:
    assert gql.op("billing_items", "BillingItem", id="999999999") is None
    assert gql.op("billing_items", "BillingItem", id="abc") is None


def test_aliases_fragments_directives_and_typename(gql: Gql) -> None:
    query = """
      query Q($withNotes: Boolean!, $skipType: Boolean!) {
        __typename
        first: appointments(filter: "all", is_org: true, with_all_statuses: true, should_paginate: true,
                            page_size: 2, order_by: CREATED_AT_ASC) {
          key: id
          ... on Appointment { notes @include(if: $withNotes) }
          ...More
        }
        total: appointmentsCount(filter: "all", is_org: true, with_all_statuses: true)
      }
      fragment More on Appointment {
        __typename
        appointment_type @skip(if: $skipType) { id name }
        provider { pid: id }
      }
    """
    data = gql.data(query, {"withNotes": False, "skipType": True})
    assert data["__typename"] == "Query" and isinstance(data["total"], int)
    row = data["first"][0]
    assert set(row) == {"key", "__typename", "provider"} and set(row["provider"]) == {"pid"}


def test_nested_objects_beyond_id_are_resolved(gql: Gql, sandbox_control: SandboxControl) -> None:
    data = gql.data("{ formAnswerGroups(page_size: 3, should_paginate: true) { user { id first_name } "
                    "custom_module_form { name } form_answer_group_signings { user { id } } } }")  # fmt: skip
    patients = {p["id"]: p for p in sandbox_control.truth("patients")}
    for form in data["formAnswerGroups"]:
        assert form["user"]["first_name"] == patients[form["user"]["id"]]["first_name"]
        assert form["custom_module_form"]["name"]


def test_introspection_works(gql: Gql) -> None:
    data = gql.data('{ __type(name: "Appointment") { name fields { name } } }')
    assert data["__type"]["name"] == "Appointment"
    assert "pm_status" in {f["name"] for f in data["__type"]["fields"]}


def test_product_documents_pass_complexity_at_their_caps(gql: Gql) -> None:
    caps = {
        "appointments": 500,
        "billing_items": 100,
        "entries": 500,
        "form_answer_groups": 100,
        "patients": 100,
    }
    ops = {"appointments": "Appointments", "billing_items": "BillingItems", "entries": "Entries",
           "form_answer_groups": "FormAnswerGroups", "patients": "Patients"}  # fmt: skip
    for stream, cap in caps.items():
        body = gql.result(document(stream), {"page_size": cap, "should_paginate": True}, ops[stream])
        assert "errors" not in body, (stream, body.get("errors"))


def test_too_complex_queries_are_refused(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.set_faults(max_complexity=100)
    body = gql.result(document("appointments"), {"page_size": 50, "should_paginate": True}, "Appointments")
    assert body["errors"][0]["message"] == "Query has complexity of 150, which exceeds max complexity of 100"
    assert "data" not in body
    assert sandbox_control.stats()["too_complex"] >= 1
    sandbox_control.clear_faults()
    body = gql.result(
        "{ formAnswerGroups(page_size: 100, should_paginate: true) { id user { id } filler { id }"
        " locked_by { id } custom_module_form { id } form_answers { id }"
        " form_answer_group_signings { id user { id } } } }"
    )
    assert "errors" not in body  # 100 x 8 = 800
    body = gql.result("{ a: entries(page_size: 500) { id poster { id } } b: entries(page_size: 500) { id } }")
    assert "errors" not in body  # 500 x 2 + 500 = 1500


def test_over_2000_by_default(gql: Gql) -> None:
    query = (
        "{ a: entries(page_size: 500) { id poster { id } } b: entries(page_size: 500) { id poster { id } }"
        " c: billingItems(page_size: 100) { id } }"
    )
    body = gql.result(query)
    assert (
        body["errors"][0]["message"] == "Query has complexity of 2100, which exceeds max complexity of 2000"
    )


def test_responses_are_json_with_orjson_compatible_bodies(gql: Gql) -> None:
    response = gql.post("{ usersCount }")
    assert response.headers["content-type"] == "application/json"
    assert orjson.loads(response.content) == {
        "data": {"usersCount": gql.data("{ usersCount }")["usersCount"]}
    }


def test_stats_count_requests_per_operation_name(private_gql: Gql, private_control: SandboxControl) -> None:
    private_control.reset_stats()
    private_gql.post("query Named { usersCount }", operation="Named")
    private_gql.post(COUNT)
    private_gql.http.post(private_gql.url, content=b"not json")
    private_gql.http.post(private_gql.url, json=[1])
    assert private_control.stats()["operations"] == {"Named": 1, "None": 3}
