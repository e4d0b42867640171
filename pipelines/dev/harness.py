"""Drive the real receiver from outside: a uvicorn child process, signed deliveries, event bodies.

Tests (durability after `kill -9`), the benchmark and the end-to-end demo all need "the receiver as
deployed, on a real socket", so it lives here once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pipelines.webhooks.app import WEBHOOK_PATH
from pipelines.webhooks.signature import DigestEncoding, sign_request

STARTUP_TIMEOUT_SECONDS = 30.0


def event_body(
    resource_id: str | int,
    resource_id_type: str,
    event_type: str,
    changed_fields: list[str] | None = None,
) -> bytes:
    """A webhook body shaped like Healthie's (compact JSON, as JavaScript's JSON.stringify writes it)."""
    payload: dict[str, Any] = {
        "resource_id": resource_id,
        "resource_id_type": resource_id_type,
        "event_type": event_type,
    }
    if changed_fields is not None:
        payload["changed_fields"] = changed_fields
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def signed_headers(
    secret: str, body: bytes, *, query: str = "", digest_encoding: DigestEncoding = "hex"
) -> dict[str, str]:
    """Headers Healthie would send for `body` posted to the receiver's path."""
    return dict(
        sign_request(secret, body=body, path=WEBHOOK_PATH, query=query, digest_encoding=digest_encoding)
    )


@dataclass(frozen=True)
class ReceiverProcess:
    url: str
    """Base URL, e.g. http://127.0.0.1:PORT (post to `url + WEBHOOK_PATH`)."""
    process: subprocess.Popen[bytes]

    @property
    def webhook_url(self) -> str:
        return self.url + WEBHOOK_PATH

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash or an OOM kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it lingers past `timeout` (only processes the caller started)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"receiver exited during start-up with code {process.returncode}")
            try:
                if client.get(url + "/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise TimeoutError(f"receiver not healthy after {STARTUP_TIMEOUT_SECONDS:.0f} s")


def _free_port(host: str) -> int:
    """A port the kernel just handed out; uvicorn binds it a moment later (SO_REUSEADDR on both sides)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def receiver_process(
    warehouse_dir: str | os.PathLike[str],
    secret: str,
    *,
    extra_env: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
) -> Iterator[ReceiverProcess]:
    """Run `uvicorn pipelines.webhooks.app:app` in a child process until the block exits.

    uvicorn binds the port itself, exactly as deployed: a socket inherited with `--fd` is taken for a
    Unix socket, which silently loses TCP_NODELAY and adds 40 ms of Nagle delay to every answer.
    """
    port = _free_port(host)
    env = {
        **os.environ,
        "WAREHOUSE_DIR": str(Path(warehouse_dir)),
        "HEALTHIE_WEBHOOK_SECRET": secret,
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "pipelines.webhooks.app:app",
        "--host",
        host,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env=env)
    url = f"http://{host}:{port}"
    try:
        _wait_healthy(url, process)
        yield ReceiverProcess(url, process)
    finally:
        stop_process(process)
