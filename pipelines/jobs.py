"""The jobs users and schedules launch (names are contracts, see ARCHITECTURE.md).

- `nightly_sync`: every extract asset, then `dbt build` of every model, with every asset check
  (completeness against the `...Count` queries, and each dbt test).
- `webhook_refresh`: drains the webhook inbox (defined in `pipelines.refresh`, launched by the sensor).
"""

from __future__ import annotations

import dagster as dg

from pipelines.refresh import webhook_refresh_job

NIGHTLY_SYNC = "nightly_sync"

nightly_sync_job = dg.define_asset_job(
    name=NIGHTLY_SYNC,
    selection=dg.AssetSelection.groups("healthie_extract").downstream(),
    description="Full re-pull of every Healthie stream into the lake (tombstoning what vanished), "
    "then dbt build of staging, marts and reporting models with all checks.",
)

__all__ = ["NIGHTLY_SYNC", "nightly_sync_job", "webhook_refresh_job"]
