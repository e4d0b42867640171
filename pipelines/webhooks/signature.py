"""Healthie's webhook signature, verified on the raw bytes exactly as Healthie computes it.

Healthie signs `"{method} {path} {query} {digest} {content_type} {content_length}"` with HMAC-SHA256
(hex) under the shared secret (docs/healthie-api.md "Webhooks"). Two quirks matter:

* `digest` is the `Content-Digest` header as JavaScript's `header.split('=')[1]` sees it: the text
  between the first and the second `=`. A padded base64 digest therefore loses its padding in the
  signed string, and an RFC 9530 value (`sha-256=:<b64>:`) keeps its leading colon.
* The HMAC covers the digest *header*, not the body, so a valid signature alone does not prove the body
  is the one that was signed: the body's SHA-256 must also equal `Content-Digest`, whose encoding is not
  documented (hex, base64 padded or not, and RFC 9530 are all accepted).

Everything here is pure and constant-time where it compares secrets-derived values, so the receiver,
the tests, the benchmark and the sandbox can all share it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Literal

#: Healthie signs this literal, whatever the request's Content-Type header says.
SIGNED_CONTENT_TYPE = "application/json"
#: The components the signature covers, as announced in `Signature-Input` (informational only).
SIGNATURE_INPUT = 'sig1=("@method" "@path" "@query" "content-digest" "content-type" "content-length")'

DigestEncoding = Literal["hex", "base64", "base64-unpadded", "rfc9530"]


def signed_digest(content_digest_header: str) -> str | None:
    """The digest text Healthie signs: JavaScript `value.split('=')[1]`, None where JS gives undefined."""
    parts = content_digest_header.split("=")
    return parts[1] if len(parts) > 1 else None


def signing_string(
    method: str, path: str, query: str, content_digest_header: str, content_length: int
) -> str:
    """The exact string Healthie feeds to HMAC-SHA256 (`query` is the raw query string, '' if none)."""
    digest = signed_digest(content_digest_header)
    return f"{method.lower()} {path} {query} {digest} {SIGNED_CONTENT_TYPE} {content_length}"


def compute_signature(secret: str, message: str) -> str:
    """Lower-case hex HMAC-SHA256, the encoding Healthie sends after `sig1=`."""
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_values(signature_header: str) -> list[str]:
    """The signature values of a `Signature` header (`sig1=<hex>`, possibly several labels, comma-separated).

    Healthie's sample reads `split('=')[1]`; hex contains no `=`, so taking everything after the first
    `=` of each member is the same for well-formed headers and tolerant of extra members.
    """
    values = []
    for member in signature_header.split(","):
        _label, sep, value = member.strip().partition("=")
        if sep and value:
            values.append(value.strip().lower())
    return values


def verify_signature(
    secrets: Iterable[str],
    *,
    method: str,
    path: str,
    query: str,
    content_digest_header: str,
    signature_header: str,
    body: bytes,
) -> bool:
    """True when any active secret signed this request (secrets rotate, so several may be valid at once).

    Every candidate is compared with `hmac.compare_digest`; the loop only ends early on success, which
    reveals nothing an attacker does not already learn from the 2xx.
    """
    if signed_digest(content_digest_header) is None:
        return False
    candidates = signature_values(signature_header)
    if not candidates:
        return False
    message = signing_string(method, path, query, content_digest_header, len(body))
    for secret in secrets:
        expected = compute_signature(secret, message).encode("ascii")
        for candidate in candidates:
            if hmac.compare_digest(expected, candidate.encode("utf-8", "replace")):
                return True
    return False


def _decode_digest_value(value: str) -> bytes | None:
    """Decode one digest value written as hex, base64 (padded or not) or RFC 9530 `:<base64>:`."""
    value = value.strip()
    if len(value) >= 2 and value.startswith(":") and value.endswith(":"):
        value = value[1:-1]
    if len(value) == 64:
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    padded = value + "=" * (-len(value) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            return decode(padded.encode("ascii"))
        except (binascii.Error, ValueError):
            continue
    return None


def body_matches_digest(body: bytes, content_digest_header: str) -> bool:
    """True when a `sha-256` member of `Content-Digest` equals the SHA-256 of the raw body."""
    actual = hashlib.sha256(body).digest()
    for member in content_digest_header.split(","):
        algorithm, sep, value = member.strip().partition("=")
        if not sep or algorithm.strip().lower() != "sha-256":
            continue
        claimed = _decode_digest_value(value)
        if claimed is not None and hmac.compare_digest(actual, claimed):
            return True
    return False


def content_digest(body: bytes, encoding: DigestEncoding = "hex") -> str:
    """A `Content-Digest` header value for `body` in one of the encodings seen in the wild."""
    raw = hashlib.sha256(body).digest()
    if encoding == "hex":
        return f"SHA-256={raw.hex()}"
    b64 = base64.b64encode(raw).decode("ascii")
    if encoding == "base64":
        return f"SHA-256={b64}"
    if encoding == "base64-unpadded":
        return f"SHA-256={b64.rstrip('=')}"
    return f"sha-256=:{b64}:"


def sign_request(
    secret: str,
    *,
    body: bytes,
    path: str,
    query: str = "",
    method: str = "POST",
    digest_encoding: DigestEncoding = "hex",
) -> Mapping[str, str]:
    """The headers Healthie would send with `body`: what tests, the benchmark and the sandbox post."""
    digest_header = content_digest(body, digest_encoding)
    signature = compute_signature(secret, signing_string(method, path, query, digest_header, len(body)))
    return {
        "Content-Type": SIGNED_CONTENT_TYPE,
        "Content-Digest": digest_header,
        "Signature-Input": SIGNATURE_INPUT,
        "Signature": f"sig1={signature}",
    }
