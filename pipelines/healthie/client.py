"""The async HTTP client: auth headers, one shared rate limiter, retries with backoff, typed errors.

One `HealthieClient` serves a whole run: every request of every stream and window goes through its
single `AsyncLimiter` (its tokens handed out in priority order: pacing.py), so concurrent windows add
up to at most `rate_limit_rps` requests per second against the key's budget, and through one
`httpx.AsyncClient`, so connections are reused. Transient
failures (429 / TOO_MANY_REQUESTS, 5xx, timeouts, dropped connections, and HTTP 200 answers whose
GraphQL `errors` report a server-side failure) are retried with full-jitter exponential backoff, never
sooner than the server's `Retry-After`, at most `max_attempts` times; the error then says how many
attempts were made. A request that can never succeed (an invalid query, a refused key) is not retried.
Every request carries `Healthie-GraphQL-API-Version` when `api_version` is set.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx
from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from pipelines.healthie.errors import (
    GraphQLRequestError,
    HealthieError,
    MissingApiKeyError,
    RateLimitedError,
    RetryableError,
    ServerError,
    TransientGraphQLError,
    TransportError,
)
from pipelines.healthie.pacing import PriorityPacer
from pipelines.healthie.responses import interpret_response
from pipelines.healthie.settings import (
    API_KEY_VAR,
    API_VERSION_HEADER,
    API_VERSION_VAR,
    DEFAULT_API_URL,
    DEFAULT_RATE_LIMIT_RPS,
    env_values,
)

#: Healthie's API versions are dates (`2024-06-01`).
API_VERSION_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClientSettings:
    """Connection and pacing settings; `api_key` never appears in a repr or a message."""

    api_key: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    auth_shard: str | None = None
    api_version: str | None = None
    """`Healthie-GraphQL-API-Version` sent on every request (None: no header, Healthie's default)."""
    rate_limit_rps: float = DEFAULT_RATE_LIMIT_RPS
    rate_limit_burst: int | None = None
    """Requests that may start back to back after a stall (None: a tenth of a second's worth). A small
    burst lets the client catch up when its event loop was busy, without ever averaging above the rate."""
    timeout_seconds: float = 60.0
    connect_timeout_seconds: float = 10.0
    max_attempts: int = 8
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    max_in_flight: int = 64

    def __post_init__(self) -> None:
        if not self.api_key or not self.api_key.strip():
            raise MissingApiKeyError(f"{API_KEY_VAR} is not set: export the Healthie API key to extract")
        if self.rate_limit_rps <= 0 or self.burst < 1 or self.max_in_flight < 1:
            raise ValueError("rate_limit_rps must be > 0, rate_limit_burst and max_in_flight >= 1")
        if self.api_version is not None and not API_VERSION_PATTERN.fullmatch(self.api_version):
            raise ValueError(f"{API_VERSION_VAR} must be an API version date like 2024-06-01")

    @classmethod
    def from_env(cls, **overrides: Any) -> ClientSettings:
        """Settings read now from the `HEALTHIE_*` variables (unset ones keep the defaults above), then
        `overrides`: for code running outside Dagster (the CLI, benchmarks, the demo)."""
        return cls(**{"api_key": "", **env_values(), **overrides})

    @property
    def burst(self) -> int:
        return self.rate_limit_burst or max(1, int(self.rate_limit_rps // 10))

    def headers(self) -> dict[str, str]:
        """Healthie's API-key auth headers (docs/healthie-api.md), the shard of a sharded account, the
        API version."""
        headers = {
            "Authorization": f"Basic {self.api_key}",
            "AuthorizationSource": "API",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        if self.auth_shard:
            headers["AuthorizationShard"] = self.auth_shard
        if self.api_version:
            headers[API_VERSION_HEADER] = self.api_version
        return headers


@dataclass
class RequestStats:
    """Counters for one label (a stream) or the whole client: reported as asset metadata.

    `retries` counts requests sent again; the others count failed answers by kind as they arrive
    (the last answer of a request that exhausted its attempts included)."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    transport_errors: int = 0
    graphql_transient_errors: int = 0
    """HTTP 200 answers whose GraphQL errors reported a server-side failure: retried."""
    graphql_permanent_errors: int = 0
    """Answers whose GraphQL errors said the request can never succeed: not retried."""

    def record_error(self, error: HealthieError) -> None:
        if isinstance(error, RateLimitedError):
            self.rate_limited += 1
        elif isinstance(error, ServerError):
            self.server_errors += 1
        elif isinstance(error, TransportError):
            self.transport_errors += 1
        elif isinstance(error, TransientGraphQLError):
            self.graphql_transient_errors += 1
        elif isinstance(error, GraphQLRequestError):
            self.graphql_permanent_errors += 1


class HealthieClient:
    """Async GraphQL client for one run; use as `async with HealthieClient(settings) as client:`."""

    def __init__(self, settings: ClientSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        self._limiter = AsyncLimiter(settings.burst, settings.burst / settings.rate_limit_rps)
        self._in_flight = asyncio.Semaphore(settings.max_in_flight)
        self._pacer = PriorityPacer(self._limiter)
        self._priorities: dict[str, float] = {}
        self.total = RequestStats()
        self._stats: dict[str, RequestStats] = {}

    async def __aenter__(self) -> Self:
        self._http = httpx.AsyncClient(
            headers=self.settings.headers(),
            timeout=httpx.Timeout(
                self.settings.timeout_seconds, connect=self.settings.connect_timeout_seconds
            ),
            limits=httpx.Limits(
                max_connections=self.settings.max_in_flight,
                max_keepalive_connections=self.settings.max_in_flight,
            ),
            transport=self._transport,
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._pacer.close()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def stats(self, label: str) -> RequestStats:
        """The counters of one label (created on first use)."""
        return self._stats.setdefault(label, RequestStats())

    def prioritize(self, label: str, priority: float) -> None:
        """Let the requests of `label` pass those of lower priority waiting for the limiter (default
        0; see pacing.py: the engine ranks one-window streams, serial chains, by their length)."""
        self._priorities[label] = priority

    async def execute(
        self, document: str, operation: str, variables: Mapping[str, Any], *, label: str
    ) -> dict[str, Any]:
        """Run one named operation of `document`; return its `data`, retrying transient errors.

        A transient error still there after `max_attempts` attempts is raised with its class kept and
        the number of attempts in its message; any other error is raised at once."""
        payload = json.dumps(
            {"query": document, "operationName": operation, "variables": dict(variables)}
        ).encode()
        stats = self.stats(label)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(RetryableError),
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=self._wait_seconds,
            before_sleep=lambda state: self._before_retry(state, stats, label, operation),
            reraise=True,
        )
        attempts = 0
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    return await self._send_once(payload, stats, self._priorities.get(label, 0.0))
        except RetryableError as error:
            raise error.gave_up(attempts) from None
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    async def _send_once(self, payload: bytes, stats: RequestStats, priority: float) -> dict[str, Any]:
        try:
            return await self._post(payload, stats, priority)
        except HealthieError as error:
            stats.record_error(error)
            self.total.record_error(error)
            raise

    async def _post(self, payload: bytes, stats: RequestStats, priority: float) -> dict[str, Any]:
        if self._http is None:
            raise RuntimeError("HealthieClient used outside `async with`")
        async with self._in_flight:
            await self._pacer.acquire(priority)
            stats.requests += 1
            self.total.requests += 1
            try:
                response = await self._http.post(self.settings.api_url, content=payload)
            except httpx.TimeoutException as exc:
                raise TransportError(f"timeout ({type(exc).__name__})") from None
            except httpx.TransportError as exc:
                raise TransportError(f"connection failed ({type(exc).__name__})") from None
        return interpret_response(response.status_code, response.headers, response.content)

    def _wait_seconds(self, state: RetryCallState) -> float:
        """Full-jitter exponential backoff, but never less than the server's Retry-After."""
        backoff = wait_random_exponential(
            multiplier=self.settings.backoff_initial_seconds, max=self.settings.backoff_max_seconds
        )(state)
        error = state.outcome.exception() if state.outcome else None
        retry_after = error.retry_after if isinstance(error, RetryableError) else None
        return retry_wait_seconds(backoff, retry_after)

    def _before_retry(self, state: RetryCallState, stats: RequestStats, label: str, operation: str) -> None:
        error = state.outcome.exception() if state.outcome else None
        stats.retries += 1
        self.total.retries += 1
        logger.info("%s %s: attempt %d failed (%s), retrying", label, operation, state.attempt_number, error)


def retry_wait_seconds(backoff: float, retry_after: float | None) -> float:
    """The larger of our backoff and the server's Retry-After (plus up to 10% jitter).

    Retry-After is a floor, not the wait: a server answering `Retry-After: 0` on every attempt must not
    turn the backoff into a tight loop, and a long Retry-After must not be cut short by a small backoff.
    The jitter keeps concurrent workers told the same Retry-After from returning in one burst.
    """
    if retry_after is None:
        return backoff
    return max(backoff, retry_after + random.uniform(0, 0.1 * max(retry_after, 0.1)))
