"""kill -9 in the middle of a sync, then run again: complete, no duplicates, nothing partial, and the
landing copy gone once merged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pipelines.extract.checkpoint import Checkpoint, Phase
from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.lake.layout import list_batches

from .conftest import NO_MISMATCH, materializations, materialize, mismatches, resource_for

#: Stream groups killed together: windowed streams are killed once some windows committed parts;
#: one-window streams (no date arguments) once every stream has planned, and before any finished.
GROUPS: dict[str, tuple[tuple[str, ...], int, int]] = {
    # name: (streams, committed parts before the kill, page size of the killed run)
    "windowed": (("appointments", "entries"), 4, 20),
    "one_window": (("claims", "insurance_policies", "goals", "goal_histories", "tasks", "documents"), 0, 4),
}


def checkpoints(warehouse: Path, streams: Sequence[str]) -> list[Checkpoint]:
    return [
        checkpoint
        for stream in streams
        for _, path in list_batches(warehouse, stream)
        if (checkpoint := Checkpoint.load(path)) is not None
    ]


def committed_parts(warehouse: Path, streams: Sequence[str]) -> int:
    return sum(len(checkpoint.parts) for checkpoint in checkpoints(warehouse, streams))


def all_planned(warehouse: Path, streams: Sequence[str]) -> bool:
    planned = [c for c in checkpoints(warehouse, streams) if c.windows]
    return len(planned) == len(streams)


def start_sync(
    handle: Any, warehouse: Path, streams: Sequence[str], page_size: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HEALTHIE_API_URL": handle.url,
        "HEALTHIE_API_KEY": handle.api_key,
        "WAREHOUSE_DIR": str(warehouse),
    }
    # Small windows (8 pages of 20 rows), so several windows commit parts before the kill.
    args = ["--history-start", "2020-01-01", "--page-size", str(page_size), "--window-concurrency", "2"]
    args += ["--min-window-pages", "8"]
    command = [sys.executable, "-m", "pipelines.extract.cli", *args]
    for stream in streams:
        command += ["--stream", stream]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("group", GROUPS)
def test_kill_9_mid_sync_then_rerun_completes(group: str, own_sandbox: Any, tmp_path: Path) -> None:
    streams, parts, page_size = GROUPS[group]
    with own_sandbox.control() as control:
        control.set_faults(latency_ms=20)
        process = start_sync(own_sandbox, tmp_path, streams, page_size)
        try:
            deadline = time.monotonic() + 60
            while (
                (committed_parts(tmp_path, streams) < parts or not all_planned(tmp_path, streams))
                and process.poll() is None
                and time.monotonic() < deadline
            ):
                time.sleep(0.02)
            assert process.poll() is None, "the sync finished before it could be killed"
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.kill()
            process.wait()
        control.clear_faults()
        phases = {c.phase for c in checkpoints(tmp_path, streams)}
        assert Phase.COMPLETE not in phases or len(phases) > 1, "killed mid-sync"

        result = materialize(resource_for(own_sandbox), tmp_path, streams, page_size=20, window_concurrency=2)
        assert result.success
        for stream in streams:
            landed = materializations(result)[stream]
            assert landed["resumed"] is True  # resumed, not restarted
            assert landed["rows"] == landed["live_ids"], f"{stream}: duplicate rows in the resumed batch"
            assert mismatches(tmp_path, control, STREAMS_BY_NAME[stream]) == NO_MISMATCH
            assert list_batches(tmp_path, stream) == [], "the merged landing batch is removed"
        assert not list(tmp_path.rglob(".*.tmp"))
