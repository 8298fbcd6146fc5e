"""Nonreciprocity: E_N against detuning for both drive directions (and both baths).

The drive ε is fixed by the design point (the CCW drive at its detuning); sweeping the
bare detuning Δ_c then drives the two directions with the same laser, as in the paper's
Fig. 2: the Sagnac shift ±Δ_F moves their resonances apart. The Gaussian model gives dense
curves; the full-quantum model gives points on them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ... import linear
from ...fullquantum.options import resolve_hamiltonian
from ...errors import InputTypeError
from ...linear.sweep import UNITS
from .agreement import Verdict
from .maps import map_points
from .progress import Counter
from .tables import TabulatedResult, status_counts
from .validity import ValidityCriteria, judge_point

@dataclass(frozen=True)
class NonreciprocityStudy(TabulatedResult):
    """Outcome of :func:`nonreciprocity_study`.

    Attributes
    ----------
    curves : DataFrame
        The Gaussian model along the dense detuning grid (tidy rows of :func:`linear.sweep`,
        branch 0; ``n_branches`` > 1 marks a multistable mean field).
    points : DataFrame
        One row per (bath, direction, Δ_c): the columns of
        :meth:`~omxval.compare.studies.validity.PointValidity.row` (``status``, linear E_N,
        ``E_N exact fq`` and ``E_N gaussian fq`` of the judged model, the truncation
        control, the cutoffs converged for the point, seconds) and ``stable``. Unstable
        points have no full-quantum solve.
    verdict : {"agree", "disagree", "unconverged", "unstable"}
        "unstable" if no point is stable; "unconverged" if a stable point's cutoffs did not
        converge; else whether every point is "valid" (relative error within ``tolerance``).
    reasons : tuple of str
    tolerance : float
        Largest relative |E_N exact − E_N Gaussian| / E_N of "agree".
    """

    _table = "points"  # the table of _repr_html_ and to_dataframe

    curves: pd.DataFrame
    points: pd.DataFrame
    verdict: Verdict
    reasons: tuple[str, ...]
    tolerance: float

    question = "nonreciprocity (both drives, both baths)"

    def __repr__(self) -> str:
        rel = self.points["rel dE_N"].max() if "rel dE_N" in self.points else np.nan
        n = len(self.points)
        return (f"NonreciprocityStudy({self.verdict}: {n} point{'s' * (n != 1)} "
                f"({status_counts(self.points['status'])}); max rel |ΔE_N| {rel:.2%} "
                f"(tolerance {self.tolerance:.0%})")



def _point_row(item: tuple, system: linear.System, hamiltonian: str, criteria, max_dimension,
               solve_options: dict) -> dict:
    """One (bath, direction, Δ_c) point: both errors at cutoffs converged there (a worker)."""
    bath, d, dc = item
    point = linear.OperatingPoint(system.replace(bath=bath, Delta_c=float(dc)), d)
    judged = judge_point(point, hamiltonian, criteria=criteria, max_dimension=max_dimension,
                         **solve_options)
    row = judged.row()
    lin = judged.gaussian
    return {"bath": bath, "direction": d, UNITS["Delta_c"]: float(dc), "stable": lin.stable,
            "|G_d| [omega_m]": lin.coupling, **row}


def nonreciprocity_study(system: linear.System | linear.OperatingPoint,
                         Delta_c: Sequence[float], *,
                         curve: Sequence[float] | None = None,
                         directions: Sequence[str] = ("ccw", "cw"),
                         baths: Sequence[str] = ("brownian", "lindblad"),
                         hamiltonian: str | None = None, criteria: ValidityCriteria | None = None,
                         max_dimension: int | None = None, engine: str = "serial",
                         num_cpus: int | None = None,
                         progress: Callable[[str], None] | None = None,
                         model: str | None = None, **solve_options) -> NonreciprocityStudy:
    """Linear curves and full-quantum points of E_N against the bare detuning Δ_c.

    Every full-quantum point is solved at cutoffs converged for it
    (:func:`~omxval.compare.studies.validity.judge_point`), with the ``linearized`` model at the
    same cutoffs as the truncation control.

    Parameters
    ----------
    system : linear.System or linear.OperatingPoint
        Fixes every rate and the drive ε; its ``Delta_c`` and ``bath`` are swept (of an
        operating point, its system: the study covers both drives).
    Delta_c : sequence of float
        Bare detunings (units of ω_m) of the full-quantum points (branch 0 of the mean
        field; the number of branches is recorded).
    curve : sequence of float, optional
        Dense detuning grid for the Gaussian curves (default: 301 points spanning
        ``Delta_c`` with a margin).
    directions, baths
        What to compare.
    hamiltonian : {"nonlinear", "linearized", "lab"}
        Full-quantum form judged (default "nonlinear"; ``model=``: its former name).
    criteria : ValidityCriteria
        Convergence tolerances of each point's cutoff search and what "valid" means
        (relative |E_N exact − E_N Gaussian| ≤ ``relative_error``, default 1 %).
    max_dimension : int, optional
        Cost limit of each point's cutoff search.
    engine, num_cpus
        Engine running the points (:func:`~omxval.compare.studies.maps.map_points`).
    **solve_options
        Passed to :func:`fullquantum.solve`.

    Returns
    -------
    NonreciprocityStudy
    """
    if isinstance(system, linear.OperatingPoint):
        system = system.system
    if not isinstance(system, linear.System):
        raise InputTypeError(f"system must be a linear.System or OperatingPoint; got "
                             f"{type(system).__name__}")
    hamiltonian = resolve_hamiltonian(hamiltonian, model, "nonlinear")
    Delta_c = np.asarray(Delta_c, dtype=float)
    if curve is None:
        span = Delta_c.max() - Delta_c.min()
        curve = np.linspace(Delta_c.min() - 0.25 * span, Delta_c.max() + 0.25 * span, 301)
    curves = []
    for bath in baths:
        df = linear.sweep(system.replace(bath=bath), direction=list(directions), Delta_c=curve)
        curves.append(df[df["branch"] == 0])
    items = [(b, d, float(dc)) for b in baths for d in directions for dc in Delta_c]
    count = Counter(len(items), progress)
    rows: dict[tuple, dict] = {}

    def arrived(row: dict) -> None:
        key = (row["bath"], row["direction"], row[UNITS["Delta_c"]])
        rows[key] = row
        count.step(f"{key[0]}, {key[1]} drive, Delta_c = {key[2]:g}: {row['status']}"
                   + (f", E_N {row['E_N exact']:.4f} (Gaussian {row['E_N linear']:.4f})"
                      if "E_N exact" in row else ""))

    map_points(_point_row, items, task_args=(system, hamiltonian, criteria, max_dimension,
                                             solve_options),
               engine=engine, num_cpus=num_cpus, reduce_func=arrived)
    points = pd.DataFrame([rows[k] for k in items])
    points = points.rename(columns={"E_N exact": "E_N exact fq",
                                    "E_N gaussian": "E_N gaussian fq"})
    crit = criteria or ValidityCriteria()
    verdict, reasons = _verdict(points, crit.relative_error)
    return NonreciprocityStudy(pd.concat(curves, ignore_index=True), points, verdict, reasons,
                               crit.relative_error)


def _verdict(points: pd.DataFrame, tol: float) -> tuple[Verdict, tuple[str, ...]]:
    stable = points[points["stable"]]
    if stable.empty:
        return "unstable", (f"the linear model is unstable at all {len(points)} points: "
                            "nothing to compare",)
    judged = stable[stable["status"].isin(["valid", "breaks"])]
    missing = stable[~stable["status"].isin(["valid", "breaks"])]
    if judged.empty:
        return "unconverged", (f"no stable point has converged cutoffs ({len(missing)} "
                               f"unconverged or failed): {missing['message'].iloc[0]}",)
    rel = judged["rel dE_N"]
    trunc = judged["truncation dE_N"]
    verdict: Verdict = ("unconverged" if len(missing) else "agree"
                        if (judged["status"] == "valid").all() else "disagree")
    best = {d: stable.loc[stable["direction"] == d, "E_N linear"].max()
            for d in stable["direction"].unique()}
    return verdict, (f"{len(stable)} stable points of {len(points)}; {len(missing)} without "
                     f"converged cutoffs",
                     f"approximation: max|E_N exact − E_N Gaussian| / E_N = {rel.max():.2%} "
                     f"(tolerance {tol:.0%})",
                     f"truncation control: max|ΔE_N| = {trunc.max():.2e}",
                     "max E_N " + ", ".join(f"{d} {v:.4f}" for d, v in best.items()))


__all__ = ["nonreciprocity_study", "NonreciprocityStudy"]
