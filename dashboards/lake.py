"""What the lake's own log says about the last nightly pull and webhook refresh of each stream.

Every MERGE into a stream's Delta table is a commit tagged with the batch that wrote it (a `-full-`
batch is a nightly pull, a `-change-` batch a webhook refresh; pipelines/lake/layout.py). Reading a
table's commit log is read-only and takes no lock, so the freshness page can show it beside the
published marts. A pull or refresh that changed nothing commits nothing: the time shown is the last
one that changed a record. On a host that has only the published file, there is no lake to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from deltalake import DeltaTable

from pipelines.lake.layout import LAKE_DIR, NAMESPACE, BatchId, BatchKind
from pipelines.lake.table import BATCH_KEY

#: Commits read per table, newest first: a refresh-heavy day makes many, a nightly pull one.
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class StreamActivity:
    stream: str
    last_commit_at: datetime | None
    last_full_merge_at: datetime | None
    last_change_merge_at: datetime | None


def lake_root(warehouse_dir: Path) -> Path:
    return warehouse_dir / LAKE_DIR / NAMESPACE


def activity(warehouse_dir: Path) -> list[StreamActivity]:
    """Per stream table under the lake, the newest commit and the newest MERGE of each batch kind."""
    root = lake_root(warehouse_dir)
    if not root.is_dir():
        return []
    found = []
    for table_dir in sorted(path for path in root.iterdir() if (path / "_delta_log").is_dir()):
        history = DeltaTable(str(table_dir)).history(HISTORY_LIMIT)
        newest: dict[BatchKind, datetime] = {}
        for commit in history:
            batch = BatchId.parse(str(commit.get(BATCH_KEY, "")))
            if batch is not None and batch.kind not in newest:
                newest[batch.kind] = _commit_time(commit)
        last = max((_commit_time(commit) for commit in history), default=None)
        found.append(
            StreamActivity(table_dir.name, last, newest.get(BatchKind.FULL), newest.get(BatchKind.CHANGE))
        )
    return found


def _commit_time(commit: dict[str, object]) -> datetime:
    stamp = commit.get("timestamp")
    if not isinstance(stamp, (int, float)):
        return datetime.min.replace(tzinfo=UTC)
    return datetime.fromtimestamp(stamp / 1000, UTC)
