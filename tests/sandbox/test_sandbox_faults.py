"""Every fault kind on demand, scheduled deterministically, and the rate limiter's accounting."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest
from sandbox_gql import Gql

from healthie_sandbox.control import SandboxControl, SandboxControlError

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


@pytest.mark.parametrize(("kind", "code"), [("too_many_requests", "TOO_MANY_REQUESTS"),
                                            ("graphql_error", "INTERNAL_SERVER_ERROR")])  # fmt: skip
def test_graphql_level_errors_come_as_http_200(
    kind: str, code: str, gql: Gql, sandbox_control: SandboxControl
) -> None:
    sandbox_control.fail_next(1, kind)
    response = gql.post(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == code


def test_dropped_connection(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.fail_next(1, "drop")
    with pytest.raises(httpx.RemoteProtocolError):
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
    with pytest.raises(SandboxControlError):
        sandbox_control.set_faults(rules=[{"kind": "meteor", "next": 1}])


def test_clear_faults_restores_defaults(gql: Gql, sandbox_control: SandboxControl) -> None:
    sandbox_control.set_faults(
        rate_limit_rps=1, latency_ms=5, max_complexity=1, rules=[{"kind": "drop", "every": 1}]
    )
    config = sandbox_control.clear_faults()
    assert config["rules"] == [] and config["rate_limit_rps"] is None and config["max_complexity"] == 2000
    assert _ok(gql.post(LIST))
