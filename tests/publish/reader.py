"""A reader of a DuckDB warehouse file as a BI tool is one: its own process, one read-only connection,
held open until told to reconnect. Standard library and `duckdb` only, so it runs under any DuckDB:
the project's, or 1.4.4 in a throwaway virtualenv (what BI drivers embed).

    python reader.py <path/to/warehouse.duckdb>

It answers every command on stdin with one JSON line on stdout: first `{"ready": <duckdb version>}`
(or `{"error": ...}` if the file cannot be opened), then for `read` what the marts hold
(`read_marts`), for `reconnect` the same after closing and reopening the connection; `quit` ends it.
A failing command answers `{"error": "<message>"}` and the reader carries on.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import duckdb

MART_TABLES = (
    "select table_schema, table_name from information_schema.tables "
    "where table_schema not in ('information_schema', 'pg_catalog') order by all"
)


def read_marts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """`{"schemas": [...], "builds": {table: [build, ...]}, "rows": {table: n}}` for schema `marts`.

    Test marts carry the number of the build that wrote them in a `build` column, so one answer shows
    whether every mart a reader saw came from one build.
    """
    schemas, builds, rows = set(), {}, {}
    for schema, table in con.execute(MART_TABLES).fetchall():
        schemas.add(schema)
        if schema != "marts":
            continue
        quoted = '"' + table.replace('"', '""') + '"'
        counts = con.execute(f"select build, count(*) from marts.{quoted} group by build order by build")
        found = counts.fetchall()
        builds[table] = [build for build, _ in found]
        rows[table] = sum(n for _, n in found)
    return {"schemas": sorted(schemas), "builds": builds, "rows": rows}


def answer(message: dict[str, Any]) -> None:
    print(json.dumps(message), flush=True)


def main(path: str) -> int:
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error as error:
        answer({"error": str(error)})
        return 1
    answer({"ready": duckdb.__version__})
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        try:
            if command == "reconnect":
                con.close()
                con = duckdb.connect(path, read_only=True)
            answer(read_marts(con))
        except duckdb.Error as error:
            answer({"error": str(error)})
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
