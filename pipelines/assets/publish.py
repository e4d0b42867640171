"""Publish the marts: `$WAREHOUSE_DIR/warehouse.duckdb` is replaced whole, never written in place.

dbt builds into a database private to the pipeline (`$WAREHOUSE_DIR/build/warehouse.duckdb`, see
dbt_project/profiles.yml). After a successful build, every table of schema `marts` is copied, with
any table and column comments, into a new DuckDB file written in the DuckDB 1.4 storage format (what
BI drivers embed today). That file is checkpointed, closed, fsynced and made owner-only, then renamed
over `warehouse.duckdb`, and the directory entry is fsynced. So:

- readers never block the pipeline: nothing ever opens `warehouse.duckdb` for writing, and a rename
  does not care who has the old file open;
- a reader connected during a publish keeps reading the file it opened (the old inode) without error;
  one that (re)connects after it sees the new build, every mart of it at once (a rename is atomic);
- a failed build, or a publish that fails or is killed half-way, leaves the previous file in place;
  the killed publish's temp file is removed by the next one.

Staging and intermediate views stay in the build database: they read the lake, which readers of the
published file neither see nor need. Kept free of Dagster: `pipelines.assets.dbt` calls this from the
ops that run dbt, and reports the cost it returns.
"""

from __future__ import annotations

import contextlib
import os
import struct
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb

from pipelines.files import FILE_MODE, ensure_dir, file_lock, fsync_file, publish, temp_path_for
from pipelines.sql_files import named_statements

#: The file readers open, under $WAREHOUSE_DIR.
PUBLISHED_FILE = "warehouse.duckdb"
#: dbt's private database, `$WAREHOUSE_DIR/build/warehouse.duckdb` (the same name, so the same catalog
#: name `warehouse` as the published file); the folder also holds DuckDB's WAL and the publish lock.
BUILD_DIR = "build"
MARTS_SCHEMA = "marts"
#: Storage version numbers DuckDB 1.4 accepts in a file's header (`STORAGE_VERSION 'v1.4.0'` writes 67).
READABLE_BY_DUCKDB_1_4 = range(64, 68)
_PUBLISH_LOCK = "publish.lock"
_SPILL_DIR = "publish-spill"
#: DuckDB's main header: an 8-byte checksum, the magic bytes, then the storage version (uint64, LE).
_MAGIC = b"DUCK"
_MAGIC_OFFSET = 8
_SQL_FILE = "publish.sql"


class PublishError(RuntimeError):
    """The build database does not hold a publishable set of marts; nothing was published."""


@dataclass(frozen=True)
class PublishedMart:
    name: str
    rows: int


@dataclass(frozen=True)
class Publication:
    """What one publish wrote, and what it cost."""

    path: Path
    marts: tuple[PublishedMart, ...]
    bytes: int
    seconds: float
    storage_version: int
    left_out: tuple[str, ...] = ()
    """Tables of the build's `marts` schema that are not marts of the project (e.g. a removed model)."""
    stale_temp_removed: bool = False

    @property
    def rows(self) -> int:
        return sum(mart.rows for mart in self.marts)

    def summary(self) -> str:
        return (
            f"published {len(self.marts)} marts ({self.rows} rows, {self.bytes} bytes, storage version "
            f"{self.storage_version}) to {self.path} in {self.seconds:.2f} s"
        )


def build_database_path(warehouse_dir: Path) -> Path:
    """dbt's private database: `$WAREHOUSE_DIR/build/warehouse.duckdb`."""
    return warehouse_dir / BUILD_DIR / PUBLISHED_FILE


def published_path(warehouse_dir: Path) -> Path:
    """The file readers open: `$WAREHOUSE_DIR/warehouse.duckdb`."""
    return warehouse_dir / PUBLISHED_FILE


def quote_identifier(name: str) -> str:
    """`name` as a DuckDB identifier whatever it holds (double quotes, a quote inside doubled)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """`text` as a DuckDB string literal (standard strings: a quote is doubled, backslashes are plain)."""
    return "'" + text.replace("'", "''") + "'"


@cache
def _statements() -> dict[str, str]:
    """The named statements of publish.sql."""
    return named_statements(resources.files(__package__).joinpath(_SQL_FILE).read_text(encoding="utf-8"))


def _sql(name: str, **quoted: str) -> str:
    statement = _statements()[name]
    return statement.format(**quoted) if quoted else statement


def storage_version(path: Path) -> int:
    """The storage version number in a DuckDB file's main header (67 for `STORAGE_VERSION 'v1.4.0'`)."""
    with path.open("rb") as handle:
        header = handle.read(_MAGIC_OFFSET + len(_MAGIC) + 8)
    if header[_MAGIC_OFFSET : _MAGIC_OFFSET + len(_MAGIC)] != _MAGIC:
        raise PublishError(f"{path} is not a DuckDB database file")
    (version,) = struct.unpack_from("<Q", header, _MAGIC_OFFSET + len(_MAGIC))
    return int(version)


