"""Every fault kind on demand, scheduled deterministically (an outage of S seconds included), the 8%
mix of transient faults, the rate limiter's accounting, and the API version header's."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest
from sandbox_gql import Gql

from healthie_sandbox.cli import _parser, _settings
from healthie_sandbox.control import SandboxControl, SandboxControlError
from healthie_sandbox.faults import MIXED_FAULTS

LIST = "{ items: billingItems(page_size: 3) { id } count: billingItemsCount }"


def _ok(response: httpx.Response) -> bool:
    return response.status_code == 200 and "errors" not in response.json()


def test_fail_next_n_then_recover(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_next(2, "http_error", status=502)
    first, second, third = (gql.post(LIST) for _ in range(3))
    assert first.status_code == second.status_code == 502
    assert first.headers["content-type"].startswith("text/plain")
    assert _ok(third)
    assert sandbox_control.stats()["faults"]["http_error"] >= 2


def test_fail_every_kth_request(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_every(3, "http_error", status=503)
    statuses = [gql.post(LIST).status_code for _ in range(7)]
    assert statuses == [200, 200, 503, 200, 200, 503, 200]


def test_http_429_carries_retry_after(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_next(1, "http_429")
    response = gql.post(LIST)
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_REQUESTS"


def test_graphql_level_errors_come_as_http_200(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_next(1, "too_many_requests")
    response = gql.post(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "TOO_MANY_REQUESTS"


def test_graphql_error_is_graphql_rubys_internal_server_error(
    gql: Gql, sandbox_control: SandboxControl
) -> None:
    sandbox_control.fail_next(1, "graphql_error")
    response = gql.post(LIST)
    assert response.status_code == 200
    assert response.json() == {"data": None, "errors": [{"message": "Internal server error"}]}


def test_graphql_error_message_and_code(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_next(1, "graphql_error", message="Timeout on Query.billingItems", code="TIMEOUT")
    error = {"message": "Timeout on Query.billingItems", "extensions": {"code": "TIMEOUT"}}
    assert gql.post(LIST).json() == {"data": None, "errors": [error]}
    assert _ok(gql.post(LIST))


def test_outage_after_n_requests_for_s_seconds(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.outage(0.6, after=2)
    assert [gql.post(LIST).status_code for _ in range(2)] == [200, 200]
    began = time.monotonic()
    statuses = []
    while time.monotonic() - began < 0.4:
        statuses.append(gql.post(LIST).status_code)
    assert statuses and set(statuses) == {503}, "every request fails during the outage"
    time.sleep(0.3)
    assert _ok(gql.post(LIST)), "the outage is over"
    assert sandbox_control.faults()["rules"] == [], "and its rule retired"


def _fault_of(gql: Gql) -> str | None:
    """The transient fault an answer is, or None for a correct answer."""
    try:
        response = gql.post(LIST)
    except httpx.TransportError:
        return "drop"
    if response.status_code != 200:
        return f"http_{response.status_code}"
    errors = response.json().get("errors")
    return None if not errors else errors[0].get("extensions", {}).get("code", errors[0]["message"])


def test_mixed_faults_draw_every_transient_kind(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.mixed_faults(1.0)
    seen = {_fault_of(gql) for _ in range(60)}
    assert seen == {"http_503", "http_502", "drop", "http_429", "TOO_MANY_REQUESTS", "Internal server error"}
    assert len(MIXED_FAULTS) == 6


def test_mixed_faults_at_8_percent(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.mixed_faults(0.08)
    sandbox_control.reset_stats()
    faults = sum(_fault_of(gql) is not None for _ in range(400))
    assert 12 <= faults <= 56  # 32 expected; far outside these bounds is a broken rate
    assert sum(sandbox_control.stats()["faults"].values()) == faults


def test_mixed_faults_from_the_command_line() -> None:
    args = _parser().parse_args(
        ["serve", "--mixed-faults", "0.08", "--fail-every", "9", "--fail-kind", "graphql_error"]
    )
    faults = _settings(args).faults
    assert faults.mixed_fault_rate == 0.08
    assert [(r.kind.value, r.every) for r in faults.rules] == [("graphql_error", 9)]


def test_api_version_header_is_counted(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.reset_stats()
    gql.post(LIST)
    gql.http.post(gql.url, json={"query": LIST}, headers={"Healthie-GraphQL-API-Version": "2024-06-01"})
    assert sandbox_control.stats()["api_versions"] == {"none": 1, "2024-06-01": 1}


def test_dropped_connection(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_next(1, "drop")
    # The hang-up reaches the client as a closed connection or, when the kernel answers the rest of
    # the request with a reset, as a read error: both are a dropped connection.
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        gql.post(LIST)
    assert _ok(gql.post(LIST))


def test_invalid_json_body(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_next(1, "invalid_json")
    response = gql.post(LIST)
    assert response.status_code == 200
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(response.content)


def test_missing_and_wrongly_typed_fields(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_next(1, "missing_fields")
    assert gql.post(LIST).json() == {"data": {}}
    sandbox_control.fail_next(1, "wrong_types")
    data = gql.post(LIST).json()["data"]
    assert isinstance(data["items"], dict) and isinstance(data["count"], str)


def test_slow_answer(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_next(1, "slow", delay_ms=300)
    started = time.perf_counter()
    assert _ok(gql.post(LIST))
    assert time.perf_counter() - started >= 0.3


def test_latency_with_jitter_stays_in_bounds(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.set_faults(latency_ms=60, jitter_ms=20)
    for _ in range(4):
        started = time.perf_counter()
        assert _ok(gql.post(LIST))
        assert 0.04 <= time.perf_counter() - started < 0.5


def test_random_5xx_and_probability_rules(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.set_faults(error_rate=1.0)
    assert {gql.post(LIST).status_code for _ in range(8)} <= {500, 502, 503, 504}
    sandbox_control.set_faults(error_rate=0.0, rules=[{"kind": "graphql_error", "probability": 1.0}])
    assert all(gql.post(LIST).json()["data"] is None for _ in range(3))


@pytest.mark.parametrize("mode", ["http", "graphql"])
def test_rate_limit_token_bucket_counts_over_limit_answers(
    mode: str, gql: Gql, sandbox_control: SandboxControl
) -> None:
    sandbox_control.reset_stats()
    sandbox_control.set_faults(rate_limit_rps=4, rate_limit_burst=4, rate_limit_mode=mode)
    responses = [gql.post(LIST) for _ in range(10)]
    limited = [r for r in responses if r.status_code == 429 or r.json().get("data") is None]
    assert 5 <= len(limited) <= 6  # a burst of 4 passes (plus at most one refilled token)
    if mode == "http":
        assert all(r.status_code == 429 and int(r.headers["retry-after"]) >= 1 for r in limited)
    else:
        assert all(
            r.status_code == 200 and r.json()["errors"][0]["message"] == "Too many requests" for r in limited
        )
    assert sandbox_control.stats()["over_limit"] == len(limited)
    time.sleep(0.6)
    assert _ok(gql.post(LIST))  # tokens refill at 4/s


def test_fault_settings_are_validated(sandbox_control: SandboxControl) -> None:
    with pytest.raises(SandboxControlError, match="unknown fault setting"):
        sandbox_control.set_faults(explode=True)
    with pytest.raises(SandboxControlError, match="exactly one of"):
        sandbox_control.set_faults(rules=[{"kind": "drop"}])
    with pytest.raises(SandboxControlError, match="exactly one of"):
        sandbox_control.set_faults(rules=[{"kind": "drop", "every": 2, "for_seconds": 5}])
    with pytest.raises(SandboxControlError, match="between 0 and 1"):
        sandbox_control.set_faults(mixed_fault_rate=8)
    with pytest.raises(SandboxControlError):
        sandbox_control.set_faults(rules=[{"kind": "meteor", "next": 1}])


def test_clear_faults_restores_defaults(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.set_faults(
        rate_limit_rps=1, latency_ms=5, max_complexity=1, rules=[{"kind": "drop", "every": 1}]
    )
    config = sandbox_control.clear_faults()
    assert config["rules"] == [] and config["rate_limit_rps"] is None and config["max_complexity"] == 2000
    assert _ok(gql.post(LIST))
