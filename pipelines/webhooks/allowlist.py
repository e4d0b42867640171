"""Who is calling: the peer address, or the client a trusted proxy forwarded, checked against an allow-list.

The allow-list is optional defence in depth (Healthie's addresses may change); the signature is the
authentication. `X-Forwarded-For` is trivially forged, so it is only read when the direct peer is a
configured proxy, and then walked from the right: the first address that is not one of our proxies is
the one our outermost proxy saw.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from pipelines.webhooks.settings import IPNetwork

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _within(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted_proxies: Sequence[IPNetwork]
) -> IPAddress | None:
    """The caller's address, honouring `X-Forwarded-For` only behind a trusted proxy."""
    address = _address(peer) if peer else None
    if address is None or not forwarded_for or not _within(address, trusted_proxies):
        return address
    for hop in reversed(forwarded_for.split(",")):
        hop_address = _address(hop)
        if hop_address is None:
            return None  # a garbled chain names nobody we can vouch for
        if not _within(hop_address, trusted_proxies):
            return hop_address
        address = hop_address
    return address


def is_allowed(address: IPAddress | None, allowed: Sequence[IPNetwork]) -> bool:
    """An empty allow-list allows everyone; otherwise the address must be known and listed."""
    if not allowed:
        return True
    return address is not None and _within(address, allowed)
