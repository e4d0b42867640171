"""Signed webhooks exactly as Healthie sends them, delivered in the background.

Body: `{"resource_id", "resource_id_type", "event_type", "changed_fields"}` (thin: the receiver
re-reads the resource). Headers: `Content-Type: application/json`, `Content-Digest` (SHA-256 of the
body), `Signature-Input` (the components), `Signature: sig1=<hex HMAC-SHA256>` over

    "{method lowercased} {path} {query} {digest} application/json {content length}"

where `digest` is the Content-Digest value split on "=" taking element 1, as Healthie's JavaScript
sample does (`split('=')[1]`). Healthie does not document the digest's encoding, so it is selectable
(`hex` default; `base64`, `base64-unpadded`, RFC 9530 `rfc9530` = `sha-256=:<base64>:`) to exercise
receivers. This module is the sandbox's own signer: it must not share code with the receiver it tests.

Delivery is one ordered queue drained by one task; failures are retried with backoff a few times
(Healthie retries for days), and an optional duplicate rate re-sends events, since Healthie's
deliveries can repeat. Every POST is reported to `recorder` (url, event, the HTTP status it got or
None when the connection failed, when it was sent): the sandbox keeps them for `sentWebhooks`, as
Healthie lists what it sent whether or not it arrived.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from healthie_sandbox.stats import Stats

log = logging.getLogger(__name__)


SIGNATURE_INPUT = 'sig1=("@method" "@path" "@query" "content-digest" "content-type" "content-length")'


class DigestEncoding(StrEnum):
    HEX = "hex"
    BASE64 = "base64"
    BASE64_UNPADDED = "base64-unpadded"
    RFC9530 = "rfc9530"


def content_digest(body: bytes, encoding: DigestEncoding) -> str:
    """The `Content-Digest` header value for `body`."""
    raw = hashlib.sha256(body).digest()
    if encoding is DigestEncoding.HEX:
        return f"SHA-256={raw.hex()}"
    b64 = base64.b64encode(raw).decode("ascii")
    if encoding is DigestEncoding.BASE64:
        return f"SHA-256={b64}"
    if encoding is DigestEncoding.BASE64_UNPADDED:
        return f"SHA-256={b64.rstrip('=')}"
    return f"sha-256=:{b64}:"


def signed_string(method: str, path: str, query: str, digest_header: str, content_length: int) -> str:
    digest = digest_header.split("=")[1]
    return f"{method.lower()} {path} {query} {digest} application/json {content_length}"


def sign_request(
    url: str, body: bytes, secret: str, encoding: DigestEncoding, method: str = "POST"
) -> dict[str, str]:
    """Headers of a Healthie webhook POST of `body` to `url`."""
    parts = urlsplit(url)
    digest = content_digest(body, encoding)
    data = signed_string(method, parts.path or "/", parts.query, digest, len(body))
    signature = hmac.new(secret.encode(), data.encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "Content-Digest": digest,
        "Signature-Input": SIGNATURE_INPUT,
        "Signature": f"sig1={signature}",
    }


@dataclass(frozen=True)
class WebhookEvent:
    resource_id: int
    resource_id_type: str
    event_type: str
    changed_fields: tuple[str, ...] = ()

    def body(self) -> bytes:
        return orjson.dumps(
            {
                "resource_id": self.resource_id,
                "resource_id_type": self.resource_id_type,
                "event_type": self.event_type,
                "changed_fields": list(self.changed_fields),
            }
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "changed_fields": list(self.changed_fields)}


@dataclass
class WebhookConfig:
    url: str | None = None
    secret: str = ""
    digest_encoding: DigestEncoding = DigestEncoding.HEX
    duplicate_rate: float = 0.0
    max_attempts: int = 3
    retry_backoff_s: float = 0.2

    def __post_init__(self) -> None:
        self.digest_encoding = DigestEncoding(self.digest_encoding)

    def to_json(self) -> dict[str, Any]:
        # The secret is never echoed back.
        out = asdict(self)
        out["secret"] = "***" if self.secret else ""
        out["digest_encoding"] = self.digest_encoding.value
        return out


@dataclass
class Delivery:
    event: WebhookEvent
    attempts: int = 0
    status: int | None = None
    delivered: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            **self.event.to_json(),
            "attempts": self.attempts,
            "status": self.status,
            "delivered": self.delivered,
        }


@dataclass(frozen=True)
class SentAttempt:
    """One webhook POST as Healthie records it: where, what, the HTTP status (None: no answer), when."""

    url: str
    event: WebhookEvent
    status: int | None
    sent_at: float


@dataclass
class WebhookSender:
    """An ordered background queue of webhook deliveries (start it inside the serving event loop)."""

    stats: Stats
    config: WebhookConfig = field(default_factory=WebhookConfig)
    seed: int = 0
    log_size: int = 2000
    deliveries: deque[Delivery] = field(default_factory=deque)
    _queue: asyncio.Queue[WebhookEvent] | None = None
    _task: asyncio.Task[None] | None = None
    _client: httpx.AsyncClient | None = None
    _rng: random.Random = field(default_factory=random.Random)
    _pending: int = 0
    recorder: Callable[[SentAttempt], None] | None = None
    """Told of every POST made, delivered or not (the sandbox's `sentWebhooks` store)."""

    def start(self) -> None:
        self._rng = random.Random(f"{self.seed}:webhooks")
        self._queue = asyncio.Queue()
        self._client = httpx.AsyncClient(timeout=5.0)
        self._task = asyncio.get_running_loop().create_task(self._drain())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def enqueue(self, events: list[WebhookEvent]) -> None:
        """Queue `events` if a target is configured (changes without a target send nothing)."""
        if self.config.url is None or self._queue is None:
            return
        for event in events:
            copies = (
                2 if self.config.duplicate_rate and self._rng.random() < self.config.duplicate_rate else 1
            )
            for _ in range(copies):
                self._pending += 1
                self._queue.put_nowait(event)

    @property
    def pending(self) -> int:
        """Events queued or being delivered."""
        return self._pending

    async def flush(self, timeout: float) -> bool:
        """Wait until every queued event was delivered or given up; False on timeout."""
        if self._queue is None:
            return True
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except TimeoutError:
            return False
        return True

    async def _drain(self) -> None:
        assert self._queue is not None
        while True:
            event = await self._queue.get()
            try:
                await self._deliver(event)
            except Exception:  # a broken target must never stop the queue
                log.exception("webhook delivery crashed")
            finally:
                self._pending -= 1
                self._queue.task_done()

    async def _deliver(self, event: WebhookEvent) -> None:
        config, client = self.config, self._client
        delivery = Delivery(event)
        self.deliveries.append(delivery)
        while len(self.deliveries) > self.log_size:
            self.deliveries.popleft()
        if config.url is None or client is None:
            return
        body = event.body()
        for attempt in range(1, config.max_attempts + 1):
            delivery.attempts = attempt
            self.stats.webhook_attempts += 1
            headers = sign_request(config.url, body, config.secret, config.digest_encoding)
            sent_at = time.time()
            try:
                response = await client.post(config.url, content=body, headers=headers)
                delivery.status = response.status_code
            except httpx.HTTPError:
                delivery.status = None
            if self.recorder is not None:
                self.recorder(SentAttempt(config.url, event, delivery.status, sent_at))
            if delivery.status is not None and 200 <= delivery.status < 300:
                delivery.delivered = True
                self.stats.webhooks_sent += 1
                return
            if attempt < config.max_attempts:
                await asyncio.sleep(config.retry_backoff_s * 2 ** (attempt - 1))
        self.stats.webhooks_failed += 1
