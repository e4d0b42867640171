"""Response classification: which failures are retried, shrink the page, or fail with a clear message."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipelines.healthie.errors import (
    GraphQLRequestError,
    HealthieError,
    MalformedResponseError,
    QueryTooComplexError,
    RateLimitedError,
    RequestRejectedError,
    RetryableError,
    ServerError,
)
from pipelines.healthie.responses import (
    interpret_response,
    optional_object,
    parse_retry_after,
    require_count,
    require_list,
)


def body(payload: object) -> bytes:
    return json.dumps(payload).encode()


def errors(message: str, code: str | None = None) -> bytes:
    error: dict[str, object] = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return body({"data": None, "errors": [error]})


COMPLEX = "Query has complexity of 2500, which exceeds max complexity of 2000"


@pytest.mark.parametrize(
    ("status", "headers", "content", "error", "retry_after"),
    [
        (429, {"retry-after": "2"}, b"", RateLimitedError, 2.0),
        (429, {}, b"rate limited", RateLimitedError, None),
        (503, {"retry-after": "1"}, b"<html>", ServerError, 1.0),
        (500, {}, b"", ServerError, None),
        (200, {}, errors("Too many requests", "TOO_MANY_REQUESTS"), RateLimitedError, None),
        (200, {}, errors("Internal error", "INTERNAL_SERVER_ERROR"), ServerError, None),
        (200, {}, errors(COMPLEX), QueryTooComplexError, None),
        (200, {}, errors("Field 'x' doesn't exist"), GraphQLRequestError, None),
        (200, {}, b"{not json", MalformedResponseError, None),
        (200, {}, body([1, 2]), MalformedResponseError, None),
        (200, {}, body({"data": None}), MalformedResponseError, None),
        (401, {}, body({"error": "unauthorized"}), RequestRejectedError, None),
        (403, {}, b"forbidden", RequestRejectedError, None),
    ],
)
def test_interpret_response_classifies(
    status: int,
    headers: dict[str, str],
    content: bytes,
    error: type[HealthieError],
    retry_after: float | None,
) -> None:
    with pytest.raises(error) as caught:
        interpret_response(status, headers, content)
    if isinstance(caught.value, RetryableError):
        assert caught.value.retry_after == retry_after


def test_complexity_error_carries_numbers() -> None:
    with pytest.raises(QueryTooComplexError) as caught:
        interpret_response(200, {}, errors(COMPLEX))
    assert (caught.value.complexity, caught.value.max_complexity) == (2500, 2000)


def test_data_is_returned() -> None:
    assert interpret_response(200, {}, body({"data": {"items": []}})) == {"items": []}


def test_malformed_messages_do_not_echo_the_body() -> None:
    secret = "Jane Doe, DOB 1980-01-01"
    with pytest.raises(MalformedResponseError) as caught:
        interpret_response(200, {}, f"{{{secret}".encode())
    assert secret not in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("3", 3.0), ("0.5", 0.5), ("-4", 0.0), ("9999", 120.0), ("soon", None)],
)
def test_parse_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 01 Jan 2024 12:00:05 GMT", now=now) == 5.0


@pytest.mark.parametrize("data", [{}, {"items": None}, {"items": {"a": 1}}])
def test_require_list_rejects(data: dict[str, object]) -> None:
    with pytest.raises(MalformedResponseError, match=r"data\.items"):
        require_list(data)


@pytest.mark.parametrize("data", [{}, {"count": "3"}, {"count": -1}, {"count": True}])
def test_require_count_rejects(data: dict[str, object]) -> None:
    with pytest.raises(MalformedResponseError, match=r"data\.count"):
        require_count(data)


def test_optional_object() -> None:
    assert optional_object({"item": None}) is None
    assert optional_object({"item": {"id": "1"}}) == {"id": "1"}
    with pytest.raises(MalformedResponseError):
        optional_object({})
    with pytest.raises(MalformedResponseError):
        optional_object({"item": [1]})
