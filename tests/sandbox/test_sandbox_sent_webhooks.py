"""`sentWebhooks`: the sandbox lists every webhook POST it made, with the status it got, as Healthie does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_gql import Gql

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle, start_in_thread
from pipelines.dev.harness import receiver_process
from pipelines.healthie.sent_webhooks import parse_healthie_time

FIELDS = "cursor id created_at event_type resource_id resource_id_type url webhook_id http_response_status"
LIST = f"query($after: Cursor, $offset: Int, $page_size: Int, $order_by: SentWebhookOrderKeys) {{ items: sentWebhooks(after: $after, offset: $offset, page_size: $page_size, order_by: $order_by) {{ {FIELDS} }} count: sentWebhooksCount }}"  # noqa: E501
SECRET = "whsec_sandbox"


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxHandle, list[dict[str, Any]]]]:
    """A sandbox that sent 3 webhooks to a receiver refusing its secret, 3 accepted, 2 to a dead port
    (two attempts each); the deliveries' log, for comparison."""
    with start_in_thread(scale=0.02, seed=5) as handle, handle.control() as control:
        ids = [str(r["id"]) for r in control.truth("appointments")[:8]]
        with receiver_process(tmp_path_factory.mktemp("receiver"), SECRET) as receiver:
            send(control, receiver.webhook_url, "whsec_wrong", ids[:3])
            send(control, receiver.webhook_url, SECRET, ids[3:6])
            url = receiver.webhook_url
        send(control, url, SECRET, ids[6:], max_attempts=2)
        yield handle, control.webhook_deliveries()


def send(control: SandboxControl, url: str, secret: str, ids: list[str], max_attempts: int = 1) -> None:
    control.configure_webhooks(url, secret, max_attempts=max_attempts, retry_backoff_s=0.01)
    for resource_id in ids:
        control.update("appointments", resource_id, pm_status="Occurred")
    assert control.flush_webhooks()


@pytest.fixture
def gql(sent: tuple[SandboxHandle, list[dict[str, Any]]]) -> Iterator[Gql]:
    client = Gql(sent[0].url, sent[0].api_key)
    yield client
    client.close()


def test_every_attempt_is_listed_newest_first_with_its_status(gql: Gql) -> None:
    data = gql.data(LIST, {"page_size": 100})
    items = data["items"]
    assert data["count"] == len(items) == 3 + 3 + 2 * 2
    statuses = [item["http_response_status"] for item in reversed(items)]  # oldest first
    assert statuses == ["401"] * 3 + ["202"] * 3 + [None] * 4
    assert [int(i["id"]) for i in items] == sorted((int(i["id"]) for i in items), reverse=True)
    first = items[-1]
    assert (first["event_type"], first["resource_id_type"], first["webhook_id"]) == (
        "appointment.updated",
        "Appointment",
        "1",
    )
    assert first["url"].endswith("/webhooks/healthie")
    times = [parse_healthie_time(i["created_at"]) for i in items]
    assert times == sorted(times, reverse=True)
    assert items[0]["created_at"].endswith("-0500")


def test_defaults_page_size_and_pagination(gql: Gql) -> None:
    assert len(gql.data(LIST, {"page_size": 3})["items"]) == 3
    everything = [i["id"] for i in gql.data(LIST, {"page_size": 100})["items"]]
    assert len(gql.data(LIST)["items"]) == len(everything), "default page size 20 holds them all"
    paged, after = [], None
    while True:
        page = gql.data(LIST, {"page_size": 4, "after": after})["items"]
        if not page:
            break
        paged += [i["id"] for i in page]
        after = page[-1]["cursor"]
    assert paged == everything
    assert [i["id"] for i in gql.data(LIST, {"page_size": 4, "offset": 4})["items"]] == everything[4:8]
    ascending = [i["id"] for i in gql.data(LIST, {"page_size": 100, "order_by": "CREATED_AT_ASC"})["items"]]
    assert ascending == everything[::-1]


def test_the_page_size_defaults_to_20_and_is_capped_at_100() -> None:
    from healthie_sandbox.resolvers import LIST_BY_FIELD

    query = LIST_BY_FIELD["sentWebhooks"]
    assert (query.page_size({"page_size": 20}), query.page_size({"page_size": 1000})) == (20, 100)


def test_keywords_is_not_implemented_so_it_is_refused(gql: Gql) -> None:
    body = gql.result('{ sentWebhooks(keywords: "appointment") { id } }')
    assert "keywords" in body["errors"][0]["message"]
