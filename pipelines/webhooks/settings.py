"""Receiver configuration, read from the environment once at start-up (never at import).

| variable | meaning |
|---|---|
| `HEALTHIE_WEBHOOK_SECRET` | the shared secret; during a rotation, the old and new secret comma-separated |
| `HEALTHIE_WEBHOOK_ALLOWED_IPS` | allow-list: IPs, CIDRs, `healthie-sandbox`, `healthie-production` |
| `HEALTHIE_WEBHOOK_TRUSTED_PROXIES` | IPs/CIDRs of proxies whose `X-Forwarded-For` is believed |
| `HEALTHIE_WEBHOOK_MAX_BODY_BYTES` | body limit (default 64 KiB) |
| `HEALTHIE_WEBHOOK_DELIVERY_ID_HEADER` | header with a per-delivery id (idempotency key when present) |
| `WAREHOUSE_DIR` | the inbox lives at `$WAREHOUSE_DIR/webhooks/inbox.sqlite3` |

One variable with comma-separated secrets (rather than a second variable) keeps rotation a single edit:
add the new secret, let Healthie switch, remove the old one.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipelines.webhooks.inbox import inbox_path

DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_DELIVERY_ID_HEADER = "webhook-id"

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Healthie's published sender addresses (docs/healthie-api.md): they may change, so defence in depth only.
HEALTHIE_SENDER_IPS: dict[str, tuple[str, ...]] = {
    "healthie-sandbox": ("18.206.70.225", "44.195.8.253", "44.198.216.125"),
    "healthie-production": ("52.4.158.130", "3.216.152.234", "54.243.233.84", "50.19.211.21"),
}


class SettingsError(ValueError):
    """The receiver is misconfigured; it refuses to start rather than accept unverifiable webhooks."""


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_networks(value: str | None) -> tuple[IPNetwork, ...]:
    """IPs, CIDRs and named Healthie address sets, comma-separated."""
    networks: list[IPNetwork] = []
    for item in _split(value):
        for address in HEALTHIE_SENDER_IPS.get(item.lower(), (item,)):
            try:
                networks.append(ipaddress.ip_network(address, strict=False))
            except ValueError as exc:
                raise SettingsError(f"not an IP address or network: {address!r}") from exc
    return tuple(networks)


@dataclass(frozen=True)
class ReceiverSettings:
    secrets: tuple[str, ...]
    inbox_path: Path
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    allowed_networks: tuple[IPNetwork, ...] = ()
    trusted_proxies: tuple[IPNetwork, ...] = ()
    delivery_id_header: str = DEFAULT_DELIVERY_ID_HEADER

    def __post_init__(self) -> None:
        if not self.secrets:
            raise SettingsError("HEALTHIE_WEBHOOK_SECRET is not set: webhooks could not be verified")
        if self.max_body_bytes <= 0:
            raise SettingsError("HEALTHIE_WEBHOOK_MAX_BODY_BYTES must be positive")

    def __repr__(self) -> str:
        # Never let a secret reach a log line or a traceback.
        return f"ReceiverSettings(secrets=<{len(self.secrets)} hidden>, inbox_path={self.inbox_path!s})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ReceiverSettings:
        env = os.environ if environ is None else environ
        max_body = env.get("HEALTHIE_WEBHOOK_MAX_BODY_BYTES", "")
        try:
            max_body_bytes = int(max_body) if max_body.strip() else DEFAULT_MAX_BODY_BYTES
        except ValueError as exc:
            raise SettingsError("HEALTHIE_WEBHOOK_MAX_BODY_BYTES must be an integer") from exc
        return cls(
            secrets=tuple(_split(env.get("HEALTHIE_WEBHOOK_SECRET"))),
            inbox_path=inbox_path(env.get("WAREHOUSE_DIR")),
            max_body_bytes=max_body_bytes,
            allowed_networks=parse_networks(env.get("HEALTHIE_WEBHOOK_ALLOWED_IPS")),
            trusted_proxies=parse_networks(env.get("HEALTHIE_WEBHOOK_TRUSTED_PROXIES")),
            delivery_id_header=env.get(
                "HEALTHIE_WEBHOOK_DELIVERY_ID_HEADER", DEFAULT_DELIVERY_ID_HEADER
            ).strip(),
        )
