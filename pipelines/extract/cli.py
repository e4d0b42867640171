"""`python -m pipelines.extract.cli`: a full sync without Dagster, one JSON line per stream.

For operators (a one-off backfill), the kill -9 resume test and the benchmark, which need a sync in a
process of its own. Configuration comes from the same `HEALTHIE_*` and `WAREHOUSE_DIR` variables.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
from dataclasses import replace
from datetime import UTC, datetime

from pipelines.extract.options import StreamResult, SyncOptions
from pipelines.extract.sync import run_sync
from pipelines.healthie.client import ClientSettings
from pipelines.healthie.streams import STREAMS, STREAMS_BY_NAME
from pipelines.paths import resolve_warehouse_dir


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipelines.extract.cli", description=__doc__)
    parser.add_argument(
        "--stream", action="append", choices=sorted(STREAMS_BY_NAME), help="repeatable; default all"
    )
    parser.add_argument("--history-start", type=datetime.fromisoformat, default=None)
    parser.add_argument("--window-concurrency", type=int, default=None)
    parser.add_argument("--page-size", type=int, default=None)
    parser.add_argument("--min-window-pages", type=int, default=None)
    parser.add_argument("--no-resume", action="store_true")
    parser.add_argument("--rate-limit-rps", type=float, default=None)
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> SyncOptions:
    options = SyncOptions(resume=not args.no_resume, page_size=args.page_size)
    if args.history_start is not None:
        options = replace(options, history_start=args.history_start.replace(tzinfo=UTC))
    if args.window_concurrency is not None:
        options = replace(options, window_concurrency=args.window_concurrency)
    if args.min_window_pages is not None:
        options = replace(options, min_window_pages=args.min_window_pages)
    return options


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    overrides = {"rate_limit_rps": args.rate_limit_rps} if args.rate_limit_rps else {}
    specs = [STREAMS_BY_NAME[name] for name in args.stream] if args.stream else list(STREAMS)
    settings = ClientSettings.from_env(**overrides)
    outcomes = run_sync(
        settings, specs, resolve_warehouse_dir(), options_from(args), logging.getLogger(__name__)
    )
    peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    failed = 0
    for name, outcome in outcomes.items():
        if isinstance(outcome, StreamResult):
            print(json.dumps({**outcome.as_dict(), "peak_rss_kb": peak_rss_kb}), flush=True)
        else:
            failed += 1
            print(json.dumps({"stream": name, "error": str(outcome)}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
