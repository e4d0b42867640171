"""A minimal GraphQL client for the sandbox tests, and the product's documents as plain text.

The tests speak to the sandbox the way the product does (its `.graphql` documents, variables, the
two auth headers) but through this small client of their own, so a bug in the product's client
cannot hide a bug in the sandbox or the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

QUERIES = Path(__file__).resolve().parents[2] / "pipelines" / "healthie" / "queries"


def document(name: str) -> str:
    return (QUERIES / f"{name}.graphql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class StreamDoc:
    """How to pull one stream completely: document, operations and must-pass arguments."""

    stream: str
    doc: str
    list_op: str
    count_op: str | None
    by_id_op: str | None
    required: dict[str, Any]
    cursor: bool = True
    order: str = "CREATED_AT_ASC"
    """A stable ascending order the list takes (goals have no created-at order)."""
    nested: str | None = None
    """The list pages parents whose `nested` list holds the rows (insurance policies under users)."""

    def rows(self, page: list[Any]) -> list[Any]:
        return page if self.nested is None else [row for parent in page for row in parent[self.nested]]


STREAM_DOCS = (
    StreamDoc(
        "appointments",
        "appointments",
        "Appointments",
        "AppointmentsCount",
        "Appointment",
        {"filter": "all", "is_org": True, "with_all_statuses": True, "should_paginate": True},
    ),
    StreamDoc("billing_items", "billing_items", "BillingItems", "BillingItemsCount", "BillingItem", {}),
    StreamDoc("entries", "entries", "Entries", "EntriesCount", "Entry", {"is_org": True}),
    StreamDoc(
        "form_answer_groups",
        "form_answer_groups",
        "FormAnswerGroups",
        "FormAnswerGroupsCount",
        "FormAnswerGroup",
        {"should_paginate": True},
    ),
    StreamDoc("patients", "patients", "Patients", "PatientsCount", "Patient", {"should_paginate": True}),
    StreamDoc("providers", "providers", "Providers", "ProvidersCount", None, {}, cursor=False),
    StreamDoc("appointment_types", "appointment_types", "AppointmentTypes", None, None, {}),
    StreamDoc("claims", "claims", "Claims", "ClaimsCount", "Claim", {"should_paginate": True}),
    StreamDoc("invoices", "invoices", "Invoices", "InvoicesCount", "Invoice", {"preview": False}),
    StreamDoc("invoice_previews", "invoices", "Invoices", None, "InvoicePreview", {"preview": True}),
    StreamDoc(
        "insurance_policies",
        "insurance_policies",
        "InsurancePolicies",
        None,
        "InsurancePolicy",
        {"should_paginate": True},
        nested="policies",
    ),
    StreamDoc(
        "form_templates",
        "form_templates",
        "FormTemplates",
        "FormTemplatesCount",
        "FormTemplate",
        {"should_paginate": True, "include_default_templates": True},
    ),
    StreamDoc("care_plans", "care_plans", "CarePlans", "CarePlansCount", "CarePlan", {}),
    StreamDoc("goals", "goals", "Goals", "GoalsCount", "Goal", {}, order="START_DATE_ASC"),
    StreamDoc(
        "goal_histories",
        "goal_histories",
        "GoalHistories",
        "GoalHistoriesCount",
        "GoalHistory",
        {"should_paginate": True, "unique": False, "include_subgoals": True},
    ),
    StreamDoc("tasks", "tasks", "Tasks", "TasksCount", "Task", {"show_hidden": True}, order="CREATED_ASC"),
    StreamDoc("documents", "documents", "Documents", "DocumentsCount", "Document", {"should_paginate": True}),
)
STREAM_DOC = {s.stream: s for s in STREAM_DOCS}


class Gql:
    def __init__(self, url: str, api_key: str) -> None:
        self.url = url
        self.http = httpx.Client(
            headers={"Authorization": f"Basic {api_key}", "AuthorizationSource": "API"}, timeout=30.0
        )

    def close(self) -> None:
        self.http.close()

    def post(
        self, query: str, variables: dict[str, Any] | None = None, operation: str | None = None
    ) -> httpx.Response:
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation:
            body["operationName"] = operation
        return self.http.post(self.url, json=body)

    def result(
        self, query: str, variables: dict[str, Any] | None = None, operation: str | None = None
    ) -> Any:
        response = self.post(query, variables, operation)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None, operation: str | None = None) -> Any:
        body = self.result(query, variables, operation)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def op(self, stream: str, operation: str, **variables: Any) -> Any:
        """`operation` of `stream`'s document; returns the aliased root value (`items`/`count`/`item`)."""
        spec = STREAM_DOC[stream]
        data = self.data(document(spec.doc), variables, operation)
        return next(iter(data.values()))

    def pull_cursor(
        self, stream: str, page_size: int, order_by: str | None = None, **extra: Any
    ) -> list[Any]:
        spec = STREAM_DOC[stream]
        variables = {**spec.required, "page_size": page_size, "order_by": order_by or spec.order, **extra}
        rows: list[Any] = []
        after = None
        while True:
            page = self.op(stream, spec.list_op, **variables, after=after)
            rows += spec.rows(page)
            if len(page) < page_size:
                return rows
            after = page[-1]["cursor"]

    def offset_page(self, stream: str, offset: int, **variables: Any) -> list[Any]:
        spec = STREAM_DOC[stream]
        query = document(spec.doc)
        if spec.cursor:
            # The product's documents page by cursor; the offset variant swaps `after` for `offset`.
            query = query.replace("$after: Cursor", "$offset: Int").replace(
                "after: $after", "offset: $offset"
            )
        return list(self.data(query, {**spec.required, "offset": offset, **variables}, spec.list_op)["items"])

    def pull_offset(
        self, stream: str, page_size: int, order_by: str | None = None, **extra: Any
    ) -> list[Any]:
        spec = STREAM_DOC[stream]
        rows: list[Any] = []
        offset = 0
        while True:
            page = self.offset_page(
                stream, offset, page_size=page_size, order_by=order_by or spec.order, **extra
            )
            offset += len(page)
            rows += spec.rows(page)
            if len(page) < page_size:
                return rows


def matches_truth(item: dict[str, Any], truth: dict[str, Any]) -> bool:
    """`item` (as a document selected it) agrees with the truth row on every selected field."""
    for key, value in item.items():
        if key == "cursor":
            continue
        expected = truth[key]
        if isinstance(value, dict):
            if value["id"] != expected["id"]:
                return False
        elif isinstance(value, list):
            if len(value) != len(expected):
                return False
            for v, e in zip(value, expected, strict=True):
                if not (matches_truth(v, e) if isinstance(v, dict) else v == e):
                    return False
        elif value != expected:
            return False
    return True
