"""Response classification: which failures are retried, shrink the page, or fail with a clear message.

GraphQL errors in a 200 body: the wording of graphql-ruby (Healthie's server) and of graphql-js /
graphql-core (the sandbox) for errors that can never succeed fails fast; anything else is retried."""

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
    TransientGraphQLError,
)
from pipelines.healthie.responses import (
    GraphQLErrorKind,
    classify_graphql_error,
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
        (200, {}, errors("Internal error", "INTERNAL_SERVER_ERROR"), TransientGraphQLError, None),
        (200, {"retry-after": "3"}, errors("Internal server error"), TransientGraphQLError, 3.0),
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


PERMANENT_MESSAGES = [
    # graphql-ruby (Healthie)
    "Field 'no_such_field' doesn't exist on type 'User'",
    "Argument 'page_size' on Field 'users' has an invalid value (\"lots\"). Expected type 'Int'.",
    "Variable $page_size of type Int was provided invalid value",
    "Field 'users' doesn't accept argument 'colour'",
    "Field 'user' is missing required arguments: id",
    "Variable $id is declared by Patient but not used",
    'Parse error on "}" (RCURLY) at [1, 2]',
    # graphql-js / graphql-core (the sandbox)
    "Cannot query field 'no_such_field' on type 'User'.",
    "Variable '$page_size' got invalid value 'lots'; Int cannot represent non-integer value: 'lots'",
    "Unknown argument 'colour' on field 'Query.users'.",
    "Syntax Error: Expected Name, found '}'.",
    "Unknown operation named 'Nope'.",
    # authentication and authorization
    "You are not authorized to access this resource",
    "Unauthorized",
    "API key is invalid",
]


@pytest.mark.parametrize("message", PERMANENT_MESSAGES)
def test_errors_that_can_never_succeed_fail_fast(message: str) -> None:
    assert classify_graphql_error({"message": message}) is GraphQLErrorKind.PERMANENT
    with pytest.raises(GraphQLRequestError, match=r"^GraphQL error: ") as caught:
        interpret_response(200, {}, errors(message))
    assert not isinstance(caught.value, RetryableError)


@pytest.mark.parametrize(
    "code", ["undefinedField", "argumentLiteralsIncompatible", "UNAUTHENTICATED", "FORBIDDEN"]
)
def test_codes_of_errors_that_can_never_succeed(code: str) -> None:
    assert (
        classify_graphql_error({"message": "?", "extensions": {"code": code}}) is GraphQLErrorKind.PERMANENT
    )


INTERNAL = {"message": "Internal server error"}
GITHUB_TIMEOUT = "Something went wrong while executing your query. This may be the result of a timeout"


@pytest.mark.parametrize(
    "payload",
    [
        {"data": None, "errors": [INTERNAL]},
        {"data": None, "errors": [{**INTERNAL, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]},
        {"data": None, "errors": [{"message": GITHUB_TIMEOUT}]},
        {"data": None, "errors": [{"message": "Timeout on Query.appointments"}]},
        {"data": None, "errors": [{"message": "a message nobody documented"}]},
        {"data": None, "errors": [{}]},
        {"data": {"items": None}, "errors": [{**INTERNAL, "path": ["items"]}]},
        {"errors": [INTERNAL]},
    ],
    ids=["internal", "code", "github-timeout", "timeout", "unknown", "no-message", "partial", "no-data"],
)
def test_other_graphql_errors_are_transient(payload: dict[str, object]) -> None:
    with pytest.raises(TransientGraphQLError, match=r"^transient GraphQL error: "):
        interpret_response(200, {}, body(payload))


def test_a_request_error_pointing_into_the_document_is_permanent() -> None:
    """Per the GraphQL spec a request error (parse, validation, coercion) has no `data` key at all."""
    error = {"message": "Int is not right here", "locations": [{"line": 1, "column": 9}]}
    with pytest.raises(GraphQLRequestError):
        interpret_response(200, {}, body({"errors": [error]}))
    with pytest.raises(TransientGraphQLError):  # with `data`, it is an execution error
        interpret_response(200, {}, body({"data": None, "errors": [error]}))


def test_a_4xx_with_graphql_errors_blames_the_request() -> None:
    with pytest.raises(GraphQLRequestError):
        interpret_response(400, {}, errors("a message nobody documented"))


def test_a_permanent_error_wins_over_a_transient_one() -> None:
    payload = {
        "data": None,
        "errors": [{"message": "Internal server error"}, {"message": PERMANENT_MESSAGES[0]}],
    }
    with pytest.raises(GraphQLRequestError, match="doesn't exist"):
        interpret_response(200, {}, body(payload))


def test_rate_limit_and_complexity_come_before_the_rest() -> None:
    too_many = {"message": "Too many requests", "extensions": {"code": "TOO_MANY_REQUESTS"}}
    payload = {"data": None, "errors": [{"message": "Internal server error"}, too_many]}
    with pytest.raises(RateLimitedError):
        interpret_response(200, {}, body(payload))
    with pytest.raises(QueryTooComplexError):
        interpret_response(200, {}, body({"errors": [{"message": "Unauthorized"}, {"message": COMPLEX}]}))
