"""`healthie-sandbox`: serve the Healthie stand-in, or just time the seeding.

    healthie-sandbox serve --port 8765 --scale 1 --seed 42 [--rate-limit 250]
                           [--latency-ms 100 --jitter-ms 20] [--mixed-faults 0.08]
                           [--webhook-url URL --webhook-secret S] [--digest-encoding hex]
    healthie-sandbox generate --scale 250      # seeding time, rows and peak memory, then exit

`serve` prints one line with the GraphQL URL once it listens; everything else about the running
sandbox (faults, changes, churn, truth) is at `/_sandbox/...` (see healthie_sandbox/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import sys
import time
from collections.abc import Sequence

from healthie_sandbox import model
from healthie_sandbox.faults import FaultConfig, FaultKind, FaultRule
from healthie_sandbox.runtime import DEFAULT_API_KEY, DISK_SCALE, Settings, build_store
from healthie_sandbox.webhooks import DigestEncoding, WebhookConfig


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="healthie-sandbox",
        description="A loopback stand-in for Healthie's GraphQL API: seeded data, faults, signed webhooks.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve POST /graphql and the /_sandbox admin API")
    _data_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="bind address (keep it loopback)")
    serve.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    serve.add_argument("--api-key", default=DEFAULT_API_KEY, help="the key `Authorization: Basic` must carry")
    serve.add_argument("--auth-shard", help="require this AuthorizationShard header")
    faults = serve.add_argument_group("faults (also settable at runtime: POST /_sandbox/faults)")
    faults.add_argument("--rate-limit", type=float, metavar="RPS", help="token-bucket limit, requests/second")
    faults.add_argument("--rate-limit-burst", type=float, help="bucket depth (default: one second's worth)")
    faults.add_argument(
        "--rate-limit-mode",
        choices=["http", "graphql"],
        default="http",
        help="over-limit answer: HTTP 429 + Retry-After, or 200 with TOO_MANY_REQUESTS",
    )
    faults.add_argument("--latency-ms", type=float, default=0.0)
    faults.add_argument("--jitter-ms", type=float, default=0.0)
    faults.add_argument("--error-rate", type=float, default=0.0, help="probability of a random 5xx")
    faults.add_argument(
        "--mixed-faults",
        type=float,
        default=0.0,
        metavar="RATE",
        help="probability of a random transient fault: 503, 502, dropped connection, 429, "
        "TOO_MANY_REQUESTS, or 200 with 'Internal server error' (0.08: 8%%)",
    )
    faults.add_argument("--max-complexity", type=int, default=2000)
    faults.add_argument(
        "--fail-every", type=int, metavar="K", help="fail every K-th request (with --fail-kind)"
    )
    faults.add_argument(
        "--fail-kind", choices=[k.value for k in FaultKind], default=FaultKind.HTTP_ERROR.value
    )
    hooks = serve.add_argument_group("webhooks")
    hooks.add_argument("--webhook-url", help="send each change's signed webhook here")
    hooks.add_argument("--webhook-secret", default="", help="HMAC secret shared with the receiver")
    hooks.add_argument("--digest-encoding", choices=[d.value for d in DigestEncoding], default="hex")
    serve.add_argument("--log-level", default="warning")

    generate = commands.add_parser("generate", help="seed a store, print time/rows/peak RSS as JSON, exit")
    _data_options(generate)
    return parser


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1: 400 patients, 4k appointments...; 250: ~1M appointments"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--on-disk",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"store in a temp file (default: when scale > {DISK_SCALE:g})",
    )
    parser.add_argument("--tmp-dir", help="parent directory of the on-disk store")


def _settings(args: argparse.Namespace) -> Settings:
    rules = [FaultRule(FaultKind(args.fail_kind), every=args.fail_every)] if args.fail_every else []
    return Settings(
        scale=args.scale,
        seed=args.seed,
        api_key=args.api_key,
        auth_shard=args.auth_shard,
        on_disk=args.on_disk,
        tmp_dir=args.tmp_dir,
        faults=FaultConfig(
            rate_limit_rps=args.rate_limit,
            rate_limit_burst=args.rate_limit_burst,
            rate_limit_mode=args.rate_limit_mode,
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
            error_rate=args.error_rate,
            mixed_fault_rate=args.mixed_faults,
            max_complexity=args.max_complexity,
            rules=rules,
        ),
        webhooks=WebhookConfig(
            url=args.webhook_url,
            secret=args.webhook_secret,
            digest_encoding=DigestEncoding(args.digest_encoding),
        ),
    )


def _generate(args: argparse.Namespace) -> None:
    settings = Settings(scale=args.scale, seed=args.seed, on_disk=args.on_disk, tmp_dir=args.tmp_dir)
    started, cpu_started = time.perf_counter(), time.process_time()
    seeded = build_store(settings, args.scale, args.seed)
    tables = tuple(entity.table for entity in model.ENTITIES if entity is not model.SENT_WEBHOOKS)
    counts = {t: seeded.store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    seeded.store.close()
    print(
        json.dumps(
            {
                "scale": args.scale,
                "seconds": round(time.perf_counter() - started, 2),
                "cpu_seconds": round(time.process_time() - cpu_started, 2),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "rows": counts,
            }
        ),
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "generate":
        _generate(args)
        return 0
    from healthie_sandbox.server import serve

    def ready(url: str) -> None:
        print(f"Healthie sandbox GraphQL at {url} (scale {args.scale:g}, seed {args.seed})", flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        serve(_settings(args), args.host, args.port, ready, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
