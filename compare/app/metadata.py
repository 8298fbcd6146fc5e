"""Provenance of a report: versions, BLAS, platform, git commit, configuration, timings."""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import platform
import subprocess
import sys
from importlib import metadata as _md
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_info

from ...fullquantum.structured.accelerator import accelerator_info

PACKAGES = ("omxval", "qutip", "numpy", "scipy", "pandas", "matplotlib", "threadpoolctl")


@functools.lru_cache(maxsize=None)  # a metadata lookup costs ~0.2 ms; keys ask per point
def package_version(name: str) -> str:
    """Installed version of distribution ``name`` (``"not installed"`` if absent)."""
    try:
        return _md.version(name)
    except _md.PackageNotFoundError:
        return "not installed"


def git_commit(path: str | Path | None = None) -> str:
    """HEAD of the git checkout holding this package (``"unknown"`` outside one); marked
    ``+dirty`` when the working tree has uncommitted changes."""
    cwd = Path(path) if path else Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def model_provenance(configuration: dict[str, Any]) -> dict[str, Any] | None:
    """The model file a configuration names (``[model] file``): its absolute path and the
    SHA-256 of its bytes, so a report says exactly which model it judged; None without."""
    path = (configuration.get("model") or {}).get("file") if configuration else None
    if not path:
        return None
    file = Path(path)
    try:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError as exc:
        digest = f"unreadable: {exc.strerror}"
    return {"file": path, "path": str(file.resolve()), "sha256": digest}


def collect(configuration: dict[str, Any], timings: dict[str, float]) -> dict[str, Any]:
    """A JSON-serialisable record of where and how a report was made (with the model file
    and its hash when the configuration names one)."""
    model = model_provenance(configuration)
    return {**({"model_file": model} if model else {}),
        "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "packages": {name: package_version(name) for name in PACKAGES},
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "blas": [{k: info.get(k) for k in ("internal_api", "version", "num_threads",
                                             "threading_layer", "architecture")}
                 for info in threadpool_info()],
        "accelerator": accelerator_info(),
        "git_commit": git_commit(),
        "configuration": configuration,
        "timings_s": timings,
    }
