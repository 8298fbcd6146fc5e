"""An earlier commit of omxval, importable beside this tree, for same-run benchmark ratios."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
# src/omxval and the top-level folders are the package omxval (pyproject's package-dir).
_PARTS = ("linear", "fullquantum", "perturbative", "compare")


def shim(tree: Path, into: Path) -> Path:
    """A directory holding package ``omxval`` assembled from ``tree`` (symlinks)."""
    pkg = into / "omxval"
    pkg.mkdir(parents=True)
    for f in (tree / "src" / "omxval").iterdir():
        (pkg / f.name).symlink_to(f)
    for folder in _PARTS:
        if (tree / folder).exists():
            (pkg / folder).symlink_to(tree / folder)
    return into


@contextlib.contextmanager
def baseline_path(commit: str) -> Iterator[Path]:
    """A PYTHONPATH entry importing ``omxval`` as of ``commit`` (a temporary git worktree,
    removed on exit)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q",
                        str(tmp / "tree"), commit], check=True)
        try:
            yield shim(tmp / "tree", tmp / "shim")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(tmp / "tree")], check=False)
