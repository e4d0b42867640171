"""A snapshot of the code location as `dagster dev` loads it: jobs, schedule, sensor, lineage.

Loaded in a child process, with no Healthie key set, exactly as `workspace.yaml` loads it: the
definitions read their environment when imported, and other test modules import them with the
environment pointed at their own sandbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

SNAPSHOT_SCRIPT = """
import json
from pipelines.definitions import defs
graph = defs.resolve_asset_graph()
def upstream(key):
    return sorted("/".join(k.path) for k in graph.get(key).parent_keys)
import dagster as dg
print(json.dumps({
    "jobs": sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__")),
    "schedules": {s.name: [s.cron_schedule, s.execution_timezone, s.job_name] for s in defs.schedules or []},
    "sensors": {s.name: ",".join(t.job_name for t in s.targets) or None for s in defs.sensors or []},
    "groups": sorted({graph.get(k).group_name for k in graph.materializable_asset_keys}),
    "fct_appointments_upstream": upstream(dg.AssetKey(["marts", "fct_appointments"])),
    "stg_appointments_upstream": upstream(dg.AssetKey(["staging", "stg_healthie__appointments"])),
    "resources": sorted(defs.resources or {}),
    "checks": sorted(k.to_user_string() for k in graph.asset_check_keys),
}))
"""


@pytest.fixture(scope="module")
def snapshot() -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEALTHIE_", "NIGHTLY_SYNC_"))}
    completed = subprocess.run(
        [sys.executable, "-c", SNAPSHOT_SCRIPT],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def test_jobs_are_the_documented_contracts(snapshot: dict[str, Any]) -> None:
    assert snapshot["jobs"] == ["nightly_sync", "webhook_refresh"]


def test_nightly_schedule_and_inbox_sensor(snapshot: dict[str, Any]) -> None:
    assert snapshot["schedules"] == {"nightly_sync_schedule": ["30 2 * * *", "UTC", "nightly_sync"]}
    sensors = snapshot["sensors"]
    assert sensors["webhook_inbox_sensor"] == sensors["sent_webhooks_sensor"] == "webhook_refresh"
    assert set(sensors) == {
        "webhook_inbox_sensor",
        "sent_webhooks_sensor",
        "mart_freshness_sensor",
        "webhook_inbox_check_sensor",
        "run_failure_log_sensor",
    }


def test_stale_data_checks(snapshot: dict[str, Any]) -> None:
    checks = snapshot["checks"]
    assert "healthie/appointments:webhook_events_applied" in checks
    assert "marts/fct_appointments:freshness_check" in checks


def test_lineage_runs_from_the_extract_asset_through_staging_to_the_marts(snapshot: dict[str, Any]) -> None:
    assert snapshot["stg_appointments_upstream"] == ["healthie/appointments"]
    assert "staging/stg_healthie__appointments" in snapshot["fct_appointments_upstream"]
    assert set(snapshot["groups"]) >= {"healthie_extract", "staging", "marts", "reporting"}


def test_resources(snapshot: dict[str, Any]) -> None:
    assert snapshot["resources"] == ["dbt", "healthie", "warehouse"]
