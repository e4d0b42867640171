"""The HTTP face of the sandbox: `POST /graphql` as Healthie answers it, and the `/_sandbox` admin API.

A GraphQL request passes, in order: authentication (both Healthie headers, else 401), the rate limit
(429 + Retry-After, or a 200 TOO_MANY_REQUESTS error), the fault schedule, latency, and then the
executor. The admin API (JSON, no auth: the server binds to loopback) configures faults and
webhooks, applies changes, runs churn, reports counters and the ground truth, and re-seeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from healthie_sandbox.changes import ChangeError
from healthie_sandbox.faults import FaultConfig, FaultKind, FaultRule
from healthie_sandbox.runtime import Sandbox
from healthie_sandbox.stats import NO_VERSION
from healthie_sandbox.transport import abort_callable
from healthie_sandbox.webhooks import WebhookConfig

#: Healthie's API version request header; the sandbox serves one schema and counts what it was sent.
API_VERSION_HEADER = "healthie-graphql-api-version"
TOO_MANY = {"message": "Too many requests", "extensions": {"code": "TOO_MANY_REQUESTS"}}
UNAUTHORIZED = {
    "message": "Unauthorized: send `Authorization: Basic <API key>` and `AuthorizationSource: API`",
    "extensions": {"code": "UNAUTHENTICATED"},
}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers=headers, media_type="application/json")


def _mangle_types(data: dict[str, Any]) -> dict[str, Any]:
    """Each root value turned into a value of the wrong type (list -> object, count -> string...)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            out[key] = {"0": value[0] if value else None}
        elif isinstance(value, dict):
            out[key] = [value]
        elif isinstance(value, int):
            out[key] = str(value)
        else:
            out[key] = 0
    return out