def _companions(path: Path) -> list[Path]:
    """`path` and the WAL DuckDB keeps beside it."""
    return [path, path.with_name(path.name + ".wal")]


def _remove(paths: Collection[Path]) -> bool:
    removed = False
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed = True
    return removed


@contextlib.contextmanager
def _connection(spill_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB whose spill files (if a copy outgrows memory) stay in the private build folder."""
    con = duckdb.connect(config={"temp_directory": str(spill_dir)})
    try:
        yield con
    finally:
        con.close()


def _copy_marts(
    build_db: Path, temp: Path, expected: Collection[str] | None
) -> tuple[tuple[PublishedMart, ...], tuple[str, ...]]:
    """Write the build's marts into the new file `temp`; returns what was copied and what was left out."""
    with _connection(build_db.parent / _SPILL_DIR) as con:
        con.execute(_sql("attach_build"), [str(build_db)])
        con.execute(_sql("attach_published"), [str(temp)])
        os.chmod(temp, FILE_MODE)  # before any mart is written into it
        comments = dict(con.execute(_sql("build_marts")).fetchall())
        chosen = sorted(comments) if expected is None else sorted(expected)
        missing = sorted(set(chosen) - set(comments))
        if missing or not chosen:
            raise PublishError(
                f"the build database {build_db} lacks {len(missing) or 'all'} mart(s) "
                f"{missing or ''}: is dbt building into it (dbt_project/profiles.yml)? Nothing published"
            )
        column_comments = con.execute(_sql("build_column_comments")).fetchall()
        marts = []
        con.execute("BEGIN TRANSACTION")
        con.execute(_sql("create_schema"))
        for table in chosen:
            (rows,) = con.execute(_sql("copy_table", table=quote_identifier(table))).fetchone() or (0,)
            marts.append(PublishedMart(table, int(rows)))
            if comments[table]:
                con.execute(
                    _sql(
                        "comment_table", table=quote_identifier(table), comment=quote_literal(comments[table])
                    )
                )
        for table, column, comment in column_comments:
            if table in chosen:
                quoted = {"table": quote_identifier(table), "column": quote_identifier(column)}
                con.execute(_sql("comment_column", **quoted, comment=quote_literal(comment)))
        con.execute("COMMIT")
        con.execute(_sql("finish"))
    left_out = tuple(sorted(set(comments) - set(chosen)))
    return tuple(marts), left_out


def missing_marts(build_db: Path, marts: Collection[str]) -> list[str]:
    """Which of `marts` the build database lacks (every one, if it does not exist yet).

    Opens it read-only, so only while dbt is not running (the ops that build it run one at a time).
    """
    if not build_db.exists():
        return sorted(marts)
    with _connection(build_db.parent / _SPILL_DIR) as con:
        con.execute(_sql("attach_build"), [str(build_db)])
        present = {name for name, _ in con.execute(_sql("build_marts")).fetchall()}
    return sorted(set(marts) - present)


def publish_marts(build_db: Path, published: Path, *, marts: Collection[str] | None = None) -> Publication:
    """Copy the marts of `build_db` into a new 1.4-format file and rename it over `published`.

    `marts` names the tables to publish (the project's marts); every one must exist in the build, or
    `PublishError` and nothing is published. `None` publishes every table of the build's `marts`.
    Call only after dbt has exited successfully: the build database is attached read-only, which needs
    its writer gone. Publishes are serialized by a lock in the build folder, so a stale temp file can
    only be a killed publish's, and is removed first.
    """
    started = time.perf_counter()
    ensure_dir(published.parent)
    ensure_dir(build_db.parent)
    temp = temp_path_for(published)
    with file_lock(build_db.parent / _PUBLISH_LOCK, timeout=None):
        stale = _remove(_companions(temp))
        try:
            copied, left_out = _copy_marts(build_db, temp, marts)
            if _companions(temp)[1].exists():
                raise PublishError(f"{temp} still has a WAL after its checkpoint; nothing published")
            os.chmod(temp, FILE_MODE)
            fsync_file(temp)
            version, size = storage_version(temp), temp.stat().st_size
            if version not in READABLE_BY_DUCKDB_1_4:
                raise PublishError(f"{temp} has storage version {version}, which DuckDB 1.4 cannot read")
            # A WAL beside the published name would be replayed into the new file by the next reader:
            # only a DuckDB writing `warehouse.duckdb` in place (before publishing existed) leaves one.
            _remove(_companions(published)[1:])
            publish(temp, published)
        except BaseException:
            _remove(_companions(temp))
            raise
    return Publication(
        path=published,
        marts=copied,
        bytes=size,
        seconds=time.perf_counter() - started,
        storage_version=version,
        left_out=left_out,
        stale_temp_removed=stale,
    )
