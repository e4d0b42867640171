"""Shared fixtures for the webhook tests: a temporary warehouse, receiver settings, an in-process client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from pipelines.assets.dbt import ensure_private_warehouse, project_marts
from pipelines.dev.harness import signed_headers
from pipelines.webhooks.app import WEBHOOK_PATH, create_app
from pipelines.webhooks.inbox import Inbox
from pipelines.webhooks.settings import ReceiverSettings

SECRET = "whsec_test-secret"

Post = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture
def secret() -> str:
    return SECRET


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def warehouse_dir(tmp_path: Path) -> Path:
    return tmp_path / "warehouse"


@pytest.fixture
def settings(warehouse_dir: Path) -> ReceiverSettings:
    return ReceiverSettings.from_env({"HEALTHIE_WEBHOOK_SECRET": SECRET, "WAREHOUSE_DIR": str(warehouse_dir)})


@pytest.fixture
async def client(settings: ReceiverSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The receiver in-process (lifespan included), reached through httpx's ASGI transport."""
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://receiver") as http,
    ):
        yield http


@pytest.fixture
def inbox(settings: ReceiverSettings, client: httpx.AsyncClient) -> Iterator[Inbox]:
    """The receiver's inbox, opened as a second reader (the receiver is already running)."""
    with Inbox(settings.inbox_path) as opened:
        yield opened


@pytest.fixture
def post(client: httpx.AsyncClient) -> Post:
    """POST a body signed with the test secret; keyword overrides replace or (with None) remove headers."""

    async def _post(
        body: bytes, *, query: str = "", secret: str = SECRET, **overrides: str | None
    ) -> httpx.Response:
        headers: dict[str, str] = signed_headers(secret, body, query=query)
        for name, value in overrides.items():
            header = name.replace("_", "-")
            headers = {k: v for k, v in headers.items() if k.lower() != header.lower()}
            if value is not None:
                headers[header] = value
        url = WEBHOOK_PATH + (f"?{query}" if query else "")
        return await client.post(url, content=body, headers=headers)

    return _post


@pytest.fixture
def built_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`tmp_path` as `$WAREHOUSE_DIR` with a build database holding every mart (empty), as a first
    nightly build leaves it: for refresh jobs run with a fake dbt, whose publish step copies them."""
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    build = ensure_private_warehouse(tmp_path)
    with duckdb.connect(str(build)) as db:
        db.execute("create schema if not exists marts")
        for name in project_marts():
            db.execute(f'create table marts."{name}" (id varchar)')  # test fixture: names from the manifest
    return tmp_path
