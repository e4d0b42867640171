"""`SandboxControl`: a small typed client for the sandbox's admin API (`/_sandbox/...`).

Tests and benchmarks use it to inject faults, make changes, run churn, point webhooks at a receiver,
read the server's counters and the ground truth, and re-seed. Stream names are the lake's
(`appointments`, `billing_items`, `entries`, `form_answer_groups`, `patients`, `providers`,
`appointment_types`); fields are in API shape (GraphQL field names, references as `{"id": ...}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any

import httpx


class SandboxControlError(RuntimeError):
    """The admin API refused a call (bad input, unknown stream or id)."""


class SandboxControl:
    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=f"{self.base_url}/_sandbox", timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SandboxControl:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, path, json=body)
        if response.is_error:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text
            raise SandboxControlError(f"{method} /_sandbox{path}: HTTP {response.status_code}: {message}")
        return response.json()

    # -- info, counters, reset -------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """Scale, seed, the key-holder's provider id (`owner_provider_id`), seeded counts."""
        return dict(self._call("GET", "/info"))

    def stats(self) -> dict[str, Any]:
        """Requests, statuses, `over_limit`, `peak_rps`, faults injected, rows served, webhooks."""
        return dict(self._call("GET", "/stats"))

    def reset_stats(self) -> dict[str, Any]:
        return dict(self._call("DELETE", "/stats"))

    def reset(self, scale: float | None = None, seed: int | None = None) -> dict[str, Any]:
        """Re-seed the data (same scale/seed unless given); counters and churn start over."""
        body = {k: v for k, v in (("scale", scale), ("seed", seed)) if v is not None}
        return dict(self._call("POST", "/reset", body))

    # -- faults ----------------------------------------------------------------------------------

    def faults(self) -> dict[str, Any]:
        return dict(self._call("GET", "/faults"))

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """Change fault settings (others keep their values): `rate_limit_rps`, `rate_limit_burst`,
        `rate_limit_mode` ("http" | "graphql"), `latency_ms`, `jitter_ms`, `error_rate`,
        `mixed_fault_rate`, `max_complexity`, `rules` (list of {"kind", "next" | "every" |
        "probability" | "for_seconds", "after", "status", "delay_ms", "message", "code"}).
        """
        return dict(self._call("POST", "/faults", settings))

    def clear_faults(self) -> dict[str, Any]:
        """No rate limit, no latency, no rules, max complexity back to 2000."""
        return dict(self._call("DELETE", "/faults"))

    def fail_next(self, count: int, kind: str = "http_error", **options: Any) -> dict[str, Any]:
        """Fail the next `count` GraphQL requests with `kind` (keeps other rules)."""
        return self._add_rule({"kind": kind, "next": count, **options})

    def fail_every(self, every: int, kind: str = "http_error", **options: Any) -> dict[str, Any]:
        """Fail every `every`-th GraphQL request with `kind`, from now on."""
        return self._add_rule({"kind": kind, "every": every, **options})

    def outage(
        self, seconds: float, after: int = 0, kind: str = "http_error", **options: Any
    ) -> dict[str, Any]:
        """Fail every GraphQL request for `seconds` (a 503 by default), starting after `after` more
        requests got through (keeps other rules)."""
        return self._add_rule({"kind": kind, "for_seconds": seconds, "after": after, **options})

    def mixed_faults(self, rate: float) -> dict[str, Any]:
        """Answer a share `rate` of requests (0.08: 8%) with a random transient fault: 503, 502, a
        dropped connection, 429, TOO_MANY_REQUESTS, or HTTP 200 with "Internal server error"."""
        return self.set_faults(mixed_fault_rate=rate)

    def _add_rule(self, rule: dict[str, Any]) -> dict[str, Any]:
        state = ("seen", "started_at")
        rules = [{k: v for k, v in r.items() if k not in state} for r in self.faults()["rules"]]
        return self.set_faults(rules=[*rules, rule])

    # -- changes ---------------------------------------------------------------------------------

    def change(self, op: str, stream: str, row_id: str | int | None = None, **fields: Any) -> dict[str, Any]:
        """Apply one change; returns it with the webhook events it queued."""
        body: dict[str, Any] = {"op": op, "stream": stream, "fields": fields}
        if row_id is not None:
            body["id"] = str(row_id)
        return dict(self._call("POST", "/changes", body))

    def create(self, stream: str, **fields: Any) -> str:
        """Create a realistic row (fields override generated values); returns its id."""
        return str(self.change("create", stream, **fields)["id"])

    def update(self, stream: str, row_id: str | int, **fields: Any) -> dict[str, Any]:
        """Update a row; with no fields, a realistic random update of that stream."""
        return self.change("update", stream, row_id, **fields)

    def delete(self, stream: str, row_id: str | int) -> dict[str, Any]:
        """Soft-delete (appointments, payments, forms) or hard-delete (entries) a row."""
        return self.change("delete", stream, row_id)

    def recent_changes(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/changes"))

    def start_churn(self, rate_per_s: float, streams: Sequence[str] | None = None) -> dict[str, Any]:
        """Background creates/updates/deletes at `rate_per_s` (default streams: the four facts + patients)."""
        body: dict[str, Any] = {"rate_per_s": rate_per_s}
        if streams is not None:
            body["streams"] = list(streams)
        return dict(self._call("POST", "/churn", body))

    def stop_churn(self) -> dict[str, Any]:
        return dict(self._call("DELETE", "/churn"))

    # -- webhooks --------------------------------------------------------------------------------

    def configure_webhooks(
        self, url: str | None, secret: str, digest_encoding: str = "hex", **options: Any
    ) -> dict[str, Any]:
        """Send every change's webhooks to `url`, signed with `secret`; `digest_encoding` is one of
        hex, base64, base64-unpadded, rfc9530. Options: `duplicate_rate`, `max_attempts`, `retry_backoff_s`.
        """
        body = {"url": url, "secret": secret, "digest_encoding": digest_encoding, **options}
        return dict(self._call("POST", "/webhooks", body))

    def flush_webhooks(self, timeout: float = 10.0) -> bool:
        """Wait until queued webhooks are delivered (or given up); False on timeout."""
        return bool(self._call("POST", "/webhooks/flush", {"timeout": timeout})["flushed"])

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/webhooks/deliveries"))

    # -- ground truth ----------------------------------------------------------------------------

    def truth(self, stream: str) -> list[dict[str, Any]]:
        """Every row a complete pull of `stream` must contain now, in API shape, by id."""
        return list(self._call("GET", f"/truth/{stream}")["rows"])

    def truth_deleted_ids(self, stream: str) -> list[str]:
        """Ids a complete pull must tombstone (soft-deleted rows and hard-deleted ids)."""
        return list(self._call("GET", f"/truth/{stream}")["deleted_ids"])
