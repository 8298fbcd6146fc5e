"""Small pieces the benchmark scripts share (run as ``python benchmarks/X.py``)."""

from __future__ import annotations

import numpy as np


def trace_distance(a: np.ndarray, b: np.ndarray) -> float:
    """½‖a − b‖₁ of two Hermitian matrices (density matrices as NumPy arrays)."""
    return 0.5 * float(np.abs(np.linalg.eigvalsh(a - b)).sum())
