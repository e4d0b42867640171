"""Faults on demand: rate limiting, latency, and scheduled or random failures of every kind a client
of Healthie must survive.

Everything is configured with one JSON-able `FaultConfig` (CLI flags at start, `/_sandbox/faults` at
runtime). Scheduled rules make tests deterministic: `{"kind": "http_error", "next": 2}` fails the
next two requests, `{"kind": "drop", "every": 5}` every fifth one (counted from when the rule was
set), `{"kind": "http_error", "after": 40, "for_seconds": 20}` lets 40 requests through and then
fails every request for 20 seconds (an outage in the middle of a sync). `probability` rules,
`error_rate` (random 5xx) and `mixed_fault_rate` (a random fault of every transient kind a client of
Healthie meets: 503, 502, dropped connections, 429, TOO_MANY_REQUESTS, and HTTP 200 with
`{"data": null, "errors": [{"message": "Internal server error"}]}`) serve soak tests and benchmarks.

The rate limit is a token bucket per server (the sandbox has one API key): `rate_limit_rps` tokens
per second, `rate_limit_burst` deep (default one second's worth). Over the limit, a request is
answered as Healthie does, either HTTP 429 with `Retry-After` or HTTP 200 with a
`TOO_MANY_REQUESTS` GraphQL error (`rate_limit_mode`), and counted, so a benchmark can prove its
client never went over.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    HTTP_ERROR = "http_error"
    """A 5xx (rule `status`, default 503) with a plain-text body, as a load balancer sends it."""
    HTTP_429 = "http_429"
    """HTTP 429 with `Retry-After` and a TOO_MANY_REQUESTS body."""
    TOO_MANY_REQUESTS = "too_many_requests"
    """HTTP 200, `data: null`, the TOO_MANY_REQUESTS GraphQL error (Healthie's current behaviour)."""
    GRAPHQL_ERROR = "graphql_error"
    """HTTP 200, `data: null` and one GraphQL error: `{"message": "Internal server error"}` as
    graphql-ruby reports an unhandled exception (rule `message` and `code`, the latter an
    `extensions.code`, change it)."""
    DROP = "drop"
    """Close the connection without answering."""
    INVALID_JSON = "invalid_json"
    """HTTP 200 with a truncated JSON body."""
    MISSING_FIELDS = "missing_fields"
    """HTTP 200 with `data` lacking the requested root fields."""
    WRONG_TYPES = "wrong_types"
    """HTTP 200 with root fields of the wrong type (a list becomes an object, a count a string)."""
    SLOW = "slow"
    """A correct answer after `delay_ms` (for client timeouts)."""


@dataclass
class FaultRule:
    kind: FaultKind
    next: int | None = None
    """Fire on each of the next N requests, then retire."""
    every: int | None = None
    """Fire on every k-th request counted from when the rule was set."""
    probability: float | None = None
    for_seconds: float | None = None
    """Fire on every request for this many seconds from the first one it sees, then retire."""
    after: int = 0
    """Let this many requests through before the rule starts counting (or its seconds start)."""
    status: int = 503
    delay_ms: float = 0.0
    message: str | None = None
    """graphql_error: the error's message (default "Internal server error")."""
    code: str | None = None
    """graphql_error: an `extensions.code` to add (default none, as graphql-ruby sends it)."""
    seen: int = 0
    started_at: float | None = None
    """for_seconds: when the outage began (the server's monotonic clock)."""

    def __post_init__(self) -> None:
        self.kind = FaultKind(self.kind)
        triggers = (self.next, self.every, self.probability, self.for_seconds)
        if sum(x is not None for x in triggers) != 1:
            raise ValueError(
                "a fault rule needs exactly one of `next`, `every`, `probability`, `for_seconds`"
            )
        if self.every is not None and self.every < 1:
            raise ValueError("`every` must be >= 1")
        if self.after < 0 or (self.for_seconds is not None and self.for_seconds <= 0):
            raise ValueError("`after` must be >= 0 and `for_seconds` > 0")
        if self.kind is FaultKind.HTTP_ERROR and not 500 <= self.status <= 599:
            raise ValueError("`status` of an http_error must be a 5xx")

    def fires(self, rng: random.Random, now: float) -> bool:
        self.seen += 1
        counted = self.seen - self.after
        if counted <= 0:
            return False
        if self.next is not None:
            return counted <= self.next
        if self.every is not None:
            return counted % self.every == 0
        if self.for_seconds is not None:
            if self.started_at is None:
                self.started_at = now
            return now - self.started_at < self.for_seconds
        return rng.random() < (self.probability or 0.0)

    def spent(self, now: float) -> bool:
        if self.next is not None:
            return self.seen - self.after >= self.next
        if self.for_seconds is not None and self.started_at is not None:
            return now - self.started_at >= self.for_seconds
        return False

    def graphql_error(self) -> dict[str, Any]:
        """The `errors` entry of a graphql_error answer."""
        error: dict[str, Any] = {"message": self.message or "Internal server error"}
        if self.code:
            error["extensions"] = {"code": self.code}
        return error


#: What `mixed_fault_rate` draws from, uniformly: the transient answers a Healthie client must survive.
MIXED_FAULTS: tuple[tuple[FaultKind, int], ...] = (
    (FaultKind.HTTP_ERROR, 503),
    (FaultKind.HTTP_ERROR, 502),
    (FaultKind.DROP, 503),
    (FaultKind.HTTP_429, 503),
    (FaultKind.TOO_MANY_REQUESTS, 503),
    (FaultKind.GRAPHQL_ERROR, 503),
)


@dataclass
class FaultConfig:
    rate_limit_rps: float | None = None
    rate_limit_burst: float | None = None
    rate_limit_mode: str = "http"
    """`http`: 429 + Retry-After; `graphql`: 200 with the TOO_MANY_REQUESTS error."""
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    """Probability of a random 500/502/503/504 on any request."""
    mixed_fault_rate: float = 0.0
    """Probability of a random fault drawn from `MIXED_FAULTS` on any request (0.08: 8%)."""
    max_complexity: int = 2000
    rules: list[FaultRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rules = [r if isinstance(r, FaultRule) else FaultRule(**r) for r in self.rules]
        if self.rate_limit_mode not in ("http", "graphql"):
            raise ValueError("rate_limit_mode must be 'http' or 'graphql'")
        if self.rate_limit_rps is not None and self.rate_limit_rps <= 0:
            raise ValueError("rate_limit_rps must be positive (or null for no limit)")
        if not (0.0 <= self.error_rate <= 1.0 and 0.0 <= self.mixed_fault_rate <= 1.0):
            raise ValueError("error_rate and mixed_fault_rate must be between 0 and 1")

    @classmethod
    def from_json(cls, raw: dict[str, Any], base: FaultConfig | None = None) -> FaultConfig:
        """`raw` laid over `base` (or the defaults); unknown keys are an error, not ignored."""
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        merged = asdict(base) if base is not None else {}
        merged.update(raw)
        try:
            return cls(**merged)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["rules"] = [{**asdict(r), "kind": r.kind.value} for r in self.rules]
        return out


class TokenBucket:
    """`rate` tokens per second, at most `burst` banked; a request takes one."""

    def __init__(self, rate: float, burst: float | None, now: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, burst if burst is not None else rate)
        self.tokens = self.capacity
        self.stamp = now

    def take(self, now: float) -> float:
        """0 when admitted, else the seconds until a token is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


RANDOM_5XX = (500, 502, 503, 504)


class Faults:
    """The live fault state: the config, its bucket, the rng for random faults."""

    def __init__(self, config: FaultConfig | None = None, seed: int = 0) -> None:
        self.rng = random.Random(f"{seed}:faults")
        self.config = FaultConfig()
        self._bucket: TokenBucket | None = None
        self.apply(config or FaultConfig(), now=0.0)

    def apply(self, config: FaultConfig, now: float) -> None:
        self.config = config
        rps = config.rate_limit_rps
        self._bucket = TokenBucket(rps, config.rate_limit_burst, now) if rps else None

    def over_limit(self, now: float) -> int | None:
        """None when the request is within the rate limit, else the Retry-After seconds."""
        if self._bucket is None:
            return None
        wait = self._bucket.take(now)
        return None if wait == 0.0 else max(1, math.ceil(wait))

    def pick(self, now: float) -> FaultRule | None:
        """The fault to inject into this request, if any (rules in order, then `error_rate`, then
        `mixed_fault_rate`)."""
        chosen: FaultRule | None = None
        for rule in self.config.rules:
            if rule.fires(self.rng, now) and chosen is None:
                chosen = rule
        self.config.rules = [r for r in self.config.rules if not r.spent(now)]
        if chosen is None and self.config.error_rate and self.rng.random() < self.config.error_rate:
            chosen = FaultRule(FaultKind.HTTP_ERROR, probability=1.0, status=self.rng.choice(RANDOM_5XX))
        if (
            chosen is None
            and self.config.mixed_fault_rate
            and self.rng.random() < self.config.mixed_fault_rate
        ):
            kind, status = self.rng.choice(MIXED_FAULTS)
            chosen = FaultRule(kind, probability=1.0, status=status)
        return chosen

    def latency(self) -> float:
        """Seconds to wait before answering: latency +/- uniform jitter, never negative."""
        base, jitter = self.config.latency_ms, self.config.jitter_ms
        if not base and not jitter:
            return 0.0
        return max(0.0, base + self.rng.uniform(-jitter, jitter)) / 1000.0
