"""Page Healthie's `sentWebhooks` back to a point in time: what it sent, where, and the status it got.

`sentWebhooks` takes no time filter (only `keywords`), so the list is read newest first
(`CREATED_AT_DESC`, its default order) with cursor pagination, which new sends at the head cannot
shift, and reading stops at the first page that reaches back past `since`. The cost of a read is
therefore one request per `page_size` webhooks sent since `since`, plus at most one: the page that
shows the end. Records are reduced to typed values; a malformed one fails the read (a record we
cannot place is not one we may skip).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from pipelines.healthie.client import HealthieClient
from pipelines.healthie.errors import MalformedResponseError, RunawayPaginationError
from pipelines.healthie.responses import require_list
from pipelines.healthie.streams import QUERIES_PACKAGE

DOCUMENT = "sent_webhooks.graphql"
OPERATION = "SentWebhooks"
ORDER = "CREATED_AT_DESC"
#: Healthie documents no cap for this list (default 20); 100 is the cap of its other capped lists.
PAGE_SIZE = 100
#: A read never pages further than this (180 days of a busy practice is far below it).
MAX_PAGES = 100_000
LABEL = "sent_webhooks"

_RAILS = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(UTC|Z|[+-]\d{2}:?\d{2})$")


def parse_healthie_time(text: str) -> datetime:
    """An instant in any of Healthie's timestamp styles (`2020-05-08 21:00:00 UTC`,
    `2022-08-03 09:55:55 -0400`, ISO 8601 with `Z` or an offset), as an aware UTC datetime."""
    match = _RAILS.match(text.strip())
    if match is None:
        raise ValueError("not a Healthie timestamp")
    day, clock, zone = match.groups()
    zone = "+00:00" if zone in ("UTC", "Z") else zone
    return datetime.fromisoformat(f"{day}T{clock}{zone}").astimezone(UTC)


@dataclass(frozen=True)
class SentWebhook:
    """One webhook Healthie sent, as the recovery needs it (no body: Healthie does not list one)."""

    id: str
    created_at: datetime
    event_type: str | None
    resource_id: str | None
    resource_id_type: str | None
    url: str | None
    http_status: int | None
    """The HTTP status the target answered; None when there was none (connection failed, timeout)."""

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


@dataclass(frozen=True)
class SentWebhookRead:
    records: tuple[SentWebhook, ...]
    requests: int


def _text(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedResponseError(f"sentWebhooks: `{key}` is a {type(value).__name__}")
    return str(value).strip()


def _status(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


def parse_record(record: Any) -> SentWebhook:
    """A `SentWebhook` object as returned by the query; messages name fields, never values."""
    if not isinstance(record, dict):
        raise MalformedResponseError("sentWebhooks: an item is not an object")
    record_id, created = _text(record, "id"), _text(record, "created_at")
    if record_id is None or created is None:
        raise MalformedResponseError("sentWebhooks: an item lacks `id` or `created_at`")
    try:
        created_at = parse_healthie_time(created)
    except ValueError:
        raise MalformedResponseError("sentWebhooks: `created_at` is not a timestamp") from None
    return SentWebhook(
        id=record_id,
        created_at=created_at,
        event_type=_text(record, "event_type"),
        resource_id=_text(record, "resource_id"),
        resource_id_type=_text(record, "resource_id_type"),
        url=_text(record, "url"),
        http_status=_status(_text(record, "http_response_status")),
    )


def document() -> str:
    return resources.files(QUERIES_PACKAGE).joinpath(DOCUMENT).read_text(encoding="utf-8")


async def read_sent_since(
    client: HealthieClient, since: datetime, *, page_size: int = PAGE_SIZE
) -> SentWebhookRead:
    """Every webhook sent at or after `since` (newest first), and how many requests that took."""
    text = document()
    records: list[SentWebhook] = []
    after: str | None = None
    seen_cursors: set[str] = set()
    for requests in range(1, MAX_PAGES + 1):
        variables: dict[str, Any] = {"page_size": page_size, "order_by": ORDER, "after": after}
        data = await client.execute(text, OPERATION, variables, label=LABEL)
        items = require_list(data)
        if not items:
            return SentWebhookRead(tuple(records), requests)
        page = [parse_record(item) for item in items]
        records.extend(r for r in page if r.created_at >= since)
        if page[-1].created_at < since:
            return SentWebhookRead(tuple(records), requests)
        cursor = items[-1].get("cursor")
        if not isinstance(cursor, str) or cursor in seen_cursors:
            raise RunawayPaginationError("sentWebhooks: a page ended without a new cursor")
        seen_cursors.add(cursor)
        after = cursor
    raise RunawayPaginationError(f"sentWebhooks: more than {MAX_PAGES} pages since the cursor")
