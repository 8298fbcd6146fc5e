"""Progress messages with an ETA: studies report through a callback, never print.

A study reports through a plain callable ``say(message: str)``; :class:`Counter` turns a
loop of known length into messages ``[3/12, ETA 41 s] ...`` (the ETA is the mean time per
finished item times the items left, which suits loops of similar points).
"""

from __future__ import annotations

import time
from collections.abc import Callable

Say = Callable[[str], None]


def silent(message: str) -> None:
    """A progress sink that drops every message."""


def sink(progress: Say | None) -> Say:
    """``progress`` or :func:`silent` when None."""
    return progress or silent


def format_seconds(seconds: float) -> str:
    """``42 s``, ``3 min 05 s`` or ``1 h 02 min``."""
    s = int(round(seconds))
    if s < 120:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class Counter:
    """Counts finished items of a loop of ``total`` and prefixes messages with an ETA."""

    def __init__(self, total: int, say: Say | None) -> None:
        self.total = max(int(total), 1)
        self.done = 0
        self.say = sink(say)
        self.start = time.perf_counter()

    def step(self, message: str) -> None:
        """Mark one item finished and report ``message`` with the count and the ETA."""
        self.done += 1
        elapsed = time.perf_counter() - self.start
        left = self.total - self.done
        eta = f", ETA {format_seconds(elapsed / self.done * left)}" if left > 0 else ""
        self.say(f"[{self.done}/{self.total}{eta}] {message}")


__all__ = ["Counter", "Say", "silent", "sink", "format_seconds"]