class GraphQLEndpoint:
    """`POST /graphql` (a raw ASGI app, so that it can hang up without answering)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def _authorized(self, request: Request) -> bool:
        settings = self.sandbox.settings
        expected = f"Basic {settings.api_key}"
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return False
        if request.headers.get("authorizationsource") != "API":
            return False
        shard = request.headers.get("authorizationshard")
        return settings.auth_shard is None or shard == settings.auth_shard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._answer(request)
        if response is None:
            abort = abort_callable(scope)
            if abort is not None:
                abort()
                # Let the transport report the connection lost before returning, so uvicorn sends nothing.
                await asyncio.sleep(0)
                await asyncio.sleep(0)
                return
            response = Response(b"", 500)
        self.sandbox.stats.statuses[response.status_code] += 1
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response | None:
        sandbox = self.sandbox
        stats, faults = sandbox.stats, sandbox.faults
        stats.arrived(time.monotonic())
        stats.api_versions[request.headers.get(API_VERSION_HEADER) or NO_VERSION] += 1
        if not self._authorized(request):
            stats.unauthorized += 1
            return json_response({"errors": [UNAUTHORIZED]}, 401)
        retry_after = faults.over_limit(time.monotonic())
        if retry_after is not None:
            stats.over_limit += 1
            if faults.config.rate_limit_mode == "graphql":
                return json_response({"data": None, "errors": [TOO_MANY]})
            return json_response({"errors": [TOO_MANY]}, 429, {"Retry-After": str(retry_after)})
        fault = faults.pick(time.monotonic())
        delay = faults.latency()
        if fault is not None:
            stats.faults[fault.kind.value] += 1
            if fault.kind is FaultKind.SLOW:
                delay += fault.delay_ms / 1000.0
        if delay:
            await asyncio.sleep(delay)
        early = self._early_fault(fault)
        if early is not None or (fault is not None and fault.kind is FaultKind.DROP):
            return early
        body = await request.body()
        outcome = sandbox.executor.run(body, sandbox.context(), faults.config.max_complexity)
        stats.rows_served += outcome.rows
        stats.too_complex += outcome.too_complex
        stats.operations[str(outcome.operation)] += 1
        return self._late_fault(fault, outcome.status, outcome.body)

    @staticmethod
    def _early_fault(fault: FaultRule | None) -> Response | None:
        """Faults answered without executing the query (None: run it, or hang up for DROP)."""
        if fault is None:
            return None
        if fault.kind is FaultKind.HTTP_ERROR:
            return Response(f"{fault.status} upstream error\n", fault.status, media_type="text/plain")
        if fault.kind is FaultKind.HTTP_429:
            return json_response({"errors": [TOO_MANY]}, 429, {"Retry-After": "1"})
        if fault.kind is FaultKind.TOO_MANY_REQUESTS:
            return json_response({"data": None, "errors": [TOO_MANY]})
        if fault.kind is FaultKind.GRAPHQL_ERROR:
            return json_response({"data": None, "errors": [fault.graphql_error()]})
        return None

    @staticmethod
    def _late_fault(fault: FaultRule | None, status: int, body: dict[str, Any]) -> Response:
        """The executed answer, possibly malformed on purpose."""
        if fault is None or status != 200 or not isinstance(body.get("data"), dict):
            return json_response(body, status)
        if fault.kind is FaultKind.INVALID_JSON:
            raw = orjson.dumps(body)
            return Response(raw[: max(1, len(raw) // 2)], 200, media_type="application/json")
        if fault.kind is FaultKind.MISSING_FIELDS:
            return json_response({**body, "data": {}})
        if fault.kind is FaultKind.WRONG_TYPES:
            return json_response({**body, "data": _mangle_types(body["data"])})
        return json_response(body, status)


Handler = Callable[[Request], Awaitable[Response]]


def _admin(handler: Callable[[Request], Awaitable[Any]]) -> Handler:
    """JSON in, JSON out; bad input is a 400 with a message, a missing thing a 404."""

    async def endpoint(request: Request) -> Response:
        try:
            result = await handler(request)
        except ChangeError as exc:
            return json_response({"error": str(exc)}, exc.status)
        except (ValueError, TypeError, KeyError) as exc:
            return json_response({"error": str(exc)}, 400)
        return result if isinstance(result, Response) else json_response(result)

    return endpoint


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    payload = orjson.loads(raw)
    if not isinstance(payload, dict):
        raise ValueError("the request body must be a JSON object")
    return payload


class AdminApi:
    """`/_sandbox/...`: loopback-only control of the running sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[Route]:
        return [
            Route("/_sandbox/info", _admin(self.info), methods=["GET"]),
            Route("/_sandbox/faults", _admin(self.faults), methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/_sandbox/stats", _admin(self.stats), methods=["GET", "DELETE"]),
            Route("/_sandbox/changes", _admin(self.changes), methods=["GET", "POST"]),
            Route("/_sandbox/churn", _admin(self.churn), methods=["GET", "POST", "DELETE"]),
            Route("/_sandbox/webhooks", _admin(self.webhooks), methods=["GET", "POST"]),
            Route("/_sandbox/webhooks/flush", _admin(self.flush), methods=["POST"]),
            Route("/_sandbox/webhooks/deliveries", _admin(self.deliveries), methods=["GET"]),
            Route("/_sandbox/truth/{stream}", _admin(self.truth), methods=["GET"]),
            Route("/_sandbox/reset", _admin(self.reset), methods=["POST"]),
        ]

    async def info(self, _request: Request) -> Any:
        return self.sandbox.info()

    async def faults(self, request: Request) -> Any:
        faults = self.sandbox.faults
        if request.method == "DELETE":
            faults.apply(FaultConfig(), time.monotonic())
        elif request.method in ("POST", "PUT"):
            base = faults.config if request.method == "POST" else None
            faults.apply(FaultConfig.from_json(await _json_body(request), base), time.monotonic())
        return faults.config.to_json()

    async def stats(self, request: Request) -> Any:
        if request.method == "DELETE":
            self.sandbox.reset_stats()
        return self.sandbox.stats.to_json()

    async def changes(self, request: Request) -> Any:
        sandbox = self.sandbox
        if request.method == "GET":
            return [c.to_json() for c in sandbox.recent_changes]
        payload = await _json_body(request)
        op, stream, fields = payload.get("op"), payload.get("stream", ""), payload.get("fields") or {}
        if op == "create":
            change = sandbox.changes.create(stream, fields)
        elif op in ("update", "delete"):
            row_id = int(payload["id"])
            change = (
                sandbox.changes.update(stream, row_id, fields)
                if op == "update"
                else sandbox.changes.delete(stream, row_id)
            )
        else:
            raise ValueError("op must be create, update or delete")
        return sandbox.apply(change).to_json()

    async def churn(self, request: Request) -> Any:
        sandbox = self.sandbox
        if request.method == "POST":
            payload = await _json_body(request)
            sandbox.start_churn(float(payload["rate_per_s"]), payload.get("streams") or _all_churnable())
        elif request.method == "DELETE":
            await sandbox.stop_churn()
        return {"churning": sandbox.churning, "changes": sandbox.stats.changes}

    async def webhooks(self, request: Request) -> Any:
        sender = self.sandbox.webhooks
        if request.method == "POST":
            payload = await _json_body(request)
            current = {k: v for k, v in vars(sender.config).items()}
            current.update(payload)
            sender.config = WebhookConfig(**current)
        return sender.config.to_json()

    async def flush(self, request: Request) -> Any:
        payload = await _json_body(request)
        flushed = await self.sandbox.webhooks.flush(float(payload.get("timeout", 10.0)))
        return {"flushed": flushed, "pending": self.sandbox.webhooks.pending}

    async def deliveries(self, _request: Request) -> Any:
        return [d.to_json() for d in self.sandbox.webhooks.deliveries]

    async def truth(self, request: Request) -> Any:
        return self.sandbox.truth(request.path_params["stream"])

    async def reset(self, request: Request) -> Any:
        payload = await _json_body(request)
        scale = payload.get("scale")
        await self.sandbox.reset(None if scale is None else float(scale), payload.get("seed"))
        return self.sandbox.info()


def _all_churnable() -> list[str]:
    return ["appointments", "billing_items", "entries", "form_answer_groups", "patients"]


def create_app(sandbox: Sandbox, on_ready: Callable[[], None] | None = None) -> Starlette:
    """The ASGI app; `on_ready` runs once the sandbox has started (the socket is already listening)."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await sandbox.start()
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            await sandbox.stop()

    routes = [Route("/graphql", GraphQLEndpoint(sandbox), methods=["POST"]), *AdminApi(sandbox).routes()]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sandbox = sandbox
    return app
