"""The webhook receiver: `uvicorn pipelines.webhooks.app:app`, endpoint `POST /webhooks/healthie`.

It does as little as possible, in an order that spends nothing on requests it will refuse: check the
caller (optional allow-list), the declared size and the content type, read at most the body limit,
verify the signature and the body digest, parse, then commit to the durable inbox and only then answer
2xx. It never touches the warehouse (the webhook_refresh job does) and never logs bodies, resource ids
or secrets.

| answer | when |
|---|---|
| 202 `accepted` / `ignored` | committed to the inbox (`ignored`: an event this pipeline does not act on) |
| 200 `duplicate` | the same delivery is already waiting in the inbox |
| 400 | malformed JSON, or no `resource_id` / `resource_id_type` / `event_type` |
| 401 | missing or bad signature, or a body that does not match `Content-Digest` |
| 403 | caller outside the configured allow-list |
| 413 | body over the limit (refused from `Content-Length` before reading, or while streaming) |
| 415 | not `application/json` |
| 503 | the inbox could not commit (Healthie retries) |
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipelines.webhooks.allowlist import client_address, is_allowed
from pipelines.webhooks.events import MalformedEvent, parse_event, stream_for
from pipelines.webhooks.inbox import AppendOutcome, Delivery
from pipelines.webhooks.settings import ReceiverSettings
from pipelines.webhooks.signature import body_matches_digest, verify_signature
from pipelines.webhooks.writer import InboxWriter

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/healthie"


def _error(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


def _is_json(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _declared_length(request: Request) -> int | None:
    """`Content-Length` as an int; -1 when present but unusable."""
    value = request.headers.get("content-length")
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else -1


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None as soon as it exceeds `limit` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _signed_target(request: Request) -> tuple[str, str]:
    """Path and query exactly as they arrived on the wire (what Healthie signed), not re-encoded."""
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.scope["path"]
    return path, request.scope.get("query_string", b"").decode("latin-1")


def _authentic(settings: ReceiverSettings, request: Request, body: bytes) -> bool:
    digest_header = request.headers.get("content-digest")
    signature_header = request.headers.get("signature")
    if not digest_header or not signature_header:
        return False
    path, query = _signed_target(request)
    signed = verify_signature(
        settings.secrets,
        method=request.method,
        path=path,
        query=query,
        content_digest_header=digest_header,
        signature_header=signature_header,
        body=body,
    )
    return signed and body_matches_digest(body, digest_header)


async def receive_webhook(request: Request) -> JSONResponse:
    settings: ReceiverSettings = request.app.state.settings
    writer: InboxWriter = request.app.state.writer

    caller = client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        settings.trusted_proxies,
    )
    if not is_allowed(caller, settings.allowed_networks):
        return _error(403, "caller not allowed")
    declared = _declared_length(request)
    if declared == -1:
        return _error(400, "invalid Content-Length")
    if declared is not None and declared > settings.max_body_bytes:
        return _error(413, "body too large")
    if not _is_json(request.headers.get("content-type")):
        return _error(415, "expected application/json")
    body = await _read_body(request, settings.max_body_bytes)
    if body is None:
        return _error(413, "body too large")
    if not _authentic(settings, request, body):
        return _error(401, "invalid signature")
    try:
        event = parse_event(body)
    except MalformedEvent as exc:
        return _error(400, str(exc))

    delivery_id = request.headers.get(settings.delivery_id_header) if settings.delivery_id_header else None
    delivery = Delivery(event, stream_for(event), hashlib.sha256(body).hexdigest(), delivery_id or None)
    try:
        result = await writer.append(delivery)
    except Exception as exc:
        logger.error("webhook not stored (%s); answering 503 so Healthie retries", type(exc).__name__)
        return _error(503, "inbox unavailable")
    logger.info("webhook %s %s as event %d", event.event_type, result.outcome.value, result.event_id)
    status = 200 if result.outcome is AppendOutcome.DUPLICATE else 202
    return JSONResponse({"status": result.outcome.value, "event_id": result.event_id}, status_code=status)


async def healthz(request: Request) -> JSONResponse:
    writer: InboxWriter = request.app.state.writer
    if not writer.alive:
        return _error(503, "inbox writer stopped")
    return JSONResponse({"status": "ok"})


def create_app(settings: ReceiverSettings | None = None) -> Starlette:
    """The receiver; settings default to the environment, read when the server starts."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings if settings is not None else ReceiverSettings.from_env()
        app.state.writer = InboxWriter(app.state.settings.inbox_path)
        app.state.writer.start()
        # Everything imported so far lives as long as the process. Without this, each full collection
        # re-scans those objects (pyarrow, starlette, ...) and stalls every in-flight request by
        # 50-75 ms under load (measured by bench/webhook_bench.py): the p99 budget is 50 ms.
        gc.freeze()
        try:
            yield
        finally:
            app.state.writer.stop()

    return Starlette(
        routes=[
            Route(WEBHOOK_PATH, receive_webhook, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


app = create_app()
