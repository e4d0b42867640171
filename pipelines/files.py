"""Durable, private file operations: the lake and the webhook inbox hold health data, kept through kill -9.

Directories are created 0700 and files 0600 whatever the umask. A file becomes visible under its final
name only by `rename` after its bytes are fsynced, and the directory entry is fsynced after the rename,
so a crash leaves either the whole file or none of it (plus at worst a hidden `.tmp` to sweep).
Standard library only: the webhook receiver uses it too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

DIR_MODE = 0o700
FILE_MODE = 0o600
TEMP_SUFFIX = ".tmp"


def ensure_dir(path: Path) -> Path:
    """Create `path` and missing parents with mode 0700 (existing directories are left as they are)."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=DIR_MODE)
        os.chmod(directory, DIR_MODE)
    return path


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Persist a directory entry (a rename or a new file) so it survives power loss."""
    _fsync(path)


def temp_path_for(final: Path) -> Path:
    """`dir/.name.tmp`: hidden and not matching `*.parquet` or `*.json`, so no reader ever picks it up."""
    return final.with_name(f".{final.name}{TEMP_SUFFIX}")


@contextlib.contextmanager
def open_private(path: Path) -> Iterator[BinaryIO]:
    """Open a new file 0600 for writing, truncating a stale one left by a crashed writer."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        yield handle


def publish(temp: Path, final: Path) -> Path:
    """Rename a fully written, fsynced temp file into place and persist the directory entry."""
    os.replace(temp, final)
    fsync_dir(final.parent)
    return final


def atomic_write_bytes(final: Path, data: bytes) -> Path:
    """Write `data` to `final` all-or-nothing (temp file, fsync, rename, fsync dir)."""
    temp = temp_path_for(final)
    with open_private(temp) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return publish(temp, final)


def remove_temp_files(directory: Path) -> int:
    """Delete the hidden temp files a killed writer left behind; returns how many."""
    removed = 0
    for leftover in directory.glob(f".*{TEMP_SUFFIX}"):
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed


def make_private(tree: Path) -> None:
    """Tighten what another library created under `tree` (delta-rs follows the umask) to 0700/0600."""
    for root, dirs, files in os.walk(tree):
        for name, mode in [*((d, DIR_MODE) for d in dirs), *((f, FILE_MODE) for f in files)]:
            path = os.path.join(root, name)
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, mode)


def create_private(path: Path) -> Path:
    """Create (or truncate) an empty 0600 file, so a library opening it by name keeps it private."""
    with open_private(path):
        pass
    return path


def touch_private(path: Path) -> Path:
    """Create `path` 0600 if missing, never truncating it, in a 0700 directory: for a file another
    library then opens by name (SQLite gives its -wal and -shm files the database file's mode)."""
    ensure_dir(path.parent)
    os.chmod(path.parent, DIR_MODE)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)
    return path


def fsync_file(path: Path) -> None:
    """Flush a closed file's bytes to disk before it is renamed into place."""
    _fsync(path)


class LockedError(RuntimeError):
    """Another process holds the lock (e.g. a second sync of the same stream)."""


@contextlib.contextmanager
def file_lock(path: Path, *, shared: bool = False, timeout: float | None = 0) -> Iterator[None]:
    """Hold an advisory lock on `path` (created 0600); the kernel drops it if the holder dies, so a
    kill -9 never leaves a stale lock behind.

    `shared` takes a reader's lock (many at once, none beside an exclusive one). `timeout` is how long
    to wait for it: 0 fails at once, None waits for ever; past it, `LockedError`.
    """
    ensure_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockedError(f"{path} is locked by another process") from None
                time.sleep(_LOCK_POLL_SECONDS)
        yield
    finally:
        os.close(fd)


_LOCK_POLL_SECONDS = 0.05


def exclusive_lock(path: Path) -> contextlib.AbstractContextManager[None]:
    """An exclusive lock on `path`, or `LockedError` at once if another process holds it."""
    return file_lock(path)
