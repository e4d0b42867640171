"""Extraction throughput and memory: the engine against its own baseline and a sequential pager.

Part 0 (the ceiling, issue 12): a full sync at the issue's setting, a sandbox at scale 11.75 (47k
appointments, 94k entries, 23k payments, 9k forms, 4.7k patients) answering after 250 ms with a
20 req/s limit, first of the issue's seven streams, then of all seventeen. The baseline engine
(`SyncOptions.baseline()`: the planning before issue 12) runs beside today's. Printed per run:
requests the server received against the ideal (every row in pages of the stream's largest size),
count queries among them, sustained req/s (requests / the sync's seconds) as a share of R, over-limit
answers, and the seconds against the ceiling (ideal requests / R); then whether each goal is met
(requests <= 1.1x ideal, >= 97 % of R, 0 over-limit, >= 90 % of the ceiling) and a per-stream table
(rows, windows, requests, ideal, seconds). A stream without date arguments is one serial chain of
pages: at 250 ms it takes at least pages x 250 ms whatever the limit (goal histories, 330 pages).

Part 1 (throughput): the sandbox answers with `--latency-ms` of latency and a token-bucket rate limit
of R requests/second; both pullers extract the appointments stream (500 rows per page) with the client
paced at R. The sequential pager sends one request at a time, so latency caps it; the windowed engine
keeps enough windows in flight to spend the whole budget. The server's own counters give requests,
peak requests/second and over-limit answers (goal: >= 90% of R, zero over the limit).

With `--faults RATE` the windowed engine runs a second time with that share of answers faulted
(`mixed_fault_rate`: 503, 502, dropped connections, 429, TOO_MANY_REQUESTS, 200 + "Internal server
error"): the retries column and the extra seconds are what transient faults cost a sync.

Part 2 (memory): the windowed engine extracts a small and a ten-times larger practice without
latency or limit; peak RSS of the extraction process (its own subprocess) should stay flat.

    python -m bench extract            # the ceiling (~6 min), then 200k-row throughput runs, memory
                                       # at 100k vs 1M rows (~3.5 min)
    python -m bench extract --ceiling-only
    python -m bench extract --quick    # 20k-row runs, memory at 20k vs 100k rows (~20 s)
    python -m bench extract --faults=0.08   # plus the windowed engine with 8% mixed faults

The quick run is a smoke test: at 20k rows the first and last round trips (counting, the last
windows) weigh too much for the share of R to mean anything. Client and sandbox share this machine's
cores with whatever else runs, so figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

from healthie_sandbox.server import SandboxHandle, start_in_thread
from pipelines.extract.options import StreamResult, SyncOptions
from pipelines.extract.rows import rows_to_table
from pipelines.extract.sync import run_sync
from pipelines.files import ensure_dir
from pipelines.healthie.client import ClientSettings, HealthieClient
from pipelines.healthie.pager import PageSizer, iter_pages
from pipelines.healthie.streams import APPOINTMENTS, STREAMS, STREAMS_BY_NAME
from pipelines.healthie.windows import Window
from pipelines.lake.layout import BatchId, BatchKind, batch_dir, part_name
from pipelines.lake.writer import PartWriter

#: Sandbox scale per row count of the appointments stream (4,000 appointments per unit of scale).
APPOINTMENTS_PER_SCALE = 4000
CEILING_GOAL = 0.9


@dataclass(frozen=True)
class Run:
    label: str
    rows: int
    seconds: float
    requests: int
    over_limit: int
    peak_rps: int
    peak_rss_mb: float
    retries: int = 0

    def row(self, rate: float | None) -> list[str]:
        per_second = self.requests / self.seconds
        share = f"{per_second / rate:.0%}" if rate else "-"
        return [
            self.label,
            f"{self.rows:,}",
            f"{self.seconds:.1f}",
            f"{self.rows / self.seconds:,.0f}",
            f"{self.requests:,}",
            f"{per_second:.1f}",
            share,
            str(self.over_limit),
            str(self.peak_rps),
            f"{self.peak_rss_mb:.0f}",
            str(self.retries),
        ]


HEADER = [
    "run",
    "rows",
    "s",
    "rows/s",
    "requests",
    "req/s",
    "of R",
    "over-limit",
    "peak rps",
    "RSS MB",
    "retries",
]


def table(rows: list[list[str]], header: list[str] = HEADER) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- child processes: one extraction each, so its peak RSS is its own --------------------------------


async def sequential_pull(settings: ClientSettings, warehouse: Path) -> dict[str, Any]:
    """The baseline: one window, one request at a time, same client, same writer."""
    spec = APPOINTMENTS
    batch = BatchId.new(BatchKind.FULL)
    directory = ensure_dir(batch_dir(warehouse, spec.name, batch))
    numbers = count()
    writer = PartWriter(directory, spec.arrow_schema, lambda: part_name(next(numbers)))
    rows = 0
    began = time.monotonic()
    async with HealthieClient(settings) as client:
        async for page in iter_pages(client, spec, Window(), PageSizer(spec.page_size_cap)):
            if page.items:
                extracted_at = datetime.now(UTC)
                writer.write(rows_to_table(spec, page.items, extracted_at=extracted_at, sync_id=batch.value))
                rows += len(page.items)
            if writer.file_full:
                writer.commit()
        writer.commit()
        requests, retries = client.total.requests, client.total.retries
    return {
        "rows": rows,
        "duration_seconds": time.monotonic() - began,
        "requests": requests,
        "retries": retries,
    }


def child_sequential() -> int:
    settings = ClientSettings(
        api_key=os.environ["HEALTHIE_API_KEY"],
        api_url=os.environ["HEALTHIE_API_URL"],
        rate_limit_rps=float(os.environ["HEALTHIE_RATE_LIMIT_RPS"]),
    )
    result = asyncio.run(sequential_pull(settings, Path(os.environ["WAREHOUSE_DIR"])))
    result["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result), flush=True)
    return 0


def run_child(handle: SandboxHandle, mode: str, rate: float) -> dict[str, Any]:
    """Extract appointments in a fresh process and a fresh warehouse; returns its JSON report."""
    with tempfile.TemporaryDirectory(prefix="extract-bench-") as warehouse:
        env = {
            **os.environ,
            "HEALTHIE_API_URL": handle.url,
            "HEALTHIE_API_KEY": handle.api_key,
            "HEALTHIE_RATE_LIMIT_RPS": str(rate),
            "WAREHOUSE_DIR": warehouse,
        }
        if mode == "windowed":
            command = [sys.executable, "-m", "pipelines.extract.cli", "--stream", "appointments"]
        else:
            command = [sys.executable, "-m", "bench.extract_bench", "--child-sequential"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{mode} extraction failed: {done.stdout[-500:]} {done.stderr[-1500:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure(handle: SandboxHandle, label: str, mode: str, rate: float) -> Run:
    with handle.control() as control:
        control.reset_stats()
        report = run_child(handle, mode, rate)
        stats = control.stats()
    return Run(
        label=label,
        rows=int(report["rows"]),
        seconds=float(report["duration_seconds"]),
        requests=int(stats["requests"]),
        over_limit=int(stats["over_limit"]),
        peak_rps=int(stats["peak_rps"]),
        peak_rss_mb=report["peak_rss_kb"] / 1024,
        retries=int(report.get("retries", 0)),
    )


@dataclass(frozen=True)
class Plan:
    throughput_rows: int
    memory_rows: tuple[int, int]


def sandbox(rows: int, **faults: Any) -> SandboxHandle:
    scale = rows / APPOINTMENTS_PER_SCALE
    return start_in_thread(scale=scale, seed=7, startup_timeout=900, **faults)


def throughput(plan: Plan, rate: float, latency_ms: float, faults: float = 0.0) -> Iterator[list[str]]:
    with sandbox(plan.throughput_rows, latency_ms=latency_ms, rate_limit_rps=rate) as handle:
        for label, mode in (("sequential pager", "sequential"), ("windowed engine", "windowed")):
            yield measure(handle, f"{label} @ R={rate:g}", mode, rate).row(rate)
        if faults:
            with handle.control() as control:
                control.mixed_faults(faults)
            yield measure(handle, f"windowed, {faults:.0%} faults @ R={rate:g}", "windowed", rate).row(rate)


def memory(plan: Plan) -> Iterator[list[str]]:
    for rows in plan.memory_rows:
        with sandbox(rows) as handle:
            yield measure(handle, f"windowed, {rows:,} rows", "windowed", 10_000).row(None)


# -- the ceiling scenario: a full sync of every stream at the issue's size, latency and limit ----------

#: Scale whose seeded practice matches the issue's (47k appointments, 94k entries, 4.7k patients).
CEILING_SCALE = 11.75
CEILING_LATENCY_MS = 250.0
CEILING_RATE = 20.0
#: The seven streams the issue's figures were taken on (965 requests for 739 ideal, 54.9 s).
ISSUE_STREAMS = (
    "appointments",
    "billing_items",
    "entries",
    "form_answer_groups",
    "patients",
    "providers",
    "appointment_types",
)
GOAL_REQUESTS = 1.1
GOAL_RATE_SHARE = 0.97


def engine_options(mode: str) -> SyncOptions:
    """The engine as it ran before issue 12 (`baseline`) or now (`engine`)."""
    if mode == "baseline":
        return SyncOptions.baseline()
    return SyncOptions()


def child_sync(mode: str, streams: list[str]) -> int:
    """One full sync of `streams` with the options of `mode`; one JSON line per stream."""
    logging.basicConfig(level=logging.WARNING)
    specs = [STREAMS_BY_NAME[name] for name in streams]
    outcomes = run_sync(
        ClientSettings.from_env(),
        specs,
        Path(os.environ["WAREHOUSE_DIR"]),
        engine_options(mode),
        logging.getLogger("bench"),
    )
    for name, outcome in outcomes.items():
        if not isinstance(outcome, StreamResult):
            print(json.dumps({"stream": name, "error": str(outcome)}), flush=True)
            return 1
        print(json.dumps(outcome.as_dict()), flush=True)
    return 0


@dataclass(frozen=True)
class SyncRun:
    """A full sync as the server saw it (requests by operation, over-limit answers) and the engine
    reported it (rows and seconds per stream)."""

    label: str
    results: list[dict[str, Any]]
    requests: int
    count_queries: int
    over_limit: int
    peak_rps: int
    ideal: dict[str, int]

    @property
    def seconds(self) -> float:
        """Streams start together, so the sync lasts as long as its slowest stream."""
        return max(float(r["duration_seconds"]) for r in self.results)

    @property
    def ideal_requests(self) -> int:
        return sum(self.ideal.values())


def ideal_pages(results: list[dict[str, Any]]) -> dict[str, int]:
    """Requests a sync needs at the least: every list item in pages of the stream's largest size.
    Nested rows (policies) page their parents (patients), so those count instead."""
    rows = {r["stream"]: int(r["live_ids"]) for r in results}
    ideal = {}
    for name in rows:
        spec = STREAMS_BY_NAME[name]
        items = rows.get("patients", rows[name]) if spec.nested_rows else rows[name]
        ideal[name] = max(1, -(-items // spec.page_size_cap))
    return ideal


def full_sync(handle: SandboxHandle, label: str, mode: str, streams: list[str], rate: float) -> SyncRun:
    with handle.control() as control, tempfile.TemporaryDirectory(prefix="extract-bench-") as warehouse:
        control.reset_stats()
        env = {
            **os.environ,
            "HEALTHIE_API_URL": handle.url,
            "HEALTHIE_API_KEY": handle.api_key,
            "HEALTHIE_RATE_LIMIT_RPS": str(rate),
            "WAREHOUSE_DIR": warehouse,
        }
        command = [sys.executable, "-m", "bench.extract_bench", f"--child-sync={mode}", *streams]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        stats = control.stats()
    if done.returncode != 0:
        raise RuntimeError(f"{label} failed: {done.stdout[-800:]} {done.stderr[-1500:]}")
    results = [json.loads(line) for line in done.stdout.strip().splitlines() if line.startswith("{")]
    operations: dict[str, int] = stats["operations"]
    return SyncRun(
        label=label,
        results=results,
        requests=int(stats["requests"]),
        count_queries=sum(n for op, n in operations.items() if op.endswith("Count")),
        over_limit=int(stats["over_limit"]),
        peak_rps=int(stats["peak_rps"]),
        ideal=ideal_pages(results),
    )


CEILING_HEADER = [
    "run",
    "rows",
    "requests",
    "ideal",
    "x ideal",
    "counts",
    "req/s",
    "of R",
    "over-limit",
    "s",
    "ceiling s",
    "of ceiling",
]


def ceiling_row(run: SyncRun, rate: float) -> list[str]:
    ceiling = run.ideal_requests / rate
    per_second = run.requests / run.seconds
    return [
        run.label,
        f"{sum(int(r['live_ids']) for r in run.results):,}",
        f"{run.requests:,}",
        f"{run.ideal_requests:,}",
        f"{run.requests / run.ideal_requests:.2f}",
        str(run.count_queries),
        f"{per_second:.1f}",
        f"{per_second / rate:.0%}",
        str(run.over_limit),
        f"{run.seconds:.1f}",
        f"{ceiling:.1f}",
        f"{ceiling / run.seconds:.0%}",
    ]


STREAM_HEADER = ["stream", "rows", "windows", "requests", "ideal", "s"]


def stream_rows(run: SyncRun) -> list[list[str]]:
    return [
        [
            r["stream"],
            f"{int(r['live_ids']):,}",
            str(r["windows"]),
            f"{int(r['requests']):,}",
            f"{run.ideal[r['stream']]:,}",
            f"{float(r['duration_seconds']):.1f}",
        ]
        for r in sorted(run.results, key=lambda r: -float(r["duration_seconds"]))
    ]


def goals_met(run: SyncRun, rate: float) -> str:
    per_second = run.requests / run.seconds
    checks = {
        f"requests <= {GOAL_REQUESTS}x ideal": run.requests <= GOAL_REQUESTS * run.ideal_requests,
        f">= {GOAL_RATE_SHARE:.0%} of R": per_second >= GOAL_RATE_SHARE * rate,
        "0 over-limit": run.over_limit == 0,
        f">= {CEILING_GOAL:.0%} of the ceiling": run.ideal_requests / rate >= CEILING_GOAL * run.seconds,
    }
    return ", ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in checks.items())


def ceiling(scale: float, latency_ms: float, rate: float) -> None:
    """The issue's setting: its seven streams, then all streams, baseline engine beside today's."""
    print(
        f"full sync at sandbox scale {scale:g}, {latency_ms:g} ms latency, R = {rate:g} req/s "
        "(ceiling = ideal requests / R)",
        flush=True,
    )
    with start_in_thread(
        scale=scale, seed=7, startup_timeout=900, latency_ms=latency_ms, rate_limit_rps=rate
    ) as handle:
        for title, streams in (
            ("the issue's seven streams", list(ISSUE_STREAMS)),
            ("all streams", [s.name for s in STREAMS]),
        ):
            runs = [
                full_sync(handle, f"{label}", mode, streams, rate)
                for label, mode in (("baseline engine", "baseline"), ("engine", "engine"))
            ]
            print(f"\n{title}:", flush=True)
            print(table([ceiling_row(r, rate) for r in runs], CEILING_HEADER), flush=True)
            for run in runs:
                print(f"  {run.label}: {goals_met(run, rate)}", flush=True)
        print("\nper stream (engine, all streams; slowest first):", flush=True)
        print(table(stream_rows(runs[-1]), STREAM_HEADER), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench extract", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small runs (a smoke test)")
    parser.add_argument("--rate", type=float, default=40.0, help="the rate limit R (requests/second)")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument(
        "--faults",
        type=float,
        default=0.0,
        metavar="RATE",
        help="also run the windowed engine with RATE mixed faults",
    )
    parser.add_argument("--ceiling-only", action="store_true", help="only the full-sync ceiling scenario")
    parser.add_argument("--child-sequential", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-sync", choices=("baseline", "engine"), help=argparse.SUPPRESS)
    parser.add_argument("streams", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_sequential:
        return child_sequential()
    if args.child_sync:
        return child_sync(args.child_sync, args.streams)
    ceiling(CEILING_SCALE / 10 if args.quick else CEILING_SCALE, CEILING_LATENCY_MS, CEILING_RATE)
    if args.ceiling_only:
        return 0
    plan = Plan(20_000, (20_000, 100_000)) if args.quick else Plan(200_000, (100_000, 1_000_000))
    print(f"appointments, {args.latency_ms:g} ms latency, rate limit R = {args.rate:g} req/s", flush=True)
    rows = list(throughput(plan, args.rate, args.latency_ms, args.faults))
    print(table(rows), flush=True)
    print(f"goal: windowed >= {CEILING_GOAL:.0%} of R with 0 over-limit answers\n", flush=True)
    print("peak memory of the extraction process (no latency, no limit):", flush=True)
    print(table(list(memory(plan))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
