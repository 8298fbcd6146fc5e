"""Nonreciprocity: E_N against detuning for both drive directions (and both baths).

The drive ε is fixed by the design point (the CCW drive at its detuning); sweeping the
bare detuning Δ_c then drives the two directions with the same laser, as in the paper's
Fig. 2: the Sagnac shift ±Δ_F moves their resonances apart. The Gaussian model gives dense
curves; the full-quantum model gives points on them.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import fullquantum, linear
from ..linear.sweep import UNITS
from .agreement import Verdict
from .deviation import max_abs_difference
from .progress import Counter

@dataclass(frozen=True)
class NonreciprocityStudy:
    """Outcome of :func:`nonreciprocity_study`.

    Attributes
    ----------
    curves : DataFrame
        The Gaussian model along the dense detuning grid (tidy rows of :func:`linear.sweep`,
        branch 0; ``n_branches`` > 1 marks a multistable mean field).
    points : DataFrame
        One row per (bath, direction, Δ_c): linear E_N, full-quantum Gaussian and exact E_N,
        max|ΔV|, stability, number of branches, top population, seconds. Unstable points have
        NaN values and no full-quantum solve.
    verdict : {"agree", "disagree", "truncated", "unstable"}
        "unstable" if no point is stable; "truncated" if a stable point's top Fock level
        holds more than the truncation tolerance; else whether every |E_N exact − E_N linear|
        is within ``tolerance``.
    reasons : tuple of str
    tolerance : float
    """

    curves: pd.DataFrame
    points: pd.DataFrame
    verdict: Verdict
    reasons: tuple[str, ...]
    tolerance: float

    question = "nonreciprocity (both drives, both baths)"




def nonreciprocity_study(system: linear.System, Delta_c: Sequence[float], *,
                         curve: Sequence[float] | None = None,
                         directions: Sequence[str] = ("ccw", "cw"),
                         baths: Sequence[str] = ("brownian", "lindblad"),
                         model: str = "linearized", cutoffs: tuple[int, int, int] = (4, 3, 8),
                         log_negativity_tolerance: float = 1e-3,
                         progress: Callable[[str], None] | None = None,
                         **solve_options) -> NonreciprocityStudy:
    """Linear curves and full-quantum points of E_N against the bare detuning Δ_c.

    Parameters
    ----------
    system : linear.System
        Fixes every rate and the drive ε; its ``Delta_c`` and ``bath`` are swept.
    Delta_c : sequence of float
        Bare detunings (units of ω_m) of the full-quantum points (branch 0 of the mean
        field; the number of branches is recorded).
    curve : sequence of float, optional
        Dense detuning grid for the Gaussian curves (default: 301 points spanning
        ``Delta_c`` with a margin).
    directions, baths
        What to compare.
    model, cutoffs, **solve_options
        As for :func:`fullquantum.solve`.
    log_negativity_tolerance : float
        Largest |E_N exact − E_N linear| for "agree".

    Returns
    -------
    NonreciprocityStudy
    """
    Delta_c = np.asarray(Delta_c, dtype=float)
    if curve is None:
        span = Delta_c.max() - Delta_c.min()
        curve = np.linspace(Delta_c.min() - 0.25 * span, Delta_c.max() + 0.25 * span, 301)
    count = Counter(len(baths) * len(directions) * len(Delta_c), progress)
    curves, rows = [], []
    for bath in baths:
        s_b = system.replace(bath=bath)
        df = linear.sweep(s_b, direction=list(directions), Delta_c=curve)
        curves.append(df[df["branch"] == 0])
        for d in directions:
            for dc in Delta_c:
                point = linear.OperatingPoint(s_b.replace(Delta_c=float(dc)), d)
                lin = linear.analyze(point)
                row = {"bath": bath, "direction": d, UNITS["Delta_c"]: float(dc),
                       "stable": lin.stable, "n_branches": point.n_branches,
                       "E_N linear": lin.log_negativity, "|G_d| [omega_m]": lin.coupling}
                if lin.stable:
                    t = time.perf_counter()
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always", fullquantum.TruncationWarning)
                        fq = fullquantum.solve(point, cutoffs=cutoffs, model=model,
                                               **solve_options)
                    row.update({"E_N gaussian fq": fq.log_negativity_gaussian,
                                "E_N exact fq": fq.log_negativity_exact,
                                "max abs dV": max_abs_difference(fq.V, lin.V),
                                "max top population": max(fq.top_populations),
                                "truncated": bool(caught),
                                "seconds": time.perf_counter() - t})
                count.step(f"{bath}, {d} drive, Delta_c = {dc:g}: "
                           + ("unstable" if not lin.stable else f"E_N {row['E_N exact fq']:.4f}"
                              f" (linear {lin.log_negativity:.4f})"))
                rows.append(row)
    points = pd.DataFrame(rows)
    verdict, reasons = _verdict(points, log_negativity_tolerance)
    return NonreciprocityStudy(pd.concat(curves, ignore_index=True), points, verdict, reasons,
                               log_negativity_tolerance)


def _verdict(points: pd.DataFrame, tol: float) -> tuple[Verdict, tuple[str, ...]]:
    solved = points[points["stable"]]
    if solved.empty:
        return "unstable", (f"the linear model is unstable at all {len(points)} points: "
                            "nothing to compare",)
    dev = np.abs(solved["E_N exact fq"] - solved["E_N linear"])
    n_trunc = int(solved["truncated"].sum())
    verdict = "truncated" if n_trunc else "agree" if (dev <= tol).all() else "disagree"
    best = {d: solved.loc[solved["direction"] == d, "E_N linear"].max()
            for d in solved["direction"].unique()}
    return verdict, (f"{len(solved)} stable points of {len(points)} ({n_trunc} truncated)",
                     f"max|E_N exact − E_N linear| = {dev.max():.2e} (tolerance {tol:.0e})",
                     "max E_N " + ", ".join(f"{d} {v:.4f}" for d, v in best.items()))


__all__ = ["nonreciprocity_study", "NonreciprocityStudy"]
