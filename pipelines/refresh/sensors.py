"""`webhook_inbox_sensor`: launch `webhook_refresh` when the webhook inbox has events waiting.

One run drains every event up to a high-water mark (the newest event id seen), so a burst of webhooks
becomes one run, not one per resource. The run key names the batch (`inbox-upto-<id>`): Dagster
remembers run keys forever, so a key per resource would pile up without bound, while a key per
high-water mark also makes a re-evaluated tick harmless. The cursor (JSON) is the last mark launched.

Events at or below the cursor are normally being handled by the run already launched. If they are
still waiting `retry_after_seconds` later, that run failed or died (its events went back to pending, or
their claim lapsed), so the sensor launches a retry for the same mark (`inbox-upto-<id>-retry-<n>`)
instead of leaving them until the next webhook arrives.

`sent_webhooks_sensor`: launch `webhook_refresh` when Healthie lists webhooks that never reached the
inbox (the receiver was down or refused them), so recovery needs neither the nightly sync nor a person.
Every `sent_webhooks_interval_seconds` (5 minutes) it reads `sentWebhooks` from the inbox's recovery
cursor, without writing anything (the run does the recovery), which costs one request per 100
webhooks sent since the cursor less its 10-minute overlap (usually one). The run key names the
newest missed sent webhook; if the same one is still missed `retry_after_seconds` later, the run
failed, and a retry is launched, as for the inbox.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from typing import Protocol, TypeVar

import dagster as dg

from pipelines.refresh.config import REFRESH_JOB_NAME, refresh_run_config
from pipelines.refresh.recovery import RecoveryError, RecoveryReport, healthie_reader, recover_missed
from pipelines.resources import HealthieResource
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.inbox import Inbox, PendingSummary, inbox_path

DEFAULT_MINIMUM_INTERVAL_SECONDS = 5
DEFAULT_RETRY_AFTER_SECONDS = 600
DEFAULT_SENT_WEBHOOKS_INTERVAL_SECONDS = 300
#: A tick's reads stay well inside Dagster's sensor timeout (60 s): two attempts of at most 10 s each.
SENSOR_READ_ATTEMPTS = 2
SENSOR_READ_TIMEOUT_SECONDS = 10.0


class LaunchCursor(Protocol):
    """What both sensors remember of the run they launched last: when, and how many retries of it."""

    @property
    def launched_at(self) -> float: ...

    @property
    def retries(self) -> int: ...


CursorT = TypeVar("CursorT", bound=LaunchCursor)


def retry_if_overdue(
    cursor: CursorT,
    *,
    run_key: str,
    run_config: dg.RunConfig,
    seen: str,
    now: float,
    retry_after_seconds: float,
) -> tuple[dg.RunRequest | None, CursorT, str]:
    """The work a launched run should have done is still there: wait, or retry once it is overdue.

    A run normally finishes within seconds; if its work is still waiting `retry_after_seconds` after
    the launch, the run failed or died, so the same work is launched again under `<run_key>-retry-<n>`.
    """
    if now - cursor.launched_at < retry_after_seconds:
        return None, cursor, f"{seen}; run launched {now - cursor.launched_at:.0f} s ago"
    retry = replace(cursor, launched_at=now, retries=cursor.retries + 1)  # type: ignore[type-var]
    request = dg.RunRequest(run_key=f"{run_key}-retry-{retry.retries}", run_config=run_config)
    return request, retry, f"{seen}; retry {retry.retries}"


class JsonCursor:
    """A sensor cursor stored as the JSON of its dataclass fields."""

    def dumps(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)  # type: ignore[call-overload]


def tick_result(
    context: dg.SensorEvaluationContext,
    request: dg.RunRequest | None,
    cursor: JsonCursor,
    seen: str,
    *,
    detail: str | None = None,
) -> dg.SensorResult:
    """A tick's outcome: the run it requests (logged, with `detail`) or why none, and the next cursor."""
    if request is None:
        return dg.SensorResult(skip_reason=dg.SkipReason(seen), cursor=cursor.dumps())
    context.log.info(seen if detail is None else f"{seen}; {detail}")
    return dg.SensorResult(run_requests=[request], cursor=cursor.dumps())


@dataclass(frozen=True)
class InboxCursor(JsonCursor):
    """What the sensor launched last: its high-water mark, when, and how many retries of it so far."""

    high_water_mark: int = 0
    launched_at: float = 0.0
    retries: int = 0

    @classmethod
    def parse(cls, text: str | None) -> InboxCursor:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            int(data["high_water_mark"]), float(data.get("launched_at", 0.0)), int(data.get("retries", 0))
        )


