"""An in-memory Healthie stand-in behind `httpx.MockTransport`, for fast engine tests without a server.

It answers the spec-driven operations the pager sends (list with cursor or offset, count, by-id),
filters on the stream's window variables, and can be told to fail the next requests in chosen ways.
The real sandbox (tests/integration) checks the same engine over HTTP against Healthie's semantics.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pyarrow as pa

from pipelines.healthie.client import ClientSettings, HealthieClient
from pipelines.healthie.streams import Pagination, StreamSpec, WindowKind

API_URL = "https://fake.test/graphql"
API_KEY = "test-key"


def _value(name: str, arrow_type: pa.DataType, i: int) -> Any:
    if pa.types.is_string(arrow_type):
        return f"{name}-{i}"
    if pa.types.is_int64(arrow_type):
        return i
    if pa.types.is_floating(arrow_type):
        return float(i) / 2
    if pa.types.is_boolean(arrow_type):
        return i % 2 == 0
    if pa.types.is_list(arrow_type):
        return []
    return None


def make_row(spec: StreamSpec, i: int) -> dict[str, Any]:
    row = {f.name: _value(f.name, f.type, i) for f in spec.fields}
    row["id"] = str(i)
    return row


@dataclass
class FakeRecord:
    seq: int
    at: datetime
    row: dict[str, Any]


@dataclass
class FakeHealthie:
    """One stream's data; `faults` are callables returning a response for the next requests (or None)."""

    spec: StreamSpec
    records: list[FakeRecord] = field(default_factory=list)
    faults: list[Callable[[dict[str, Any]], httpx.Response | None]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    max_page_size: int | None = None
    on_list: Callable[[FakeHealthie, dict[str, Any]], None] | None = None
    unlisted: set[str] = field(default_factory=set)
    """Ids that lists and counts skip but a by-id read still returns (a pull that misses a live row)."""
    _next_seq: int = 0

    def add(self, count: int, start: datetime, step: timedelta) -> None:
        for n in range(count):
            self.insert(start + n * step)

    def insert(self, at: datetime) -> FakeRecord:
        record = FakeRecord(self._next_seq, at, make_row(self.spec, self._next_seq))
        self._next_seq += 1
        self.records.append(record)
        return record

    def delete(self, resource_id: str) -> None:
        self.records = [r for r in self.records if r.row["id"] != resource_id]

    def ids(self) -> set[str]:
        return {r.row["id"] for r in self.records}

    # -- transport -------------------------------------------------------------------------------

    def client(self, **overrides: Any) -> HealthieClient:
        settings = ClientSettings(
            api_key=API_KEY,
            api_url=API_URL,
            rate_limit_rps=overrides.pop("rate_limit_rps", 10_000),
            backoff_initial_seconds=overrides.pop("backoff_initial_seconds", 0.001),
            backoff_max_seconds=overrides.pop("backoff_max_seconds", 0.01),
            **overrides,
        )
        return HealthieClient(settings, transport=httpx.MockTransport(self.handle))

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        if self.faults:
            response = self.faults.pop(0)(body)
            if response is not None:
                return response
        operation, variables = body["operationName"], body["variables"]
        if operation == self.spec.list_operation:
            if self.on_list:
                self.on_list(self, variables)
            return httpx.Response(200, json={"data": {"items": self._page(variables)}})
        if operation == self.spec.count_operation:
            return httpx.Response(200, json={"data": {"count": len(self._matching(variables))}})
        if operation == self.spec.by_id_operation:
            found = [r.row for r in self.records if r.row["id"] == variables["id"]]
            return httpx.Response(200, json={"data": {"item": found[0] if found else None}})
        return httpx.Response(200, json={"errors": [{"message": f"unknown operation {operation}"}]})

    def _matching(self, variables: dict[str, Any]) -> list[FakeRecord]:
        windowing = self.spec.windowing
        records = sorted((r for r in self.records if r.row["id"] not in self.unlisted), key=lambda r: r.seq)
        if windowing is None:
            return records
        lo, hi = variables.get(windowing.start_arg), variables.get(windowing.end_arg)

        def inside(record: FakeRecord) -> bool:
            if windowing.kind is WindowKind.DATE:
                day = record.at.date()
                return (lo is None or day >= date.fromisoformat(lo)) and (
                    hi is None or day <= date.fromisoformat(hi)
                )
            start = datetime.fromisoformat(lo) if lo else None
            end = datetime.fromisoformat(hi) if hi else None
            return (start is None or record.at >= start) and (end is None or record.at < end)

        return [r for r in records if inside(r)]

    def _page(self, variables: dict[str, Any]) -> list[dict[str, Any]]:
        size = variables.get("page_size") or 10
        if self.max_page_size:
            size = min(size, self.max_page_size)
        records = self._matching(variables)
        if self.spec.pagination is Pagination.OFFSET:
            chosen = records[variables.get("offset") or 0 :][:size]
        else:
            after = variables.get("after")
            floor = int(base64.b64decode(after)) if after else -1
            chosen = [r for r in records if r.seq > floor][:size]
        return [{**r.row, "cursor": base64.b64encode(str(r.seq).encode()).decode()} for r in chosen]


def fail_with(
    status: int, body: Any = None, headers: dict[str, str] | None = None
) -> Callable[..., httpx.Response]:
    """A fault answering once with `status` and a JSON (or raw bytes) body."""

    def fault(_: dict[str, Any]) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body if body is not None else {}, headers=headers)

    return fault


def graphql_error(message: str, code: str | None = None) -> Callable[..., httpx.Response]:
    error: dict[str, Any] = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return fail_with(200, {"data": None, "errors": [error]})


def drop_connection(_: dict[str, Any]) -> httpx.Response:
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)
