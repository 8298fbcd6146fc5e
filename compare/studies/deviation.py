"""How far apart two covariance matrices are: the one distance every study uses."""

from __future__ import annotations

import numpy as np


def max_abs_difference(V1: np.ndarray, V2: np.ndarray) -> float:
    """max_kl |V1_kl − V2_kl| (quadrature units: the vacuum variance is 1/2, so 1e-4 is
    2e-4 of a vacuum variance)."""
    return float(np.max(np.abs(np.asarray(V1) - np.asarray(V2))))


__all__ = ["max_abs_difference"]
