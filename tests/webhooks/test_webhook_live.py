"""The receiver on a real socket: uvicorn in a thread, and uvicorn as a child process killed with -9."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn

from pipelines.dev.harness import event_body, receiver_process, signed_headers
from pipelines.webhooks.app import WEBHOOK_PATH, create_app
from pipelines.webhooks.inbox import Inbox, inbox_path
from pipelines.webhooks.settings import ReceiverSettings

BODY = event_body(77, "FormAnswerGroup", "form_answer_group.created")


@pytest.fixture
def live_url(settings: ReceiverSettings) -> Iterator[str]:
    """uvicorn serving the receiver on an ephemeral port in a background thread."""
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=0, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _raw_exchange(url: str, head: bytes, body_parts: list[bytes]) -> bytes:
    """Send a request head and some body bytes, then read the answer without sending anything more."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(head)
        for part in body_parts:
            try:
                conn.sendall(part)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server already answered and closed
        return conn.recv(4096)


def test_signed_post_over_http(live_url: str, secret: str, settings: ReceiverSettings) -> None:
    response = httpx.post(live_url + WEBHOOK_PATH, content=BODY, headers=signed_headers(secret, BODY))
    assert response.status_code == 202
    with Inbox(settings.inbox_path) as inbox:
        assert inbox.pending_count() == 1


def test_oversize_content_length_is_refused_without_reading_the_body(live_url: str) -> None:
    head = (
        f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: receiver\r\nContent-Type: application/json\r\n"
        f"Content-Length: {10 * 1024 * 1024}\r\n\r\n"
    ).encode()
    answer = _raw_exchange(live_url, head, [b"{" * 100])  # 100 of the 10 MiB announced, then silence
    assert answer.startswith(b"HTTP/1.1 413")


def test_oversize_chunked_body_is_refused_while_streaming(live_url: str) -> None:
    head = (
        f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: receiver\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"x" * 16 * 1024
    parts = [f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"] * 5  # 80 KiB, never terminated
    assert _raw_exchange(live_url, head, parts).startswith(b"HTTP/1.1 413")


def test_acknowledged_events_survive_kill_minus_nine(tmp_path: Path, secret: str) -> None:
    """Every delivery answered 2xx is in the inbox after the receiver dies without any shutdown."""
    bodies = [event_body(i, "Entry", "entry.created") for i in range(40)]
    with receiver_process(tmp_path, secret) as receiver, httpx.Client(timeout=10) as http:

        def send(body: bytes) -> int:
            response = http.post(receiver.webhook_url, content=body, headers=signed_headers(secret, body))
            assert response.status_code == 202
            return int(response.json()["event_id"])

        with ThreadPoolExecutor(max_workers=8) as pool:
            acknowledged = set(pool.map(send, bodies))
        receiver.kill()
    assert receiver.process.returncode == -9
    with Inbox(inbox_path(tmp_path)) as inbox:
        claimed = inbox.claim(max(acknowledged))
    assert {e.event_id for e in claimed} == acknowledged
    assert {e.resource_id for e in claimed} == {str(i) for i in range(40)}
