"""A BI tool on `warehouse.duckdb` for the year benchmark (bench/year_bench.py), as its own process.

Two habits, one per process:

* `hold`: open one read-only connection as soon as the file exists and keep it for the whole run,
  querying a mart every `--interval` seconds (a dashboard left open);
* `reconnect`: connect read-only, query, close, every `--interval` seconds (a tool that connects per
  query), and count the distinct builds it saw.

Each reader is a process of its own, as a BI tool is: DuckDB's Python client shares one database
instance per file within a process, so a reconnect in the process that holds the file open would get
the held (old) build back. The reader runs until its stdin closes, then prints its counts as one JSON
line on stdout.

    python -m bench.year_reader hold /path/to/warehouse.duckdb --interval 0.5
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

#: A mart every build publishes, and a fingerprint of its content (rows, ids and statuses).
QUERY = "select count(*), coalesce(sum(hash(appointment_id, status)), 0) from marts.fct_appointments"
MODES = ("hold", "reconnect")
#: Error messages kept for the report (the first ones; the count covers them all).
KEPT_ERRORS = 3


@dataclass
class ReaderStats:
    """What one reader did; printed as JSON when it stops."""

    mode: str
    queries: int = 0
    errors: int = 0
    connects: int = 0
    builds_seen: int = 0
    """Distinct contents of the mart seen (a lower bound on the builds seen: two builds may agree)."""
    first_read_at: float | None = None
    error_messages: list[str] = field(default_factory=list)

    def failed(self, error: Exception) -> None:
        self.errors += 1
        if len(self.error_messages) < KEPT_ERRORS:
            self.error_messages.append(f"{type(error).__name__}: {error}"[:300])


def wait_for(path: Path, stop: threading.Event) -> bool:
    """Wait until the first publish exists; False if told to stop first."""
    while not path.exists():
        if stop.wait(0.1):
            return False
    return True


def hold(path: Path, interval: float, stop: threading.Event, stats: ReaderStats) -> None:
    """One connection for the whole run; a failed query is counted and the connection kept (a failed
    connect is counted and tried again)."""
    if not wait_for(path, stop):
        return
    seen: set[tuple[object, ...]] = set()
    stats.first_read_at = time.time()
    con: duckdb.DuckDBPyConnection | None = None
    try:
        while not stop.is_set():
            try:
                if con is None:
                    con = duckdb.connect(str(path), read_only=True)
                    stats.connects += 1
                seen.add(tuple(con.execute(QUERY).fetchone() or ()))
                stats.queries += 1
            except duckdb.Error as error:
                stats.failed(error)
            stats.builds_seen = len(seen)
            stop.wait(interval)
    finally:
        if con is not None:
            con.close()


def reconnect(path: Path, interval: float, stop: threading.Event, stats: ReaderStats) -> None:
    """A new connection for every query."""
    if not wait_for(path, stop):
        return
    seen: set[tuple[object, ...]] = set()
    stats.first_read_at = time.time()
    while not stop.is_set():
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                stats.connects += 1
                seen.add(tuple(con.execute(QUERY).fetchone() or ()))
                stats.queries += 1
        except duckdb.Error as error:
            stats.failed(error)
        stats.builds_seen = len(seen)
        stop.wait(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("path", type=Path)
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args(argv)
    stop = threading.Event()
    stats = ReaderStats(args.mode)
    target = hold if args.mode == "hold" else reconnect

    def run() -> None:
        try:
            target(args.path, args.interval, stop, stats)
        except Exception as error:  # counted and reported, like a query's error
            stats.failed(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    sys.stdin.read()  # until the benchmark closes our stdin
    stop.set()
    worker.join(timeout=30)
    print(json.dumps(asdict(stats)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
