"""Output directories that never destroy a user's files.

Every report omxval writes goes through :class:`OutputDirectory`:

* **Refusal first.** Before any computation the target is checked: it may be absent, an
  empty directory, or a directory omxval wrote itself (``metadata.json`` carries an
  ``omxval_output`` marker with the list of files written) that holds nothing else.
  Anything else — a regular file, a symbolic link, ``""``, the working directory or one of
  its parents, the home directory, a folder holding ``.git``, a folder with files omxval
  did not write — is refused with :class:`OutputLocationError`, naming the path and what
  to do. Nothing is touched.
* **Fail fast.** The staging directory is created beside the target at the start (proving
  the location writable) and the free space is checked against what the report needs.
* **Crash-safe swap.** Files are written into the hidden staging directory
  ``.<name>.omxval-tmp-<token>``; the marker is written last, then the staging directory
  replaces the target in one ``renameat2(RENAME_EXCHANGE)`` (Linux), so the target never
  disappears. Where the exchange is unavailable two renames are used with a backup
  ``.<name>.omxval-old-<token>``; a crash between them is repaired by the next run, which
  restores the backup. Leftovers of dead runs are removed by the next run.
* **Concurrent writers.** Each staging directory is ``flock``-ed by its writer for its whole
  life, so a cleanup never removes a live writer's files (a lock dies with its process,
  even under SIGKILL); swaps and cleanups run under a lock on the parent directory, so of
  several writers finishing together each swap is whole and the last one wins.
* Directories get the permissions of the user's umask (not 0700).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import secrets
import shutil
from pathlib import Path
from types import TracebackType

from ...errors import InputError, OmxvalError

try:  # POSIX advisory locks; on other systems omxval writes without them.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MARKER_FILE = "metadata.json"
MARKER_KEY = "omxval_output"
MARKER_FORMAT = 1
_TMP, _OLD = "omxval-tmp", "omxval-old"


class WriteFailure(OmxvalError, OSError):
    """Writing a report or a journal failed (disk full, read-only file system, I/O error);
    the previous report, and the points already journalled, are kept."""


# Errors that mean "this location cannot take the write", whatever the file.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO}


def _is_write_error(exc: BaseException, *places: Path | None) -> bool:
    if not isinstance(exc, OSError) or isinstance(exc, OmxvalError):
        return False
    if exc.errno in _WRITE_ERRNOS:
        return True
    name = exc.filename
    if not name:
        return False
    path = Path(os.path.abspath(os.fsdecode(name)))
    return any(p is not None and (path == p or p in path.parents) for p in places)


class OutputLocationError(InputError):
    """The output location cannot be used; nothing was written or deleted.

    Raised before any computation (refused target, unwritable location, too little free
    space) and, if the target changed meanwhile, at the final swap.
    """


def _flock(fd: int, *, block: bool) -> bool:
    """Exclusive ``flock`` on ``fd``; False if ``block`` is off and another process holds it."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2(RENAME_EXCHANGE); False if unsupported."""
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            _libc.renameat2  # noqa: B018 - probe: glibc ≥ 2.28 only
        except (OSError, AttributeError, TypeError):
            _libc = False
    if not _libc:
        return False
    rc = _libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # filesystem or kernel without it
        return False
    raise OSError(err, os.strerror(err), str(a))


def read_marker(directory: Path) -> dict | None:
    """The ``omxval_output`` marker of ``directory``'s metadata.json, or None if absent."""
    try:
        meta = json.loads((directory / MARKER_FILE).read_text())
    except (OSError, ValueError):
        return None
    marker = meta.get(MARKER_KEY) if isinstance(meta, dict) else None
    return marker if isinstance(marker, dict) and isinstance(marker.get("files"), list) else None


def _entries(directory: Path) -> list[str]:
    """Every file and folder below ``directory``, as sorted relative POSIX paths."""
    out = []
    for root, dirs, files in os.walk(directory):
        rel = Path(root).relative_to(directory)
        out += [(rel / n).as_posix() for n in dirs + files]
    return sorted(out)


def _refusal(target: Path, reason: str) -> OutputLocationError:
    return OutputLocationError(
        f"refusing to write to {str(target)!r}: {reason}. Nothing was changed. Choose a new "
        f"or empty directory with --out (omxval replaces only directories it wrote itself).")


