"""The `healthie-sandbox` command: help, serve (prints its URL, answers, stops on SIGINT), generate."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx

from healthie_sandbox.generate import SeedConfig, seed
from healthie_sandbox.model import STREAMS
from healthie_sandbox.schema import schema
from healthie_sandbox.store import Store
from healthie_sandbox.truth import live_rows

CLI = [sys.executable, "-m", "healthie_sandbox.cli"]


def test_help_lists_the_commands_and_knobs() -> None:
    out = subprocess.run([*CLI, "--help"], capture_output=True, text=True, check=True).stdout
    assert "serve" in out and "generate" in out
    out = subprocess.run([*CLI, "serve", "--help"], capture_output=True, text=True, check=True).stdout
    for flag in (
        "--scale",
        "--seed",
        "--rate-limit",
        "--latency-ms",
        "--jitter-ms",
        "--webhook-url",
        "--digest-encoding",
    ):
        assert flag in out


def test_serve_prints_its_url_and_answers() -> None:
    process = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--scale", "0.05", "--rate-limit", "100"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/graphql")
        headers = {"Authorization": "Basic sandbox-api-key", "AuthorizationSource": "API"}
        response = httpx.post(url, json={"query": "{ usersCount }"}, headers=headers, timeout=10)
        assert response.json()["data"]["usersCount"] > 0
        faults = httpx.get(url.replace("/graphql", "/_sandbox/faults")).json()
        assert faults["rate_limit_rps"] == 100
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def test_generate_reports_time_rows_and_memory() -> None:
    out = subprocess.run(
        [*CLI, "generate", "--scale", "0.05"], capture_output=True, text=True, check=True
    ).stdout
    report = json.loads(out)
    assert report["rows"]["appointments"] == 200 and report["seconds"] >= 0 and report["peak_rss_mb"] > 0


def test_seeding_is_deterministic() -> None:
    config = SeedConfig(scale=0.05, seed=11, anchor=1_700_000_000 - 1_700_000_000 % 86_400)
    first, second = Store(), Store()
    seed(first, config)
    seed(second, config)
    for stream in STREAMS:
        assert live_rows(schema(), first, stream) == live_rows(schema(), second, stream)
    other = Store()
    seed(other, SeedConfig(scale=0.05, seed=12, anchor=config.anchor))
    assert live_rows(schema(), first, STREAMS[0]) != live_rows(schema(), other, STREAMS[0])
