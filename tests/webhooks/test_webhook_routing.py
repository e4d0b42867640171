"""Pure helpers: event parsing and routing, and who the caller is behind proxies."""

from __future__ import annotations

import ipaddress

import pytest

from pipelines.webhooks.allowlist import client_address, is_allowed
from pipelines.webhooks.events import MalformedEvent, WebhookEvent, parse_event, stream_for
from pipelines.webhooks.settings import SettingsError, parse_networks


@pytest.mark.parametrize(
    ("resource_id_type", "event_type", "stream"),
    [
        ("Appointment", "appointment.created", "appointments"),
        ("Appointment", "appointment.deleted", "appointments"),
        ("BillingItem", "billing_item.updated", "billing_items"),
        ("Entry", "entry.deleted", "entries"),
        ("Entry", "metric_entry.created", "entries"),
        ("MetricEntry", "metric_entry.updated", "entries"),
        ("FormAnswerGroup", "form_answer_group.signed", "form_answer_groups"),
        ("FormAnswerGroup", "form_answer_group.locked", "form_answer_groups"),
        ("Patient", "patient.created", "patients"),
        ("User", "patient.updated", "patients"),
        ("appointment", "APPOINTMENT.updated", "appointments"),  # case does not matter
        ("Note", "message.created", None),  # not ours
        ("User", "provider.updated", None),  # a User id that is not a patient
        ("Appointment", "entry.created", None),  # family and type disagree: an id of which table?
        ("Entry", "entry", "entries"),  # no action part
    ],
)
def test_stream_for(resource_id_type: str, event_type: str, stream: str | None) -> None:
    assert stream_for(WebhookEvent("1", resource_id_type, event_type)) == stream


def test_parse_event_keeps_only_what_is_needed() -> None:
    body = (
        b'{"resource_id": 12, "resource_id_type": "Entry", "event_type": "entry.created", "extra": {"x": 1}}'
    )
    assert parse_event(body) == WebhookEvent("12", "Entry", "entry.created")


@pytest.mark.parametrize("body", [b"", b"\xff", b"null", b'"text"', b'{"resource_id": 1.5}'])
def test_parse_event_rejects(body: bytes) -> None:
    with pytest.raises(MalformedEvent):
        parse_event(body)


TRUSTED = parse_networks("10.0.0.0/8, 192.168.1.1")


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        ("203.0.113.5", None, "203.0.113.5"),
        ("203.0.113.5", "44.195.8.253", "203.0.113.5"),  # untrusted peer: header ignored
        ("10.0.0.2", "44.195.8.253", "44.195.8.253"),
        ("10.0.0.2", "1.1.1.1, 44.195.8.253", "44.195.8.253"),  # left part is client-controlled
        ("10.0.0.2", "44.195.8.253, 192.168.1.1", "44.195.8.253"),  # skip our own proxies
        ("10.0.0.2", "10.0.0.3", "10.0.0.3"),  # only proxies: the outermost one
        ("10.0.0.2", "garbage", None),
        ("not-an-ip", None, None),
        (None, None, None),
    ],
)
def test_client_address(peer: str | None, forwarded_for: str | None, expected: str | None) -> None:
    address = client_address(peer, forwarded_for, TRUSTED)
    assert (str(address) if address else None) == expected


def test_allow_list() -> None:
    sandbox = parse_networks("healthie-sandbox")
    assert len(sandbox) == 3
    assert is_allowed(ipaddress.ip_address("18.206.70.225"), sandbox)
    assert not is_allowed(ipaddress.ip_address("52.4.158.130"), sandbox)
    assert not is_allowed(None, sandbox)
    assert is_allowed(None, ())  # no allow-list configured
    assert is_allowed(ipaddress.ip_address("::1"), parse_networks("::1, 127.0.0.0/8"))


def test_bad_network_is_a_settings_error() -> None:
    with pytest.raises(SettingsError):
        parse_networks("300.1.1.1")
