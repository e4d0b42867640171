"""The jobs users and schedules launch (names are contracts, see README).

- `nightly_sync`: every extract asset, then `dbt build` of every model, with every asset check
  (completeness against the `...Count` queries, and each dbt test).
- `webhook_refresh`: drains the webhook inbox; defined with its ops in `pipelines.refresh.job`,
  launched by the sensors of `pipelines.refresh.sensors`, listed here so every job is in one place.

Both carry `RUN_RETRY_TAGS`: the Dagster daemon re-executes a failed run from its failed step, up to
twice, when the instance enables run retries (deploy/dagster.yaml). The extract step also retries
itself on transient failures (`EXTRACT_RETRY_POLICY`). See pipelines/retries.py.
"""

from __future__ import annotations

import dagster as dg

from pipelines.refresh.job import webhook_refresh_job
from pipelines.retries import RUN_RETRY_TAGS

NIGHTLY_SYNC = "nightly_sync"

nightly_sync_job = dg.define_asset_job(
    name=NIGHTLY_SYNC,
    selection=dg.AssetSelection.groups("healthie_extract").downstream(),
    description="Full re-pull of every Healthie stream into the lake (tombstoning what vanished), "
    "then dbt build of staging, marts and reporting models with all checks.",
    # The nightly build is the reconciliation point: incremental marts are rebuilt from the whole lake,
    # so a changed model or a missed change batch never outlives a night.
    config={"ops": {"healthie_dbt_assets": {"config": {"full_refresh": True}}}},
    run_tags=RUN_RETRY_TAGS,
)

__all__ = ["NIGHTLY_SYNC", "nightly_sync_job", "webhook_refresh_job"]
