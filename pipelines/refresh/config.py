"""The run config the sensor hands to `webhook_refresh`, shared so the two cannot drift apart.

It lives apart from the job so the sensor can build a run request without importing the job (and the
extraction, lake and dbt code the job pulls in).
"""

from __future__ import annotations

import dagster as dg

from pipelines.webhooks.inbox import DEFAULT_LEASE_SECONDS

REFRESH_JOB_NAME = "webhook_refresh"
DRAIN_OP_NAME = "drain_webhook_inbox"


class WebhookRefreshConfig(dg.Config):
    """Which events a run drains: every pending event with id <= `high_water_mark` (0: all pending now)."""

    high_water_mark: int = 0
    lease_seconds: float = DEFAULT_LEASE_SECONDS


def refresh_run_config(high_water_mark: int) -> dg.RunConfig:
    return dg.RunConfig(ops={DRAIN_OP_NAME: WebhookRefreshConfig(high_water_mark=high_water_mark)})
