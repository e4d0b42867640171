"""`HealthieResource`: hands Dagster code a Healthie client configured from the environment.

Assets, the webhook refresh and the sensors get their client through this resource, never by building
their own: it carries the auth (`HEALTHIE_API_KEY`, resolved per run), the endpoint, the API version
(`HEALTHIE_API_VERSION`) and the pacing (`HEALTHIE_RATE_LIMIT_RPS`). It does not run syncs: the asset
calls the engine (`pipelines.extract`) with the client settings it hands out.

One source of defaults: every field here is optional and names a `ClientSettings` field; a field left
unset takes `ClientSettings`' default (tests/unit/test_assets.py checks the names match).
"""

from __future__ import annotations

import os
from typing import Any

import dagster as dg

from pipelines.healthie.client import ClientSettings, HealthieClient
from pipelines.healthie.settings import (
    API_KEY_VAR,
    API_URL_VAR,
    API_VERSION_VAR,
    AUTH_SHARD_VAR,
    env_values,
)
from pipelines.settings import env_or_default


class HealthieResource(dg.ConfigurableResource):
    """Healthie GraphQL API access: API key auth, shared rate limit, retries, typed errors.

    Unset (None) fields take `ClientSettings`' defaults."""

    api_key: str
    api_url: str | None = None
    auth_shard: str | None = None
    api_version: str | None = None
    """`Healthie-GraphQL-API-Version` for every request (`HEALTHIE_API_VERSION`; None: Healthie's default)."""
    rate_limit_rps: float | None = None
    rate_limit_burst: int | None = None
    timeout_seconds: float | None = None
    max_attempts: int | None = None
    backoff_initial_seconds: float | None = None
    backoff_max_seconds: float | None = None
    max_in_flight: int | None = None

    def client_settings(self) -> ClientSettings:
        """The settings of every client this resource hands out (what is unset keeps its default)."""
        values = {name: value for name, value in self.model_dump().items() if value not in (None, "")}
        return ClientSettings(**{"api_key": self.api_key, **values})

    def client(self) -> HealthieClient:
        """A new async client (use `async with`): one per run, so one limiter covers the run."""
        return HealthieClient(self.client_settings())


def _rate_limit_from_env() -> float | None:
    return env_values().get("rate_limit_rps")


def build_healthie_resource() -> HealthieResource:
    """The resource as the environment configures it (`HEALTHIE_*` variables, see README).

    The key is a `dg.EnvVar`, resolved when a run starts, so loading definitions never needs it and the
    UI never shows it; an unset key fails the run with an error naming `HEALTHIE_API_KEY`.
    """
    return HealthieResource(
        api_key=dg.EnvVar(API_KEY_VAR),
        api_url=env_or_default(API_URL_VAR, None),
        auth_shard=env_or_default(AUTH_SHARD_VAR, None),
        api_version=env_or_default(API_VERSION_VAR, None),
        rate_limit_rps=_rate_limit_from_env(),
    )


def resource_from_env(**overrides: Any) -> HealthieResource:
    """The resource with values read now from the environment, for Dagster runs started from code
    (tests); definitions use `build_healthie_resource()` so secrets resolve per run."""
    values: dict[str, Any] = {"api_key": os.environ.get(API_KEY_VAR, ""), **env_values(), **overrides}
    return HealthieResource(**values)
