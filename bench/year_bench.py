"""A year in a box: a month of nights against the sandbox, with BI readers connected the whole time.

The product runs as deployed, on one machine: the sandbox (a child process, seeded at a scale where
dbt's variable cost shows) and the webhook receiver (uvicorn, a child process) that commits the
sandbox's signed webhooks to the inbox. The bench plays the scheduler and the Dagster daemon, with
the jobs run in-process:

* each night, `nightly_sync` (full pull, MERGE, compaction, vacuum, checkpoint, dbt build, publish);
* each day between nights, the sandbox's churn changes ~1% of the records (creates, updates, deletes,
  each with its webhooks, delivered to the receiver), then the bench evaluates `webhook_inbox_sensor`
  and runs the `webhook_refresh` it asks for (re-read by id, MERGE, dbt build, publish).

Two BI readers stay connected from the first publish to the end, each its own process as a BI tool
is (bench/year_reader.py): one holds a read-only connection to `warehouse.duckdb` and queries a mart
every 0.5 s, the other reconnects every 3 s. Their errors are counted.

The month runs with `LAKE_HISTORY_RETENTION_DAYS=0` (current state only). Printed: each night as it
ends, then night 1 vs the last night side by side with ratios: lake bytes and files (a walk of
`$WAREHOUSE_DIR/lake`), the dbt step's duration (from the run's events; it includes the publish,
shown apart), nightly wall time, reader errors, failed runs. Goals: lake <= 1.5x and dbt <= 1.2x of
night 1, no reader error, no failed run. One night's timing is noisy on a shared two-core machine, so
the medians of the first and last three nights are printed too.

Then the default retention (7 days). Nights here are minutes apart, so nothing would expire during
the bench: a second, shorter run at retention 7 measures the bytes each night (its pull and its day's
refresh) adds, and prints the bound after a week, current + 7 x per-night growth, beside the bound the
`lake_size_bounded` check allows (`size_bounds` in pipelines/assets/checks.py).

    python -m bench year            # 30 nights at scale 14 (~208k records), then 3 at retention 7
    python -m bench year --quick    # 5 nights at scale 2 (~30k records), then 2 at retention 7

The full run takes about 25 minutes on two cores: a night ~19 s (pull 9, dbt 9), a day ~26 s (the
sandbox makes ~230 changes/s with their webhooks, so 9 s; the refresh's re-read 8 s and dbt 9 s).
dbt's ~9 s a build is mostly fixed cost, so fewer nights or a smaller practice would not show growth.
`--quick` takes about 3 minutes.

`--nights=N`, `--scale=S` and `--retention-nights=N` override the plan. The client runs at
`HEALTHIE_RATE_LIMIT_RPS` if set, else at Healthie's documented 250 requests/s (the product's default
is 100), since a refresh re-reads its ~2k ids one request each. One refresh a day keeps the run
short (each costs a dbt build); deployed, the sensor refreshes every few seconds while webhooks
arrive, and the lake carries one more copy of each touched table per refresh until the night's
vacuum (printed as "each webhook refresh adds"). Figures are printed, never asserted.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, redirect_stdout
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import dagster as dg

from bench.refresh_timing import step_seconds
from healthie_sandbox.control import SandboxControl
from pipelines.assets.checks import size_bounds
from pipelines.dev.demo import QUIET_LOGS
from pipelines.dev.harness import receiver_process, stop_process
from pipelines.healthie.settings import RATE_LIMIT_VAR
from pipelines.lake.layout import lake_dir
from pipelines.lake.settings import DEFAULT_RETENTION_DAYS, RETENTION_VAR
from pipelines.settings import build_warehouse_config
from pipelines.webhooks.inbox import Inbox, inbox_path

SEED = 7
CHANGED_PER_DAY = 0.01
#: Asked of the sandbox's churn; it makes 300-400 changes/s on two cores, webhooks included.
CHURN_PER_SECOND = 1000.0
CHURN_POLL_SECONDS = 0.02
FLUSH_TIMEOUT_SECONDS = 120.0
#: The client's budget unless `HEALTHIE_RATE_LIMIT_RPS` is set: Healthie's documented limit. A refresh
#: re-reads one id per request, so a day's ~2k changes take 20 s at the product's default of 100.
BENCH_RATE_LIMIT_RPS = "250"
HOLD_INTERVAL_SECONDS = 0.5
RECONNECT_INTERVAL_SECONDS = 3.0
GOAL_LAKE, GOAL_DBT = 1.5, 1.2
NIGHTLY, REFRESH = "nightly_sync", "webhook_refresh"
EXTRACT_STEP, DBT_STEP = "healthie_extract", "healthie_dbt_assets"
DRAIN_STEP, REFRESH_DBT_STEP = "drain_webhook_inbox", "build_downstream_models"
#: Sensor evaluations at the end of a day: one run drains the inbox; a failed one is not retried by
#: the sensor for 10 minutes, so its events wait for the next day's run.
DRAIN_ATTEMPTS = 3
SANDBOX_START_SECONDS = 600.0
#: What the sandbox prints once it listens: `Healthie sandbox GraphQL at <url> (scale ..., seed ...)`.
READY = "GraphQL at "
PUBLISHED_FILE = "warehouse.duckdb"
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Plan:
    scale: float
    nights: int
    retention_nights: int


FULL = Plan(scale=14.0, nights=30, retention_nights=3)
QUICK = Plan(scale=2.0, nights=5, retention_nights=2)


@dataclass(frozen=True)
class LakeSize:
    bytes: int
    files: int


@dataclass(frozen=True)
class RunOutcome:
    succeeded: bool
    seconds: float
    steps: dict[str, float]
    result: dg.ExecuteInProcessResult
    failure: str = ""


@dataclass(frozen=True)
class Night:
    number: int
    succeeded: bool
    wall_seconds: float
    extract_seconds: float
    dbt_seconds: float
    publish_seconds: float
    lake: LakeSize
    """The lake right after the night (its vacuum done)."""
    table_bytes: dict[str, int]
    """Each stream's current version, from the materialization metadata."""
    disk_bytes: dict[str, int]
    """Each stream's table folder after maintenance (retained versions too), from the same metadata."""
    records: int
    failure: str = ""


