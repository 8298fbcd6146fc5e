"""The command line's display of progress (standard error)."""

from __future__ import annotations

import sys


def stderr_progress(message: str) -> None:
    """The command line's progress sink: one line on standard error."""
    print(f"[omxval] {message}", file=sys.stderr, flush=True)


__all__ = ["stderr_progress"]
