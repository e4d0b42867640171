"""The HTTP client against the sandbox over loopback: auth headers, the API version header, retries
with backoff, Retry-After, GraphQL-level errors (transient ones retried, ones that can never succeed
failing fast), what a request that exhausted its attempts says, and its own pacing.

Faults are scheduled on the server (`fail_next`), so each case fails exactly the requests it names.
The session `sandbox` is shared: these tests only read, and `sandbox_control` clears faults after each.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle, start_in_thread
from pipelines.healthie.client import HealthieClient
from pipelines.healthie.errors import (
    GraphQLRequestError,
    HealthieError,
    RequestRejectedError,
    ServerError,
    TransientGraphQLError,
    TransportError,
)
from pipelines.healthie.streams import PATIENTS

from .conftest import RecordingTransport, client_for

SHARD = "shard-7"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def count_patients(client: HealthieClient) -> dict[str, Any]:
    async with client:
        return await client.execute(PATIENTS.query_text, "PatientsCount", {}, label="patients")


@pytest.fixture(scope="module")
def sharded() -> Iterator[SandboxHandle]:
    """A server that, like a sharded Healthie account, requires `AuthorizationShard`."""
    with start_in_thread(scale=0.02, seed=3, auth_shard=SHARD) as handle:
        yield handle


@pytest.mark.parametrize("shard", [None, SHARD])
def test_auth_headers(shard: str | None, sharded: SandboxHandle) -> None:
    transport = RecordingTransport()
    client = client_for(sharded, transport, auth_shard=shard)
    if shard is None:
        with pytest.raises(HealthieError, match="HTTP 401") as caught:
            run(count_patients(client))
        assert sharded.api_key not in str(caught.value)
    else:
        with sharded.control() as control:
            assert run(count_patients(client)) == {"count": len(control.truth("patients"))}
    headers = transport.requests[0].headers
    assert headers["authorization"] == f"Basic {sharded.api_key}"
    assert headers["authorizationsource"] == "API"
    assert headers.get("authorizationshard") == shard
    assert len(transport.requests) == 1, "a 401 is not retried"


def test_wrong_key_is_rejected_without_echoing_it(
    sandbox: SandboxHandle, sandbox_control: SandboxControl
) -> None:
    sandbox_control.reset_stats()
    with pytest.raises(HealthieError, match="HTTP 401") as caught:
        run(count_patients(client_for(sandbox, api_key="not-the-key")))
    assert "not-the-key" not in str(caught.value)
    assert sandbox_control.stats()["requests"] == 1, "a 401 is not retried"


def test_401_is_a_rejected_request_naming_the_key_variable(sandbox: SandboxHandle) -> None:
    with pytest.raises(RequestRejectedError, match="HEALTHIE_API_KEY"):
        run(count_patients(client_for(sandbox, api_key="not-the-key")))


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("http_429", {}),
        ("http_error", {"status": 502}),
        ("too_many_requests", {}),
        ("graphql_error", {}),
        ("drop", {}),
    ],
    ids=["429", "502", "too-many-requests", "internal-server-error", "dropped"],
)
def test_transient_failures_are_retried(
    kind: str, options: dict[str, Any], sandbox: SandboxHandle, sandbox_control: SandboxControl
) -> None:
    sandbox_control.fail_next(2, kind, **options)
    client = client_for(sandbox)
    assert run(count_patients(client)) == {"count": len(sandbox_control.truth("patients"))}
    stats = client.stats("patients")
    assert (stats.requests, stats.retries) == (3, 2)
    assert sandbox_control.faults()["rules"] == [], "both scheduled faults were consumed"


def test_retry_after_is_honoured(sandbox: SandboxHandle, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_next(1, "http_429")  # the sandbox's 429 says `Retry-After: 1`
    client = client_for(sandbox, backoff_initial_seconds=0.001, backoff_max_seconds=0.001)
    began = time.monotonic()
    run(count_patients(client))
    assert time.monotonic() - began >= 1.0, "the backoff alone would have retried at once"
    assert client.stats("patients").rate_limited == 1


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        ("http_error", {"status": 500}, ServerError),
        ("drop", {}, TransportError),
        ("graphql_error", {}, TransientGraphQLError),
    ],
    ids=["500", "dropped", "internal-server-error"],
)
def test_gives_up_after_max_attempts(
    kind: str,
    options: dict[str, Any],
    error: type[Exception],
    sandbox: SandboxHandle,
    sandbox_control: SandboxControl,
) -> None:
    sandbox_control.fail_next(3, kind, **options)
    sandbox_control.reset_stats()
    with pytest.raises(error, match=r"gave up after 3 attempts\)$"):
        run(count_patients(client_for(sandbox, max_attempts=3)))
    assert sandbox_control.stats()["requests"] == 3


@pytest.mark.parametrize(
    "options",
    [
        {},  # {"data": null, "errors": [{"message": "Internal server error"}]}, as graphql-ruby says it
        {"message": "Something went wrong while executing your query. This may be the result of a timeout"},
        {"message": "Timeout on Query.usersCount"},
        {"message": "Internal server error", "code": "INTERNAL_SERVER_ERROR"},
    ],
    ids=["internal-server-error", "github-timeout", "timeout", "with-code"],
)
def test_transient_graphql_errors_are_retried_and_counted(
    options: dict[str, Any], sandbox: SandboxHandle, sandbox_control: SandboxControl
) -> None:
    sandbox_control.fail_next(2, "graphql_error", **options)
    client = client_for(sandbox)
    assert run(count_patients(client)) == {"count": len(sandbox_control.truth("patients"))}
    stats = client.stats("patients")
    assert (stats.requests, stats.retries, stats.graphql_transient_errors) == (3, 2, 2)
    assert (stats.graphql_permanent_errors, stats.server_errors) == (0, 0)


@pytest.mark.parametrize(
    "options",
    [
        {"message": "Field 'usersCount' doesn't exist on type 'Query'", "code": "undefinedField"},
        {"message": "You are not authorized to access this resource"},
        {"message": "Unauthorized", "code": "UNAUTHENTICATED"},
    ],
    ids=["validation", "authorization", "authentication"],
)
def test_graphql_errors_that_can_never_succeed_fail_fast(
    options: dict[str, Any], sandbox: SandboxHandle, sandbox_control: SandboxControl
) -> None:
    sandbox_control.fail_next(1, "graphql_error", **options)
    sandbox_control.reset_stats()
    client = client_for(sandbox)
    with pytest.raises(GraphQLRequestError, match=f"^GraphQL error: {options['message']}") as caught:
        run(count_patients(client))
    assert "gave up" not in str(caught.value)
    assert sandbox_control.stats()["requests"] == 1, "not retried"
    stats = client.stats("patients")
    assert (stats.graphql_permanent_errors, stats.graphql_transient_errors, stats.retries) == (1, 0, 0)


def test_an_invalid_query_fails_fast_with_the_servers_message(
    sandbox: SandboxHandle, sandbox_control: SandboxControl
) -> None:
    sandbox_control.reset_stats()

    async def unknown_field(client: HealthieClient) -> dict[str, Any]:
        async with client:
            document = "query Bad { count: usersCount no_such_field }"
            return await client.execute(document, "Bad", {}, label="patients")

    with pytest.raises(GraphQLRequestError, match="no_such_field"):
        run(unknown_field(client_for(sandbox)))
    assert sandbox_control.stats()["requests"] == 1


@pytest.mark.parametrize("version", [None, "2024-06-01"])
def test_the_api_version_header_reaches_the_server(
    version: str | None, sandbox: SandboxHandle, sandbox_control: SandboxControl
) -> None:
    sandbox_control.reset_stats()
    for _ in range(3):
        run(count_patients(client_for(sandbox, api_version=version)))
    assert sandbox_control.stats()["api_versions"] == {version or "none": 3}


def test_other_graphql_errors_are_not_retried(
    sandbox: SandboxHandle, sandbox_control: SandboxControl
) -> None:
    sandbox_control.reset_stats()

    async def bad_variable(client: HealthieClient) -> dict[str, Any]:
        async with client:
            variables = {"page_size": "lots"}  # the server's variable coercion refuses it
            return await client.execute(PATIENTS.query_text, "Patients", variables, label="patients")

    with pytest.raises(GraphQLRequestError, match="Variable"):
        run(bad_variable(client_for(sandbox)))
    assert sandbox_control.stats()["requests"] == 1


@pytest.mark.parametrize(("burst", "requests"), [(1, 11), (5, 15)])
def test_rate_limit_paces_requests_after_the_burst(
    burst: int, requests: int, sandbox: SandboxHandle, sandbox_control: SandboxControl
) -> None:
    client = client_for(sandbox, rate_limit_rps=50, rate_limit_burst=burst)
    expected = {"count": len(sandbox_control.truth("patients"))}

    async def flood() -> list[dict[str, Any]]:
        async with client:
            return await asyncio.gather(
                *(
                    client.execute(PATIENTS.query_text, "PatientsCount", {}, label="p")
                    for _ in range(requests)
                )
            )

    began = time.monotonic()
    answers = run(flood())
    assert time.monotonic() - began >= (requests - burst) / 50 * 0.9
    assert answers == [expected] * requests
