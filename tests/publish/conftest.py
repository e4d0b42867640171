"""Fixtures of the publish tests: reader processes on the published file, and a DuckDB 1.4 to read it.

A reader is a separate process holding one read-only connection (`reader.py`), as a BI tool does: the
locks that used to break the pipeline are taken per process, so only another process shows them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

READER = Path(__file__).with_name("reader.py")
#: What BI drivers embed today (Evidence's @duckdb/node-api ^1.4.2; JDBC/ODBC drivers lag the same way).
DUCKDB_1_4 = "duckdb==1.4.4"


class Reader:
    """A reader process on one DuckDB file; `send` a command, get its one-line JSON answer."""

    def __init__(self, python: Path | str, path: Path) -> None:
        self.process = subprocess.Popen(
            [str(python), str(READER), str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.ready = self._answer()

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise RuntimeError(f"the reader exited: {stderr[-2000:]}")
        return dict(json.loads(line))

    def send(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def start_reader() -> Iterator[Callable[..., Reader]]:
    """`start_reader(path, python=sys.executable)`: a reader process, stopped after the test."""
    readers: list[Reader] = []

    def start(path: Path, python: Path | str = sys.executable) -> Reader:
        reader = Reader(python, path)
        readers.append(reader)
        return reader

    yield start
    for reader in readers:
        reader.close()


@pytest.fixture(scope="session")
def duckdb_1_4_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python of a throwaway virtualenv with duckdb 1.4.4 installed from the package registry."""
    root = tmp_path_factory.mktemp("duckdb-1.4")
    venv.create(root, with_pip=True)
    python = root / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", DUCKDB_1_4],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if install.returncode != 0:
        pytest.skip(
            f"pip could not install {DUCKDB_1_4} (is the package registry reachable?): "
            f"{install.stderr.strip()[-600:]}"
        )
    return python
