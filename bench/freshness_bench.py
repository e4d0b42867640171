"""Webhook freshness: from a change in Healthie to the changed row visible in the marts.

The whole product runs as deployed, on one machine: the sandbox (scale 1) in a thread sends signed
webhooks to the receiver (uvicorn in a child process), which commits them to the inbox. The bench plays
the Dagster daemon: it evaluates `webhook_inbox_sensor` every `TICK_SECONDS` and, when the sensor asks
for a run, executes `webhook_refresh` in-process (real re-read by id, change batch, real dbt build).
A change counts as fresh when a read-only query on `marts.fct_appointments` shows its new status; the
query runs after each refresh (DuckDB allows no reader while dbt writes, so polling during the build
would only fail it). Freshness = that moment minus the sandbox's change call.

Two scenarios, after one `nightly_sync` has built the marts:

* sequential: one status change at a time, each at a random phase of the sensor's tick;
* burst: `BURST` changes at once, which the sensor should coalesce into one run.

Printed: p50 / p95 / max freshness, runs, and how much of it is dbt; for the sequential changes also
the median of each phase (webhook delivery, wait for the tick, re-read, dbt, the rest). Goal: p95 <= 15 s.
The daemon's default sensor interval is 5 s (`minimum_interval_seconds`), not 1 s: deployed, the
wait-for-tick phase is up to 5 s longer.

    python -m bench freshness            # 10 sequential changes, a burst of 20
    python -m bench freshness --quick    # 3 sequential changes, a burst of 20
"""

from __future__ import annotations

import io
import math
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import dagster as dg

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import start_in_thread
from pipelines.dev.demo import QUIET_LOGS, appointment_status
from pipelines.dev.harness import receiver_process
from pipelines.settings import build_warehouse_config
from pipelines.webhooks.inbox import Inbox, inbox_path

SCALE = 1.0
SEED = 7
TICK_SECONDS = 1.0
SEQUENTIAL, SEQUENTIAL_QUICK = 10, 3
BURST = 20
GOAL_P95_SECONDS = 15.0
VISIBLE_TIMEOUT_SECONDS = 120.0
NEW_STATUSES = ("Occurred", "No-Show", "Cancelled")
DRAIN_STEP, DBT_STEP = "drain_webhook_inbox", "build_downstream_models"


@dataclass(frozen=True)
class Sample:
    """One change on its way to the marts (wall-clock times, comparable with the receiver's receipts).

    `received_at` is the oldest receipt waiting when the run that made the change visible was launched
    (exact for a single change); `drain_seconds` and `dbt_seconds` add up every run from the change to
    its visibility, since a change that misses a run waits for it to end before the next one.
    """

    changed_at: float
    received_at: float
    tick_at: float
    visible_at: float
    drain_seconds: float
    dbt_seconds: float

    @property
    def freshness(self) -> float:
        return self.visible_at - self.changed_at


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: with 10 samples p95 is the largest, as it should be."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Duration of each step of a run, from the event log's STEP_START and STEP_SUCCESS/FAILURE times."""
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
    return durations


