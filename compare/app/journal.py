"""The journal of finished points: one home for the resumable JSON-lines files.

Maps (``.<out>.omxval-points.jsonl`` beside the output, and a finished map's
``points.jsonl``) and the paper-device study (``<out>.cache.jsonl``) keep every finished
point as one line ``{"key": ..., "row": {...}}``, the key a hash of everything that
determines the row. This module is the only code that reads or appends such files:

* **Safe to open.** The file is opened with ``O_NOFOLLOW`` and must be a regular file: a
  symbolic link, a folder or a device at the journal's path is refused (nothing is
  written through it). The descriptor is close-on-exec, and every parallel engine starts
  its workers with ``exec`` (never a bare ``fork``), so no worker holds it.
* **One writer.** The writer holds an exclusive ``flock`` for its whole run; a second
  writer is refused at once, naming the path. The lock dies with its process.
* **Durable.** Each row is one ``write`` of a whole line followed by ``fsync``: a run
  killed at any moment loses only the points in flight. A line cut by the kill is ended
  before the next append.
* **Forgiving to read.** A line that is not UTF-8, not JSON or not a ``{"key", "row"}``
  record is skipped and counted (:attr:`Contents.skipped`); the last line for a key wins.
* **Failures are not results.** A row whose ``status`` is ``"failed"`` (an error inside
  the computation, or a worker that died) is kept in the file as a record, but
  :attr:`Contents.done` leaves it out, so the next run computes the point again.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..studies.status import FAILED
from .output import OutputLocationError, WriteFailure

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]



@dataclass(frozen=True)
class Contents:
    """What a journal holds.

    Attributes
    ----------
    rows : dict
        Key → row, every readable record (the last one per key).
    skipped : int
        Lines that could not be read (not UTF-8, not JSON, not a record).
    """

    rows: dict[str, dict] = field(default_factory=dict)
    skipped: int = 0

    @property
    def done(self) -> dict[str, dict]:
        """The rows that count as results: every row but the failed ones."""
        return {k: r for k, r in self.rows.items() if r.get("status") != FAILED}

    @property
    def failed(self) -> dict[str, dict]:
        """The rows whose computation failed (computed again by the next run)."""
        return {k: r for k, r in self.rows.items() if r.get("status") == FAILED}


def parse(data: bytes) -> Contents:
    """The records of a journal's bytes (unreadable lines skipped and counted)."""
    rows: dict[str, dict] = {}
    skipped = 0
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            skipped += 1
            continue
        if not (isinstance(rec, dict) and isinstance(rec.get("key"), str)
                and isinstance(rec.get("row"), dict)):
            skipped += 1
            continue
        rows[rec["key"]] = rec["row"]
    return Contents(rows, skipped)


def _regular_fd(path: Path, flags: int) -> int:
    """Open ``path`` without following a symbolic link; refuse anything but a regular file."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError:
        if os.path.islink(path):
            raise OutputLocationError(
                f"the journal {str(path)!r} is a symbolic link; omxval never writes through "
                f"one. Remove the link (or choose another --out)") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputLocationError(f"the journal {str(path)!r} is not a regular file; remove "
                                  f"it (or choose another --out)")
    return fd


def read(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> Contents:
    """Read one or more journals (absent files are empty); nothing is locked or written.

    Raises
    ------
    OutputLocationError
        A path is a symbolic link or not a regular file.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    rows: dict[str, dict] = {}
    skipped = 0
    for path in map(Path, paths):
        if not os.path.lexists(path):
            continue
        fd = _regular_fd(path, os.O_RDONLY)
        with os.fdopen(fd, "rb") as fh:
            got = parse(fh.read())
        rows.update(got.rows)
        skipped += got.skipped
    return Contents(rows, skipped)


def _jsonable(value):
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    raise TypeError(f"not JSON serialisable: {value!r}")


def record_line(key: str, row: Mapping) -> bytes:
    """The journal line of one row (numpy scalars as plain numbers)."""
    return (json.dumps({"key": key, "row": dict(row)}, default=_jsonable) + "\n").encode()


class Journal:
    """An open, locked journal: read it, then append rows as they finish.

    Use as a context manager::

        with Journal(path) as journal:
            done = journal.contents.done
            ...
            journal.append(key, row)

    Parameters
    ----------
    path : path
        The journal (created if absent, with the parent folder).
    remove_if_empty : bool
        Remove the file on exit if it holds nothing (a run that finished no point leaves
        nothing behind).

    Raises
    ------
    OutputLocationError
        On entry: the path is a symbolic link or not a regular file, or another process
        holds the journal.
    WriteFailure
        From :meth:`append`: the row could not be written (the rows before it are kept).
    """

    def __init__(self, path: str | os.PathLike, *, remove_if_empty: bool = True) -> None:
        self.path = Path(path)
        self.remove_if_empty = remove_if_empty
        self._fd: int | None = None
        self.contents = Contents()
        self._needs_newline = False

    def __enter__(self) -> "Journal":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = _regular_fd(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    raise OutputLocationError(
                        f"another omxval run is writing to the journal {str(self.path)!r} "
                        f"(it is locked); wait for it to end, or choose another --out"
                    ) from None
            # The previous holder may have removed an empty journal after we opened it:
            # hold the file that is at the path now.
            try:
                if os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        self._fd = fd
        data = b""
        while chunk := os.pread(fd, 1 << 20, len(data)):
            data += chunk
        self.contents = parse(data)
        self._needs_newline = bool(data) and not data.endswith(b"\n")
        return self

    def append(self, key: str, row: Mapping) -> None:
        """Append one row, durably (written whole, then ``fsync``)."""
        self.extend([(key, row)])

    def extend(self, rows: Iterable[tuple[str, Mapping]]) -> None:
        """Append several rows with one ``write`` and one ``fsync``."""
        if self._fd is None:
            raise RuntimeError("Journal.extend outside its with block")
        rows = [(key, dict(row)) for key, row in rows]
        if not rows:
            return
        line = b"".join(record_line(key, row) for key, row in rows)
        if self._needs_newline:  # end the line a killed run cut short
            line = b"\n" + line
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view):]
            os.fsync(self._fd)
        except OSError as exc:
            self._needs_newline = True  # a part of the line may be on disk
            raise WriteFailure(f"could not append to the journal {str(self.path)!r}: "
                               f"{exc.strerror or exc}; the points finished before are "
                               f"kept") from exc
        self._needs_newline = False
        self.contents.rows.update(rows)

    def __exit__(self, *exc) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if self.remove_if_empty and os.fstat(fd).st_size == 0:
                self.path.unlink(missing_ok=True)
        finally:
            os.close(fd)


def write_rows(path: str | os.PathLike, rows: Iterable[tuple[str, Mapping]]) -> None:
    """Write a new journal holding ``rows`` (a finished map's ``points.jsonl``)."""
    with open(path, "wb") as fh:
        for key, row in rows:
            fh.write(record_line(key, row))


__all__ = ["Journal", "Contents", "WriteFailure", "read", "write_rows", "record_line", "FAILED"]
