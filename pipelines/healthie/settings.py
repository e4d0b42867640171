"""The `HEALTHIE_*` environment variables and the client's defaults, in one place.

Free of Dagster and of every heavy import: the client, the CLI, the benchmarks and the Dagster resource
(`pipelines.resources`) all read their defaults from here and from `ClientSettings`, never from copies.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULT_API_URL = "https://api.gethealthie.com/graphql"
#: Healthie documents 250 requests/second per key; stay well below so other clients of the key still fit.
DEFAULT_RATE_LIMIT_RPS = 100.0

API_URL_VAR = "HEALTHIE_API_URL"
API_KEY_VAR = "HEALTHIE_API_KEY"
AUTH_SHARD_VAR = "HEALTHIE_AUTH_SHARD"
RATE_LIMIT_VAR = "HEALTHIE_RATE_LIMIT_RPS"
API_VERSION_VAR = "HEALTHIE_API_VERSION"
#: Healthie gates breaking changes behind this request header (a version date); without it Healthie
#: answers with its baseline version (docs/healthie-api.md, "API version").
API_VERSION_HEADER = "Healthie-GraphQL-API-Version"

#: The `ClientSettings` field each environment variable sets.
ENV_FIELDS: dict[str, str] = {
    API_KEY_VAR: "api_key",
    API_URL_VAR: "api_url",
    AUTH_SHARD_VAR: "auth_shard",
    API_VERSION_VAR: "api_version",
    RATE_LIMIT_VAR: "rate_limit_rps",
}


def env_values() -> dict[str, Any]:
    """The `ClientSettings` fields the environment sets now (unset variables are left out, so the
    dataclass defaults apply); a malformed rate fails naming its variable."""
    values: dict[str, Any] = {
        name: os.environ[var] for var, name in ENV_FIELDS.items() if os.environ.get(var)
    }
    if "rate_limit_rps" in values:
        try:
            values["rate_limit_rps"] = float(values["rate_limit_rps"])
        except ValueError:
            raise ValueError(f"{RATE_LIMIT_VAR} must be a number of requests per second") from None
    return values