@dataclass(frozen=True)
class Day:
    changes: int
    churn_seconds: float
    """From the first change to the last webhook delivered."""
    refreshes: int
    failed: int
    refresh_seconds: float
    reread_seconds: float
    """The refreshes' re-read and MERGE steps."""
    dbt_seconds: float
    """The refreshes' dbt (and publish) steps."""
    lake: LakeSize
    """The lake at the end of the day, before the next night's maintenance."""
    left_pending: int
    """Webhook events still waiting in the inbox at the end of the day (a failed refresh's)."""
    failure: str = ""


@dataclass
class Scenario:
    retention_days: int
    plan: Plan
    nights: list[Night] = field(default_factory=list)
    days: list[Day] = field(default_factory=list)
    readers: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)
    """The machine's 1-minute load average when the scenario started and ended."""


# --- the product's parts ------------------------------------------------------------------------


@dataclass(frozen=True)
class SandboxProcess:
    url: str
    api_key: str

    @property
    def base_url(self) -> str:
        return self.url.removesuffix("/graphql")


def ready_url(log: Path) -> str | None:
    """The GraphQL URL from the sandbox's ready line, once that line is complete."""
    for line in log.read_text().splitlines(keepends=True):
        if READY in line and line.endswith("\n"):
            return line.split(READY)[1].split()[0]
    return None


@contextmanager
def sandbox_process(scale: float, workdir: Path) -> Iterator[SandboxProcess]:
    """The sandbox in a child process (a remote API does not share our interpreter), seeded at `scale`."""
    api_key = secrets.token_hex(12)
    log = workdir / "sandbox.log"
    command = [sys.executable, "-m", "healthie_sandbox.cli", "serve", "--port", "0"]
    command += ["--scale", f"{scale:g}", "--seed", str(SEED), "--api-key", api_key, "--tmp-dir", str(workdir)]
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + SANDBOX_START_SECONDS
        while (url := ready_url(log)) is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield SandboxProcess(url, api_key)
    finally:
        stop_process(process)


