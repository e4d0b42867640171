"""Webhook receiver throughput and latency: signed deliveries against a real uvicorn process.

Each level posts distinct signed deliveries from `concurrency` concurrent senders and measures the time
to the 2xx, which includes the durable inbox commit (WAL, synchronous=FULL). The goal is p99 <= 50 ms.
Client and server share the machine, so the figures are a floor for a dedicated receiver.

    python -m bench webhooks            # full run
    python -m bench webhooks --quick    # fewer deliveries
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass

import httpx

from pipelines.dev.harness import event_body, receiver_process, signed_headers
from pipelines.webhooks.app import WEBHOOK_PATH
from pipelines.webhooks.inbox import Inbox, inbox_path

SECRET = "whsec_bench"
P99_GOAL_MS = 50.0
LEVELS = (1, 8, 32, 64)
EVENT_TYPES = (
    ("Appointment", "appointment.updated"),
    ("Entry", "entry.created"),
    ("BillingItem", "billing_item.created"),
    ("FormAnswerGroup", "form_answer_group.signed"),
)


@dataclass(frozen=True)
class LevelResult:
    concurrency: int
    deliveries: int
    seconds: float
    latencies_ms: list[float]
    failures: int

    @property
    def per_second(self) -> float:
        return self.deliveries / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _requests(host: str, start: int, count: int) -> list[bytes]:
    """Distinct signed deliveries as raw HTTP/1.1 requests, built before the clock starts."""
    out = []
    for n in range(start, start + count):
        resource_type, event_type = EVENT_TYPES[n % len(EVENT_TYPES)]
        body = event_body(n, resource_type, event_type, ["updated_at"])
        headers = {"Host": host, "Content-Length": str(len(body)), **signed_headers(SECRET, body)}
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        out.append(f"POST {WEBHOOK_PATH} HTTP/1.1\r\n{head}\r\n".encode("ascii") + body)
    return out


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request on a kept-alive connection and read its whole answer; return the status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _run_level(host: str, port: int, concurrency: int, requests: list[bytes]) -> LevelResult:
    """`concurrency` kept-alive connections, each sending its next request as soon as the last is answered.

    A bare asyncio client rather than an HTTP library: client and receiver share two cores here, and
    the benchmark should spend them on the receiver.
    """
    pending = list(reversed(requests))
    latencies: list[float] = []
    failures = 0

    async def sender() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while pending:
                request = pending.pop()
                started = time.perf_counter()
                status = await _exchange(reader, writer, request)
                latencies.append((time.perf_counter() - started) * 1000)
                failures += status != 202
        finally:
            writer.close()
            await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return LevelResult(concurrency, len(requests), elapsed, latencies, failures)


def _print_table(results: list[LevelResult], stored: int, expected: int) -> None:
    columns = ("senders", "deliveries", "per s", "p50 ms", "p99 ms", "max ms", "non-2xx")
    print(" ".join(f"{c:>10}" for c in columns))
    for r in results:
        print(
            f"{r.concurrency:>10} {r.deliveries:>10} {r.per_second:>10.0f} {r.percentile(0.50):>10.1f} "
            f"{r.percentile(0.99):>10.1f} {max(r.latencies_ms):>10.1f} {r.failures:>10}"
        )
    worst = max(r.percentile(0.99) for r in results)
    verdict = "met" if worst <= P99_GOAL_MS else "MISSED"
    print(f"p99 goal <= {P99_GOAL_MS:.0f} ms: {verdict} (worst p99 {worst:.1f} ms)")
    print(f"events in the inbox after the run: {stored} of {expected} acknowledged")
    mean = statistics.fmean(r.per_second for r in results)
    print(f"mean sustained rate across levels: {mean:.0f} deliveries/s")


def main(argv: list[str] | None = None) -> None:
    flags = set(argv or [])
    per_level = 500 if "--quick" in flags else 5000
    results: list[LevelResult] = []
    with tempfile.TemporaryDirectory(prefix="webhook-bench-") as warehouse:
        with receiver_process(warehouse, SECRET) as receiver:
            parsed = httpx.URL(receiver.url)
            host, port = parsed.host, parsed.port or 80
            for level, concurrency in enumerate(LEVELS):
                requests = _requests(host, level * per_level, per_level)
                results.append(asyncio.run(_run_level(host, port, concurrency, requests)))
        with Inbox(inbox_path(warehouse)) as inbox:
            stored = inbox.pending_count()
    _print_table(results, stored, per_level * len(LEVELS))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
