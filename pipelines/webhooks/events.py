"""What a Healthie webhook says, and which lake stream it asks us to re-read.

A webhook is thin (docs/healthie-api.md): it names a resource and an event, nothing else we trust. The only
thing the pipeline does with it is "re-read resource X of stream S by id", so this module reduces a body
to that, and decides S from the routing table (`pipelines.healthie.webhook_routes`, dependency-free,
so the receiver never imports pyarrow or Dagster).

Routing needs *both* the event family (`appointment.updated` -> `appointment`) and the resource type to
agree with one stream. Healthie's id sequences are per table, so an id routed to the wrong stream would
be re-read there, come back null, and tombstone an unrelated live row; an event we cannot place with
certainty is kept as `ignored` instead, and the nightly full sync covers it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pipelines.healthie.webhook_routes import WEBHOOK_ROUTES

#: Event families that mean "this stream changed", per stream (derived from the one routing table).
EVENT_FAMILIES: dict[str, tuple[str, ...]] = {route.stream: route.event_families for route in WEBHOOK_ROUTES}

REQUIRED_FIELDS = ("resource_id", "resource_id_type", "event_type")


class MalformedEvent(ValueError):
    """The body is not a JSON object carrying a resource id, its type and an event type."""


@dataclass(frozen=True)
class WebhookEvent:
    """The part of a delivery the pipeline keeps: no `changed_fields`, no extra keys."""

    resource_id: str
    resource_id_type: str
    event_type: str


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    # bool is an int subclass; `true` is never an id.
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise MalformedEvent(f"missing or invalid {key!r}")
    return str(value).strip()


def parse_event(body: bytes) -> WebhookEvent:
    """Parse a raw body; raise MalformedEvent for bad JSON or a missing field (the receiver's 400)."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedEvent("body is not JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedEvent("body is not a JSON object")
    return WebhookEvent(*(_text(payload, key) for key in REQUIRED_FIELDS))


def _build_routes() -> dict[tuple[str, str], str]:
    routes: dict[tuple[str, str], str] = {}
    for route in WEBHOOK_ROUTES:
        for family in route.event_families:
            for resource_type in route.resource_types:
                routes[(family, resource_type.lower())] = route.stream
    return routes


ROUTES: dict[tuple[str, str], str] = _build_routes()


def stream_for(event: WebhookEvent) -> str | None:
    """The lake stream whose row `event.resource_id` is, or None when the event is not ours to act on."""
    family = event.event_type.partition(".")[0].strip().lower()
    return ROUTES.get((family, event.resource_id_type.strip().lower()))