class Readers:
    """The two BI readers (bench/year_reader.py), each its own process, until `stop()`."""

    def __init__(self, published: Path) -> None:
        self.processes: dict[str, subprocess.Popen[str]] = {}
        for mode, interval in (("hold", HOLD_INTERVAL_SECONDS), ("reconnect", RECONNECT_INTERVAL_SECONDS)):
            command = [sys.executable, "-m", "bench.year_reader", mode, str(published)]
            self.processes[mode] = subprocess.Popen(
                [*command, "--interval", str(interval)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )

    def stop(self) -> dict[str, dict[str, Any]]:
        """Close their stdin (their signal to stop) and read their counts."""
        found: dict[str, dict[str, Any]] = {}
        for process in self.processes.values():
            assert process.stdin is not None
            process.stdin.close()
        for mode, process in self.processes.items():
            assert process.stdout is not None
            lines = process.stdout.read().strip().splitlines()
            process.wait(timeout=60)
            found[mode] = json.loads(lines[-1]) if lines else {"mode": mode, "crashed": process.returncode}
        return found

    def kill(self) -> None:
        for process in self.processes.values():
            stop_process(process, timeout=5)


class Product:
    """One scenario's definitions, instance, sandbox control and warehouse; runs the jobs in-process."""

    def __init__(
        self, defs: dg.Definitions, instance: dg.DagsterInstance, control: SandboxControl, warehouse: Path
    ) -> None:
        self.defs = defs
        self.instance = instance
        self.control = control
        self.warehouse_dir = warehouse
        self.cursor: str | None = None

    def run(self, job: str, run_config: dict[str, Any] | None = None) -> RunOutcome:
        started = time.perf_counter()
        with redirect_stdout(io.StringIO()):  # dbt's console lines
            result = self.defs.resolve_job_def(job).execute_in_process(
                instance=self.instance, raise_on_error=False, run_config={**(run_config or {}), **QUIET_LOGS}
            )
        seconds = time.perf_counter() - started
        failure = ""
        if not result.success:
            messages = [e.message or "" for e in result.all_events if e.is_failure and e.step_key]
            failure = (messages[0] if messages else "run failed").splitlines()[0][:300]
        steps = step_seconds(self.instance, result.run_id)
        return RunOutcome(result.success, seconds, steps, result, failure)

    def nightly(self, number: int) -> Night:
        outcome = self.run(NIGHTLY)
        meta = extract_metadata(outcome.result)
        return Night(
            number=number,
            succeeded=outcome.succeeded,
            wall_seconds=outcome.seconds,
            extract_seconds=outcome.steps.get(EXTRACT_STEP, 0.0),
            dbt_seconds=outcome.steps.get(DBT_STEP, 0.0),
            publish_seconds=publish_seconds(outcome.result),
            lake=lake_size(self.warehouse_dir),
            table_bytes={stream: int(m.get("table_bytes", 0)) for stream, m in meta.items()},
            disk_bytes={stream: int(m.get("disk_bytes", 0)) for stream, m in meta.items()},
            records=sum(int(m.get("live_ids", 0)) for m in meta.values()),
            failure=outcome.failure,
        )

    def changes(self) -> int:
        return sum(self.control.stats()["changes"].values())

    def churn(self, count: int) -> int:
        """Let the sandbox's churn make about `count` changes and deliver their webhooks; how many it made."""
        first = self.changes()
        self.control.start_churn(CHURN_PER_SECOND)
        try:
            while self.changes() - first < count:
                time.sleep(CHURN_POLL_SECONDS)
        finally:
            self.control.stop_churn()
        if not self.control.flush_webhooks(timeout=FLUSH_TIMEOUT_SECONDS):
            print(f"    webhooks still queued after {FLUSH_TIMEOUT_SECONDS:g} s", flush=True)
        return self.changes() - first

    def pending(self) -> int:
        path = inbox_path(self.warehouse_dir)
        if not path.exists():
            return 0
        with Inbox(path) as inbox:
            return inbox.pending().count

    def tick(self) -> dg.RunRequest | None:
        """Evaluate the sensor as the daemon would (cursor kept); the run it asks for, if any."""
        from pipelines.refresh.sensors import webhook_inbox_sensor

        with dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, resources={"warehouse": build_warehouse_config()}
        ) as context:
            context.log.setLevel(logging.WARNING)  # its "N pending" line; the bench prints its own
            result = webhook_inbox_sensor(context)
        assert isinstance(result, dg.SensorResult)
        self.cursor = result.cursor
        return result.run_requests[0] if result.run_requests else None

    def day(self, target: int) -> Day:
        """The day's changes, then the refresh the sensor asks for (and any it asks for after that)."""
        started = time.perf_counter()
        changes = self.churn(target)
        churned = time.perf_counter()
        outcomes: list[RunOutcome] = []
        for _ in range(DRAIN_ATTEMPTS):
            request = self.tick()
            if request is None:
                break
            outcomes.append(self.run(REFRESH, dict(request.run_config)))
        failed = [o for o in outcomes if not o.succeeded]
        return Day(
            changes=changes,
            churn_seconds=churned - started,
            refreshes=len(outcomes),
            failed=len(failed),
            refresh_seconds=time.perf_counter() - churned,
            reread_seconds=sum(o.steps.get(DRAIN_STEP, 0.0) for o in outcomes),
            dbt_seconds=sum(o.steps.get(REFRESH_DBT_STEP, 0.0) for o in outcomes),
            lake=lake_size(self.warehouse_dir),
            left_pending=self.pending(),
            failure=failed[0].failure if failed else "",
        )


