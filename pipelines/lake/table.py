"""One Delta Lake table per stream, holding the current state: one row per live record, `id` unique.

Every write is a Delta commit through `deltalake` (delta-rs), so any engine that reads Delta (Spark,
Trino, Databricks, Snowflake, DuckDB, pandas) sees the current records without our help, and earlier
versions stay readable (time travel) for the retention period.

One MERGE serves both writers, the nightly full pull and the webhook refresh. Its source holds
*upserts* (rows as read, with `_extracted_at` and a content hash `_row_hash`) and *deletes* (ids
read back as gone, `_extracted_at` = when that was seen). The rules:

- a row is inserted when its id is not in the table;
- a matched row is replaced only by a newer read (`_extracted_at`), and, for a full pull, only when
  its content changed (unchanged rows keep their version, so incremental marts skip them);
- a delete removes the row only when it is newer than the row's read;
- an upsert read *before* a later commit deleted its id is dropped (the table's change data feed
  says when each id was deleted), so a webhook delete that lands while a nightly pull is under way
  is not undone by the pull's older copy of the record.

So a MERGE never replaces a newer version with an older one, whichever order writers commit in.
Writers of one table are serialized by an advisory file lock (`write_lock`): delta-rs would retry a
conflicting MERGE, but VACUUM with a zero retention must never run while another writer has data
files written but not yet committed, so every writer, maintenance included, takes the lock.

Readers of a version (dbt, through `lake/dbt_plugin.py`) hold the lake's shared *read lease* for as
long as they read its files; VACUUM takes the lease exclusively (waiting a bounded time, else
skipping that night), so no reader ever loses a file under it.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, WriterProperties

from pipelines.files import LockedError, ensure_dir, file_lock, make_private
from pipelines.lake.query import connection, sql

logger = logging.getLogger(__name__)

ID = "id"
EXTRACTED_AT = "_extracted_at"
ROW_HASH = "_row_hash"
#: Merge-source column saying what a row is: an `upsert` (a record as read) or a `delete` (gone).
OP = "_op"
UPSERT, DELETE = "upsert", "delete"
#: Commit metadata key naming the batch a commit merged (a resumed sync checks it to never merge twice).
BATCH_KEY = "healthie_warehouse.batch_id"

_UPDATE_IF_CHANGED = "s._op = 'upsert' AND s._extracted_at > t._extracted_at AND s._row_hash <> t._row_hash"
_UPDATE_IF_NEWER = "s._op = 'upsert' AND s._extracted_at > t._extracted_at"
_DELETE_IF_NEWER = "s._op = 'delete' AND s._extracted_at > t._extracted_at"
_INSERT = "s._op = 'upsert'"

#: How long a writer waits for another writer of the same table (a webhook MERGE takes well under a
#: second; a nightly MERGE or compaction of a large table a few seconds).
WRITE_LOCK_TIMEOUT_SECONDS = 600.0
#: How long VACUUM waits for dbt builds reading the lake; past it, expiry waits for the next night.
READ_LEASE_TIMEOUT_SECONDS = 300.0
#: Compaction's target file size: big enough for few files, small enough that a MERGE touching a few
#: rows rewrites little.
TARGET_FILE_BYTES = 64 * 1024 * 1024
_WRITER_PROPERTIES = WriterProperties(compression="ZSTD")
_TIMESTAMP = pa.timestamp("us", tz="UTC")
LOCKS_DIR = ".locks"
READ_LEASE_NAME = "readers.lock"


@dataclass(frozen=True)
class MergeResult:
    """What one MERGE changed (all zero and `version` unchanged when the source changed nothing)."""

    version: int
    inserted: int
    updated: int
    deleted: int
    stale: int
    """Upserts dropped because a later commit deleted their id (see the module docstring)."""


@dataclass(frozen=True)
class TableHealth:
    """Size of the current version: what the lake-health check bounds."""

    version: int | None
    rows: int
    files: int
    bytes: int
    disk_bytes: int
    """Everything under the table's folder: data files of retained versions, the log, change data."""


