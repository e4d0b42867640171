"""Timing one `webhook_refresh` run: its steps from the event log, the MERGE and publish by stopwatch.

Shared by the freshness bench (runs in its own process) and `bench.refresh_run` (a run in a new
process, as deployed), so it imports nothing the product's run process would not.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import dagster as dg

DRAIN_STEP, DBT_STEP = "drain_webhook_inbox", "build_downstream_models"


class Stopwatch:
    """Seconds spent in wrapped calls since the last `take()` (the bench's probes into one run)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed

    def take(self) -> float:
        seconds, self.seconds = self.seconds, 0.0
        return seconds


@dataclass
class Probes:
    """Stopwatches on the MERGE and the publish, the two parts of the steps the event log cannot split."""

    merge: Stopwatch = field(default_factory=Stopwatch)
    publish: Stopwatch = field(default_factory=Stopwatch)

    @contextmanager
    def installed(self) -> Iterator[None]:
        import pipelines.assets.dbt as dbt_module
        import pipelines.refresh.job as job_module

        with (
            mock.patch.object(job_module, "merge_changes", self.merge.wrap(job_module.merge_changes)),
            mock.patch.object(dbt_module, "publish_marts", self.publish.wrap(dbt_module.publish_marts)),
        ):
            yield


def step_times(instance: dg.DagsterInstance, run_id: str) -> tuple[dict[str, float], dict[str, float]]:
    """Start time and duration of each step of a run, from the event log's STEP_START and
    STEP_SUCCESS/FAILURE times."""
    started: dict[str, float] = {}
    durations: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = entry.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            durations[event.step_key] = entry.timestamp - started[event.step_key]
    return started, durations


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Duration of each step of a run (bench/year_bench.py uses it too)."""
    return step_times(instance, run_id)[1]


@dataclass(frozen=True)
class RunTimes:
    """When a refresh's drain step started and its build step (publish included) ended, in epoch
    seconds, and the seconds of its phases."""

    drain_started: float | None
    build_ended: float | None
    phases: dict[str, float]


def run_refresh(
    job: dg.JobDefinition, instance: dg.DagsterInstance, run_config: Mapping[str, Any], probes: Probes
) -> RunTimes:
    """Execute webhook_refresh in this process with `run_config`; raises if the run fails."""
    probes.merge.take()
    probes.publish.take()
    with redirect_stdout(io.StringIO()), probes.installed():  # dbt's console lines
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=dict(run_config))
    if not result.success:
        raise RuntimeError(f"webhook_refresh failed (run {result.run_id})")
    started, durations = step_times(instance, result.run_id)
    merge, publish = probes.merge.take(), probes.publish.take()
    drain, build = durations.get(DRAIN_STEP, 0.0), durations.get(DBT_STEP, 0.0)
    phases = {"re-read": drain - merge, "MERGE": merge, "dbt": build - publish, "publish": publish}
    ended = started[DBT_STEP] + build if DBT_STEP in started else None
    return RunTimes(started.get(DRAIN_STEP), ended, phases)
