"""kill -9 in the middle of a sync, then run again: complete, no duplicates, nothing partial, and the
landing copy gone once merged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.lake.checkpoint import Checkpoint, Phase
from pipelines.lake.layout import list_batches

from .conftest import NO_MISMATCH, materializations, materialize, mismatches, resource_for

STREAMS = ["appointments", "entries"]


def committed_parts(warehouse: Path) -> int:
    return sum(
        len(checkpoint.parts)
        for stream in STREAMS
        for _, path in list_batches(warehouse, stream)
        if (checkpoint := Checkpoint.load(path)) is not None
    )


def start_sync(handle: Any, warehouse: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HEALTHIE_API_URL": handle.url,
        "HEALTHIE_API_KEY": handle.api_key,
        "WAREHOUSE_DIR": str(warehouse),
    }
    args = ["--history-start", "2020-01-01", "--page-size", "20", "--window-concurrency", "2"]
    command = [sys.executable, "-m", "pipelines.healthie.cli", *args]
    for stream in STREAMS:
        command += ["--stream", stream]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_kill_9_mid_sync_then_rerun_completes(own_sandbox: Any, tmp_path: Path) -> None:
    with own_sandbox.control() as control:
        control.set_faults(latency_ms=20)
        process = start_sync(own_sandbox, tmp_path)
        try:
            deadline = time.monotonic() + 60
            while committed_parts(tmp_path) < 4 and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert process.poll() is None, "the sync finished before it could be killed"
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.kill()
            process.wait()
        control.clear_faults()
        phases = {Checkpoint.load(path).phase for s in STREAMS for _, path in list_batches(tmp_path, s)}  # type: ignore[union-attr]
        assert Phase.COMPLETE not in phases or len(phases) > 1, "killed mid-sync"

        result = materialize(resource_for(own_sandbox), tmp_path, STREAMS, page_size=20, window_concurrency=2)
        assert result.success
        for stream in STREAMS:
            landed = materializations(result)[stream]
            assert landed["resumed"] is True  # resumed, not restarted
            assert landed["rows"] == landed["live_ids"], f"{stream}: duplicate rows in the resumed batch"
            assert mismatches(tmp_path, control, STREAMS_BY_NAME[stream]) == NO_MISMATCH
            assert list_batches(tmp_path, stream) == [], "the merged landing batch is removed"
        assert not list(tmp_path.rglob(".*.tmp"))
