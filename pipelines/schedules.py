"""The nightly schedule: one full `nightly_sync` a night, the safety net under the webhook refreshes.

Cron and timezone come from the environment so a practice can move the run to its own quiet hours
without a code change: `NIGHTLY_SYNC_CRON` (default 02:30) and `NIGHTLY_SYNC_TIMEZONE` (default UTC).
"""

from __future__ import annotations

import os

import dagster as dg

DEFAULT_CRON = "30 2 * * *"
DEFAULT_TIMEZONE = "UTC"


def build_nightly_schedule(job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="nightly_sync_schedule",
        job=job,
        cron_schedule=os.environ.get("NIGHTLY_SYNC_CRON", DEFAULT_CRON),
        execution_timezone=os.environ.get("NIGHTLY_SYNC_TIMEZONE", DEFAULT_TIMEZONE),
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Full re-pull of every stream, reconciliation tombstones, then dbt build.",
    )