def check_target(target: Path) -> None:
    """Raise :class:`OutputLocationError` unless ``target`` may be replaced by a report.

    Parameters
    ----------
    target : Path
        Absolute, not resolved (a symbolic link must be seen as one).
    """
    cwd = Path.cwd().resolve()
    if target.is_symlink():
        raise _refusal(target, "it is a symbolic link")
    if not target.exists():
        return
    real = target.resolve()
    if real == cwd or real in cwd.parents:
        raise _refusal(target, "it is the current working directory or one of its parents")
    if real == Path.home().resolve():
        raise _refusal(target, "it is the home directory")
    if not target.is_dir():
        raise _refusal(target, "it is an existing file, not a directory")
    if (target / ".git").exists():
        raise _refusal(target, "it holds a .git repository")
    present = _entries(target)
    if not present:
        return
    marker = read_marker(target)
    if marker is None:
        raise _refusal(target, f"it is a non-empty directory that omxval did not write "
                               f"(it holds {present[0]!r}"
                               f"{f' and {len(present) - 1} more' if len(present) > 1 else ''})")
    foreign = sorted(set(present) - set(marker["files"]) - {MARKER_FILE})
    if foreign:
        shown = ", ".join(map(repr, foreign[:5])) + (" ..." if len(foreign) > 5 else "")
        raise _refusal(target, f"it is an omxval report, but holds files omxval did not "
                               f"write: {shown}; move them out first")


