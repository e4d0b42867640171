"""Where things live under `$WAREHOUSE_DIR`.

- `lake/healthie/<stream>/`: the stream's Delta table (the current state, versions for time travel);
- `lake/.locks/`: the tables' writer locks and the readers' lease (lake/table.py);
- `landing/healthie/<stream>/<batch_id>/part-NNNNN.parquet`: what an unfinished full pull has landed,
  with its `_checkpoint.json`; deleted once the pull is merged into the table.

A batch id starts with its UTC start time so batches sort chronologically by name, then says whether
it is a full pull or a webhook refresh, then carries random hex so two batches started in the same
microsecond never collide. It is the `_sync_id` of the rows the batch wrote.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

import pyarrow as pa

from pipelines.lake.table import LakeTable

LAKE_DIR = "lake"
LANDING_DIR = "landing"
NAMESPACE = "healthie"
PART_PATTERN = "part-*.parquet"
CHECKPOINT_NAME = "_checkpoint.json"
_TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"
_BATCH_RE = re.compile(r"^(\d{8}T\d{12}Z)-(full|change)-([0-9a-f]{8})$")


class BatchKind(Enum):
    """A full pull (nightly) or a change batch (a webhook refresh's re-reads)."""

    FULL = "full"
    CHANGE = "change"


@dataclass(frozen=True)
class BatchId:
    """A parsed batch id: its start time and kind."""

    value: str
    started_at: datetime
    kind: BatchKind

    @classmethod
    def new(cls, kind: BatchKind, now: datetime | None = None) -> BatchId:
        started = (now or datetime.now(UTC)).astimezone(UTC)
        return cls(f"{started.strftime(_TIME_FORMAT)}-{kind.value}-{secrets.token_hex(4)}", started, kind)

    @classmethod
    def parse(cls, value: str) -> BatchId | None:
        """The batch id a directory name encodes, or None for anything else."""
        match = _BATCH_RE.match(value)
        if not match:
            return None
        started = datetime.strptime(match.group(1), _TIME_FORMAT).replace(tzinfo=UTC)
        return cls(value, started, BatchKind(match.group(2)))

    def __str__(self) -> str:
        return self.value


def lake_dir(warehouse_dir: Path) -> Path:
    """`$WAREHOUSE_DIR/lake`: the Delta tables and their locks."""
    return Path(warehouse_dir) / LAKE_DIR


def table_dir(warehouse_dir: Path, stream: str) -> Path:
    """A stream's Delta table folder."""
    return lake_dir(warehouse_dir) / NAMESPACE / stream


def lake_table(warehouse_dir: Path, stream: str, schema: pa.Schema) -> LakeTable:
    """A stream's Delta table (which may not exist yet)."""
    return LakeTable(lake_dir(warehouse_dir), NAMESPACE, stream, schema)


def stream_dir(warehouse_dir: Path, stream: str) -> Path:
    """A stream's landing folder: unfinished full pulls, and the lock that keeps them one at a time."""
    return Path(warehouse_dir) / LANDING_DIR / NAMESPACE / stream


def batch_dir(warehouse_dir: Path, stream: str, batch: BatchId) -> Path:
    return stream_dir(warehouse_dir, stream) / batch.value


def part_name(number: int) -> str:
    return f"part-{number:05d}.parquet"


def list_batches(
    warehouse_dir: Path, stream: str, kind: BatchKind | None = None
) -> list[tuple[BatchId, Path]]:
    """Landing batches of a stream, oldest first (ids sort by start time)."""
    root = stream_dir(warehouse_dir, stream)
    if not root.is_dir():
        return []
    found = []
    for child in sorted(root.iterdir()):
        batch = BatchId.parse(child.name)
        if batch is not None and child.is_dir() and (kind is None or batch.kind is kind):
            found.append((batch, child))
    return found
