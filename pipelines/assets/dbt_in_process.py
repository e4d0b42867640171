"""dbt run inside the Dagster step's own process, behind the interface of the dbt CLI process.

A dbt CLI process pays for its start-up on every build: about 1.4 s of imports, then its adapter and
the project's parse state, 2-2.5 s in all, a third of a webhook refresh and a quarter of a full build
at a million rows over the same SQL run as a plain DuckDB script. The Dagster run that starts dbt has
already imported dbt (dagster-dbt does, to load the definitions), so running dbt's programmatic entry
point (`dbtRunner`) in that process pays for none of the imports.

`InProcessDbt` stands in for the `subprocess.Popen` that dagster-dbt's `DbtCliInvocation` reads, so the
rest of dagster-dbt works unchanged (its asset selection, its events, its errors): dbt runs in a worker
thread and every event it fires at info level or above goes, as the JSON line `dbt --log-format json`
would print, into a pipe that the invocation reads as the process's stdout. The invocation's arguments
are the CLI's (`HealthieDbtCliResource.cli` passes as flags what dagster-dbt passes the CLI process
through its environment: target, log and profile folders, indirect selection).

One dbt at a time per process (dbt keeps global state: flags, adapters, the event manager), in the
project folder like the CLI process (dbt_project/profiles.yml resolves a relative `WAREHOUSE_DIR` from
there): `_ONE_DBT` serialises invocations and each runs with the project folder as working directory.
When the invocation ends, what a CLI process's exit did is done by hand: the lake plugin releases what
it pinned (`pipelines.lake.dbt_plugin.end_build`) and dbt-duckdb's database is closed (`_close_duckdb`).
Interrupting it (Dagster's run termination sends SIGINT to the CLI process) cancels dbt's open
queries and raises KeyboardInterrupt in its thread, as SIGINT does in dbt's main thread: dbt stops at
the next node.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from dbt.adapters.base import BaseAdapter
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.adapters.factory import FACTORY
from dbt.cli.main import dbtRunner
from dbt_common.events.base_types import EventMsg
from dbt_common.events.functions import msg_to_json

from pipelines.lake.dbt_plugin import end_build

#: The levels a dbt CLI process prints at its default log level (dagster-dbt reads what it prints),
#: and with `--quiet`.
FORWARDED_LEVELS = frozenset({"info", "warn", "error"})
QUIET_LEVELS = frozenset({"error"})
QUIET_FLAGS = frozenset({"--quiet", "-q"})
SILENT = ("--log-level", "none")
#: The exit codes of the dbt CLI: success, a failed node or test, an error before or outside nodes.
EXIT_SUCCESS, EXIT_FAILURE, EXIT_ERROR = 0, 1, 2

_ONE_DBT = threading.Lock()


class InProcessDbt:
    """A dbt invocation in a thread of this process, read like the dbt CLI process it replaces.

    Offers what `DbtCliInvocation` uses of a `subprocess.Popen`: `args`, `stdout` (JSON lines, closed
    at the end), `wait()`, `returncode` and `send_signal()`, and nothing more.
    """

    def __init__(self, cli_args: Sequence[str], cwd: Path) -> None:
        self.args = list(cli_args)
        """The dbt command line, executable first (what dagster-dbt's messages show)."""
        self.returncode: int | None = None
        # dbt prints nothing itself: its events reach the invocation through the pipe. Its log file is
        # written as the CLI's.
        self._runner_args = [*SILENT, *cli_args[1:]]
        self._levels = QUIET_LEVELS if QUIET_FLAGS & set(cli_args) else FORWARDED_LEVELS
        self._cwd = cwd
        read_end, write_end = os.pipe()
        self.stdout: IO[bytes] = os.fdopen(read_end, "rb")
        self._events: IO[bytes] = os.fdopen(write_end, "wb")
        self._one_line = threading.Lock()  # dbt fires events from each of its threads
        self._thread = threading.Thread(target=self._invoke, name="dbt", daemon=True)
        self._thread.start()

    def _forward(self, event: EventMsg) -> None:
        if event.info.level in self._levels:
            self._write(msg_to_json(event).encode() + b"\n")

    def _write(self, line: bytes) -> None:
        with self._one_line, contextlib.suppress(BrokenPipeError, ValueError):  # ValueError: reader gone
            self._events.write(line)
            self._events.flush()

    def _invoke(self) -> None:
        code = EXIT_ERROR
        try:
            with _ONE_DBT, contextlib.chdir(self._cwd):
                try:
                    result = dbtRunner(callbacks=[self._forward]).invoke(self._runner_args)
                finally:
                    _close_duckdb()
                    end_build()
            code = EXIT_SUCCESS if result.success else EXIT_ERROR if result.exception else EXIT_FAILURE
            if result.exception is not None:
                self._forward_error(result.exception)
        except BaseException as error:  # whatever ends the thread is the process's exit
            self._forward_error(error)
        finally:
            self.returncode = code
            with self._one_line:
                self._events.close()

    def _forward_error(self, error: BaseException) -> None:
        """An error dbt raised rather than logged, as the CLI prints it: one error line."""
        message = {"level": "error", "name": "InProcessDbtError", "msg": f"{type(error).__name__}: {error}"}
        self._write(json.dumps({"info": message, "data": {}}).encode() + b"\n")

    def wait(self, timeout: float | None = None) -> int | None:
        self._thread.join(timeout)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        """SIGINT (Dagster terminating the run): cancel dbt's queries, then stop dbt at its next node."""
        if sig != signal.SIGINT or not self._thread.is_alive():
            return
        _cancel_open_queries()
        if self._thread.ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread.ident), ctypes.py_object(KeyboardInterrupt)
            )


def _close_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the process's next invocation, as a dbt CLI
    process's exit did: publishing attaches the build database, which DuckDB refuses while this process
    still has it open under another name."""
    environment = DuckDBConnectionManager._ENV
    DuckDBConnectionManager.close_all_connections()
    if environment is not None:
        environment.close()


def _cancel_open_queries() -> None:
    for adapter in list(FACTORY.adapters.values()):
        if isinstance(adapter, BaseAdapter):
            with contextlib.suppress(Exception):
                adapter.cancel_open_connections()
