"""run_failure_log_sensor: one line per failed run, from a real failing in-process run."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import dagster as dg
import pytest

from pipelines.run_failures import failure_line, redact, run_failure_log_sensor

PATIENT_NAME = "Jane Q. Patient"


@dg.op
def extract_step() -> int:
    return 1


@dg.op
def failing_step(value: int) -> None:
    raise ValueError(f"row {value} has an unparseable date: '{PATIENT_NAME}'\nsecond line with details")


@dg.job
def failing_job() -> None:
    failing_step(extract_step())


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def test_a_failed_run_gets_one_line_naming_job_step_and_reason(
    instance: dg.DagsterInstance, caplog: pytest.LogCaptureFixture
) -> None:
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_log_sensor",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=run,
    ).for_run_failure()
    with caplog.at_level(logging.ERROR, logger="pipelines.run_failures"):
        run_failure_log_sensor(context)
    lines = [r.getMessage() for r in caplog.records if r.name == "pipelines.run_failures"]
    assert lines == [
        f"run failed: job=failing_job run={result.run_id[:8]} step(s)=failing_step "
        "reason=ValueError: row 1 has an unparseable date: '…'"
    ]
    assert PATIENT_NAME not in lines[0]


def test_a_run_without_a_failed_step_names_the_run_failure() -> None:
    line = failure_line("nightly_sync", "0123456789abcdef", [], 'Run could not start: "value"')
    assert line == "run failed: job=nightly_sync run=01234567 step(s)=none reason=Run could not start: '…'"


def test_redact_keeps_one_bounded_line() -> None:
    assert redact("\n  first 'x' and \"y\" and `z`\nsecond") == "first '…' and '…' and '…'"
    assert len(redact("a" * 1000)) == 300
