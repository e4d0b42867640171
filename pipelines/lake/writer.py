"""Rolling Parquet writer: memory bounded by one row group, a file durable only once renamed in.

Pages are buffered up to `row_group_rows` rows and then written as one row group (small pages would
otherwise make thousands of tiny row groups); a file is closed and published after `rows_per_file`
rows or when its window ends. Until `commit()` the rows sit in a hidden `.part-NNNNN.parquet.tmp`, so
a crash never leaves a partial file under a final name, and a caller may record progress (a
checkpoint) only after `commit()` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.files import create_private, fsync_file, publish, temp_path_for

COMPRESSION = "zstd"


class PartWriter:
    """Writes one sequence of tables (a window's pages) into part files of one batch directory."""

    def __init__(
        self,
        directory: Path,
        schema: pa.Schema,
        allocate_name: Callable[[], str],
        *,
        row_group_rows: int = 4_000,
        rows_per_file: int = 100_000,
    ) -> None:
        self._directory = directory
        self._schema = schema
        self._allocate_name = allocate_name
        self._row_group_rows = row_group_rows
        self._rows_per_file = rows_per_file
        self._buffer: list[pa.Table] = []
        self._buffered_rows = 0
        self._file_rows = 0
        self._final: Path | None = None
        self._writer: pq.ParquetWriter | None = None

    @property
    def file_full(self) -> bool:
        """True once the current file holds `rows_per_file` rows: time to `commit()`."""
        return self._file_rows + self._buffered_rows >= self._rows_per_file

    def write(self, table: pa.Table) -> None:
        if table.schema != self._schema:
            table = table.cast(self._schema)
        self._buffer.append(table)
        self._buffered_rows += table.num_rows
        if self._buffered_rows >= self._row_group_rows:
            self._flush_row_group()

    def commit(self) -> str | None:
        """Close the current file and rename it into place; returns its name (None if nothing pending)."""
        if self._buffered_rows:
            self._flush_row_group()
        if self._writer is None or self._final is None:
            return None
        self._writer.close()
        temp = temp_path_for(self._final)
        fsync_file(temp)
        publish(temp, self._final)
        name = self._final.name
        self._writer, self._final, self._file_rows = None, None, 0
        return name

    def abort(self) -> None:
        """Drop uncommitted rows and the temp file (on error or cancellation)."""
        self._buffer, self._buffered_rows = [], 0
        if self._writer is not None:
            try:
                self._writer.close()
            finally:
                if self._final is not None:
                    temp_path_for(self._final).unlink(missing_ok=True)
        self._writer, self._final, self._file_rows = None, None, 0

    def _flush_row_group(self) -> None:
        if self._writer is None:
            self._final = self._directory / self._allocate_name()
            temp = create_private(temp_path_for(self._final))
            self._writer = pq.ParquetWriter(str(temp), self._schema, compression=COMPRESSION)
        table = pa.concat_tables(self._buffer) if len(self._buffer) > 1 else self._buffer[0]
        self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self._file_rows += table.num_rows
        self._buffer, self._buffered_rows = [], 0
