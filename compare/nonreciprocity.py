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

import numpy as np
import pandas as pd

import fullquantum
import linear
from linear.sweep import UNITS


def nonreciprocity_study(system: linear.System, Delta_c: Sequence[float], *,
                         curve: Sequence[float] | None = None,
                         directions: Sequence[str] = ("ccw", "cw"),
                         baths: Sequence[str] = ("brownian", "lindblad"),
                         model: str = "linearized", cutoffs: tuple[int, int, int] = (4, 3, 8),
                         progress: Callable[[str], None] | None = None,
                         **solve_options) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Linear curves and full-quantum points of E_N against the bare detuning Δ_c.

    Parameters
    ----------
    system : linear.System
        Fixes every rate and the drive ε; its ``Delta_c`` and ``bath`` are swept.
    Delta_c : sequence of float
        Bare detunings (units of ω_m) of the full-quantum points.
    curve : sequence of float, optional
        Dense detuning grid for the Gaussian curves (default: 301 points spanning
        ``Delta_c`` with a margin).
    directions, baths
        What to compare.
    model, cutoffs, **solve_options
        As for :func:`fullquantum.solve`.

    Returns
    -------
    (curves, points) : DataFrames
        ``curves``: the Gaussian model (tidy rows of :func:`linear.sweep`, branch 0).
        ``points``: one row per (bath, direction, Δ_c): linear E_N, full-quantum Gaussian and
        exact E_N, max|ΔV|, stability, top population, seconds. Unstable points have NaN
        values and no full-quantum solve.
    """
    Delta_c = np.asarray(Delta_c, dtype=float)
    if curve is None:
        span = Delta_c.max() - Delta_c.min()
        curve = np.linspace(Delta_c.min() - 0.25 * span, Delta_c.max() + 0.25 * span, 301)
    say = progress or (lambda message: None)
    curves, rows = [], []
    for bath in baths:
        s_b = system.replace(bath=bath)
        df = linear.sweep(s_b, direction=list(directions), Delta_c=curve)
        curves.append(df[df["branch"] == 0])
        for d in directions:
            for dc in Delta_c:
                s = s_b.replace(Delta_c=float(dc))
                lin = linear.analyze(s, d)
                row = {"bath": bath, "direction": d, UNITS["Delta_c"]: float(dc),
                       "stable": lin.stable, "E_N linear": lin.log_negativity,
                       "|G_d| [omega_m]": lin.coupling}
                if lin.stable:
                    t = time.perf_counter()
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always", fullquantum.TruncationWarning)
                        fq = fullquantum.solve(s, d, cutoffs=cutoffs, model=model,
                                               **solve_options)
                    row.update({"E_N gaussian fq": fq.log_negativity_gaussian,
                                "E_N exact fq": fq.log_negativity_exact,
                                "max abs dV": fq.V_error,
                                "max top population": max(fq.top_populations),
                                "truncated": bool(caught),
                                "seconds": time.perf_counter() - t})
                say(f"{bath}, {d} drive, Delta_c = {dc:g}: "
                    + ("unstable" if not lin.stable else f"E_N {row['E_N exact fq']:.4f} "
                       f"(linear {lin.log_negativity:.4f})"))
                rows.append(row)
    return pd.concat(curves, ignore_index=True), pd.DataFrame(rows)


__all__ = ["nonreciprocity_study"]
