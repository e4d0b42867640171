"""Turn one HTTP response into GraphQL `data` or a typed error: the client's retry decisions live here.

Pure functions over (status, headers, body) so every branch is unit-tested without a server. Messages
describe the response's shape (status, size, error codes, field names), never its record contents.

GraphQL errors in an HTTP 200 body are classified by what a retry would do (`classify_graphql_error`):

- `rate_limited`: `TOO_MANY_REQUESTS` (retried after the server's Retry-After or a backoff);
- `too_complex`: "Query has complexity of N" (the pager asks again with a smaller page);
- `permanent`: the request itself is wrong and would get the same answer forever: it does not parse
  or validate (an unknown field or argument, an invalid argument or variable value: the messages of
  graphql-ruby, Healthie's server, and of graphql-js/-core), or the key is not allowed. A spec
  request error (no `data` key, an error pointing at the document's `locations`) is one too. Fails fast;
- `transient`: everything else: "Internal server error", timeouts, messages we do not know. The
  server failed, not the query, so it is retried like a 5xx (GitHub's API answers "Something went
  wrong while executing your query. This may be the result of a timeout"; graphql-ruby turns an
  unhandled exception into "Internal server error"). A page is never landed with holes: data that
  comes with a transient error is not used, the request is repeated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

from pipelines.healthie.errors import (
    GraphQLRequestError,
    MalformedResponseError,
    QueryTooComplexError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    TransientGraphQLError,
)

COMPLEXITY_PATTERN = re.compile(r"complexity of (\d+),? which exceeds max complexity of (\d+)", re.IGNORECASE)
RATE_LIMIT_CODE = "TOO_MANY_REQUESTS"
#: `extensions.code` values of errors about the request itself (GraphQL-over-HTTP and Apollo codes,
#: graphql-ruby's static validation codes): the same request always gets the same answer.
PERMANENT_CODES = frozenset(
    {
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "BAD_USER_INPUT",
        "BAD_REQUEST",
        "UNAUTHENTICATED",
        "UNAUTHORIZED",
        "FORBIDDEN",
        "ACCESS_DENIED",
        "undefinedField",
        "undefinedType",
        "argumentNotAccepted",
        "argumentLiteralsIncompatible",
        "missingRequiredArguments",
        "missingRequiredInputObjectAttribute",
        "inputObjectFieldUnknown",
        "variableMismatch",
        "variableNotDefined",
        "variableNotUsed",
        "variableRequiresValidType",
        "selectionMismatch",
        "undefinedFragment",
        "fragmentNotUsed",
        "useAndDefineFragment",
    }
)
#: Messages of errors that can never succeed: validation (graphql-ruby's wording first, then
#: graphql-js / graphql-core's, which the sandbox speaks), argument values the resolver refuses,
#: and authentication or authorization.
PERMANENT_PATTERN = re.compile(
    "|".join(
        [
            r"field '[^']*' doesn't exist",
            r"cannot query field",
            r"argument '[^']*' on (field|directive) '[^']*' has an invalid value",
            r"argument '[^']*' has invalid value",
            r"doesn't accept argument",
            r"unknown argument",
            r"missing required argument",
            r"argument '[^']*' of type '[^']*' is required",
            r"variable \$?'?\$?\w+'? of type .* was provided invalid value",
            r"variable '\$\w+' got invalid value",
            r"variable '\$\w+' of (required|non-null) type",
            r"variable \$\w+ is (declared|used) by .* but not",
            r"variable '\$\w+' is (never used|not defined)",
            r"expected value of type",
            r"cannot represent",
            r"expected type '",
            r"^(syntax|parse) error",
            r"unknown (type|operation|fragment|directive)",
            r"must provide operation name",
            r"isn't a defined input type",
            r"must be one of",
            r"must be a date",
            r"is not supported",
            r"unauthori[sz]ed",
            r"not authori[sz]ed",
            r"unauthenticated",
            r"forbidden",
            r"access denied",
            r"permission",
            r"must be (logged|signed) in",
            r"api key",
        ]
    ),
    re.IGNORECASE,
)
#: Retry-After values beyond this are capped: a sync should slow down, not sleep for an hour.
MAX_RETRY_AFTER_SECONDS = 120.0
_MAX_ERROR_MESSAGES = 3
_MAX_ERROR_CHARS = 200


class GraphQLErrorKind(StrEnum):
    RATE_LIMITED = "rate_limited"
    TOO_COMPLEX = "too_complex"
    PERMANENT = "permanent"
    TRANSIENT = "transient"


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
        _raise_for_graphql_errors(errors, retry_after, has_data="data" in body, status=status)
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


def classify_graphql_error(error: Any, *, has_data: bool = True) -> GraphQLErrorKind:
    """What a retry of the request would do about one `errors` entry (see the module docstring).
    `has_data`: whether the body had a `data` key (a spec request error has none)."""
    message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
    extensions = error.get("extensions") if isinstance(error, dict) else None
    code = extensions.get("code") if isinstance(extensions, dict) else None
    if code == RATE_LIMIT_CODE or message.lower().startswith("too many requests"):
        return GraphQLErrorKind.RATE_LIMITED
    if COMPLEXITY_PATTERN.search(message):
        return GraphQLErrorKind.TOO_COMPLEX
    if code in PERMANENT_CODES or PERMANENT_PATTERN.search(message):
        return GraphQLErrorKind.PERMANENT
    if not has_data and isinstance(error, dict) and error.get("locations"):
        return GraphQLErrorKind.PERMANENT  # a request error: it points into the query document
    return GraphQLErrorKind.TRANSIENT


def _raise_for_graphql_errors(errors: Any, retry_after: float | None, *, has_data: bool, status: int) -> None:
    if not isinstance(errors, list):
        raise MalformedResponseError("response `errors` is not a list")
    kinds = [classify_graphql_error(error, has_data=has_data) for error in errors]
    if status != 200:  # a 4xx with GraphQL errors: the server blames the request, whatever it says
        kinds = [GraphQLErrorKind.PERMANENT if k is GraphQLErrorKind.TRANSIENT else k for k in kinds]
    messages = [_message(error) for error in errors]
    if GraphQLErrorKind.RATE_LIMITED in kinds:
        raise RateLimitedError(f"GraphQL {RATE_LIMIT_CODE}", retry_after)
    if GraphQLErrorKind.TOO_COMPLEX in kinds:
        match = COMPLEXITY_PATTERN.search(messages[kinds.index(GraphQLErrorKind.TOO_COMPLEX)])
        assert match is not None
        raise QueryTooComplexError(
            f"query too complex ({match.group(1)} > {match.group(2)})",
            int(match.group(1)),
            int(match.group(2)),
        )
    if GraphQLErrorKind.PERMANENT in kinds:
        permanent = [m for m, k in zip(messages, kinds, strict=True) if k is GraphQLErrorKind.PERMANENT]
        raise GraphQLRequestError(f"GraphQL error: {_shown(permanent)}")
    raise TransientGraphQLError(f"transient GraphQL error: {_shown(messages)}", retry_after)


def _message(error: Any) -> str:
    message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
    extensions = error.get("extensions") if isinstance(error, dict) else None
    code = extensions.get("code") if isinstance(extensions, dict) else None
    text = message[:_MAX_ERROR_CHARS] or "(no message)"
    return f"{text} [{code}]" if isinstance(code, str) and code else text


def _shown(messages: list[str]) -> str:
    shown = "; ".join(messages[:_MAX_ERROR_MESSAGES])
    more = len(messages) - _MAX_ERROR_MESSAGES
    return f"{shown} (+{more} more)" if more > 0 else shown


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
