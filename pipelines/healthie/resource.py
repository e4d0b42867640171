"""`HealthieResource`: the Dagster face of the client, configured from the environment.

Assets and the webhook refresh get the client through this resource, never by building their own:
it owns the auth headers, the API version (`HEALTHIE_API_VERSION`), the pacing
(`HEALTHIE_RATE_LIMIT_RPS`) and the retry policy. Each call opens
one async client for its duration (connections reused, one rate limiter shared by every request it
makes) and offers a sync facade for Dagster ops.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.healthie import byid
from pipelines.healthie.client import ClientSettings, HealthieClient
from pipelines.healthie.options import Log, StreamResult, SyncOptions
from pipelines.healthie.streams import StreamSpec
from pipelines.healthie.sync import sync_streams
from pipelines.settings import (
    API_KEY_VAR,
    API_URL_VAR,
    API_VERSION_VAR,
    AUTH_SHARD_VAR,
    DEFAULT_API_URL,
    DEFAULT_RATE_LIMIT_RPS,
    RATE_LIMIT_VAR,
    env_or_default,
)

logger = logging.getLogger(__name__)


class HealthieResource(dg.ConfigurableResource):
    """Healthie GraphQL API access: API key auth, shared rate limit, retries, typed errors."""

    api_key: str
    api_url: str = DEFAULT_API_URL
    auth_shard: str | None = None
    api_version: str | None = None
    """`Healthie-GraphQL-API-Version` for every request (`HEALTHIE_API_VERSION`; None: Healthie's default)."""
    rate_limit_rps: float = DEFAULT_RATE_LIMIT_RPS
    rate_limit_burst: int | None = None
    timeout_seconds: float = 60.0
    max_attempts: int = 8
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    max_in_flight: int = 64

    def client_settings(self) -> ClientSettings:
        return ClientSettings(
            api_key=self.api_key,
            api_url=self.api_url,
            auth_shard=self.auth_shard or None,
            api_version=self.api_version or None,
            rate_limit_rps=self.rate_limit_rps,
            rate_limit_burst=self.rate_limit_burst,
            timeout_seconds=self.timeout_seconds,
            max_attempts=self.max_attempts,
            backoff_initial_seconds=self.backoff_initial_seconds,
            backoff_max_seconds=self.backoff_max_seconds,
            max_in_flight=self.max_in_flight,
        )

    def client(self) -> HealthieClient:
        """A new async client (use `async with`): one per run, so one limiter covers the run."""
        return HealthieClient(self.client_settings())

    async def afetch_by_ids(self, spec: StreamSpec, ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        async with self.client() as client:
            return await byid.fetch_by_ids(client, spec, ids)

    def fetch_by_ids(self, spec: StreamSpec, ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        """Re-read resources by id: `{id: row}`, `None` when Healthie returns null (gone → tombstone)."""
        return asyncio.run(self.afetch_by_ids(spec, ids))

    def sync_streams(
        self,
        specs: Sequence[StreamSpec],
        warehouse_dir: Path,
        options: SyncOptions | None = None,
        log: Log | None = None,
    ) -> dict[str, StreamResult | BaseException]:
        """Full-sync `specs` concurrently into the lake; per stream a result or the error that stopped it."""

        async def run() -> dict[str, StreamResult | BaseException]:
            async with self.client() as client:
                return await sync_streams(
                    client, specs, warehouse_dir, options or SyncOptions(), log or logger
                )

        return asyncio.run(run())


def rate_limit_from_env() -> float:
    """`HEALTHIE_RATE_LIMIT_RPS`, or the default that stays well below Healthie's documented limit."""
    rate = os.environ.get(RATE_LIMIT_VAR)
    return float(rate) if rate else DEFAULT_RATE_LIMIT_RPS


def build_healthie_resource() -> HealthieResource:
    """The resource as the environment configures it (`HEALTHIE_*` variables, see README).

    The key is a `dg.EnvVar`, resolved when a run starts, so loading definitions never needs it and the
    UI never shows it; an unset key fails the run with an error naming `HEALTHIE_API_KEY`.
    """
    return HealthieResource(
        api_key=dg.EnvVar(API_KEY_VAR),
        api_url=env_or_default(API_URL_VAR, DEFAULT_API_URL),
        auth_shard=env_or_default(AUTH_SHARD_VAR, None),
        api_version=env_or_default(API_VERSION_VAR, None),
        rate_limit_rps=rate_limit_from_env(),
    )


def resource_from_env(**overrides: Any) -> HealthieResource:
    """The resource with values read now from the environment, for code running outside Dagster (CLI,
    benchmarks, the demo); inside Dagster use `build_healthie_resource()` so secrets resolve per run."""
    values: dict[str, Any] = {
        "api_key": os.environ.get(API_KEY_VAR, ""),
        "api_url": os.environ.get(API_URL_VAR) or DEFAULT_API_URL,
        "auth_shard": os.environ.get(AUTH_SHARD_VAR) or None,
        "api_version": os.environ.get(API_VERSION_VAR) or None,
        "rate_limit_rps": rate_limit_from_env(),
    }
    values.update(overrides)
    return HealthieResource(**values)