def scenario_definitions() -> dg.Definitions:
    """The product's definitions, with the resources built from this scenario's environment (the
    retention is read when the warehouse resource is built, as `pipelines.definitions` does)."""
    from pipelines.definitions import defs
    from pipelines.resources import build_healthie_resource

    return dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        jobs=defs.jobs,
        sensors=defs.sensors,
        resources={
            **(defs.resources or {}),
            "healthie": build_healthie_resource(),
            "warehouse": build_warehouse_config(),
        },
    )


@contextmanager
def product(root: Path, scale: float, retention_days: int) -> Iterator[Product]:
    """Sandbox, receiver, environment and a Dagster instance, for one scenario under `root`."""
    warehouse = root / "warehouse"
    secret = secrets.token_hex(16)
    with ExitStack() as stack:
        sandbox = stack.enter_context(sandbox_process(scale, root))
        control = stack.enter_context(SandboxControl(sandbox.base_url))
        environment = {
            "HEALTHIE_API_URL": sandbox.url,
            "HEALTHIE_API_KEY": sandbox.api_key,
            "HEALTHIE_WEBHOOK_SECRET": secret,
            "WAREHOUSE_DIR": str(warehouse),
            RETENTION_VAR: str(retention_days),
            RATE_LIMIT_VAR: os.environ.get(RATE_LIMIT_VAR) or BENCH_RATE_LIMIT_RPS,
        }
        stack.enter_context(mock.patch.dict(os.environ, environment))
        receiver = stack.enter_context(receiver_process(warehouse, secret))
        instance = stack.enter_context(dg.DagsterInstance.ephemeral())
        control.configure_webhooks(receiver.webhook_url, secret)
        yield Product(scenario_definitions(), instance, control, warehouse)


# --- measurements -------------------------------------------------------------------------------


def lake_size(warehouse_dir: Path) -> LakeSize:
    """Every file under `$WAREHOUSE_DIR/lake`: data files, logs, change data, locks."""
    total, files = 0, 0
    for folder, _, names in os.walk(lake_dir(warehouse_dir)):
        for name in names:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except FileNotFoundError:
                continue
            files += 1
    return LakeSize(total, files)


