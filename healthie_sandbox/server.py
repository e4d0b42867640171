"""Running the sandbox: in a background thread for tests (`start_in_thread`), or in the foreground for
the CLI (`serve`).

Both bind the socket themselves before uvicorn starts, so port 0 yields a free port whose URL is known
up front, and both use the protocol that can drop connections on demand. Access logs are off: they
cost throughput and the sandbox's counters say more.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import uvicorn

from healthie_sandbox.app import create_app
from healthie_sandbox.control import SandboxControl
from healthie_sandbox.faults import FaultConfig
from healthie_sandbox.runtime import DEFAULT_API_KEY, Sandbox, Settings
from healthie_sandbox.transport import DroppableHttpToolsProtocol
from healthie_sandbox.webhooks import WebhookConfig


def bind(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets accepted from a listener whose
    # proto says TCP; without it every response waits ~40 ms for the client's delayed ACK.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def make_server(
    sandbox: Sandbox, log_level: str = "warning", on_ready: Callable[[], None] | None = None
) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(sandbox, on_ready),
        http=DroppableHttpToolsProtocol,
        loop="auto",
        lifespan="on",
        log_level=log_level,
        access_log=False,
        timeout_keep_alive=30,
    )
    return uvicorn.Server(config)


@dataclass
class SandboxHandle:
    """A sandbox serving from a background thread; stop it (or use it as a context manager)."""

    base_url: str
    api_key: str
    _server: uvicorn.Server
    _thread: threading.Thread

    @property
    def url(self) -> str:
        """The GraphQL endpoint (what HEALTHIE_API_URL should be)."""
        return f"{self.base_url}/graphql"

    def control(self) -> SandboxControl:
        return SandboxControl(self.base_url)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def settings_from(
    scale: float,
    seed: int,
    api_key: str,
    webhook_url: str | None,
    webhook_secret: str,
    digest_encoding: str,
    extra: dict[str, Any],
) -> Settings:
    """Settings from keyword arguments: sandbox options by name, every other key is a fault setting."""
    options = {k: extra.pop(k) for k in ("auth_shard", "anchor", "on_disk", "tmp_dir") if k in extra}
    return Settings(
        scale=scale,
        seed=seed,
        api_key=api_key,
        faults=FaultConfig.from_json(extra),
        webhooks=WebhookConfig(url=webhook_url, secret=webhook_secret, digest_encoding=digest_encoding),  # type: ignore[arg-type]
        **options,
    )


def start_in_thread(
    scale: float = 0.1,
    seed: int = 42,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str = DEFAULT_API_KEY,
    webhook_url: str | None = None,
    webhook_secret: str = "",
    digest_encoding: str = "hex",
    startup_timeout: float = 60.0,
    **faults: Any,
) -> SandboxHandle:
    """Seed a sandbox and serve it from a daemon thread; returns once it answers HTTP.

    Keyword arguments beyond the named ones are `auth_shard`, `anchor`, `on_disk`, `tmp_dir`, or
    fault settings (`rate_limit_rps`, `latency_ms`, `jitter_ms`, `max_complexity`, `rules`, ...).
    """
    settings = settings_from(scale, seed, api_key, webhook_url, webhook_secret, digest_encoding, dict(faults))
    sandbox = Sandbox(settings)
    sock = bind(host, port)
    server = make_server(sandbox)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="healthie-sandbox", daemon=True
    )
    thread.start()
    handle = SandboxHandle(base_url_of(sock), api_key, server, thread)
    _wait_until_up(handle, startup_timeout)
    return handle


def _wait_until_up(handle: SandboxHandle, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not handle._thread.is_alive():
            raise RuntimeError("the sandbox server thread exited during start-up")
        try:
            if httpx.get(f"{handle.base_url}/_sandbox/info", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    handle.stop()
    raise TimeoutError(f"the sandbox did not answer within {timeout:.0f} s")


def serve(
    settings: Settings, host: str, port: int, on_ready: Callable[[str], None], log_level: str = "warning"
) -> None:
    """Seed and serve in the foreground until interrupted; `on_ready(graphql_url)` once listening."""
    sandbox = Sandbox(settings)
    sock = bind(host, port)
    url = f"{base_url_of(sock)}/graphql"
    make_server(sandbox, log_level=log_level, on_ready=lambda: on_ready(url)).run(sockets=[sock])