def evaluate_inbox(
    pending: PendingSummary, cursor: InboxCursor, *, now: float, retry_after_seconds: float
) -> tuple[dg.RunRequest | None, InboxCursor, str]:
    """Pure decision: the run to request (if any), the next cursor, and what was seen (for SkipReason)."""
    if pending.count == 0 or pending.max_event_id is None:
        return None, cursor, "no pending events"
    if pending.max_event_id > cursor.high_water_mark:
        mark = pending.max_event_id
        request = dg.RunRequest(run_key=f"inbox-upto-{mark}", run_config=refresh_run_config(mark))
        return request, InboxCursor(mark, now, 0), f"{pending.count} pending up to event {mark}"
    return retry_if_overdue(
        cursor,
        run_key=f"inbox-upto-{cursor.high_water_mark}",
        run_config=refresh_run_config(cursor.high_water_mark),
        seen=f"{pending.count} pending ≤ cursor {cursor.high_water_mark}",
        now=now,
        retry_after_seconds=retry_after_seconds,
    )


def build_webhook_inbox_sensor(
    *,
    name: str = "webhook_inbox_sensor",
    minimum_interval_seconds: int = DEFAULT_MINIMUM_INTERVAL_SECONDS,
    retry_after_seconds: float = DEFAULT_RETRY_AFTER_SECONDS,
) -> dg.SensorDefinition:
    """The sensor, with its polling interval and retry delay as parameters (tests use small ones)."""

    @dg.sensor(
        name=name,
        job_name=REFRESH_JOB_NAME,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Launches webhook_refresh for the webhook events waiting in the inbox.",
    )
    def _sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseConfig) -> dg.SensorResult:
        path = inbox_path(warehouse.path)
        if not path.exists():
            return dg.SensorResult(skip_reason=dg.SkipReason(f"no inbox yet at {path}"))
        with Inbox(path) as inbox:
            pending = inbox.pending()
        cursor = InboxCursor.parse(context.cursor)
        request, new_cursor, seen = evaluate_inbox(
            pending, cursor, now=time.time(), retry_after_seconds=retry_after_seconds
        )
        return tick_result(context, request, new_cursor, seen)

    return _sensor


webhook_inbox_sensor = build_webhook_inbox_sensor()


@dataclass(frozen=True)
class SentWebhooksCursor(JsonCursor):
    """The newest missed sent webhook a run was launched for, when, and how many retries of it."""

    newest_missed: str | None = None
    launched_at: float = 0.0
    retries: int = 0

    @classmethod
    def parse(cls, text: str | None) -> SentWebhooksCursor:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            data.get("newest_missed"), float(data.get("launched_at", 0.0)), int(data.get("retries", 0))
        )


def evaluate_sent_webhooks(
    report: RecoveryReport, cursor: SentWebhooksCursor, *, now: float, retry_after_seconds: float
) -> tuple[dg.RunRequest | None, SentWebhooksCursor, str]:
    """Pure decision: the run to request (if any), the next cursor, and what was seen."""
    if report.newest_missed is None:
        return None, cursor, f"no missed webhooks ({report.listed} sent since the cursor)"
    seen = f"{report.enqueued} webhook(s) Healthie sent never reached the inbox"
    if report.newest_missed != cursor.newest_missed:
        key = f"sent-webhooks-{report.newest_missed}"
        request = dg.RunRequest(run_key=key, run_config=refresh_run_config(0))
        return request, SentWebhooksCursor(report.newest_missed, now, 0), seen
    return retry_if_overdue(
        cursor,
        run_key=f"sent-webhooks-{report.newest_missed}",
        run_config=refresh_run_config(0),
        seen=seen,
        now=now,
        retry_after_seconds=retry_after_seconds,
    )


def build_sent_webhooks_sensor(
    *,
    name: str = "sent_webhooks_sensor",
    minimum_interval_seconds: int = DEFAULT_SENT_WEBHOOKS_INTERVAL_SECONDS,
    retry_after_seconds: float = DEFAULT_RETRY_AFTER_SECONDS,
) -> dg.SensorDefinition:
    """The missed-webhook sensor, its interval and retry delay as parameters (tests use small ones)."""

    @dg.sensor(
        name=name,
        job_name=REFRESH_JOB_NAME,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Launches webhook_refresh when Healthie's sentWebhooks lists webhooks the receiver "
        "never got (down, or refusing them); the run recovers them into the inbox.",
    )
    def _sensor(
        context: dg.SensorEvaluationContext, healthie: HealthieResource, warehouse: WarehouseConfig
    ) -> dg.SensorResult:
        cursor = SentWebhooksCursor.parse(context.cursor)
        try:
            with Inbox(inbox_path(warehouse.path)) as inbox:
                reader = healthie_reader(
                    healthie, max_attempts=SENSOR_READ_ATTEMPTS, timeout_seconds=SENSOR_READ_TIMEOUT_SECONDS
                )
                report = recover_missed(inbox, reader, commit=False)
        except RecoveryError as exc:
            # Transient trouble reading the list: the next tick tries again; say so in the tick.
            return dg.SensorResult(skip_reason=dg.SkipReason(str(exc)), cursor=cursor.dumps())
        request, new_cursor, seen = evaluate_sent_webhooks(
            report, cursor, now=time.time(), retry_after_seconds=retry_after_seconds
        )
        return tick_result(context, request, new_cursor, seen, detail=report.summary())

    return _sensor


sent_webhooks_sensor = build_sent_webhooks_sensor()