class Daemon:
    """The sensor ticking on a fixed grid of `TICK_SECONDS` and the runs it requests, run in-process.

    The grid keeps its phase while a run executes (the real daemon ticks on while runs are launched),
    so a change made at a random moment waits a uniformly random part of a tick.
    """

    def __init__(self, defs: dg.Definitions, instance: dg.DagsterInstance, warehouse_dir: Path) -> None:
        from pipelines.refresh.sensors import webhook_inbox_sensor

        self.sensor = webhook_inbox_sensor
        self.job = defs.resolve_job_def("webhook_refresh")
        self.instance = instance
        self.warehouse_dir = warehouse_dir
        self.cursor: str | None = None
        self.next_tick = time.time()

    def oldest_waiting(self) -> float | None:
        with Inbox(inbox_path(self.warehouse_dir)) as inbox:
            return inbox.pending().oldest_received_at

    def tick(self) -> dg.RunRequest | None:
        """Sleep to the next grid point, then evaluate the sensor as the daemon would (cursor kept)."""
        behind = time.time() - self.next_tick
        if behind > 0:
            self.next_tick += math.ceil(behind / TICK_SECONDS) * TICK_SECONDS
        time.sleep(max(0.0, self.next_tick - time.time()))
        self.next_tick += TICK_SECONDS
        with dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, resources={"warehouse": build_warehouse_config()}
        ) as context:
            result = self.sensor(context)
        assert isinstance(result, dg.SensorResult)
        self.cursor = result.cursor
        return result.run_requests[0] if result.run_requests else None

    def execute(self, request: dg.RunRequest) -> dict[str, float]:
        """Run webhook_refresh as requested; its step durations."""
        with redirect_stdout(io.StringIO()):  # dbt's console lines
            result = self.job.execute_in_process(
                instance=self.instance, raise_on_error=False, run_config={**request.run_config, **QUIET_LOGS}
            )
        if not result.success:
            raise RuntimeError(f"webhook_refresh failed (run {result.run_id})")
        return step_seconds(self.instance, result.run_id)

    def follow(
        self, changed_at: Mapping[str, float], expected: Mapping[str, str]
    ) -> tuple[list[Sample], int]:
        """Tick and run until every appointment shows its expected status: a sample each, and the runs."""
        samples: list[Sample] = []
        waiting = dict(expected)
        runs, drain, dbt = 0, 0.0, 0.0
        deadline = time.time() + VISIBLE_TIMEOUT_SECONDS
        while waiting:
            if time.time() > deadline:
                raise TimeoutError(
                    f"{len(waiting)} change(s) not in the marts after {VISIBLE_TIMEOUT_SECONDS} s"
                )
            request = self.tick()
            tick_at, received_at = time.time(), self.oldest_waiting()
            if request is None:
                continue
            steps = self.execute(request)
            runs, drain, dbt = runs + 1, drain + steps.get(DRAIN_STEP, 0.0), dbt + steps.get(DBT_STEP, 0.0)
            seen = [a for a, status in waiting.items() if appointment_status(self.warehouse_dir, a) == status]
            visible_at = time.time()
            for appointment in seen:
                del waiting[appointment]
                samples.append(
                    Sample(changed_at[appointment], received_at or tick_at, tick_at, visible_at, drain, dbt)
                )
        return samples, runs


def measure(
    daemon: Daemon, control: SandboxControl, ids: Sequence[str], rng: random.Random
) -> tuple[list[Sample], int]:
    """Give `ids` new statuses at once and follow them to the marts: a sample per change, and the runs."""
    expected = {appointment: rng.choice(NEW_STATUSES) for appointment in ids}
    changed_at = {}
    for appointment, status in expected.items():
        changed_at[appointment] = time.time()
        control.update("appointments", appointment, pm_status=status)
    return daemon.follow(changed_at, expected)


def open_appointments(control: SandboxControl) -> list[str]:
    rows = control.truth("appointments")
    return [str(r["id"]) for r in rows if r.get("pm_status") is None and not r.get("is_blocker")]


def load_definitions() -> dg.Definitions:
    """The product's definitions, imported once the environment points at the sandbox."""
    from pipelines.definitions import defs

    resources = defs.resources or {}
    if not isinstance(resources["healthie"].api_url, dg.EnvVar):
        raise RuntimeError("pipelines.definitions was imported before HEALTHIE_API_URL was set")
    return defs


@contextmanager
def product(warehouse_dir: Path) -> Iterator[tuple[Daemon, SandboxControl, float]]:
    """Sandbox, receiver, environment, nightly_sync: the daemon, the sandbox's control, nightly seconds."""
    secret = secrets.token_hex(16)
    with start_in_thread(scale=SCALE, seed=SEED) as sandbox, sandbox.control() as control:
        environment = {
            "HEALTHIE_API_URL": sandbox.url,
            "HEALTHIE_API_KEY": sandbox.api_key,
            "HEALTHIE_WEBHOOK_SECRET": secret,
            "WAREHOUSE_DIR": str(warehouse_dir),
        }
        with (
            mock.patch.dict(os.environ, environment),
            receiver_process(warehouse_dir, secret) as receiver,
            dg.DagsterInstance.ephemeral() as instance,
        ):
            defs = load_definitions()
            started = time.perf_counter()
            with redirect_stdout(io.StringIO()):
                nightly = defs.resolve_job_def("nightly_sync").execute_in_process(
                    instance=instance, raise_on_error=False, run_config=QUIET_LOGS
                )
            if not nightly.success:
                raise RuntimeError("nightly_sync failed; the marts are not there to measure")
            nightly_seconds = time.perf_counter() - started
            control.configure_webhooks(receiver.webhook_url, secret)
            yield Daemon(defs, instance, warehouse_dir), control, nightly_seconds


