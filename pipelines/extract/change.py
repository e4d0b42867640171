"""Webhook change sets: re-read records and ids read back as gone, MERGEd into a stream's table.

A change set is one Delta commit: readers see all of it or none of it. Its rows carry the time the
re-read began, and they replace a table row only when newer, even with unchanged content, so a
nightly pull still under way cannot later overwrite them with the older copy it read (lake/table.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipelines.extract.rows import rows_to_table
from pipelines.healthie.streams import StreamSpec
from pipelines.lake.layout import BatchId, BatchKind, lake_table
from pipelines.lake.table import LakeTable, MergeResult, deletions


@dataclass(frozen=True)
class ReadMark:
    """Taken just before a re-read: when it began and which table version was current then."""

    read_at: datetime
    table_version: int | None

    @classmethod
    def now(cls, table: LakeTable) -> ReadMark:
        return cls(datetime.now(UTC), table.version())


@dataclass(frozen=True)
class ChangeSet:
    """What a webhook refresh re-read for one stream."""

    rows: Sequence[Mapping[str, Any]]
    deleted_ids: Sequence[str]
    mark: ReadMark


@dataclass(frozen=True)
class ChangeOutcome:
    sync_id: str
    """The `_sync_id` of the rows this change set wrote."""
    merge: MergeResult
    path: Path
    """The stream's Delta table."""


def merge_changes(
    warehouse_dir: Path, spec: StreamSpec, changes: ChangeSet, *, retention: timedelta
) -> ChangeOutcome:
    """MERGE one change set into the stream's table (created if missing) as one commit."""
    deleted = sorted(set(changes.deleted_ids))
    if not changes.rows and not deleted:
        raise ValueError("a change set needs at least one row or deleted id")
    clash = {str(row.get("id")) for row in changes.rows} & set(deleted)
    if clash:
        raise ValueError(f"{len(clash)} id(s) are both re-read and deleted in one change set")
    read_at = changes.mark.read_at.astimezone(UTC)
    batch = BatchId.new(BatchKind.CHANGE, read_at)
    upserts = rows_to_table(spec, changes.rows, extracted_at=read_at, sync_id=batch.value)
    table = lake_table(warehouse_dir, spec.name, spec.arrow_schema)
    with table.write_lock():
        merged = table.merge(
            upserts,
            deletions(deleted, read_at),
            retention=retention,
            refresh_unchanged=True,
            read_since_version=changes.mark.table_version,
            batch_id=batch.value,
        )
    return ChangeOutcome(batch.value, merged, table.path)
