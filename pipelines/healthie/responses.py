"""Turn one HTTP response into GraphQL `data` or a typed error: the client's retry decisions live here.

Pure functions over (status, headers, body) so every branch is unit-tested without a server. Messages
describe the response's shape (status, size, error codes, field names), never its record contents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from pipelines.healthie.errors import (
    GraphQLRequestError,
    MalformedResponseError,
    QueryTooComplexError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
)

COMPLEXITY_PATTERN = re.compile(r"complexity of (\d+),? which exceeds max complexity of (\d+)", re.IGNORECASE)
RATE_LIMIT_CODE = "TOO_MANY_REQUESTS"
#: GraphQL error codes that report a transient server-side failure rather than a problem with the query.
TRANSIENT_CODES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"})
#: Retry-After values beyond this are capped: a sync should slow down, not sleep for an hour.
MAX_RETRY_AFTER_SECONDS = 120.0
_MAX_ERROR_MESSAGES = 3
_MAX_ERROR_CHARS = 200


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), capped; None if absent."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def interpret_response(status: int, headers: Mapping[str, str], content: bytes) -> dict[str, Any]:
    """Return the GraphQL `data` object, or raise the error class that says what to do next."""
    retry_after = parse_retry_after(headers.get("retry-after"))
    if status == 429:
        raise RateLimitedError("HTTP 429 Too Many Requests", retry_after)
    if status >= 500 or status == 408:
        raise ServerError(f"HTTP {status}", retry_after)
    if status in (401, 403):  # whatever the body says, the fix is the credentials, not the query
        raise RequestRejectedError(f"HTTP {status} (check HEALTHIE_API_KEY, HEALTHIE_AUTH_SHARD and the URL)")
    body = _parse_json(status, content)
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        _raise_for_graphql_errors(errors, retry_after)
    if status != 200:
        raise RequestRejectedError(f"HTTP {status} (check HEALTHIE_API_KEY, HEALTHIE_AUTH_SHARD and the URL)")
    if not isinstance(body, dict):
        raise MalformedResponseError(f"response body is a JSON {type(body).__name__}, not an object")
    data = body.get("data")
    if not isinstance(data, dict):
        raise MalformedResponseError("response has no `data` object")
    return data


def _parse_json(status: int, content: bytes) -> Any:
    try:
        return json.loads(content)
    except (UnicodeDecodeError, ValueError):
        if status != 200:
            raise RequestRejectedError(f"HTTP {status} with a non-JSON body ({len(content)} bytes)") from None
        raise MalformedResponseError(f"invalid JSON in response (HTTP 200, {len(content)} bytes)") from None


def _raise_for_graphql_errors(errors: Any, retry_after: float | None) -> None:
    if not isinstance(errors, list):
        raise MalformedResponseError("response `errors` is not a list")
    messages: list[str] = []
    for error in errors:
        message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        if code == RATE_LIMIT_CODE or message.lower().startswith("too many requests"):
            raise RateLimitedError(f"GraphQL {RATE_LIMIT_CODE}", retry_after)
        if code in TRANSIENT_CODES:
            raise ServerError(f"GraphQL {code}", retry_after)
        match = COMPLEXITY_PATTERN.search(message)
        if match:
            raise QueryTooComplexError(
                f"query too complex ({match.group(1)} > {match.group(2)})",
                int(match.group(1)),
                int(match.group(2)),
            )
        messages.append(message[:_MAX_ERROR_CHARS])
    shown = "; ".join(messages[:_MAX_ERROR_MESSAGES])
    more = f" (+{len(messages) - _MAX_ERROR_MESSAGES} more)" if len(messages) > _MAX_ERROR_MESSAGES else ""
    raise GraphQLRequestError(f"GraphQL error: {shown}{more}")


def require_list(data: Mapping[str, Any], field: str = "items") -> list[Any]:
    """`data[field]` as a list (the aliased list field of a page)."""
    value = data.get(field)
    if not isinstance(value, list):
        state = "missing" if value is None else f"a {type(value).__name__}"
        raise MalformedResponseError(f"`data.{field}` is {state}, expected a list")
    return value


def require_count(data: Mapping[str, Any], field: str = "count") -> int:
    """`data[field]` as a non-negative int (the aliased `...Count` field)."""
    value = data.get(field)
    if value is None:
        raise MalformedResponseError(f"`data.{field}` is missing")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedResponseError(
            f"`data.{field}` is a {type(value).__name__}, expected a non-negative integer"
        )
    return value


def optional_object(data: Mapping[str, Any], field: str = "item") -> dict[str, Any] | None:
    """`data[field]` as an object or None (a by-id read: null means gone)."""
    if field not in data:
        raise MalformedResponseError(f"`data.{field}` is missing")
    value = data[field]
    if value is not None and not isinstance(value, dict):
        raise MalformedResponseError(f"`data.{field}` is a {type(value).__name__}, expected an object")
    return value
