"""Per-batch progress, written atomically next to the parts it describes.

`<batch_dir>/_checkpoint.json` lists the windows of the plan with, for each, the cursor (or offset) up
to which rows are durable and the committed part files. It is rewritten (temp + fsync + rename) only
after a part file has been renamed into place, so it never runs ahead of the data: after a kill -9 a
rerun trusts exactly what the checkpoint lists, deletes anything else in the directory (an orphan part
committed after the last checkpoint, a temp file) and resumes each window from its durable cursor.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pipelines.files import atomic_write_bytes, remove_temp_files
from pipelines.healthie.streams import WindowKind
from pipelines.healthie.windows import Window
from pipelines.lake.layout import CHECKPOINT_NAME, PART_PATTERN, part_name

VERSION = 2


class Phase(Enum):
    """Where a full sync stands: pulling windows, the catch-up pass, recounting, finding what vanished,
    merging into the Delta table, table maintenance, done."""

    PULL = "pull"
    CATCHUP = "catchup"
    VERIFY = "verify"
    RECONCILE = "reconcile"
    MERGE = "merge"
    MAINTAIN = "maintain"
    COMPLETE = "complete"


@dataclass
class WindowState:
    """A window's durable progress in the current pass (a re-pull starts a new pass from scratch)."""

    key: str
    window: Window
    planned_count: int | None = None
    pass_no: int = 1
    cursor: str | None = None
    offset: int = 0
    rows: int = 0
    pages: int = 0
    done: bool = False
    verified_count: int | None = None
    coarse: bool = False
    """Planned but too big for one window: to be cut into smaller windows before pulling."""
    row_bound: int | None = None
    """Most rows the window can hold when `planned_count` is only an estimate (a slice of a counted
    cell, not counted itself): the pager's runaway guard allows for this many."""

    def restart(self) -> None:
        """Begin a new pass over the window (after its recount found rows this pass may have missed)."""
        self.pass_no += 1
        self.cursor, self.offset, self.rows, self.pages, self.done = None, 0, 0, 0, False
        self.verified_count = None


@dataclass(frozen=True)
class MergeSummary:
    """What the batch's MERGE did (kept so a sync resumed after its MERGE still reports it)."""

    version: int
    inserted: int
    updated: int
    deleted: int
    stale: int


@dataclass
class BatchSummary:
    """Figures one batch records as it goes, for its plan and its result. Stored in the checkpoint as
    JSON with these keys (the same as earlier checkpoints' untyped dict)."""

    target_rows: int | None = None
    """Rows per window the plan aims at (set once the stream is counted)."""
    source_count_end: int | None = None
    """The stream's count after the pull (None: the stream has no count query)."""
    recovered: int = 0
    """Vanished ids re-read and found still live."""
    merge: MergeSummary | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> BatchSummary:
        merge = raw.get("merge")
        return cls(
            target_rows=raw.get("target_rows"),
            source_count_end=raw.get("source_count_end"),
            recovered=int(raw.get("recovered") or 0),
            merge=MergeSummary(**{k: int(merge[k]) for k in MergeSummary.__dataclass_fields__})
            if merge
            else None,
        )


@dataclass
class Checkpoint:
    """The state of one full batch of one stream."""

    stream: str
    batch_id: str
    started_at: datetime
    window_kind: WindowKind | None
    phase: Phase = Phase.PULL
    windows: list[WindowState] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    next_part: int = 0
    source_count_start: int | None = None
    table_version: int | None = None
    """The Delta table's version when the pull began (None: no table yet); the MERGE drops rows whose
    id a later commit deleted after they were read."""
    deleted_ids: list[str] = field(default_factory=list)
    """Ids reconciliation confirmed gone: the MERGE deletes them."""
    summary: BatchSummary = field(default_factory=BatchSummary)

    def allocate_part(self) -> str:
        """The next part file name (numbers are never reused, even for aborted files)."""
        name = part_name(self.next_part)
        self.next_part += 1
        return name

    def save(self, directory: Path) -> None:
        atomic_write_bytes(directory / CHECKPOINT_NAME, json.dumps(self._to_json(), indent=1).encode())

    def _to_json(self) -> dict[str, Any]:
        windows = []
        for state in self.windows:
            raw = asdict(state)
            raw["window"] = state.window.to_json()
            windows.append(raw)
        return {
            "version": VERSION,
            "stream": self.stream,
            "batch_id": self.batch_id,
            "started_at": self.started_at.isoformat(),
            "window_kind": self.window_kind.value if self.window_kind else None,
            "phase": self.phase.value,
            "windows": windows,
            "parts": self.parts,
            "next_part": self.next_part,
            "source_count_start": self.source_count_start,
            "table_version": self.table_version,
            "deleted_ids": self.deleted_ids,
            "summary": self.summary.to_json(),
        }

    @classmethod
    def load(cls, directory: Path) -> Checkpoint | None:
        """The checkpoint in `directory`, or None if there is none or it is from another version."""
        path = directory / CHECKPOINT_NAME
        if not path.is_file():
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("version") != VERSION:
            return None
        kind = WindowKind(raw["window_kind"]) if raw.get("window_kind") else None
        windows = []
        for item in raw["windows"]:
            item = dict(item)
            item["window"] = Window.from_json(item["window"], kind)
            windows.append(WindowState(**item))
        return cls(
            stream=raw["stream"],
            batch_id=raw["batch_id"],
            started_at=datetime.fromisoformat(raw["started_at"]),
            window_kind=kind,
            phase=Phase(raw["phase"]),
            windows=windows,
            parts=list(raw["parts"]),
            next_part=int(raw["next_part"]),
            source_count_start=raw.get("source_count_start"),
            table_version=raw.get("table_version"),
            deleted_ids=list(raw.get("deleted_ids") or []),
            summary=BatchSummary.from_json(raw.get("summary") or {}),
        )


def sweep_uncommitted(directory: Path, checkpoint: Checkpoint) -> int:
    """Delete temp files and parts the checkpoint does not list (written after its last save)."""
    removed = remove_temp_files(directory)
    listed = set(checkpoint.parts)
    for part in directory.glob(PART_PATTERN):
        if part.name not in listed:
            part.unlink()
            removed += 1
    return removed
