"""Client settings without a server: the key is required and never shown, the default burst, the API
version header; what a failure says once retries are exhausted, and which failures a retry may fix.

Everything the client does over HTTP (auth headers, retries, Retry-After, pacing) is tested against
the sandbox in tests/integration/test_client_http.py.
"""

from __future__ import annotations

import pytest

from pipelines.healthie.client import ClientSettings, retry_wait_seconds
from pipelines.healthie.errors import (
    ExtractionError,
    GraphQLRequestError,
    MalformedResponseError,
    MissingApiKeyError,
    RequestRejectedError,
    RetryableError,
    ServerError,
    TransientGraphQLError,
    TransportError,
    retry_may_help,
)
from pipelines.resources import resource_from_env

API_KEY = "test-key"


@pytest.mark.parametrize("key", ["", "   "])
def test_missing_key_names_the_variable(key: str) -> None:
    with pytest.raises(MissingApiKeyError, match="HEALTHIE_API_KEY"):
        ClientSettings(api_key=key)


def test_key_stays_out_of_repr() -> None:
    assert API_KEY not in repr(ClientSettings(api_key=API_KEY))


def test_default_burst_is_a_tenth_of_a_second() -> None:
    assert ClientSettings(api_key=API_KEY, rate_limit_rps=40).burst == 4
    assert ClientSettings(api_key=API_KEY, rate_limit_rps=5).burst == 1


def test_api_version_header_only_when_set() -> None:
    assert "Healthie-GraphQL-API-Version" not in ClientSettings(api_key=API_KEY).headers()
    headers = ClientSettings(api_key=API_KEY, api_version="2024-06-01").headers()
    assert headers["Healthie-GraphQL-API-Version"] == "2024-06-01"


@pytest.mark.parametrize("version", ["latest", "2024-6-1", "2024-06-01 "])
def test_a_malformed_api_version_names_the_variable(version: str) -> None:
    with pytest.raises(ValueError, match="HEALTHIE_API_VERSION"):
        ClientSettings(api_key=API_KEY, api_version=version)


def test_api_version_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHIE_API_VERSION", "2024-06-01")
    assert resource_from_env(api_key=API_KEY).client_settings().api_version == "2024-06-01"
    monkeypatch.delenv("HEALTHIE_API_VERSION")
    assert resource_from_env(api_key=API_KEY).client_settings().api_version is None


@pytest.mark.parametrize("error", [ServerError("HTTP 503"), TransientGraphQLError("GraphQL: boom", 2.0)])
def test_giving_up_keeps_the_class_and_counts_the_attempts(error: RetryableError) -> None:
    final = error.gave_up(8)
    assert type(final) is type(error) and final.attempts == 8 and final.retry_after == error.retry_after
    assert str(final).endswith("(gave up after 8 attempts)")


def chained(error: BaseException) -> ExtractionError:
    try:
        raise ExtractionError("appointments window w0 page 3: ...") from error
    except ExtractionError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    ("error", "may_help"),
    [
        (chained(ServerError("HTTP 503").gave_up(8)), True),
        (chained(TransientGraphQLError("Internal server error").gave_up(8)), True),
        (chained(TransportError("connection failed")), True),
        (OSError("disk hiccup"), True),
        (chained(GraphQLRequestError("GraphQL error: Field 'x' doesn't exist")), False),
        (chained(RequestRejectedError("HTTP 401")), False),
        (chained(MalformedResponseError("invalid JSON")), False),
        (ExtractionError("another full sync of this stream is running"), False),
    ],
)
def test_which_failures_a_later_attempt_may_fix(error: BaseException, may_help: bool) -> None:
    assert retry_may_help(error) is may_help


def test_retry_after_zero_keeps_the_backoff() -> None:
    """`Retry-After: 0` on every answer must not make the retries a tight loop."""
    assert retry_wait_seconds(3.0, 0.0) == 3.0


def test_retry_after_is_a_floor_with_a_little_jitter() -> None:
    waits = [retry_wait_seconds(0.2, 5.0) for _ in range(50)]
    assert all(5.0 <= wait <= 5.5 for wait in waits)
    assert retry_wait_seconds(1.5, None) == 1.5
