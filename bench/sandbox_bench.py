"""How much the Healthie sandbox can serve, and what seeding costs.

The extraction benchmark drives the sandbox at rate limits up to Healthie's 250 requests/s; its
figures only mean something if the sandbox itself is not the bottleneck. This measures, with the
sandbox in its own process (one event loop, so one core), pages/s and rows/s at the largest page
size of each stream, pulled by several concurrent keep-alive clients paging by cursor through the
product's own documents; then the seeding time and peak memory at two scales.

    python -m bench sandbox            # scales 1 and 25, 3 s per stream
    python -m bench sandbox --quick    # shorter, smaller
    python -m bench sandbox --full     # seeding at scale 250 (~1M appointments) as well
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from pipelines.dev.harness import stop_process

QUERIES = Path(__file__).resolve().parents[1] / "pipelines" / "healthie" / "queries"
API_KEY = "sandbox-api-key"
SERVE_SCALE = 5.0
CLIENTS = 4


@dataclass(frozen=True)
class Case:
    stream: str
    document: str
    operation: str
    page_size: int
    variables: dict[str, Any]


EVERY_APPOINTMENT = {"filter": "all", "is_org": True, "with_all_statuses": True, "should_paginate": True}
CASES = (
    Case("appointments", "appointments.graphql", "Appointments", 500, EVERY_APPOINTMENT),
    Case("entries", "entries.graphql", "Entries", 500, {"is_org": True}),
    Case("billing_items", "billing_items.graphql", "BillingItems", 100, {}),
    Case(
        "form_answer_groups", "form_answer_groups.graphql", "FormAnswerGroups", 100, {"should_paginate": True}
    ),
)


@dataclass
class Served:
    pages: int = 0
    rows: int = 0
    errors: int = 0
    latencies: list[float] | None = None


async def _client(url: str, case: Case, query: str, until: float, served: Served) -> None:
    headers = {
        "Authorization": f"Basic {API_KEY}",
        "AuthorizationSource": "API",
        "Content-Type": "application/json",
    }
    assert served.latencies is not None
    async with httpx.AsyncClient(headers=headers, timeout=30.0) as http:
        after = None
        while time.perf_counter() < until:
            variables = {
                **case.variables,
                "page_size": case.page_size,
                "order_by": "CREATED_AT_ASC",
                "after": after,
            }
            body = orjson.dumps({"query": query, "operationName": case.operation, "variables": variables})
            started = time.perf_counter()
            response = await http.post(url, content=body)
            served.latencies.append(time.perf_counter() - started)
            payload = orjson.loads(response.content)
            items = (payload.get("data") or {}).get("items")
            if response.status_code != 200 or items is None:
                served.errors += 1
                after = None
                continue
            served.pages += 1
            served.rows += len(items)
            after = items[-1]["cursor"] if len(items) == case.page_size else None


async def _measure(url: str, case: Case, seconds: float) -> tuple[Served, float]:
    query = (QUERIES / case.document).read_text(encoding="utf-8")
    served = Served(latencies=[])
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(_client(url, case, query, until, served) for _ in range(CLIENTS)))
    return served, time.perf_counter() - started


def _start_server(scale: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "healthie_sandbox.cli", "serve", "--port", "0", "--scale", str(scale)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if " at " not in line:
        process.kill()
        raise RuntimeError(f"the sandbox did not start: {line!r}")
    return process, line.split(" at ")[1].split()[0]


def _generate(scale: float) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "healthie_sandbox.cli", "generate", "--scale", str(scale)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(out))


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    """An aligned text table: first column left-aligned, figures right-aligned."""
    everything = [header, *rows]
    widths = [max(len(r[i]) for r in everything) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def serving(seconds: float) -> None:
    process, url = _start_server(SERVE_SCALE)
    try:
        rows: list[tuple[str, ...]] = []
        for case in CASES:
            served, elapsed = asyncio.run(_measure(url, case, seconds))
            latencies = sorted(served.latencies or [0.0])
            p95 = latencies[int(0.95 * (len(latencies) - 1))]
            rows.append(
                (
                    case.stream,
                    str(case.page_size),
                    f"{served.pages / elapsed:.0f}",
                    f"{served.rows / elapsed:,.0f}",
                    f"{statistics.median(latencies) * 1000:.1f}",
                    f"{p95 * 1000:.1f}",
                    str(served.errors),
                )
            )
        stats = httpx.get(url.replace("/graphql", "/_sandbox/stats")).json()
    finally:
        stop_process(process)
    print(f"Serving (sandbox scale {SERVE_SCALE:g} in its own process, {CLIENTS} concurrent clients, "
          f"{seconds:g} s per stream, cursor paging):")  # fmt: skip
    print(_table(("stream", "page", "pages/s", "rows/s", "p50 ms", "p95 ms", "errors"), rows))
    print(f"server counted {stats['requests']} requests, {stats['over_limit']} over-limit answers, "
          f"statuses {stats['statuses']}, peak {stats['peak_rps']} requests/s")  # fmt: skip


def seeding(scales: tuple[float, ...]) -> None:
    rows = []
    for scale in scales:
        report = _generate(scale)
        counts = report["rows"]
        rows.append(
            (
                f"{scale:g}",
                f"{counts['appointments']:,}",
                f"{sum(counts.values()):,}",
                f"{report['seconds']:.1f}",
                f"{report['cpu_seconds']:.1f}",
                f"{report['peak_rss_mb']:.0f}",
            )
        )
    print("Seeding (fresh process per scale; on disk above scale 5):")
    print(_table(("scale", "appointments", "rows", "wall s", "cpu s", "peak RSS MB"), rows))


def main(argv: list[str] | None = None) -> None:
    flags = set(argv or [])
    quick, full = "--quick" in flags, "--full" in flags
    serving(1.0 if quick else 3.0)
    print()
    seeding((0.5, 5.0) if quick else (1.0, 250.0) if full else (1.0, 25.0))


if __name__ == "__main__":
    main(sys.argv[1:])