def extract_metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, Any]]:
    """Each stream's materialization metadata (plain values) from a nightly run."""
    found: dict[str, dict[str, Any]] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key.path[0] == "healthie":
            found[materialization.asset_key.path[-1]] = {
                k: getattr(v, "value", v) for k, v in materialization.metadata.items()
            }
    return found


def publish_seconds(result: dg.ExecuteInProcessResult) -> float:
    """The publish's cost, as the published marts' observations report it (0 if nothing was published)."""
    for event in result.all_events:
        if event.event_type is dg.DagsterEventType.ASSET_OBSERVATION:
            metadata = event.asset_observation_data.asset_observation.metadata
            if "publish_seconds" in metadata:
                return float(getattr(metadata["publish_seconds"], "value", 0.0))
    return 0.0


# --- the scenarios ------------------------------------------------------------------------------


def night_line(night: Night, day: Day | None) -> str:
    status = "ok" if night.succeeded else f"FAILED: {night.failure}"
    line = (
        f"  night {night.number:>2}: {night.wall_seconds:5.1f} s (pull {night.extract_seconds:4.1f}, "
        f"dbt {night.dbt_seconds:4.1f}, publish {night.publish_seconds:4.2f})  lake {mb(night.lake.bytes)} "
        f"in {night.lake.files} files, {night.records:,} records  {status}"
    )
    if day is not None:
        failed = f" ({day.failed} FAILED: {day.failure})" if day.failed else ""
        left = f"; {day.left_pending} events LEFT in the inbox" if day.left_pending else ""
        line += (
            f"\n     day {night.number:>2}: {day.changes:,} changes in {day.churn_seconds:4.1f} s, "
            f"{day.refreshes} refresh{failed} in {day.refresh_seconds:4.1f} s "
            f"(re-read {day.reread_seconds:4.1f}, dbt {day.dbt_seconds:4.1f})  "
            f"lake {mb(day.lake.bytes)} in {day.lake.files} files{left}"
        )
    return line


def run_scenario(plan: Plan, retention_days: int, *, readers: bool) -> Scenario:
    scenario = Scenario(retention_days, plan)
    started, load = time.perf_counter(), os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory(prefix="year-bench-") as tmp,
        product(Path(tmp), plan.scale, retention_days) as running,
    ):
        bi = Readers(running.warehouse_dir / PUBLISHED_FILE) if readers else None
        try:
            for number in range(1, plan.nights + 1):
                night = running.nightly(number)
                scenario.nights.append(night)
                day = None
                if number < plan.nights:
                    day = running.day(max(1, round(CHANGED_PER_DAY * night.records)))
                    scenario.days.append(day)
                print(night_line(night, day), flush=True)
            if bi is not None:
                scenario.readers = bi.stop()
        finally:
            if bi is not None:
                bi.kill()
    scenario.seconds = time.perf_counter() - started
    scenario.load = (load, os.getloadavg()[0])
    return scenario


# --- the report ---------------------------------------------------------------------------------


def mb(value: float) -> str:
    return f"{value / 1e6:.1f} MB"


def ratio(last: float, first: float) -> float:
    return last / first if first else float("nan")


def verdict(value: float, goal: float) -> str:
    return "met" if value <= goal else "MISSED"


