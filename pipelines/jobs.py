"""The jobs users and schedules launch (names are contracts, see ARCHITECTURE.md).

- `nightly_sync`: every extract asset, then `dbt build` of every model, with every asset check
  (completeness against the `...Count` queries, and each dbt test).
- `webhook_refresh`: drains the webhook inbox (defined in `pipelines.refresh`, launched by the sensor).

Both carry `RUN_RETRY_TAGS`: the Dagster daemon re-executes a failed run from its failed step, up to
twice, when the instance enables run retries (deploy/dagster.yaml). The extract step also retries
itself on transient failures (`EXTRACT_RETRY_POLICY`). See pipelines/retries.py.
"""

from __future__ import annotations

import dagster as dg

from pipelines.refresh import webhook_refresh_job as _webhook_refresh
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

#: The refresh job as `pipelines.refresh` defines it, plus the run retry tags.
webhook_refresh_job = _webhook_refresh.graph.to_job(
    name=_webhook_refresh.name,
    description=_webhook_refresh.description,
    run_tags=RUN_RETRY_TAGS,
)

__all__ = ["NIGHTLY_SYNC", "nightly_sync_job", "webhook_refresh_job"]
