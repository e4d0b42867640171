"""The receiver's answers, in-process over httpx's ASGI transport (the real-socket tests are separate)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from pipelines.dev.harness import event_body, signed_headers
from pipelines.refresh.drain import plan_refresh
from pipelines.webhooks.app import WEBHOOK_PATH, create_app
from pipelines.webhooks.inbox import Inbox
from pipelines.webhooks.settings import ReceiverSettings, SettingsError
from pipelines.webhooks.signature import DigestEncoding, sign_request

Post = Callable[..., Awaitable[httpx.Response]]

pytestmark = pytest.mark.anyio

BODY = event_body(4242, "Appointment", "appointment.updated", ["pm_status"])


async def test_accepts_a_signed_event_once_it_is_in_the_inbox(post: Post, inbox: Inbox) -> None:
    response = await post(BODY)
    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    claimed = inbox.claim(response.json()["event_id"])
    assert [(e.stream, e.resource_id, e.event_type) for e in claimed] == [
        ("appointments", "4242", "appointment.updated")
    ]


@pytest.mark.parametrize("encoding", ["hex", "base64", "base64-unpadded", "rfc9530"])
async def test_accepts_every_digest_encoding(
    client: httpx.AsyncClient, secret: str, encoding: DigestEncoding
) -> None:
    headers = signed_headers(secret, BODY, digest_encoding=encoding)
    assert (await client.post(WEBHOOK_PATH, content=BODY, headers=headers)).status_code == 202


async def test_query_string_is_part_of_the_signature(post: Post) -> None:
    assert (await post(BODY, query="tenant=7")).status_code == 202


async def test_duplicate_delivery_is_2xx_and_stored_once(post: Post, inbox: Inbox) -> None:
    first = await post(BODY)
    again = await post(BODY)
    assert again.status_code == 200
    assert again.json() == {"status": "duplicate", "event_id": first.json()["event_id"]}
    assert inbox.stats()["pending"] == 1
    assert inbox.stats()["duplicates"] == 1


async def test_a_hundred_replays_coalesce_to_one_resource(post: Post, inbox: Inbox) -> None:
    bodies = [BODY, event_body(4242, "Appointment", "appointment.created")]
    for i in range(100):
        assert (await post(bodies[i % 2])).status_code in (200, 202)
    assert inbox.pending_count() == 2  # two distinct bodies, each stored once
    plan = plan_refresh(inbox.claim(10**9))
    assert plan.ids_by_stream == {"appointments": ("4242",)}


async def test_same_body_after_it_was_handled_is_a_new_change(post: Post, inbox: Inbox) -> None:
    """Healthie sends identical bodies for two updates of one resource: only a waiting twin is a duplicate."""
    first = (await post(BODY)).json()["event_id"]
    inbox.mark_done(e.event_id for e in inbox.claim(first))
    again = await post(BODY)
    assert again.status_code == 202
    assert again.json()["event_id"] > first


async def test_delivery_id_header_is_the_idempotency_key(post: Post, inbox: Inbox) -> None:
    first = await post(BODY, webhook_id="d-1")
    inbox.mark_done(e.event_id for e in inbox.claim(first.json()["event_id"]))
    assert (await post(BODY, webhook_id="d-1")).json()["status"] == "duplicate"
    assert (await post(BODY, webhook_id="d-2")).json()["status"] == "accepted"


async def test_unknown_events_are_kept_as_ignored(post: Post, inbox: Inbox) -> None:
    note = event_body(9, "Note", "message.created")
    wrong_pair = event_body(9, "Appointment", "entry.created")  # family and type disagree
    assert (await post(note)).json()["status"] == "ignored"
    assert (await post(wrong_pair)).json()["status"] == "ignored"
    assert inbox.stats()["ignored"] == 2
    assert inbox.pending_count() == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"signature": None},
        {"content_digest": None},
        {"signature": "sig1=" + "0" * 64},
        {"secret": "whsec_wrong"},
    ],
    ids=["no-signature", "no-digest", "bad-signature", "wrong-secret"],
)
async def test_bad_or_missing_signature_is_401(post: Post, inbox: Inbox, overrides: dict[str, str]) -> None:
    assert (await post(BODY, **overrides)).status_code == 401
    assert inbox.stats()["pending"] == 0


async def test_tampered_body_with_original_headers_is_401(client: httpx.AsyncClient, secret: str) -> None:
    headers = signed_headers(secret, BODY)
    tampered = BODY.replace(b"4242", b"4243")
    assert (await client.post(WEBHOOK_PATH, content=tampered, headers=headers)).status_code == 401


async def test_signature_for_another_path_is_401(client: httpx.AsyncClient, secret: str) -> None:
    headers = dict(sign_request(secret, body=BODY, path="/elsewhere"))
    assert (await client.post(WEBHOOK_PATH, content=BODY, headers=headers)).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        json.dumps({"resource_id_type": "Appointment", "event_type": "appointment.created"}).encode(),
        json.dumps({"resource_id": 1, "event_type": "appointment.created"}).encode(),
        json.dumps({"resource_id": 1, "resource_id_type": "Appointment"}).encode(),
        json.dumps({"resource_id": True, "resource_id_type": "Appointment", "event_type": "x.y"}).encode(),
        json.dumps({"resource_id": "", "resource_id_type": "Appointment", "event_type": "x.y"}).encode(),
    ],
    ids=["bad-json", "not-object", "no-id", "no-type", "no-event", "bool-id", "empty-id"],
)
async def test_malformed_signed_body_is_400(post: Post, body: bytes) -> None:
    assert (await post(body)).status_code == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_non_json_content_type_is_415(post: Post, content_type: str | None) -> None:
    assert (await post(BODY, content_type=content_type)).status_code == 415


async def test_json_with_charset_is_accepted(post: Post) -> None:
    assert (await post(BODY, content_type="application/json; charset=utf-8")).status_code == 202


async def test_declared_oversize_body_is_413(post: Post) -> None:
    assert (await post(BODY, content_length=str(64 * 1024 + 1))).status_code == 413


async def test_streamed_oversize_body_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit is enforced while streaming
        for _ in range(100):
            yield b"x" * 1024

    response = await client.post(WEBHOOK_PATH, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


async def test_healthz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_get_on_webhook_path_is_405(client: httpx.AsyncClient) -> None:
    assert (await client.get(WEBHOOK_PATH)).status_code == 405


async def _post_from(settings: ReceiverSettings, peer: str, forwarded_for: str | None = None) -> int:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=(peer, 5555))
    headers = signed_headers(settings.secrets[0], BODY)
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://receiver") as http,
    ):
        return (await http.post(WEBHOOK_PATH, content=BODY, headers=headers)).status_code


async def test_allow_list_refuses_other_callers(warehouse_dir: Path, secret: str) -> None:
    settings = ReceiverSettings.from_env(
        {
            "HEALTHIE_WEBHOOK_SECRET": secret,
            "WAREHOUSE_DIR": str(warehouse_dir),
            "HEALTHIE_WEBHOOK_ALLOWED_IPS": "healthie-sandbox",
            "HEALTHIE_WEBHOOK_TRUSTED_PROXIES": "10.0.0.0/8",
        }
    )
    assert await _post_from(settings, "44.195.8.253") == 202
    assert await _post_from(settings, "203.0.113.9") == 403
    # A trusted proxy's X-Forwarded-For names the caller...
    assert await _post_from(settings, "10.1.2.3", "44.198.216.125") == 200  # same body: duplicate
    assert await _post_from(settings, "10.1.2.3", "203.0.113.9") == 403
    # ...an untrusted peer's does not.
    assert await _post_from(settings, "203.0.113.9", "44.195.8.253") == 403


def test_settings_refuse_to_start_without_a_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        ReceiverSettings.from_env({"WAREHOUSE_DIR": str(tmp_path)})


def test_settings_read_rotated_secrets_and_hide_them(tmp_path: Path) -> None:
    settings = ReceiverSettings.from_env(
        {"HEALTHIE_WEBHOOK_SECRET": " new , old ", "WAREHOUSE_DIR": str(tmp_path)}
    )
    assert settings.secrets == ("new", "old")
    assert "new" not in repr(settings)
