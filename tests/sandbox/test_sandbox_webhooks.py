"""Webhooks: Healthie's body and headers, a signature verified here by an independent HMAC
computation (not the sandbox's signer), every digest encoding, retries and duplicates."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from healthie_sandbox.control import SandboxControl

SECRET = "whsec_sandbox-test"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    """Statuses to answer with, in order (200 once exhausted)."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(
                Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            self.send_response(state.statuses.pop(0) if state.statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/healthie?source=sandbox"
    yield state
    server.shutdown()
    thread.join()


def _digest_value(header: str) -> str:
    """Healthie's JavaScript sample: `headers['content-digest'].split('=')[1]`."""
    return header.split("=")[1]


def _independent_signature(received: Received) -> str:
    path, _, query = received.path.partition("?")
    data = " ".join(
        ["post", path, query, _digest_value(received.headers["content-digest"]), "application/json",
         str(len(received.body))]
    )  # fmt: skip
    return hmac.new(SECRET.encode(), data.encode(), hashlib.sha256).hexdigest()


def _digest_matches(header: str, body: bytes) -> bool:
    raw = hashlib.sha256(body).digest()
    value = header.split("=", 1)[1].strip(":")
    candidates = {raw.hex(), base64.b64encode(raw).decode(), base64.b64encode(raw).decode().rstrip("=")}
    return value in candidates


@pytest.mark.parametrize("encoding", ["hex", "base64", "base64-unpadded", "rfc9530"])
def test_webhook_is_signed_like_healthie(
    encoding: str, receiver: Receiver, private_control: SandboxControl
) -> None:
    private_control.configure_webhooks(receiver.url, SECRET, digest_encoding=encoding)
    row_id = private_control.create("appointments")
    assert private_control.flush_webhooks()
    [received] = receiver.requests
    assert received.path == "/hooks/healthie?source=sandbox"
    assert received.headers["content-type"] == "application/json"
    assert json.loads(received.body) == {
        "resource_id": int(row_id),
        "resource_id_type": "Appointment",
        "event_type": "appointment.created",
        "changed_fields": [],
    }
    assert _digest_matches(received.headers["content-digest"], received.body)
    assert received.headers["signature"] == f"sig1={_independent_signature(received)}"
    assert received.headers["signature-input"].startswith("sig1=(")
    if encoding == "rfc9530":
        assert received.headers["content-digest"].startswith("sha-256=:")


def test_failed_deliveries_are_retried(receiver: Receiver, private_control: SandboxControl) -> None:
    receiver.statuses = [500, 503]
    private_control.configure_webhooks(receiver.url, SECRET, retry_backoff_s=0.01, max_attempts=3)
    row_id = private_control.create("patients")
    assert private_control.flush_webhooks()
    assert len(receiver.requests) == 3
    assert len({r.body for r in receiver.requests}) == 1
    delivery = next(d for d in private_control.webhook_deliveries() if d["resource_id"] == int(row_id))
    assert delivery["delivered"] and delivery["attempts"] == 3


def test_duplicates_on_demand(receiver: Receiver, private_control: SandboxControl) -> None:
    private_control.configure_webhooks(receiver.url, SECRET, duplicate_rate=1.0)
    private_control.create("billing_items")
    assert private_control.flush_webhooks()
    assert len(receiver.requests) == 2 and receiver.requests[0].body == receiver.requests[1].body


def test_no_target_no_webhooks_and_secret_never_echoed(private_control: SandboxControl) -> None:
    config = private_control.configure_webhooks("http://127.0.0.1:9/never", "s3cret")
    assert config["secret"] == "***"
    private_control.configure_webhooks(None, "")
    private_control.create("appointments")
    assert private_control.flush_webhooks(timeout=1.0)


def test_churn_sends_signed_webhooks(receiver: Receiver, private_control: SandboxControl) -> None:
    private_control.configure_webhooks(receiver.url, SECRET)
    private_control.start_churn(100, streams=["appointments", "entries"])
    import time

    time.sleep(0.4)
    private_control.stop_churn()
    assert private_control.flush_webhooks()
    assert len(receiver.requests) >= 10
    assert all(r.headers["signature"] == f"sig1={_independent_signature(r)}" for r in receiver.requests)
    kinds = {json.loads(r.body)["event_type"].split(".")[0] for r in receiver.requests}
    assert kinds <= {"appointment", "entry", "metric_entry"}
