"""The HTTP client: auth headers, retries with backoff, Retry-After, and what it refuses to retry."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from pipelines.healthie.client import ClientSettings, HealthieClient
from pipelines.healthie.errors import GraphQLRequestError, MissingApiKeyError, ServerError, TransportError
from pipelines.healthie.streams import PATIENTS

from .fakes import API_KEY, FakeHealthie, drop_connection, fail_with, graphql_error


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def count_patients(client: HealthieClient) -> dict[str, Any]:
    async with client:
        return await client.execute(PATIENTS.query_text, "PatientsCount", {}, label="patients")


@pytest.mark.parametrize("key", ["", "   "])
def test_missing_key_names_the_variable(key: str) -> None:
    with pytest.raises(MissingApiKeyError, match="HEALTHIE_API_KEY"):
        ClientSettings(api_key=key)


def test_key_stays_out_of_repr() -> None:
    assert API_KEY not in repr(ClientSettings(api_key=API_KEY))


@pytest.mark.parametrize(("shard", "expected"), [(None, None), ("shard-7", "shard-7")])
def test_auth_headers(shard: str | None, expected: str | None) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {"count": 0}})

    settings = ClientSettings(api_key=API_KEY, api_url="https://x.test/graphql", auth_shard=shard)
    run(count_patients(HealthieClient(settings, transport=httpx.MockTransport(handler))))
    headers = seen[0].headers
    assert headers["authorization"] == f"Basic {API_KEY}"
    assert headers["authorizationsource"] == "API"
    assert headers.get("authorizationshard") == expected


@pytest.mark.parametrize(
    "fault",
    [
        fail_with(429, b"slow down"),
        fail_with(502, b"bad gateway"),
        graphql_error("Too many requests", "TOO_MANY_REQUESTS"),
        drop_connection,
    ],
    ids=["429", "502", "too-many-requests", "dropped"],
)
def test_transient_failures_are_retried(fault: Any) -> None:
    fake = FakeHealthie(PATIENTS)
    fake.faults = [fault, fault]
    client = fake.client()
    assert run(count_patients(client)) == {"count": 0}
    stats = client.stats("patients")
    assert (stats.requests, stats.retries) == (3, 2)


def test_retry_after_is_honoured() -> None:
    fake = FakeHealthie(PATIENTS)
    fake.faults = [fail_with(429, b"", {"Retry-After": "0.3"})]
    began = time.monotonic()
    run(count_patients(fake.client()))
    assert time.monotonic() - began >= 0.3


@pytest.mark.parametrize(
    ("fault", "error"),
    [(fail_with(500, b"boom"), ServerError), (drop_connection, TransportError)],
)
def test_gives_up_after_max_attempts(fault: Any, error: type[Exception]) -> None:
    fake = FakeHealthie(PATIENTS)
    fake.faults = [fault] * 3
    with pytest.raises(error):
        run(count_patients(fake.client(max_attempts=3)))
    assert len(fake.requests) == 3


def test_other_graphql_errors_are_not_retried() -> None:
    fake = FakeHealthie(PATIENTS)
    fake.faults = [graphql_error("Variable $x is invalid")]
    with pytest.raises(GraphQLRequestError, match="Variable"):
        run(count_patients(fake.client()))
    assert len(fake.requests) == 1


@pytest.mark.parametrize(("burst", "requests"), [(1, 11), (5, 15)])
def test_rate_limit_paces_requests_after_the_burst(burst: int, requests: int) -> None:
    fake = FakeHealthie(PATIENTS)
    client = fake.client(rate_limit_rps=50, rate_limit_burst=burst)

    async def flood() -> None:
        async with client:
            await asyncio.gather(
                *(
                    client.execute(PATIENTS.query_text, "PatientsCount", {}, label="p")
                    for _ in range(requests)
                )
            )

    began = time.monotonic()
    run(flood())
    assert time.monotonic() - began >= (requests - burst) / 50 * 0.9


def test_default_burst_is_a_tenth_of_a_second() -> None:
    assert ClientSettings(api_key=API_KEY, rate_limit_rps=40).burst == 4
    assert ClientSettings(api_key=API_KEY, rate_limit_rps=5).burst == 1