class OutputDirectory:
    """A report directory written in a hidden staging folder and swapped in at the end.

    Use as a context manager around the whole run, so that every check happens before the
    computation::

        with OutputDirectory("reports/paper", kind="paper", required_bytes=30e6) as out:
            ...compute...
            (out.path / "index.md").write_text(...)
            out.metadata = {...}             # provenance; the marker is added to it
        # here the report is complete at reports/paper, or untouched on an exception

    Parameters
    ----------
    target : str or path-like
        The report directory.
    kind : str
        What is written (``"paper"``, ``"validation"``, …); stored in the marker.
    required_bytes : float
        Free space the report needs; checked before the computation.

    Raises
    ------
    OutputLocationError
        On entry, if the target is refused, its location is not writable or has too little
        space; on exit, if the target was changed by someone else into something that may
        not be replaced (the report is then discarded, the target untouched).
    """

    def __init__(self, target: str | os.PathLike, *, kind: str, required_bytes: float = 0) -> None:
        if str(target).strip() == "":
            raise OutputLocationError("the output directory must not be empty ('--out \"\"')")
        self.target = Path(os.path.abspath(os.path.expanduser(os.fspath(target))))
        self.kind = kind
        self.required_bytes = int(required_bytes)
        self.metadata: dict = {}
        self._staging: Path | None = None
        self._fd: int | None = None

    @property
    def path(self) -> Path:
        """The staging directory to write into (valid inside the ``with`` block)."""
        if self._staging is None:
            raise RuntimeError("OutputDirectory.path is only valid inside the with block")
        return self._staging

    # --- entry: checks, recovery, staging -------------------------------------------------
    def __enter__(self) -> "OutputDirectory":
        check_target(self.target)
        parent = self.target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)  # default mode: the umask applies
        except FileExistsError:
            raise _refusal(self.target, f"its parent {str(parent)!r} is not a directory") from None
        except OSError as exc:
            raise OutputLocationError(f"cannot create the output location {str(parent)!r}: "
                                      f"{exc.strerror}") from None
        with self._parent_lock():
            recover(self.target)
            staging = parent / f".{self.target.name}.{_TMP}-{secrets.token_hex(4)}"
            try:
                os.mkdir(staging)  # mode 0777 & ~umask, unlike mkdtemp's 0700
            except OSError as exc:
                raise OutputLocationError(f"cannot write to {str(parent)!r}: {exc.strerror}"
                                          ) from None
            # Locked before the parent lock is released: recover() in another process
            # removes only staging folders whose lock it can take.
            self._staging = staging
            self._fd = os.open(staging, os.O_RDONLY)
            _flock(self._fd, block=True)
        free = shutil.disk_usage(staging).free
        if free < self.required_bytes:
            self._discard()
            raise OutputLocationError(
                f"not enough free space at {str(parent)!r}: the report needs about "
                f"{self.required_bytes / 1e6:.0f} MB, {free / 1e6:.0f} MB are free")
        return self

    # --- exit: commit or discard ------------------------------------------------------------
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        staging = self._staging
        if exc_type is not None:
            self._discard()
            if _is_write_error(exc, staging, self.target):
                raise WriteFailure(f"could not write the report {str(self.target)!r}: "
                                   f"{exc.strerror or exc}; the previous report, if any, is "
                                   f"untouched") from exc
            return
        try:
            self._commit()
        except BaseException as failure:
            self._discard()
            if _is_write_error(failure, staging, self.target.parent):
                raise WriteFailure(f"could not write the report {str(self.target)!r}: "
                                   f"{failure.strerror or failure}; the previous report, if "
                                   f"any, is untouched") from failure
            raise

    def _write_marker(self) -> None:
        files = [f for f in _entries(self.path) if f != MARKER_FILE]
        from .metadata import package_version

        marker = {"format": MARKER_FORMAT, "kind": self.kind,
                  "omxval_version": package_version("omxval"), "files": files}
        meta = {**self.metadata, MARKER_KEY: marker}
        (self.path / MARKER_FILE).write_text(json.dumps(meta, indent=2, default=str) + "\n")

    def _commit(self) -> None:
        self._write_marker()  # last: a staging folder with a marker is complete
        staging, target = self.path, self.target
        with self._parent_lock():
            check_target(target)  # someone may have put files there meanwhile
            if target.exists() and _exchange(staging, target):
                shutil.rmtree(staging, ignore_errors=True)  # now holds the previous report
            elif target.exists():
                backup = target.parent / f".{target.name}.{_OLD}-{secrets.token_hex(4)}"
                os.rename(target, backup)
                os.rename(staging, target)  # a crash before this line: recover() restores
                shutil.rmtree(backup, ignore_errors=True)
            else:
                if any(target.parent.glob(f".{target.name}.{_OLD}-*")):
                    recover(target)
                os.rename(staging, target)
        self._release()

    def _discard(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the flock
            self._fd = None
        self._staging = None

    def _parent_lock(self):
        return _DirectoryLock(self.target.parent)


class _DirectoryLock:
    """Exclusive ``flock`` on a directory for the duration of a ``with`` block."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __enter__(self) -> None:
        self.fd = os.open(self.directory, os.O_RDONLY)
        _flock(self.fd, block=True)

    def __exit__(self, *exc) -> None:
        os.close(self.fd)


def recover(target: Path) -> list[str]:
    """Repair what a dead writer left beside ``target``; call under the parent's lock.

    * A backup ``.<name>.omxval-old-*`` exists only between the two renames of a swap (the
      swap holds the parent lock), so under the lock it is an interrupted swap: if the target
      is missing the newest backup is restored, otherwise it is removed.
    * A staging folder ``.<name>.omxval-tmp-*`` whose ``flock`` can be taken has no live
      writer: it is removed.

    Returns
    -------
    list of str
        One line per action, for logs and tests.
    """
    parent, name = target.parent, target.name
    actions = []
    backups = list(parent.glob(f".{name}.{_OLD}-*"))
    strange = [p for p in backups if p.is_symlink() or not p.is_dir()]
    if strange:  # never restore (or delete) something omxval cannot have left there
        raise _refusal(target, f"{str(strange[0])!r} looks like an omxval backup but is "
                               f"{'a symbolic link' if strange[0].is_symlink() else 'not a directory'}"
                               f"; remove it first")
    backups.sort(key=lambda p: p.stat().st_mtime)
    if backups and not os.path.lexists(target):
        os.rename(backups.pop(), target)
        actions.append(f"restored {target} from an interrupted swap")
    for leftover in backups:
        shutil.rmtree(leftover, ignore_errors=True)
        actions.append(f"removed {leftover}")
    for staging in parent.glob(f".{name}.{_TMP}-*"):
        try:
            fd = os.open(staging, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _flock(fd, block=False):
                shutil.rmtree(staging, ignore_errors=True)
                actions.append(f"removed {staging}")
        finally:
            os.close(fd)
    return actions


__all__ = ["OutputDirectory", "OutputLocationError", "WriteFailure", "check_target", "read_marker", "recover",
           "MARKER_FILE", "MARKER_KEY"]
