"""Progress messages with an ETA: studies report through a callback, never print.

A study reports through a plain callable ``say(message: str)``; :class:`Counter` turns a
loop of known length into messages ``[3/12, ETA 41 s] ...`` (the ETA is the mean time per
finished item times the items left, which suits loops of similar points).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

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
    """Counts finished items of a loop of ``total`` and prefixes messages with an ETA.

    With ``weights`` (one predicted relative cost per item, in the order the items finish
    on a serial run) the ETA is the elapsed time per unit of finished weight times the
    weight left, so that a ladder whose later items cost more is not under-estimated.
    Items are taken to finish in order; parallel runs finish nearly in order.
    """

    def __init__(self, total: int, say: Say | None,
                 weights: Sequence[float] | None = None) -> None:
        self.total = max(int(total), 1)
        self.done = 0
        self.say = sink(say)
        self.start = time.perf_counter()
        if weights is not None and (len(weights) != total or min(weights, default=1) <= 0):
            raise ValueError(f"weights must hold {total} positive numbers")
        self.weights = list(weights) if weights is not None else [1.0] * self.total

    def step(self, message: str) -> None:
        """Mark one item finished and report ``message`` with the count and the ETA."""
        self.done += 1
        elapsed = time.perf_counter() - self.start
        left = self.total - self.done
        finished = sum(self.weights[:self.done])
        remaining = sum(self.weights[self.done:])
        eta = f", ETA {format_seconds(elapsed / finished * remaining)}" if left > 0 else ""
        self.say(f"[{self.done}/{self.total}{eta}] {message}")


__all__ = ["Counter", "Say", "silent", "sink", "format_seconds"]
