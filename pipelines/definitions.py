"""The one place the Dagster definitions are assembled: assets, checks, jobs, schedule, sensor, resources.

Kept thin on purpose: every piece is built in its own module; this file only wires them together.
The dbt manifest must exist before this module loads (`python -m pipelines.assets.dbt`, which every
`make` target runs first); `dagster dev` re-parses it on load.
"""

from __future__ import annotations

import dagster as dg

from pipelines.assets import extract_assets
from pipelines.assets.dbt import dbt_resource, healthie_dbt_assets
from pipelines.freshness import (
    build_mart_freshness_checks,
    build_mart_freshness_sensor,
    build_webhook_inbox_check_sensor,
    build_webhook_inbox_checks,
)
from pipelines.jobs import nightly_sync_job, webhook_refresh_job
from pipelines.refresh.sensors import sent_webhooks_sensor, webhook_inbox_sensor
from pipelines.resources import build_healthie_resource
from pipelines.run_failures import run_failure_log_sensor
from pipelines.schedules import build_nightly_schedule
from pipelines.settings import build_warehouse_config

mart_freshness_checks = build_mart_freshness_checks()

defs = dg.Definitions(
    assets=[*extract_assets, healthie_dbt_assets],
    asset_checks=[*mart_freshness_checks, build_webhook_inbox_checks()],
    jobs=[nightly_sync_job, webhook_refresh_job],
    schedules=[build_nightly_schedule(nightly_sync_job)],
    sensors=[
        webhook_inbox_sensor,
        sent_webhooks_sensor,
        build_mart_freshness_sensor(mart_freshness_checks),
        build_webhook_inbox_check_sensor(),
        run_failure_log_sensor,
    ],
    resources={
        "healthie": build_healthie_resource(),
        "warehouse": build_warehouse_config(),
        "dbt": dbt_resource(),
    },
)
