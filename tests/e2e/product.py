"""The whole product as an operator runs it, pointed at a private Healthie sandbox.

End-to-end tests drive exactly what `make run` and `dagster dev` drive: the environment variables of
the README, `pipelines.definitions.defs` (imported only once the environment is set, as in a code
location), a Dagster instance, the inbox sensor evaluated like the daemon would, and the marts read
the way an analyst reads them: a read-only DuckDB connection on the published `warehouse.duckdb`,
short (`query`) or held open across runs (`held_reader`). Nothing is faked: the sandbox answers over
HTTP, dbt runs for real, the receiver is a uvicorn child process.

Each test module gets its own sandbox so the ground truth it compares with is its alone (the session
`sandbox` of tests/conftest.py is shared with modules that mutate it).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle, start_in_thread
from pipelines.assets.publish import published_path
from pipelines.dev.harness import ReceiverProcess, receiver_process
from pipelines.settings import build_warehouse_config
from pipelines.sql_files import named_statements

SANDBOX_SCALE = 0.1
QUERIES_FILE = Path(__file__).with_name("queries.sql")
#: Dagster's console logger at WARNING: a failing test shows errors, not every dbt event.
QUIET_LOGS: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
#: The sandbox has no rate limit; the product's default (100 rps) would only slow the tests down.
TEST_RATE_LIMIT_RPS = "1000"


@cache
def named_queries() -> dict[str, str]:
    """The statements of queries.sql by name (`-- name: x` starts statement x)."""
    return named_statements(QUERIES_FILE.read_text(encoding="utf-8"))


def load_definitions() -> dg.Definitions:
    """`pipelines.definitions.defs`, refusing definitions whose resources were frozen at import.

    The resources read the environment per run only if the module was first imported while the
    variables were set; otherwise they would silently target Healthie's real URL and `./data`.
    """
    from pipelines.definitions import defs

    resources = defs.resources or {}
    healthie, warehouse = resources["healthie"], resources["warehouse"]
    if not (isinstance(healthie.api_url, dg.EnvVar) and isinstance(warehouse.warehouse_dir, dg.EnvVar)):
        raise RuntimeError(
            "pipelines.definitions was imported before HEALTHIE_API_URL / WAREHOUSE_DIR were set: "
            "its resources would not follow this test's sandbox and warehouse"
        )
    return defs


def stable(value: Any) -> Any:
    """A value as a snapshot compares it: DuckDB sums and averages DOUBLEs in parallel, in no fixed
    order, so their last bits differ between identical builds; compare them to 9 significant digits."""
    return float(f"{value:.9g}") if isinstance(value, float) else value


@dataclass
class Product:
    """A running product: sandbox, warehouse directory, Dagster instance and definitions."""

    sandbox: SandboxHandle
    control: SandboxControl
    warehouse_dir: Path
    webhook_secret: str
    instance: dg.DagsterInstance
    defs: dg.Definitions
    sensor_cursor: str | None = field(default=None)

    @property
    def warehouse_file(self) -> Path:
        """The published marts, the one file readers open (dbt builds into `build/`)."""
        return published_path(self.warehouse_dir)

    def run(self, job_name: str, run_config: Mapping[str, Any] | None = None) -> dg.ExecuteInProcessResult:
        """Execute a job in-process; failures are returned (inspect `.success`), never raised."""
        return self.defs.resolve_job_def(job_name).execute_in_process(
            instance=self.instance,
            raise_on_error=False,
            run_config={**(run_config or {}), **QUIET_LOGS},
        )

    def sense(self) -> dg.SensorResult:
        """One tick of `webhook_inbox_sensor`, keeping its cursor between ticks like the daemon does."""
        from pipelines.refresh.sensors import webhook_inbox_sensor

        with dg.build_sensor_context(
            instance=self.instance,
            cursor=self.sensor_cursor,
            resources={"warehouse": build_warehouse_config()},
        ) as context:
            result = webhook_inbox_sensor(context)
        assert isinstance(result, dg.SensorResult)
        self.sensor_cursor = result.cursor
        return result

    def refresh(self) -> dg.ExecuteInProcessResult:
        """Deliver the sandbox's queued webhooks, tick the sensor, run the one refresh it requests."""
        assert self.control.flush_webhooks(), "the sandbox did not deliver its webhooks in time"
        sensed = self.sense()
        requests = list(sensed.run_requests or [])
        assert len(requests) == 1, f"expected one run request, got {requests} ({sensed.skip_reason})"
        return self.run("webhook_refresh", requests[0].run_config)

    def query(self, name: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A named query of queries.sql on a new read-only connection, closed at once: so each query
        reads the newest published build."""
        with duckdb.connect(str(self.warehouse_file), read_only=True) as con:
            return con.execute(named_queries()[name], list(params)).fetchall()

    @contextmanager
    def held_reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection held open for the whole block, as a BI tool holds one across runs.

        It keeps reading the build it opened. DuckDB shares one database instance per file within a
        process, so `query` inside the block would read that build too: use `query` after the block.
        """
        con = duckdb.connect(str(self.warehouse_file), read_only=True)
        try:
            yield con
        finally:
            con.close()

    def mart_snapshot(self, ignore_columns: frozenset[str]) -> dict[str, list[str]]:
        """Every marts table's rows (without `ignore_columns`), sorted, as text: for before/after diffs."""
        snapshot: dict[str, list[str]] = {}
        with duckdb.connect(str(self.warehouse_file), read_only=True) as con:
            tables = [row[0] for row in con.execute(named_queries()["mart_tables"]).fetchall()]
            for table in tables:
                relation = con.table(f"marts.{table}")
                kept = [column for column in relation.columns if column not in ignore_columns]
                rows = relation.select(*(duckdb.ColumnExpression(c) for c in kept)).fetchall()
                snapshot[table] = sorted(repr(tuple(map(stable, row))) for row in rows)
        return snapshot


@contextmanager
def running_product(
    root: Path, seed: int, monkeypatch: pytest.MonkeyPatch, *, scale: float = SANDBOX_SCALE
) -> Iterator[Product]:
    """A private sandbox and the product's environment pointing at it, for one test module.

    `WAREHOUSE_DIR` does not exist yet: creating it (with tight permissions) is the product's job.
    """
    warehouse_dir = root / "warehouse"
    secret = secrets.token_hex(16)
    with ExitStack() as stack:
        sandbox = stack.enter_context(start_in_thread(scale=scale, seed=seed))
        control = stack.enter_context(sandbox.control())
        for name, value in {
            "HEALTHIE_API_URL": sandbox.url,
            "HEALTHIE_API_KEY": sandbox.api_key,
            "HEALTHIE_WEBHOOK_SECRET": secret,
            "HEALTHIE_RATE_LIMIT_RPS": TEST_RATE_LIMIT_RPS,
            "WAREHOUSE_DIR": str(warehouse_dir),
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("HEALTHIE_AUTH_SHARD", raising=False)
        monkeypatch.delenv("DAGSTER_HOME", raising=False)
        instance = stack.enter_context(dg.DagsterInstance.ephemeral())
        yield Product(sandbox, control, warehouse_dir, secret, instance, load_definitions())


@contextmanager
def webhooks_to_receiver(product: Product, **options: Any) -> Iterator[ReceiverProcess]:
    """The real receiver (uvicorn child process) on the product's inbox, with the sandbox sending to it."""
    with receiver_process(product.warehouse_dir, product.webhook_secret) as receiver:
        product.control.configure_webhooks(receiver.webhook_url, product.webhook_secret, **options)
        try:
            yield receiver
        finally:
            product.control.configure_webhooks(None, "")


def tree_permissions(root: Path) -> dict[str, int]:
    """Mode bits of `root` and everything below it, by path relative to `root`."""
    modes = {".": root.stat().st_mode & 0o777}
    for directory, subdirs, files in os.walk(root):
        for name in [*subdirs, *files]:
            path = Path(directory) / name
            modes[str(path.relative_to(root))] = path.lstat().st_mode & 0o777
    return modes
