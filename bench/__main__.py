"""Run every benchmark in turn (`make bench`), or the ones named: `python -m bench sandbox extract`.

Each benchmark module exposes `main(argv)` and prints its own table; figures are printed, never
asserted, because timings belong in benchmarks, not in tests.
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHMARKS: dict[str, str] = {
    "sandbox": "bench.sandbox_bench",
    "extract": "bench.extract_bench",
    "dbt": "bench.dbt_bench",
    "webhooks": "bench.webhook_bench",
    "freshness": "bench.freshness_bench",
    "year": "bench.year_bench",
}


def main(argv: list[str]) -> int:
    flags = [a for a in argv if a.startswith("-")]
    names = [a for a in argv if not a.startswith("-")] or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    for name in names:
        started = time.perf_counter()
        print(f"\n=== {name} {'=' * (60 - len(name))}", flush=True)
        module = importlib.import_module(BENCHMARKS[name])
        module.main(flags)
        print(f"--- {name}: {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
