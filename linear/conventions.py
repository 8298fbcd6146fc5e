"""The conventions every module shares (docs/conventions.md §1–2), stated once here.

* Every rate inside omxval is divided by the mechanical frequency ω_m, so ω_m = 1 and time
  is measured in units of 1/ω_m.
* κ is the *amplitude* decay rate of each optical mode (Lindblad rate 2κ).
* The CCW mode sits at Δ_ccw = Δ_c + Δ_F and the CW mode at Δ_cw = Δ_c − Δ_F, whatever is
  driven; Δ_c = ω_c − ω_l (positive = red detuned).
* Drive "ccw" pumps the CCW mode, "cw" the CW mode; ε is real and positive.
* Fluctuations are ordered u = (X_ccw, Y_ccw, X_cw, Y_cw, q, p).
"""

from __future__ import annotations

from typing import Literal, TypeVar

import numpy as np
from numpy.typing import ArrayLike

Bath = Literal["brownian", "lindblad"]
Direction = Literal["ccw", "cw"]

BATHS: tuple[str, ...] = ("brownian", "lindblad")
DIRECTIONS: tuple[str, ...] = ("ccw", "cw")

# Mode index of each optical mode in u = (X_ccw, Y_ccw, X_cw, Y_cw, q, p); mechanics is 2.
OPTICAL_MODE: dict[str, int] = {"ccw": 0, "cw": 1}
MECHANICAL_MODE: int = 2

_T = TypeVar("_T")


def mode_detunings(Delta_c: ArrayLike, Delta_F: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """(Δ_ccw, Δ_cw) = (Δ_c + Δ_F, Δ_c − Δ_F) whatever is driven (docs/conventions.md §2).

    Works for bare and effective detunings (Δ̃_j = Δ_j − G0 q_s) and broadcasts over arrays.

    Parameters
    ----------
    Delta_c, Delta_F : float or array_like
        Cavity–laser detuning and Sagnac–Fizeau shift, units of ω_m.

    Returns
    -------
    (Delta_ccw, Delta_cw) : ndarray or NumPy scalar
    """
    return np.add(Delta_c, Delta_F), np.subtract(Delta_c, Delta_F)


def cut(direction: str) -> tuple[int, int]:
    """The (driven optical, mechanical) mode pair whose entanglement omxval reports (§2)."""
    return OPTICAL_MODE[direction], MECHANICAL_MODE


def driven_first(ccw: _T, cw: _T, direction: str) -> tuple[_T, _T]:
    """Reorder a (ccw, cw) pair as (driven, undriven) for drive ``direction``; its own inverse
    (``driven_first(d, u, direction)`` gives back (ccw, cw))."""
    return (ccw, cw) if direction == "ccw" else (cw, ccw)


__all__ = ["Bath", "Direction", "BATHS", "DIRECTIONS", "OPTICAL_MODE", "MECHANICAL_MODE",
           "mode_detunings", "cut", "driven_first"]
