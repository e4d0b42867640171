"""`run_failure_log_sensor`: one clear log line per failed run, for whoever reads the daemon's log.

The Dagster UI shows a failed run in full; a log pipeline (journald, a log service) needs one line
it can alert on:

    run failed: job=webhook_refresh run=1a2b3c4d step(s)=drain_webhook_inbox reason=RecoveryError: ...

The reason is the failed step's error class and the first line of its message (the run's own failure
message when no step failed, e.g. a run that could not start). Our errors never carry record values
(they name streams, windows, pages, fields), but a message from a library (a dbt or database error)
might quote one, so anything in quotes is replaced by `'…'` and the line is cut at `MAX_REASON`
characters. Written to the `pipelines.run_failures` logger (the daemon's stderr) and to the tick's log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import dagster as dg
from dagster._utils.error import SerializableErrorInfo

logger = logging.getLogger(__name__)

MAX_REASON = 300
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`")


def redact(text: str) -> str:
    """The first line of `text`, quoted literals replaced, at most `MAX_REASON` characters."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    shown = _QUOTED.sub("'…'", first)
    return shown if len(shown) <= MAX_REASON else shown[: MAX_REASON - 1] + "…"


def error_headline(error: SerializableErrorInfo | None) -> str:
    """`Class: first line`, of the innermost cause that is not Dagster's own wrapper."""
    if error is None:
        return "unknown error"
    chain = [error]
    while chain[-1].cause is not None:
        chain.append(chain[-1].cause)
    ours = [e for e in chain if not (e.cls_name or "").startswith("Dagster")] or chain
    head = ours[0]
    return f"{head.cls_name or 'Error'}: {redact(head.message.removeprefix(f'{head.cls_name}: '))}"


def failure_line(
    job: str, run_id: str, steps: Sequence[tuple[str, SerializableErrorInfo | None]], run_message: str
) -> str:
    """The log line for one failed run (pure: unit-tested)."""
    if steps:
        names = ", ".join(step for step, _ in steps)
        reason = error_headline(steps[0][1])
    else:
        names = "none"
        reason = redact(run_message) or "unknown error"
    return f"run failed: job={job} run={run_id[:8]} step(s)={names} reason={reason}"


@dg.run_failure_sensor(
    name="run_failure_log_sensor",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Writes one log line per failed run: job, failed step(s), error class and headline.",
)
def run_failure_log_sensor(context: dg.RunFailureSensorContext) -> None:
    steps = [
        (event.step_key or "?", event.step_failure_data.error) for event in context.get_step_failure_events()
    ]
    line = failure_line(
        context.dagster_run.job_name, context.dagster_run.run_id, steps, context.failure_event.message or ""
    )
    logger.error(line)
    context.log.error(line)
