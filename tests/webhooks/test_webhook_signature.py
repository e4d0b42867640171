"""Signature vectors: Healthie's own JavaScript sample (run under Node) must agree with our verifier."""

from __future__ import annotations

import hashlib

import pytest

from pipelines.webhooks.signature import (
    DigestEncoding,
    body_matches_digest,
    content_digest,
    sign_request,
    signed_digest,
    signing_string,
    verify_signature,
)

PATH = "/webhooks/healthie"
JS_SECRET = "whsec_my-secret-key"
#: The API guide's sample body, as JSON.stringify writes it.
JS_BODY = (
    b'{"resource_id":123123123,"resource_id_type":"Appointment","event_type":"appointment.updated",'
    b'"changed_fields":["pm_status_last_changed_by_id","last_updated_by_id"]}'
)
HEX = "aae969e17977a30ea6fb3ea63ecafd3819eed412b589d2416ca97938765bae62"
B64 = "qulp4Xl3ow6m+z6mPsr9OBnu1BK1idJBbKl5OHZbrmI="

#: (Content-Digest, query, signature) produced by the guide's verifySignature code under Node.
JS_VECTORS = [
    (f"SHA-256={HEX}", "", "43a076bc6c076878536150798a1f4d8827899214b552f524ba22e0ae388f459d"),
    (f"SHA-256={HEX}", "tenant=a&x=1", "8871c76897ef1c0136de969e5acc7eba06a7e431ed424290159ed7e89fc8762d"),
    (f"SHA-256={B64}", "", "86511002a89d2930d661d813c1a5b12296efd73bc8d3f7cb36ec5d8e7c5eee21"),
    (f"SHA-256={B64}", "tenant=a&x=1", "3f5d02f62f690777f979ee2a57dac788fc1748d31f34ec01ce029185526753ef"),
    (f"sha-256=:{B64}:", "", "7ebb908fdb96cecedd4464821e5b606cbf2c8848ecb4c0a6f09f0b579fff1251"),
    (f"sha-256=:{B64}:", "tenant=a&x=1", "56a824709c7177f8dd0c7227e2f99ae93d86d1780f7532a6ef4e301cabc2ce8c"),
]


def verify(secrets: list[str], digest: str, signature: str, *, body: bytes = JS_BODY, path: str = PATH,
           query: str = "") -> bool:  # fmt: skip
    return verify_signature(
        secrets,
        method="POST",
        path=path,
        query=query,
        content_digest_header=digest,
        signature_header=f"sig1={signature}",
        body=body,
    )


def test_sample_body_digest_matches_the_vectors() -> None:
    assert hashlib.sha256(JS_BODY).hexdigest() == HEX


@pytest.mark.parametrize(("digest", "query", "signature"), JS_VECTORS)
def test_healthie_javascript_vectors_verify(digest: str, query: str, signature: str) -> None:
    assert verify([JS_SECRET], digest, signature, query=query)
    assert body_matches_digest(JS_BODY, digest)


def test_signed_digest_is_javascript_split_index_one() -> None:
    assert signed_digest(f"SHA-256={B64}") == B64.rstrip("=")  # padding falls off
    assert signed_digest(f"sha-256=:{B64}:") == ":" + B64.rstrip("=")  # leading colon stays
    assert signed_digest(HEX) is None  # JS would sign "undefined"
    assert signing_string("POST", PATH, "", f"SHA-256={HEX}", 164) == (
        f"post {PATH}  {HEX} application/json 164"
    )


def test_wrong_secret_fails() -> None:
    digest, _, signature = JS_VECTORS[0]
    assert not verify(["whsec_other"], digest, signature)


def test_tampered_body_same_length_passes_hmac_but_fails_digest() -> None:
    """The HMAC covers the digest header, not the body: only the digest check catches this."""
    digest, _, signature = JS_VECTORS[0]
    tampered = JS_BODY.replace(b"123123123", b"999999999")
    assert len(tampered) == len(JS_BODY)
    assert verify([JS_SECRET], digest, signature, body=tampered)
    assert not body_matches_digest(tampered, digest)


def test_tampered_body_other_length_fails_hmac() -> None:
    digest, _, signature = JS_VECTORS[0]
    assert not verify([JS_SECRET], digest, signature, body=JS_BODY + b" ")


def test_bad_digest_header_fails_hmac_and_digest() -> None:
    _, _, signature = JS_VECTORS[0]
    forged = f"SHA-256={hashlib.sha256(b'other').hexdigest()}"
    assert not verify([JS_SECRET], forged, signature)
    assert not body_matches_digest(JS_BODY, forged)


@pytest.mark.parametrize(("path", "query"), [("/webhooks/other", ""), (PATH, "x=1"), (PATH + "/", "")])
def test_changed_path_or_query_fails(path: str, query: str) -> None:
    digest, _, signature = JS_VECTORS[0]
    assert not verify([JS_SECRET], digest, signature, path=path, query=query)


@pytest.mark.parametrize("signature_header", ["", "sig1=", "sig1", "garbage", "sig1=zz"])
def test_malformed_signature_header_fails(signature_header: str) -> None:
    assert not verify_signature(
        [JS_SECRET],
        method="POST",
        path=PATH,
        query="",
        content_digest_header=f"SHA-256={HEX}",
        signature_header=signature_header,
        body=JS_BODY,
    )


def test_digest_without_equals_fails() -> None:
    assert not verify([JS_SECRET], HEX, JS_VECTORS[0][2])


def test_rotated_secrets_accept_old_and_new_only() -> None:
    body = b'{"resource_id":1,"resource_id_type":"Entry","event_type":"entry.created"}'
    for signer in ("whsec_old", "whsec_new"):
        headers = sign_request(signer, body=body, path=PATH)
        assert verify(
            ["whsec_new", "whsec_old"],
            headers["Content-Digest"],
            headers["Signature"].removeprefix("sig1="),
            body=body,
        )
    headers = sign_request("whsec_retired", body=body, path=PATH)
    assert not verify(
        ["whsec_new", "whsec_old"],
        headers["Content-Digest"],
        headers["Signature"].removeprefix("sig1="),
        body=body,
    )


@pytest.mark.parametrize("encoding", ["hex", "base64", "base64-unpadded", "rfc9530"])
def test_every_digest_encoding_round_trips(encoding: DigestEncoding) -> None:
    headers = sign_request(JS_SECRET, body=JS_BODY, path=PATH, query="a=1", digest_encoding=encoding)
    assert body_matches_digest(JS_BODY, headers["Content-Digest"])
    assert verify(
        [JS_SECRET], headers["Content-Digest"], headers["Signature"].removeprefix("sig1="), query="a=1"
    )


@pytest.mark.parametrize(
    "header",
    [
        f"sha-512=:{B64}:",  # another algorithm is not a SHA-256 claim
        "SHA-256=",
        "SHA-256=not-a-digest!",
        f"SHA-256={HEX[:-2]}",
    ],
)
def test_digest_check_rejects_unusable_headers(header: str) -> None:
    assert not body_matches_digest(JS_BODY, header)


def test_digest_check_finds_sha256_among_several_members() -> None:
    assert body_matches_digest(JS_BODY, f"sha-512=:AAAA:, sha-256=:{B64}:")


def test_content_digest_formats() -> None:
    assert content_digest(JS_BODY, "hex") == f"SHA-256={HEX}"
    assert content_digest(JS_BODY, "base64") == f"SHA-256={B64}"
    assert content_digest(JS_BODY, "base64-unpadded") == f"SHA-256={B64.rstrip('=')}"
    assert content_digest(JS_BODY, "rfc9530") == f"sha-256=:{B64}:"
