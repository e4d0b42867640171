"""Stale data shows as failed checks: marts older than 26 h, webhook events waiting over 15 minutes."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.test_utils import freeze_time

from pipelines.freshness import (
    INBOX_CHECK_NAME,
    build_mart_freshness_checks,
    build_webhook_inbox_check_sensor,
    build_webhook_inbox_checks,
    inbox_check_results,
)
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.events import WebhookEvent
from pipelines.webhooks.inbox import Delivery, Inbox, PendingSummary, inbox_path

MART = dg.AssetKey(["marts", "fct_example"])


@dg.asset(key=MART)
def fct_example() -> None:
    """A mart stand-in: the freshness check only looks at when it was last materialized."""


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def check_passed(result: dg.ExecuteInProcessResult) -> list[bool]:
    return [e.passed for e in result.get_asset_check_evaluations()]


def test_a_mart_not_rebuilt_for_26_hours_fails_its_freshness_check(instance: dg.DagsterInstance) -> None:
    checks = build_mart_freshness_checks({"fct_example": MART})
    built = dg.materialize([fct_example, *checks], instance=instance)
    assert check_passed(built) == [True], "checked right after the build"
    only_checks = dg.AssetSelection.checks(*checks)
    for hours, fresh in ((25, True), (27, False)):
        with freeze_time(time.time() + timedelta(hours=hours).total_seconds()):
            later = dg.materialize([fct_example, *checks], instance=instance, selection=only_checks)
        assert check_passed(later) == [fresh], f"{hours} h after the build"


def test_the_mart_checks_cover_every_mart_of_the_project() -> None:
    from pipelines.assets.dbt import project_marts

    marts = project_marts()
    keys = {key for check in build_mart_freshness_checks() for key in check.check_keys}
    assert {k.asset_key for k in keys} == set(marts.values())


def age_events(path: Path, seconds: float) -> None:
    """Make every waiting event `seconds` old (as if the refresh had not run since)."""
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE events SET received_at = ?", (time.time() - seconds,))


@pytest.fixture
def warehouse(tmp_path: Path) -> WarehouseConfig:
    with Inbox(inbox_path(tmp_path)) as inbox:
        inbox.append(Delivery(WebhookEvent("1", "Appointment", "appointment.updated"), "appointments", "b1"))
    return WarehouseConfig(warehouse_dir=str(tmp_path))


def test_pending_age_decides_the_check() -> None:
    now = time.time()
    pending = {
        "appointments": PendingSummary(3, 9, now - 16 * 60),
        "entries": PendingSummary(1, 10, now - 60),
    }
    results = inbox_check_results(pending, now, ["appointments", "entries", "patients"])
    assert {stream: passed for stream, (passed, _) in results.items()} == {
        "appointments": False,
        "entries": True,
        "patients": True,
    }
    assert results["appointments"][1] == {"events_waiting": 3, "oldest_wait_minutes": 16.0}


def test_the_sensor_reports_a_failed_check_for_an_event_waiting_16_minutes(
    instance: dg.DagsterInstance, warehouse: WarehouseConfig
) -> None:
    sensor = build_webhook_inbox_check_sensor(["appointments", "entries"])

    def tick(cursor: str | None) -> dg.SensorResult:
        with dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"warehouse": warehouse}
        ) as ctx:
            result = sensor(ctx)
        assert isinstance(result, dg.SensorResult)
        return result

    first = tick(None)
    assert {(e.asset_key.path[-1], e.passed) for e in first.asset_events} == {  # type: ignore[union-attr]
        ("appointments", True),
        ("entries", True),
    }
    assert tick(first.cursor).skip_reason is not None, "nothing changed: nothing reported"
    age_events(inbox_path(warehouse.path), 16 * 60)
    stale = tick(first.cursor)
    [evaluation] = stale.asset_events
    assert isinstance(evaluation, dg.AssetCheckEvaluation)
    assert (evaluation.asset_key, evaluation.check_name, evaluation.passed) == (
        dg.AssetKey(["healthie", "appointments"]),
        INBOX_CHECK_NAME,
        False,
    )
    instance.report_runless_asset_event(
        evaluation
    )  # what the daemon does with it: stored as the check's result
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([evaluation.asset_check_key])
    assert record[evaluation.asset_check_key].status.value == "FAILED"


def test_the_checks_run_from_the_ui_read_the_same_inbox(
    instance: dg.DagsterInstance, warehouse: WarehouseConfig
) -> None:
    age_events(inbox_path(warehouse.path), 20 * 60)
    checks = build_webhook_inbox_checks(["appointments", "entries"])
    assets = [dg.AssetSpec(dg.AssetKey(["healthie", s])) for s in ("appointments", "entries")]
    result = dg.materialize(
        [*assets, checks],
        instance=instance,
        resources={"warehouse": warehouse},
        selection=dg.AssetSelection.checks(checks),
    )
    assert {e.asset_key.path[-1]: e.passed for e in result.get_asset_check_evaluations()} == {
        "appointments": False,
        "entries": True,
    }