@dataclass(frozen=True)
class Results:
    sequential: list[Sample]
    burst: list[Sample]
    burst_runs: int
    nightly_seconds: float


def run_scenarios(sequential: int) -> Results:
    rng = random.Random(SEED)
    with (
        tempfile.TemporaryDirectory(prefix="freshness-bench-") as tmp,
        product(Path(tmp) / "warehouse") as (daemon, control, nightly_seconds),
    ):
        candidates = open_appointments(control)
        rng.shuffle(candidates)
        one_at_a_time: list[Sample] = []
        for appointment in candidates[:sequential]:
            time.sleep(rng.uniform(0, TICK_SECONDS))  # a random phase of the tick
            samples, _ = measure(daemon, control, [appointment], rng)
            one_at_a_time += samples
        burst, burst_runs = measure(daemon, control, candidates[sequential : sequential + BURST], rng)
    return Results(one_at_a_time, burst, burst_runs, nightly_seconds)


def report_row(label: str, samples: Sequence[Sample], runs: int) -> str:
    fresh = [s.freshness for s in samples]
    dbt = statistics.median(s.dbt_seconds for s in samples)
    share = statistics.mean(s.dbt_seconds / s.freshness for s in samples)
    return (
        f"{label:<12}{len(samples):>8}{runs:>6}{percentile(fresh, 0.5):>8.1f}{percentile(fresh, 0.95):>8.1f}"
        f"{max(fresh):>8.1f}{dbt:>10.1f}{share:>10.0%}"
    )


def phases(samples: Sequence[Sample]) -> str:
    """Median seconds of each phase of the changes' way to the marts."""
    parts = {
        "webhook": [s.received_at - s.changed_at for s in samples],
        "wait for tick": [s.tick_at - s.received_at for s in samples],
        "re-read": [s.drain_seconds for s in samples],
        "dbt": [s.dbt_seconds for s in samples],
        "rest": [s.visible_at - s.tick_at - s.drain_seconds - s.dbt_seconds for s in samples],
    }
    return "   ".join(f"{name} {statistics.median(values):.2f}" for name, values in parts.items())


def report(results: Results) -> None:
    print(
        f"freshness: Healthie change -> row in marts.fct_appointments (sandbox scale {SCALE:g}, "
        f"sensor tick {TICK_SECONDS:g} s; nightly_sync first: {results.nightly_seconds:.0f} s)"
    )
    header = ("scenario", "changes", "runs", "p50 s", "p95 s", "max s", "dbt s", "dbt %")
    print(f"{header[0]:<12}{header[1]:>8}{header[2]:>6}" + "".join(f"{h:>8}" for h in header[3:6]), end="")
    print(f"{header[6]:>10}{header[7]:>10}")
    print(report_row("sequential", results.sequential, len(results.sequential)))
    print(report_row("burst", results.burst, results.burst_runs))
    print(f"sequential phases, median s: {phases(results.sequential)}")
    worst = max(
        percentile([s.freshness for s in samples], 0.95) for samples in (results.sequential, results.burst)
    )
    verdict = "met" if worst <= GOAL_P95_SECONDS else "MISSED"
    print(f"goal p95 <= {GOAL_P95_SECONDS:g} s: {verdict} (worst p95 {worst:.1f} s)")


def main(argv: Sequence[str] | None = None) -> None:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    report(run_scenarios(SEQUENTIAL_QUICK if quick else SEQUENTIAL))


if __name__ == "__main__":
    main()
