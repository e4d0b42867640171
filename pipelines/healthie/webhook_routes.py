"""Which Healthie webhooks mean "a row of this stream changed": the one routing table.

A webhook names an event (`appointment.updated`) and a resource (`resource_id_type: "Appointment"`);
routing needs both to agree with one stream (docs/healthie-api.md, "Webhooks"). This table is the only
place that says which: the receiver routes from it (`pipelines.webhooks.events`) and the stream specs
read their `webhook_resource_types` from it. Kept free of every import (no pyarrow): the receiver must
start fast and small.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebhookRoute:
    """Events of these families about resources of these types re-read one row of `stream` by id."""

    stream: str
    event_families: tuple[str, ...]
    """The part of `event_type` before the first dot (`appointment` in `appointment.updated`)."""
    resource_types: tuple[str, ...]
    """`resource_id_type` values (compared case-insensitively)."""


WEBHOOK_ROUTES: tuple[WebhookRoute, ...] = (
    WebhookRoute("appointments", ("appointment",), ("Appointment",)),
    WebhookRoute("billing_items", ("billing_item",), ("BillingItem",)),
    WebhookRoute("entries", ("entry", "metric_entry"), ("Entry", "MetricEntry")),
    WebhookRoute("form_answer_groups", ("form_answer_group",), ("FormAnswerGroup",)),
    WebhookRoute("patients", ("patient",), ("User", "Patient")),
    WebhookRoute("claims", ("cms1500",), ("Cms1500",)),
    # A sent invoice; the refresh re-reads the id in `invoice_previews` too (StreamSpec.also_rereads),
    # since a draft that is sent moves between the two.
    WebhookRoute("invoices", ("requested_payment",), ("RequestedPayment",)),
    WebhookRoute("insurance_policies", ("policy",), ("Policy",)),
    WebhookRoute("care_plans", ("care_plan",), ("CarePlan",)),
    WebhookRoute("goals", ("goal",), ("Goal",)),
    WebhookRoute("goal_histories", ("goal_history",), ("GoalHistory",)),
    WebhookRoute("tasks", ("task",), ("Task",)),
    WebhookRoute("documents", ("document",), ("Document",)),
)
"""Event types of resources the product does not pull (`applied_tag.*`, `comment.*`, `message.*`, ...)
route nowhere: the receiver acknowledges and counts them as ignored."""

ROUTES_BY_STREAM: dict[str, WebhookRoute] = {route.stream: route for route in WEBHOOK_ROUTES}


def resource_types_of(stream: str) -> tuple[str, ...]:
    """The `resource_id_type` values whose webhooks re-read a row of `stream` (none: not routed)."""
    route = ROUTES_BY_STREAM.get(stream)
    return route.resource_types if route else ()
