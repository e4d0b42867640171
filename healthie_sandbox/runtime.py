"""The running sandbox: data, fault state, counters, change service, webhook queue, churn.

Everything mutable lives in one `Sandbox` object used from one thread, the server's event loop, so
nothing needs a lock: requests, admin calls, churn steps and webhook deliveries interleave only at
`await` points. Seeding (and re-seeding on reset) runs before serving or in a worker thread that
hands a finished store over.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from healthie_sandbox import model, truth
from healthie_sandbox.changes import Change, ChangeError, ChangeService
from healthie_sandbox.executor import Executor
from healthie_sandbox.faults import FaultConfig, Faults
from healthie_sandbox.generate import Counts, SeedConfig, seed
from healthie_sandbox.resolvers import Context
from healthie_sandbox.rows import World
from healthie_sandbox.schema import schema
from healthie_sandbox.stats import Stats
from healthie_sandbox.store import Store
from healthie_sandbox.timestamps import Style, render
from healthie_sandbox.webhooks import SentAttempt, WebhookConfig, WebhookSender

log = logging.getLogger(__name__)
DEFAULT_API_KEY = "sandbox-api-key"
#: Above this scale the store is a file in a temp dir rather than memory.
DISK_SCALE = 5.0
#: The one webhook the sandbox's organisation has configured (`SentWebhook.webhook_id`).
WEBHOOK_ID = 1
#: `SentWebhook.created_at` is printed like Healthie's other Rails timestamps, with an offset.
SENT_AT_OFFSET_MINUTES = -300


@dataclass
class Settings:
    """How a sandbox starts (CLI flags and `start_in_thread` arguments map onto these)."""

    scale: float = 1.0
    seed: int = 42
    api_key: str = DEFAULT_API_KEY
    auth_shard: str | None = None
    """When set, requests must carry a matching `AuthorizationShard` header."""
    anchor: int | None = None
    on_disk: bool | None = None
    tmp_dir: str | None = None
    faults: FaultConfig = field(default_factory=FaultConfig)
    webhooks: WebhookConfig = field(default_factory=WebhookConfig)


@dataclass
class Seeded:
    store: Store
    world: World
    seconds: float


def build_store(settings: Settings, scale: float, seed_value: int) -> Seeded:
    """Generate a fresh store (blocking; call from a worker thread once serving)."""
    started = time.perf_counter()
    on_disk = settings.on_disk if settings.on_disk is not None else scale > DISK_SCALE
    store = Store(on_disk=on_disk, parent_dir=settings.tmp_dir)
    world = seed(store, SeedConfig(scale=scale, seed=seed_value, anchor=settings.anchor))
    return Seeded(store, world, time.perf_counter() - started)


class Sandbox:
    def __init__(self, settings: Settings, seeded: Seeded | None = None) -> None:
        self.settings = settings
        self.scale = settings.scale
        self.seed = settings.seed
        seeded = seeded or build_store(settings, settings.scale, settings.seed)
        self.store, self.world, self.seed_seconds = seeded.store, seeded.world, seeded.seconds
        self.schema = schema()
        self.executor = Executor(self.schema)
        self.stats = Stats()
        self.faults = Faults(settings.faults, settings.seed)
        self.webhooks = WebhookSender(self.stats, settings.webhooks, settings.seed)
        self.webhooks.recorder = self.record_sent
        self.changes = ChangeService(self.store, self.world, self.schema, settings.seed)
        self.recent_changes: deque[Change] = deque(maxlen=1000)
        self._churn: asyncio.Task[None] | None = None
        self._churn_errors = 0

    # -- lifecycle (inside the event loop) -------------------------------------------------------------

    async def start(self) -> None:
        self.webhooks.start()

    async def stop(self) -> None:
        await self.stop_churn()
        await self.webhooks.stop()
        self.store.close()

    async def reset(self, scale: float | None = None, seed_value: int | None = None) -> None:
        """Re-seed (same or new scale/seed): data, counters and churn start over; faults stay."""
        await self.stop_churn()
        scale = self.scale if scale is None else scale
        seed_value = self.seed if seed_value is None else seed_value
        seeded = await asyncio.to_thread(build_store, self.settings, scale, seed_value)
        old = self.store
        self.store, self.world, self.seed_seconds = seeded.store, seeded.world, seeded.seconds
        self.scale, self.seed = scale, seed_value
        self.changes = ChangeService(self.store, self.world, self.schema, seed_value)
        self.reset_stats()
        self.recent_changes.clear()
        old.close()

    def reset_stats(self) -> None:
        self.stats = Stats()
        self.webhooks.stats = self.stats

    # -- serving ---------------------------------------------------------------------------------

    def context(self) -> Context:
        return Context(self.store, self.world.owner_id, int(time.time()))

    def apply(self, change: Change) -> Change:
        """Record a change that happened and queue its webhooks."""
        self.stats.changes[f"{change.stream}.{change.op}"] += 1
        self.recent_changes.append(change)
        self.webhooks.enqueue(list(change.events))
        return change

    def record_sent(self, attempt: SentAttempt) -> None:
        """Keep a webhook POST for `sentWebhooks` (in the current store: a reset forgets them)."""
        sent_ts = int(attempt.sent_at)
        self.store.insert(
            model.SENT_WEBHOOKS,
            {
                "webhook_id": WEBHOOK_ID,
                "url": attempt.url,
                "event_type": attempt.event.event_type,
                "resource_id": attempt.event.resource_id,
                "resource_id_type": attempt.event.resource_id_type,
                "http_response_status": None if attempt.status is None else str(attempt.status),
                "created_at": render(sent_ts, Style.RAILS_OFFSET, SENT_AT_OFFSET_MINUTES),
                "created_ts": sent_ts,
            },
        )

    # -- churn -----------------------------------------------------------------------------------

    def start_churn(self, rate_per_s: float, streams: Sequence[str]) -> None:
        if rate_per_s <= 0:
            raise ChangeError("rate_per_s must be positive")
        unknown = [s for s in streams if s not in model.STREAM_BY_NAME]
        if unknown or not streams:
            raise ChangeError(
                f"unknown or no streams: {unknown}; choose from {', '.join(model.STREAM_BY_NAME)}"
            )
        if self._churn is not None:
            self._churn.cancel()
        self._churn = asyncio.get_running_loop().create_task(self._churn_loop(rate_per_s, list(streams)))

    async def stop_churn(self) -> None:
        task, self._churn = self._churn, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    @property
    def churning(self) -> bool:
        return self._churn is not None and not self._churn.done()

    async def _churn_loop(self, rate_per_s: float, streams: list[str]) -> None:
        interval = 1.0 / rate_per_s
        next_at = time.monotonic()
        while True:
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            try:
                change = self.changes.random_change(streams)
            except ChangeError:
                self._churn_errors += 1
                continue
            if change is not None:
                self.apply(change)

    # -- admin views -----------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        counts = Counts.for_scale(self.scale)
        return {
            "scale": self.scale,
            "seed": self.seed,
            "owner_provider_id": str(self.world.owner_id),
            "seed_seconds": round(self.seed_seconds, 3),
            "seeded_counts": counts.__dict__,
            "streams": list(model.STREAM_BY_NAME),
            "churning": self.churning,
        }

    def truth(self, stream_name: str) -> dict[str, Any]:
        stream = model.STREAM_BY_NAME.get(stream_name)
        if stream is None:
            raise ChangeError(f"unknown stream {stream_name!r}", 404)
        return {
            "stream": stream.name,
            "rows": truth.live_rows(self.schema, self.store, stream),
            "deleted_ids": truth.deleted_ids(self.store, stream),
        }
