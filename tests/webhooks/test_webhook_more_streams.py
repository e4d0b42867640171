"""Webhooks of the revenue-cycle and care streams: every event type the API guide lists for a pulled
resource routes to its stream, an invoice event re-reads both invoice streams, and event types of
resources the product does not pull are acknowledged, counted and ignored."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.dev.harness import event_body
from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.refresh.drain import plan_refresh
from pipelines.webhooks.events import EVENT_FAMILIES, WebhookEvent, stream_for
from pipelines.webhooks.inbox import ClaimedEvent, Inbox

API_GUIDE = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "healthie-api-docs.txt"

#: The guide's event family -> (the `resource_id_type` Healthie sends, the stream).
PULLED = {
    "appointment": ("Appointment", "appointments"),
    "billing_item": ("BillingItem", "billing_items"),
    "entry": ("Entry", "entries"),
    "metric_entry": ("MetricEntry", "entries"),
    "form_answer_group": ("FormAnswerGroup", "form_answer_groups"),
    "patient": ("Patient", "patients"),
    "cms1500": ("Cms1500", "claims"),
    "requested_payment": ("RequestedPayment", "invoices"),
    "policy": ("Policy", "insurance_policies"),
    "care_plan": ("CarePlan", "care_plans"),
    "goal": ("Goal", "goals"),
    "goal_history": ("GoalHistory", "goal_histories"),
    "task": ("Task", "tasks"),
    "document": ("Document", "documents"),
}
#: Resources the product does not pull (yet): their events are ignored, never an error.
NOT_PULLED = {
    "applied_tag",
    "availability",
    "comment",
    "conversation_membership",
    "dosespot_notification",
    "insurance_authorization",
    "message",
    "received_fax",
    "requested_form_completion",
}


def guide_event_types() -> list[str]:
    """The webhook event types listed in the API guide (`family.action` lines of its table)."""
    if not API_GUIDE.is_file():
        pytest.skip(f"the API guide is not at {API_GUIDE} (reference material, not shipped)")
    text = API_GUIDE.read_text(encoding="utf-8")
    return sorted(
        set(re.findall(r"^([a-z_0-9]+\.(?:created|updated|deleted|locked|signed|viewed))\*? \|$", text, re.M))
    )


def test_every_guide_event_type_is_routed_or_knowingly_ignored() -> None:
    events = guide_event_types()
    assert len(events) > 40, "the guide's webhook table was found"
    families = {event.partition(".")[0] for event in events}
    assert families == set(PULLED) | NOT_PULLED, "a family is new to the guide: decide if it is pulled"
    for event_type in events:
        family = event_type.partition(".")[0]
        if family in PULLED:
            resource_type, stream = PULLED[family]
            assert stream_for(WebhookEvent("7", resource_type, event_type)) == stream, event_type
        else:
            for resource_type in ("Note", "Comment", "User", "Appointment"):
                assert stream_for(WebhookEvent("7", resource_type, event_type)) is None, event_type


def test_every_webhook_stream_can_be_reread_by_id() -> None:
    for stream in EVENT_FAMILIES:
        spec = STREAMS_BY_NAME[stream]
        assert spec.by_id_operation and spec.webhook_resource_types
        for other in spec.also_rereads:
            assert STREAMS_BY_NAME[other].by_id_operation


@pytest.mark.parametrize(
    ("resource_id_type", "event_type"),
    [("Goal", "care_plan.updated"), ("Task", "document.created"), ("Policy", "patient.updated")],
)
def test_family_and_type_must_agree(resource_id_type: str, event_type: str) -> None:
    assert stream_for(WebhookEvent("7", resource_id_type, event_type)) is None


def test_an_invoice_event_rereads_both_invoice_streams() -> None:
    events = [
        ClaimedEvent(1, "30", "RequestedPayment", "requested_payment.updated", "invoices"),
        ClaimedEvent(2, "31", "RequestedPayment", "requested_payment.created", "invoices"),
        ClaimedEvent(3, "5", "Task", "task.deleted", "tasks"),
    ]
    plan = plan_refresh(events)
    assert plan.ids_by_stream == {
        "invoice_previews": ("30", "31"),
        "invoices": ("30", "31"),
        "tasks": ("5",),
    }


@pytest.mark.anyio
async def test_unpulled_event_types_are_acknowledged_and_counted(post: object, inbox: Inbox) -> None:
    bodies = [
        event_body(1, "InsuranceAuthorization", "insurance_authorization.created"),
        event_body(2, "RequestedFormCompletion", "requested_form_completion.updated"),
        event_body(3, "ReceivedFax", "received_fax.created"),
    ]
    for body in bodies:
        response = await post(body)  # type: ignore[operator]
        assert response.status_code in (200, 202) and response.json()["status"] == "ignored"
    assert inbox.stats()["ignored"] == 3 and inbox.pending_count() == 0
    accepted = await post(event_body(4, "Cms1500", "cms1500.updated"))  # type: ignore[operator]
    assert accepted.json()["status"] == "accepted" and inbox.pending_count() == 1
