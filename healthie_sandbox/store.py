"""SQLite storage for the sandbox's rows: bulk load, keyset pages, counts, single-row writes.

SQLite keeps generation and serving in bounded memory at any scale (a temp file for large scales, an
in-memory database for test-sized ones) and gives real indexes for the keyset orders, so a page
after a cursor costs the same at row 10 and at row 1,000,000. The connection is used from one
thread at a time: the server's event loop (generation runs before serving or in a worker thread
that hands the finished store over).

Identifiers interpolated into SQL come only from `model` (tables, sort columns, predicates) or from
the table's own column list; every value is a bound parameter.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from healthie_sandbox.model import Entity

Row = dict[str, Any]
PACKAGE = "healthie_sandbox"


def _sql(name: str) -> str:
    return resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")


def _quote(identifier: str) -> str:
    return f'"{identifier}"'


@dataclass(frozen=True)
class Order:
    """A resolved `order_by`: its enum name (cursors carry it), sort column and direction."""

    key: str
    column: str
    descending: bool = False


@dataclass(frozen=True)
class Filter:
    """A list/count filter: predicates (constant SQL from the resolvers) and their bound values."""

    predicates: tuple[str, ...] = ()
    params: tuple[Any, ...] = ()

    def and_(self, predicate: str, *params: Any) -> Filter:
        return Filter((*self.predicates, predicate), (*self.params, *params))

    def sql(self) -> str:
        return " AND ".join(f"({p})" for p in self.predicates) or "1 = 1"


class Store:
    """One sandbox database (a file in its own temp dir, or in memory)."""

    def __init__(self, on_disk: bool = False, parent_dir: str | None = None) -> None:
        self._tmpdir: str | None = None
        target = ":memory:"
        if on_disk:
            self._tmpdir = tempfile.mkdtemp(prefix="healthie-sandbox-", dir=parent_dir)
            target = os.path.join(self._tmpdir, "sandbox.sqlite3")
        self.conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "temp_store = MEMORY",
            "cache_size = -65536",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.executescript(_sql("tables.sql"))
        self._columns: dict[str, tuple[str, ...]] = {}
        self._integers: dict[str, frozenset[str]] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    def finish_load(self) -> None:
        """Build the keyset indexes and planner statistics once the bulk load is done."""
        self.conn.executescript(_sql("indexes.sql"))
        self.conn.execute("ANALYZE")

    def close(self) -> None:
        self.conn.close()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    # -- reads -----------------------------------------------------------------------------------

    def columns(self, entity: Entity) -> tuple[str, ...]:
        cols = self._columns.get(entity.table)
        if cols is None:
            info = self.conn.execute(f"PRAGMA table_info({_quote(entity.table)})").fetchall()
            cols = self._columns[entity.table] = tuple(r[1] for r in info)
        return cols

    def integer_columns(self, entity: Entity) -> frozenset[str]:
        """Columns stored as integers (ids, flags), which a String or ID field must print as text."""
        known = self._integers.get(entity.table)
        if known is None:
            info = self.conn.execute(f"PRAGMA table_info({_quote(entity.table)})").fetchall()
            known = self._integers[entity.table] = frozenset(r[1] for r in info if r[2].upper() == "INTEGER")
        return known

    def _rows(self, sql: str, params: Sequence[Any]) -> list[Row]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, values, strict=True)) for values in cur.fetchall()]

    def page(
        self,
        entity: Entity,
        where: Filter,
        order: Order,
        *,
        after: tuple[Any, int] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Row]:
        """Rows matching `where` in `order` (ties broken by id), after a keyset position."""
        col = _quote(order.column)
        direction = "DESC" if order.descending else "ASC"
        if after is not None:
            op = "<" if order.descending else ">"
            if order.column == "id":
                where = where.and_(f"id {op} ?", after[1])
            else:
                where = where.and_(f"({col}, id) {op} (?, ?)", after[0], after[1])
        sort = f"{col} {direction}" if order.column == "id" else f"{col} {direction}, id {direction}"
        sql = f"SELECT * FROM {_quote(entity.table)} WHERE {where.sql()} ORDER BY {sort}"
        params: list[Any] = list(where.params)
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params += [-1 if limit is None else limit, offset]
        return self._rows(sql, params)

    def count(self, entity: Entity, where: Filter) -> int:
        sql = f"SELECT count(*) FROM {_quote(entity.table)} WHERE {where.sql()}"
        return int(self.conn.execute(sql, where.params).fetchone()[0])

    def get(self, entity: Entity, row_id: int, where: Filter | None = None) -> Row | None:
        where = (where or Filter()).and_("id = ?", row_id)
        rows = self._rows(f"SELECT * FROM {_quote(entity.table)} WHERE {where.sql()}", where.params)
        return rows[0] if rows else None

    def children(self, entity: Entity, column: str, parent_id: int) -> list[Row]:
        """Live rows of `entity` whose `column` references `parent_id` (a has-many list), by id."""
        where = Filter((entity.live,)).and_(f"{_quote(column)} = ?", parent_id)
        return self._rows(
            f"SELECT * FROM {_quote(entity.table)} WHERE {where.sql()} ORDER BY id", where.params
        )

    def ids(self, entity: Entity, where: Filter) -> list[int]:
        sql = f"SELECT id FROM {_quote(entity.table)} WHERE {where.sql()} ORDER BY id"
        return [r[0] for r in self.conn.execute(sql, where.params)]

    def next_id(self, entity: Entity) -> int:
        """The id the next insert gets (AUTOINCREMENT: never a deleted row's id)."""
        row = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (entity.table,)).fetchone()
        return (int(row[0]) if row else 0) + 1

    def random_id(self, entity: Entity, where: Filter, fraction: float) -> int | None:
        """A row matching `where` near `fraction` of the id range (an index seek, not ORDER BY random())."""
        low, high = self.conn.execute(f"SELECT min(id), max(id) FROM {_quote(entity.table)}").fetchone()
        if low is None:
            return None
        pivot = low + int((high - low) * fraction)
        table = _quote(entity.table)
        for op, direction in ((">=", "ASC"), ("<", "DESC")):
            scoped = where.and_(f"id {op} ?", pivot)
            sql = f"SELECT id FROM {table} WHERE {scoped.sql()} ORDER BY id {direction} LIMIT 1"
            found = self.conn.execute(sql, scoped.params).fetchone()
            if found:
                return int(found[0])
        return None

    # -- writes ----------------------------------------------------------------------------------

    def bulk_insert(self, entity: Entity, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Stream `rows` (tuples in `columns` order) into the table: the generator is never listed."""
        self._check_columns(entity, columns)
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(_quote(c) for c in columns)
        self.conn.execute("BEGIN")
        self.conn.executemany(f"INSERT INTO {_quote(entity.table)} ({names}) VALUES ({marks})", rows)
        self.conn.execute("COMMIT")

    def insert(self, entity: Entity, values: Mapping[str, Any]) -> int:
        self._check_columns(entity, values)
        names = ", ".join(_quote(c) for c in values)
        marks = ", ".join("?" for _ in values)
        cur = self.conn.execute(
            f"INSERT INTO {_quote(entity.table)} ({names}) VALUES ({marks})", tuple(values.values())
        )
        return int(cur.lastrowid or 0)

    def update(self, entity: Entity, row_id: int, values: Mapping[str, Any]) -> None:
        if not values:
            return
        self._check_columns(entity, values)
        assignments = ", ".join(f"{_quote(c)} = ?" for c in values)
        self.conn.execute(
            f"UPDATE {_quote(entity.table)} SET {assignments} WHERE id = ?", (*values.values(), row_id)
        )

    def delete(self, entity: Entity, row_id: int, stream: str) -> None:
        """Hard delete, remembering the id as a tombstone of `stream`."""
        self.conn.execute(f"DELETE FROM {_quote(entity.table)} WHERE id = ?", (row_id,))
        self.conn.execute("INSERT OR IGNORE INTO tombstones (stream, id) VALUES (?, ?)", (stream, row_id))

    def add_tombstones(self, stream: str, ids: Iterable[int]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO tombstones (stream, id) VALUES (?, ?)", ((stream, i) for i in ids)
        )

    def tombstones(self, stream: str) -> list[int]:
        return [
            r[0]
            for r in self.conn.execute("SELECT id FROM tombstones WHERE stream = ? ORDER BY id", (stream,))
        ]

    def _check_columns(self, entity: Entity, columns: Iterable[str]) -> None:
        unknown = set(columns) - set(self.columns(entity))
        if unknown:
            raise KeyError(f"unknown column(s) of {entity.table}: {', '.join(sorted(unknown))}")
