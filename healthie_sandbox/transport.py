"""A uvicorn HTTP protocol that lets the app drop a connection without answering.

ASGI has no "hang up" message: an app that returns without a response gets a 500 from uvicorn. A
dropped connection is a fault clients must survive (a proxy dying mid-request), so this protocol
puts an `abort` callable into each request's scope (`scope["extensions"][ABORT]`); calling it resets
the TCP connection, and uvicorn then sees the client as gone and sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

ABORT = "healthie_sandbox.abort"


class DroppableHttpToolsProtocol(HttpToolsProtocol):
    def on_message_begin(self) -> None:
        super().on_message_begin()
        scope: Any = self.scope
        scope["extensions"] = {**scope.get("extensions", {}), ABORT: self.transport.abort}


def abort_callable(scope: Any) -> Callable[[], None] | None:
    return scope.get("extensions", {}).get(ABORT)
