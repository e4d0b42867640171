"""Stale data shows as failed checks in the Dagster UI: marts not rebuilt, webhook events not applied.

- **Marts** (`mart_freshness_checks`): each mart of the published warehouse gets Dagster's last-update
  freshness check; it fails when the mart was not materialized for `MART_MAX_AGE` (26 h: the nightly
  build plus two hours of slack, so one late night does not page anyone but a missed one does).
  `mart_freshness_sensor` evaluates them (it launches a check-only run when a check can have become
  overdue, and none otherwise).
- **Webhook events** (`webhook_events_applied`): one check per stream that webhooks refresh, on that
  stream's extract asset (`healthie/<stream>`), because that is the table the waiting event leaves
  behind Healthie: it fails while an event for the stream has waited in the inbox more than
  `INBOX_MAX_WAIT` (15 min: the sensor launches a refresh within seconds and a refresh takes seconds,
  so 15 minutes means the sensor, the daemon or the refresh is failing). The checks can be run from
  the UI; `webhook_inbox_check_sensor` evaluates them every minute without launching runs (it reports
  the evaluations itself) and only reports a check whose result changed, or every hour, so the event
  log does not grow by a row per stream per minute.

Dagster 1.13 marks the freshness-check builders as superseded by `FreshnessPolicy`; a policy shows as
the asset's health, not as a check, and the issue asks for a failed check (visible in the checks tab,
in each run's check results, and to anything that alerts on check failures). So the builders are kept
and their warning silenced here, once, on purpose.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta

import dagster as dg

from pipelines.assets.dbt import project_marts
from pipelines.assets.extract import extract_asset_key
from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.events import EVENT_FAMILIES
from pipelines.webhooks.inbox import Inbox, PendingSummary, inbox_path

MART_MAX_AGE = timedelta(hours=26)
INBOX_MAX_WAIT = timedelta(minutes=15)
INBOX_CHECK_NAME = "webhook_events_applied"
INBOX_CHECK_INTERVAL_SECONDS = 60
MART_CHECK_INTERVAL_SECONDS = 600
#: The inbox checks are reported again after this long even when nothing changed.
INBOX_CHECK_HEARTBEAT_SECONDS = 3600


def build_mart_freshness_checks(
    marts: Mapping[str, dg.AssetKey] | None = None,
) -> Sequence[dg.AssetChecksDefinition]:
    """A last-update freshness check (`MART_MAX_AGE`) on every mart (the dbt manifest's, by default)."""
    keys = sorted(
        (marts if marts is not None else project_marts()).values(), key=lambda k: k.to_user_string()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        return dg.build_last_update_freshness_checks(assets=keys, lower_bound_delta=MART_MAX_AGE)


def build_mart_freshness_sensor(checks: Sequence[dg.AssetChecksDefinition]) -> dg.SensorDefinition:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        return dg.build_sensor_for_freshness_checks(
            freshness_checks=checks,
            name="mart_freshness_sensor",
            minimum_interval_seconds=MART_CHECK_INTERVAL_SECONDS,
            default_status=dg.DefaultSensorStatus.RUNNING,
        )


def webhook_streams() -> list[str]:
    """The streams webhooks refresh (those the receiver routes events to)."""
    return [stream for stream in EVENT_FAMILIES if stream in STREAMS_BY_NAME]


def inbox_check_key(stream: str) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(extract_asset_key(stream), INBOX_CHECK_NAME)


def inbox_check_results(
    pending: Mapping[str, PendingSummary], now: float, streams: Sequence[str]
) -> dict[str, tuple[bool, dict[str, float | int]]]:
    """Per stream: passed, and the metadata (events waiting, the oldest one's wait in minutes)."""
    results: dict[str, tuple[bool, dict[str, float | int]]] = {}
    for stream in streams:
        summary = pending.get(stream)
        waiting = summary.count if summary else 0
        oldest = summary.oldest_received_at if summary else None
        waited = 0.0 if oldest is None else max(0.0, now - oldest)
        results[stream] = (
            waited <= INBOX_MAX_WAIT.total_seconds(),
            {"events_waiting": waiting, "oldest_wait_minutes": round(waited / 60, 1)},
        )
    return results


def _description(stream: str) -> str:
    return (
        f"No webhook event for {stream} has waited in the inbox more than "
        f"{int(INBOX_MAX_WAIT.total_seconds() // 60)} minutes (webhook_refresh applies them within seconds)."
    )


def _read_inbox(warehouse: WarehouseConfig) -> dict[str, PendingSummary]:
    path = inbox_path(warehouse.path)
    if not path.exists():
        return {}
    with Inbox(path) as inbox:
        return inbox.pending_by_stream()


def build_webhook_inbox_checks(streams: Sequence[str] | None = None) -> dg.AssetChecksDefinition:
    """The `webhook_events_applied` checks, runnable from the UI (the sensor reports them too)."""
    names = list(streams if streams is not None else webhook_streams())

    @dg.multi_asset_check(
        name="webhook_inbox_checks",
        specs=[
            dg.AssetCheckSpec(INBOX_CHECK_NAME, asset=extract_asset_key(s), description=_description(s))
            for s in names
        ],
    )
    def _checks(warehouse: WarehouseConfig) -> Iterator[dg.AssetCheckResult]:
        results = inbox_check_results(_read_inbox(warehouse), time.time(), names)
        for stream, (passed, metadata) in results.items():
            yield dg.AssetCheckResult(
                asset_key=extract_asset_key(stream),
                check_name=INBOX_CHECK_NAME,
                passed=passed,
                metadata=metadata,
            )

    return _checks


def build_webhook_inbox_check_sensor(
    streams: Sequence[str] | None = None,
    *,
    name: str = "webhook_inbox_check_sensor",
    minimum_interval_seconds: int = INBOX_CHECK_INTERVAL_SECONDS,
) -> dg.SensorDefinition:
    """Reports `webhook_events_applied` for each stream whose result changed (or hourly)."""
    names = list(streams if streams is not None else webhook_streams())

    @dg.sensor(
        name=name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Evaluates the webhook_events_applied checks: fails a stream's check while one of "
        f"its webhook events has waited in the inbox more than {INBOX_MAX_WAIT}.",
    )
    def _sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseConfig) -> dg.SensorResult:
        now = time.time()
        previous: dict[str, list[float | bool]] = json.loads(context.cursor) if context.cursor else {}
        state = dict(previous)
        evaluations = []
        for stream, (passed, metadata) in inbox_check_results(_read_inbox(warehouse), now, names).items():
            last = previous.get(stream)
            if (
                last is not None
                and bool(last[0]) == passed
                and now - float(last[1]) < INBOX_CHECK_HEARTBEAT_SECONDS
            ):
                continue
            state[stream] = [passed, now]
            evaluations.append(
                dg.AssetCheckEvaluation(
                    asset_key=extract_asset_key(stream),
                    check_name=INBOX_CHECK_NAME,
                    passed=passed,
                    metadata=metadata,
                    severity=dg.AssetCheckSeverity.ERROR,
                )
            )
        cursor = json.dumps(state, sort_keys=True)
        if not evaluations:
            return dg.SensorResult(
                skip_reason=dg.SkipReason("no webhook_events_applied check changed"), cursor=cursor
            )
        failing = sorted(e.asset_key.path[-1] for e in evaluations if not e.passed)
        if failing:
            context.log.warning(
                f"webhook events waiting more than {INBOX_MAX_WAIT} for: {', '.join(failing)}"
            )
        return dg.SensorResult(asset_events=evaluations, cursor=cursor)

    return _sensor