@dataclass(frozen=True)
class MaintenanceResult:
    """What nightly maintenance did to one table."""

    compacted_files: int
    """Small files merged away by `optimize.compact()`."""
    vacuumed_files: int
    """Files of expired versions deleted by `vacuum()`."""
    vacuum_skipped: bool
    """True when readers held the lake past the timeout: expiry waits for the next night."""
    checkpoint_version: int


def deletions(ids: Sequence[str], seen_at: datetime) -> pa.Table:
    """The `deleted` argument of `LakeTable.merge`: `ids` seen gone at `seen_at`."""
    return pa.table(
        {ID: pa.array(list(ids), pa.string()), EXTRACTED_AT: pa.array([seen_at] * len(ids), _TIMESTAMP)}
    )


def read_lease_path(lake_dir: Path) -> Path:
    """The lock file dbt (and any reader of raw files) holds shared while it reads the lake."""
    return Path(lake_dir) / LOCKS_DIR / READ_LEASE_NAME


@contextlib.contextmanager
def read_lease(lake_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the lake's read lease: no VACUUM deletes a file while it is held."""
    with file_lock(read_lease_path(lake_dir), shared=True, timeout=timeout):
        yield


def retention_properties(retention: timedelta) -> dict[str, str]:
    """Delta table properties that keep versions (log and data files) for `retention`."""
    interval = f"interval {int(retention.total_seconds() // 3600)} hours"
    return {
        "delta.logRetentionDuration": interval,
        "delta.deletedFileRetentionDuration": interval,
    }


class LakeTable:
    """A stream's Delta table at `<lake_dir>/<namespace>/<name>/`; knows Arrow, not Healthie."""

    def __init__(self, lake_dir: Path, namespace: str, name: str, schema: pa.Schema) -> None:
        self.lake_dir = Path(lake_dir)
        self.name = name
        self.path = self.lake_dir / namespace / name
        self.schema = schema
        self._lock_path = self.lake_dir / LOCKS_DIR / f"{namespace}.{name}.lock"

    # -- reading --------------------------------------------------------------------------------------

    def exists(self) -> bool:
        return DeltaTable.is_deltatable(str(self.path))

    def open(self, version: int | None = None) -> DeltaTable:
        return DeltaTable(str(self.path), version=version)

    def version(self) -> int:
        """The current version; -1 if the table does not exist yet (Delta numbers its first commit 0)."""
        return self.open().version() if self.exists() else -1

    def files(self, version: int | None = None) -> list[str]:
        """The data files of a version (the current one by default): what a reader scans."""
        return self.open(version).file_uris() if self.exists() else []

    def to_arrow(self, version: int | None = None) -> pa.Table:
        """The records of a version, sorted by id (for checks, tests and small readers)."""
        files = self.files(version)
        if not files:
            return self.schema.empty_table()
        with connection() as db:
            return db.sql(sql("table_rows"), params={"files": files}).to_arrow_table().cast(self.schema)

    def health(self) -> TableHealth:
        """Rows, files and bytes of the current version, from the Delta log (no data file is read), and
        the bytes of the whole folder."""
        if not self.exists():
            return TableHealth(None, 0, 0, 0, 0)
        table = self.open()
        actions = pa.table(table.get_add_actions(flatten=True))
        rows = actions.column("num_records").to_pylist() if actions.num_rows else []
        sizes = actions.column("size_bytes").to_pylist() if actions.num_rows else []
        disk = sum(path.stat().st_size for path in self.path.rglob("*") if path.is_file())
        return TableHealth(table.version(), sum(r or 0 for r in rows), actions.num_rows, sum(sizes), disk)

    def has_commit(self, batch_id: str, *, since_version: int | None) -> bool:
        """Whether a commit after `since_version` merged `batch_id` (a resumed sync never merges twice)."""
        if not self.exists():
            return False
        table = self.open()
        newer = table.version() - (since_version if since_version is not None else -1)
        return newer > 0 and any(entry.get(BATCH_KEY) == batch_id for entry in table.history(newer))

    # -- writing --------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self, timeout: float = WRITE_LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
        """Serialize writers of this table (see the module docstring)."""
        try:
            with file_lock(self._lock_path, timeout=timeout):
                yield
        except LockedError:
            raise LockedError(f"lake table {self.name}: another writer held it for {timeout:.0f} s") from None

    def create(self, retention: timedelta) -> DeltaTable:
        """Create the empty table if missing (change data feed on, retention set); call under the lock."""
        if self.exists():
            return self.open()
        ensure_dir(self.path)
        configuration = {"delta.enableChangeDataFeed": "true", **retention_properties(retention)}
        return DeltaTable.create(str(self.path), self._delta_schema(), configuration=configuration)

    def merge(
        self,
        upserts: pa.Table | pa.RecordBatchReader,
        deleted: pa.Table | None = None,
        *,
        retention: timedelta,
        refresh_unchanged: bool,
        read_since_version: int | None = None,
        batch_id: str | None = None,
    ) -> MergeResult:
        """MERGE `upserts` (rows of `self.schema`, a table or a stream) and `deleted` (`id`,
        `_extracted_at`) into the table.

        `refresh_unchanged` also replaces a matched row whose content is unchanged (a webhook re-read:
        its newer `_extracted_at` must win over an older pull still under way). `read_since_version`
        is the table version current when the upserts began to be read: ids deleted by a commit
        after it, later than a row was read, drop that row. Nothing is committed when nothing is to
        be written. Call it under `write_lock()`.
        """
        table = self.create(retention)
        deleted_later = {}
        if read_since_version is not None and table.version() > read_since_version:
            deleted_later = self._deleted_since(table, read_since_version)
        source = _MergeSource(self._delta_schema(), upserts, deleted, deleted_later)
        if source.empty():
            return MergeResult(table.version(), 0, 0, 0, source.stale)
        commit = CommitProperties(custom_metadata={BATCH_KEY: batch_id}) if batch_id else None
        metrics = (
            table.merge(
                source.reader(),
                predicate="t.id = s.id",
                source_alias="s",
                target_alias="t",
                writer_properties=_WRITER_PROPERTIES,
                commit_properties=commit,
            )
            .when_matched_update_all(
                predicate=_UPDATE_IF_NEWER if refresh_unchanged else _UPDATE_IF_CHANGED, except_cols=[OP]
            )
            .when_matched_delete(predicate=_DELETE_IF_NEWER)
            .when_not_matched_insert_all(predicate=_INSERT, except_cols=[OP])
            .execute()
        )
        make_private(self.path)
        return MergeResult(
            version=table.version(),
            inserted=int(metrics["num_target_rows_inserted"]),
            updated=int(metrics["num_target_rows_updated"]),
            deleted=int(metrics["num_target_rows_deleted"]),
            stale=source.stale,
        )

    def maintain(self, retention: timedelta) -> MaintenanceResult:
        """Compact small files, write a log checkpoint, expire versions older than `retention`.

        Each step is a Delta commit or deletes only files no retained version references, so a kill -9
        at any moment loses nothing: the next run finishes the job (an uncommitted compaction leaves
        orphan files that the next VACUUM deletes).
        """
        with self.write_lock():
            if not self.exists():
                return MaintenanceResult(0, 0, False, -1)
            table = self.open()
            wanted = retention_properties(retention)
            current = table.metadata().configuration
            if any(current.get(key) != value for key, value in wanted.items()):
                table.alter.set_table_properties(wanted)
            compacted = table.optimize.compact(
                target_size=TARGET_FILE_BYTES, writer_properties=_WRITER_PROPERTIES
            )
            vacuumed: list[str] = []
            skipped = False
            try:
                with file_lock(read_lease_path(self.lake_dir), timeout=READ_LEASE_TIMEOUT_SECONDS):
                    # `full`: also files no version references (a compaction killed before its commit).
                    vacuumed = table.vacuum(
                        retention_hours=int(retention.total_seconds() // 3600),
                        enforce_retention_duration=False,
                        dry_run=False,
                        full=True,
                    )
            except LockedError:
                skipped = True
                logger.warning("lake table %s: readers held the lake; expiry waits for next run", self.name)
            # After VACUUM, which reads the removed files' tombstones from the log it may now expire.
            table.create_checkpoint()
            table.cleanup_metadata()
            make_private(self.path)
            return MaintenanceResult(
                compacted_files=int(compacted.get("numFilesRemoved", 0)),
                vacuumed_files=len(vacuumed),
                vacuum_skipped=skipped,
                checkpoint_version=table.version(),
            )

    # -- helpers --------------------------------------------------------------------------------------

    def _delta_schema(self) -> pa.Schema:
        """The table schema with every column nullable: delta-rs checks non-null columns on rows a
        conditional MERGE clause leaves out and rejects them; the pipeline guarantees non-null ids."""
        return pa.schema([field.with_nullable(True) for field in self.schema])

    def _deleted_since(self, table: DeltaTable, since_version: int) -> dict[str, datetime]:
        """Ids that commits after `since_version` deleted, with when (the change data feed)."""
        changes = table.load_cdf(
            starting_version=since_version + 1, columns=[ID, "_change_type", "_commit_timestamp"]
        )
        deleted: dict[str, datetime] = {}
        for batch in pa.RecordBatchReader.from_stream(changes):
            for resource_id, kind, at in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True):
                if kind == "delete":
                    stamp = at.replace(tzinfo=UTC)  # commit timestamps are UTC milliseconds
                    deleted[resource_id] = max(stamp, deleted.get(resource_id, stamp))
        return deleted


class _MergeSource:
    """The MERGE's source, streamed: upserts (cast to the table schema, minus those deleted later than
    they were read) then deletes, each with its `_op`."""

    def __init__(
        self,
        schema: pa.Schema,
        upserts: pa.Table | pa.RecordBatchReader,
        deleted: pa.Table | None,
        deleted_later: dict[str, datetime],
    ) -> None:
        self.schema = schema.append(pa.field(OP, pa.string()))
        self._table_schema = schema
        self._upserts = upserts.to_reader() if isinstance(upserts, pa.Table) else upserts
        self._deleted = deleted
        self._deleted_later = deleted_later
        self.stale = 0
        self._batches = self._generate()
        self._first = next(self._batches, None)

    def empty(self) -> bool:
        return self._first is None

    def reader(self) -> pa.RecordBatchReader:
        first = [] if self._first is None else [self._first]
        return pa.RecordBatchReader.from_batches(self.schema, itertools.chain(first, self._batches))

    def _generate(self) -> Iterator[pa.RecordBatch]:
        for batch in self._upserts:
            rows = pa.Table.from_batches([batch]).select(self._table_schema.names).cast(self._table_schema)
            rows = self._drop_deleted_later(rows)
            if rows.num_rows:
                yield from self._with_op(rows, UPSERT).to_batches()
        if self._deleted is not None and self._deleted.num_rows:
            n = self._deleted.num_rows
            columns = [
                self._deleted.column(name) if name in (ID, EXTRACTED_AT) else pa.nulls(n, field.type)
                for name, field in zip(self._table_schema.names, self._table_schema, strict=True)
            ]
            gone = pa.Table.from_arrays(columns, schema=self._table_schema)
            yield from self._with_op(gone, DELETE).to_batches()

    def _with_op(self, rows: pa.Table, op: str) -> pa.Table:
        return rows.append_column(OP, pa.array([op] * rows.num_rows, pa.string())).cast(self.schema)

    def _drop_deleted_later(self, rows: pa.Table) -> pa.Table:
        """Rows whose id a later commit deleted after the row was read: dropped, counted as stale."""
        if not self._deleted_later:
            return rows
        ids = rows.column(ID).to_pylist()
        read_at = rows.column(EXTRACTED_AT).to_pylist()
        keep = [
            i not in self._deleted_later or at >= self._deleted_later[i]
            for i, at in zip(ids, read_at, strict=True)
        ]
        self.stale += keep.count(False)
        return rows.filter(pa.array(keep)) if not all(keep) else rows