def median_of(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def seconds(value: float) -> str:
    return f"{value:.1f}"


def count(value: float) -> str:
    return f"{value:,.0f}"


def compare(
    name: str, first: float, last: float, show: Callable[[float], str], goal: float | None = None
) -> str:
    """One row of the side-by-side table: both values, their ratio, and the goal's verdict if any."""
    value = ratio(last, first)
    tail = f"   <= {goal:g}x: {verdict(value, goal)}" if goal is not None else ""
    return f"{name:<34}{show(first):>12}{show(last):>12}{value:>7.2f}x{tail}"


def report_year(scenario: Scenario) -> None:
    nights, days = scenario.nights, scenario.days
    first, last = nights[0], nights[-1]
    changes = statistics.mean(d.changes for d in days) if days else 0.0
    print(
        f"\nyear: {len(nights)} nights, sandbox scale {scenario.plan.scale:g} ({first.records:,} records), "
        f"~{changes:,.0f} changes a day ({changes / max(1, first.records):.1%}) and a webhook refresh, "
        f"{RETENTION_VAR}={scenario.retention_days}; {scenario.seconds / 60:.1f} min, load average "
        f"{scenario.load[0]:.1f} at the start, {scenario.load[1]:.1f} at the end (two cores, shared)"
    )
    print(f"{'':<34}{'night 1':>12}{f'night {last.number}':>12}{'ratio':>8}   goal")
    print(compare("lake bytes", first.lake.bytes, last.lake.bytes, mb, GOAL_LAKE))
    print(compare("lake files", first.lake.files, last.lake.files, count, GOAL_LAKE))
    print(compare("dbt step s (build + publish)", first.dbt_seconds, last.dbt_seconds, seconds, GOAL_DBT))
    print(compare("  of which publish s", first.publish_seconds, last.publish_seconds, "{:.2f}".format))
    print(compare("nightly wall s", first.wall_seconds, last.wall_seconds, seconds))
    print(compare("  of which pull s", first.extract_seconds, last.extract_seconds, seconds))
    print(compare("records in the lake", first.records, last.records, count))
    head, tail = nights[:3], nights[-3:]
    for name, attribute in (("dbt step s", "dbt_seconds"), ("nightly wall s", "wall_seconds")):
        a = median_of([getattr(n, attribute) for n in head])
        b = median_of([getattr(n, attribute) for n in tail])
        print(compare(f"{name}, median of 3 nights", a, b, seconds))
    if days:
        print(
            compare(
                "webhook_refresh s (day 1, last)", days[0].refresh_seconds, days[-1].refresh_seconds, seconds
            )
        )
        print(compare("  of which dbt s", days[0].dbt_seconds, days[-1].dbt_seconds, seconds))
        peak = max(d.lake.bytes for d in days)
        print(compare("lake at a day's end, largest", first.lake.bytes, peak, mb))
        added = [
            (d.lake.bytes - n.lake.bytes) / d.refreshes
            for n, d in zip(nights[:-1], days, strict=True)
            if d.refreshes
        ]
        if added:
            each = median_of(added)
            print(
                f"each webhook refresh adds {mb(each)} to the lake until the night's vacuum "
                f"({ratio(each, sum(first.table_bytes.values())):.2f}x the current tables, median)"
            )
    report_readers(scenario.readers)
    failed_nights = sum(1 for n in nights if not n.succeeded)
    refreshes, failed_refreshes = sum(d.refreshes for d in days), sum(d.failed for d in days)
    failed = failed_nights + failed_refreshes
    print(
        f"failed runs: {NIGHTLY} {failed_nights} of {len(nights)}, {REFRESH} {failed_refreshes} of "
        f"{refreshes}   goal 0: {'met' if failed == 0 else 'MISSED'}"
    )
    for night in nights:
        if not night.succeeded:
            print(f"  night {night.number}: {night.failure}")
    for number, day in enumerate(days, start=1):
        if day.failed:
            print(f"  day {number}: {day.failure}")


def report_readers(readers: dict[str, dict[str, Any]]) -> None:
    hold, again = readers.get("hold", {}), readers.get("reconnect", {})
    errors = int(hold.get("errors", 1)) + int(again.get("errors", 1))
    print(
        f"reader errors: held connection {hold.get('errors', '?')} in {hold.get('queries', 0):,} queries "
        f"({hold.get('builds_seen', 0)} build seen: the file it opened); "
        f"reconnecting {again.get('errors', '?')} in {again.get('connects', 0):,} connections, "
        f"{again.get('builds_seen', 0)} distinct builds seen   goal 0: {'met' if errors == 0 else 'MISSED'}"
    )
    for stats in (hold, again):
        for message in stats.get("error_messages", []):
            print(f"  {stats.get('mode')}: {message}")
        if "crashed" in stats:
            print(f"  {stats.get('mode')} reader exited with code {stats['crashed']} and no counts")


def report_retention(scenario: Scenario) -> None:
    nights, days = scenario.nights, scenario.retention_days
    print(
        f"\ndefault retention ({RETENTION_VAR}={days}), {len(nights)} nights at scale "
        f"{scenario.plan.scale:g}: nights are minutes apart here, so nothing expires; "
        f"{scenario.seconds / 60:.1f} min"
    )
    print(f"{'night':>7}{'lake':>12}{'files':>8}{'current tables':>16}")
    for night in nights:
        current = sum(night.table_bytes.values())
        status = "" if night.succeeded else f"  FAILED: {night.failure}"
        print(f"{night.number:>7}{mb(night.lake.bytes):>12}{night.lake.files:>8}{mb(current):>16}{status}")
    last = nights[-1]
    current = sum(last.table_bytes.values())
    retention = timedelta(days=days)
    check_files = sum(size_bounds(b, retention)[0] for b in last.table_bytes.values())
    check_bytes = sum(size_bounds(b, retention)[1] for b in last.table_bytes.values())
    if len(nights) > 1:
        growth = (last.lake.bytes - nights[0].lake.bytes) / (len(nights) - 1)
        bound = current + days * growth
        print(
            f"growth a night (its pull, compaction and the day's webhook refresh): {mb(growth)} "
            f"= {ratio(growth, current):.2f}x the current tables"
        )
        print(
            f"bound after {days} nights: current {mb(current)} + {days} x {mb(growth)} = {mb(bound)} "
            f"({ratio(bound, current):.1f}x the current tables)"
        )
    print(
        f"the lake_size_bounded check allows {mb(check_bytes)} on disk and {check_files} current files "
        f"(size_bounds summed over {len(last.table_bytes)} tables: ({days} + 2) x each table + 4 MiB)"
    )
    if len(nights) > 1:
        report_table_bounds(nights, retention)


def report_table_bounds(nights: Sequence[Night], retention: timedelta) -> None:
    """Per table, the week's bound (current + nights x growth) against the check's (`size_bounds`)."""
    days, first, last = retention.days, nights[0], nights[-1]
    print(f"per table, after {days} nights    {'current':>10}{'growth':>10}{'bound':>10}{'check':>10}")
    for stream, current in sorted(last.table_bytes.items(), key=lambda item: -item[1]):
        growth = (last.disk_bytes.get(stream, 0) - first.disk_bytes.get(stream, 0)) / (len(nights) - 1)
        bound, check = current + days * growth, size_bounds(current, retention)[1]
        verdict_ = "within the check" if bound <= check else "the check WARNs"
        print(f"  {stream:<28}{mb(current):>10}{mb(growth):>10}{mb(bound):>10}{mb(check):>10}  {verdict_}")


def parse_plan(argv: Sequence[str]) -> Plan:
    plan = QUICK if "--quick" in argv else FULL
    for arg in argv:
        name, _, value = arg.partition("=")
        if name == "--nights":
            plan = replace(plan, nights=max(1, int(value)))
        elif name == "--scale":
            plan = replace(plan, scale=float(value))
        elif name == "--retention-nights":
            plan = replace(plan, retention_nights=max(0, int(value)))
    return plan


def main(argv: Sequence[str] | None = None) -> None:
    plan = parse_plan(list(argv if argv is not None else sys.argv[1:]))
    print(f"year: {plan.nights} nights at sandbox scale {plan.scale:g}, {RETENTION_VAR}=0", flush=True)
    report_year(run_scenario(plan, 0, readers=True))
    if plan.retention_nights:
        short = replace(plan, nights=plan.retention_nights)
        print(f"\nretention: {short.nights} nights, {RETENTION_VAR}={DEFAULT_RETENTION_DAYS}", flush=True)
        report_retention(run_scenario(short, DEFAULT_RETENTION_DAYS, readers=False))


if __name__ == "__main__":
    main()
