"""Counters the admin API reports: what was asked, what was answered, what went over the limit.

Benchmarks and tests read these to prove claims from the server's side ("no over-limit answers",
"the client retried exactly twice", "peak request rate stayed under the limit"), not from the client's
own bookkeeping.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

#: The `api_versions` key of requests that carried no `Healthie-GraphQL-API-Version` header.
NO_VERSION = "none"


@dataclass
class Stats:
    started_at: float = field(default_factory=time.time)
    requests: int = 0
    """GraphQL requests received (over-limit and faulted ones included)."""
    statuses: Counter[int] = field(default_factory=Counter)
    over_limit: int = 0
    unauthorized: int = 0
    too_complex: int = 0
    api_versions: Counter[str] = field(default_factory=Counter)
    """GraphQL requests by their `Healthie-GraphQL-API-Version` header (`none`: no header)."""
    faults: Counter[str] = field(default_factory=Counter)
    rows_served: int = 0
    operations: Counter[str] = field(default_factory=Counter)
    changes: Counter[str] = field(default_factory=Counter)
    webhooks_sent: int = 0
    webhooks_failed: int = 0
    webhook_attempts: int = 0
    peak_rps: int = 0
    """Most requests received within any one-second window."""
    _recent: deque[float] = field(default_factory=deque)

    def arrived(self, now: float) -> None:
        self.requests += 1
        recent = self._recent
        recent.append(now)
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        self.peak_rps = max(self.peak_rps, len(recent))

    def to_json(self) -> dict[str, Any]:
        return {
            "uptime_s": round(time.time() - self.started_at, 3),
            "requests": self.requests,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "over_limit": self.over_limit,
            "unauthorized": self.unauthorized,
            "too_complex": self.too_complex,
            "api_versions": dict(self.api_versions),
            "faults": dict(self.faults),
            "rows_served": self.rows_served,
            "operations": dict(self.operations),
            "changes": dict(self.changes),
            "webhooks": {
                "sent": self.webhooks_sent,
                "failed": self.webhooks_failed,
                "attempts": self.webhook_attempts,
            },
            "peak_rps": self.peak_rps,
        }
