"""Is the Gaussian E_N right here? One design point, both errors kept apart.

For a design point (docs/conventions.md §5) this runs the full-quantum model at cutoffs
chosen **for that point** (:func:`adaptive_cutoffs`) and reports two different errors:

* **truncation error** — the ``linearized`` Fock model against the Lyapunov solution. Both
  describe the same quadratic Hamiltonian, so their difference is a numerical control: it
  says how well the cutoffs resolve the state, nothing about physics;
* **approximation error** — the ``nonlinear`` model (exact up to truncation) against the
  Gaussian model: what the linearization of the radiation-pressure coupling costs.

A full-quantum number is only meaningful at cutoffs shown converged for that point, so a
point whose cutoffs do not converge within the budget is ``unconverged``, never a number.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .. import fullquantum, linear
from ..errors import InputError
from .convergence import gaussian_cutoffs
from .deviation import max_abs_difference

Status = Literal["valid", "breaks", "unconverged", "unstable", "failed"]
MODES = ("ccw", "cw", "mechanics")


@dataclass(frozen=True)
class AdaptiveSolve:
    """Outcome of :func:`adaptive_cutoffs`.

    Attributes
    ----------
    state : fullquantum.SteadyState or None
        The solve at ``cutoffs`` (None if not even the first one fitted the budget).
    cutoffs : (int, int, int)
        The converged cutoffs (the last tried if not converged).
    converged : bool
        A full pass raising each cutoff by one changed V and E_N by less than the
        tolerances.
    solves : int
        Steady states computed.
    reason : str
        Why it is not converged ("" if it is).
    """

    state: fullquantum.SteadyState | None
    cutoffs: tuple[int, int, int]
    converged: bool
    solves: int
    reason: str


def adaptive_cutoffs(point: linear.OperatingPoint, model: str = "nonlinear", *,
                     start: tuple[int, int, int] | None = None, V_tolerance: float = 1e-5,
                     log_negativity_tolerance: float = 1e-4, max_passes: int = 12,
                     **solve_options) -> AdaptiveSolve:
    """Raise each Fock cutoff until one more level changes V and E_N by less than tolerance.

    Each pass raises every cutoff by one in turn, against the state at the current cutoffs;
    the modes whose change exceeds the tolerances (max|ΔV|, |ΔE_N| Gaussian and exact) are
    raised together and the pass repeats. A pass that raises nothing is the convergence
    check itself, so the verdict rests on a refinement of every mode at the final cutoffs
    (it can dismiss convergence, never prove it).

    Parameters
    ----------
    point : linear.OperatingPoint
    model : {"linearized", "nonlinear", "lab"}
    start : (int, int, int), optional
        First cutoffs; default :func:`~omxval.compare.convergence.gaussian_cutoffs`.
    V_tolerance, log_negativity_tolerance : float
        Largest change of max|ΔV| (quadrature units, vacuum variance ½) and of E_N (ln)
        that one more level may cause.
    max_passes : int
        Passes before giving up ("unconverged").
    **solve_options
        Passed to :func:`fullquantum.solve` (``method=``, ``memory_budget_bytes=``, …).
    """
    current = tuple(start) if start is not None else gaussian_cutoffs(point)
    solves = 0

    def solve(cutoffs):
        nonlocal solves
        solves += 1
        with warnings.catch_warnings():  # the ladder is expected to be truncated at first
            warnings.simplefilter("ignore", fullquantum.TruncationWarning)
            return fullquantum.solve(point, cutoffs=cutoffs, model=model, **solve_options)

    try:
        state = solve(current)
    except fullquantum.MemoryBudgetError:
        return AdaptiveSolve(None, current, False, solves, f"the first cutoffs {current} "
                             "exceed the memory budget")
    for _ in range(max_passes):
        raise_modes = []
        for k in range(3):
            trial = tuple(c + (i == k) for i, c in enumerate(current))
            try:
                other = solve(trial)
            except fullquantum.MemoryBudgetError:
                return AdaptiveSolve(state, current, False, solves,
                                     f"cutoffs {trial} exceed the memory budget")
            change = (max_abs_difference(other.V, state.V),
                      abs(other.log_negativity_gaussian - state.log_negativity_gaussian),
                      abs(other.log_negativity_exact - state.log_negativity_exact))
            if (change[0] > V_tolerance or change[1] > log_negativity_tolerance
                    or change[2] > log_negativity_tolerance):
                raise_modes.append(k)
        if not raise_modes:
            return AdaptiveSolve(state, current, True, solves, "")
        current = tuple(c + (i in raise_modes) for i, c in enumerate(current))
        try:
            state = solve(current)
        except fullquantum.MemoryBudgetError:
            return AdaptiveSolve(state, current, False, solves,
                                 f"cutoffs {current} exceed the memory budget")
    return AdaptiveSolve(state, current, False, solves,
                         f"still changing after {max_passes} passes (cutoffs {current})")


@dataclass(frozen=True)
class ValidityCriteria:
    """When the Gaussian E_N counts as valid, and how hard to converge the cutoffs.

    Attributes
    ----------
    relative_error : float
        Largest |E_N exact − E_N Gaussian| / E_N Gaussian for ``valid`` (default 1 %).
    absolute_floor : float
        Below this |ΔE_N| (ln) a point is ``valid`` whatever the relative error (E_N ≈ 0).
    V_tolerance, log_negativity_tolerance : float
        Convergence tolerances of :func:`adaptive_cutoffs`. They must lie below the error
        that is being judged: the default E_N tolerance 1e-4 is 1 % of E_N ≈ 0.01.
    """

    relative_error: float = 1e-2
    absolute_floor: float = 1e-4
    V_tolerance: float = 1e-5
    log_negativity_tolerance: float = 1e-4

    def __post_init__(self) -> None:
        for name in ("relative_error", "absolute_floor", "V_tolerance",
                     "log_negativity_tolerance"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and not isinstance(value, bool)
                    and np.isfinite(value) and value > 0):
                raise InputError(f"{name} must be a finite number > 0; got {value!r}")


def validity_point(design: dict, direction: str = "ccw", bath: str = "brownian", *,
                   model: str = "nonlinear", criteria: ValidityCriteria | None = None,
                   **solve_options) -> dict:
    """Both errors of the Gaussian model at one design point, as one table row.

    Parameters
    ----------
    design : dict
        Keyword arguments of :func:`linear.design_point` except direction and bath.
    direction, bath
        Drive and mechanical bath.
    model : {"nonlinear", "linearized", "lab"}
        The full-quantum model judged against the Gaussian one; "nonlinear" measures the
        approximation error.
    criteria : ValidityCriteria
    **solve_options
        Passed to :func:`fullquantum.solve`.

    Returns
    -------
    dict
        ``status`` ("valid", "breaks", "unconverged", "unstable", "failed"), ``message``,
        ``E_N linear``, ``E_N exact``, ``abs dE_N``, ``rel dE_N``, ``max abs dV``,
        ``truncation dE_N`` (linearized Fock model against Lyapunov at the same cutoffs),
        ``non-Gaussianity``, photon and phonon numbers, ``n_branches``, ``multistable``,
        the cutoffs, ``solves`` and ``seconds``. A failure becomes a row, not an exception.
    """
    crit = criteria or ValidityCriteria()
    t0 = time.perf_counter()
    row: dict = {"status": "failed", "message": ""}
    try:
        point = linear.design_point(**design, direction=direction, bath=bath)
        lin = linear.analyze(point)
        row.update({"n_branches": point.n_branches, "multistable": point.multistable,
                    "E_N linear": lin.log_negativity})
        if not lin.stable:
            row.update(status="unstable", message=f"max Re λ(A) = {lin.max_growth_rate:.3g}")
            return _finish(row, t0)
        fit = adaptive_cutoffs(point, model, V_tolerance=crit.V_tolerance,
                               log_negativity_tolerance=crit.log_negativity_tolerance,
                               **solve_options)
        row.update({"N_ccw": fit.cutoffs[0], "N_cw": fit.cutoffs[1], "N_m": fit.cutoffs[2],
                    "solves": fit.solves})
        if not fit.converged:
            row.update(status="unconverged", message=fit.reason)
            return _finish(row, t0)
        s = fit.state
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fullquantum.TruncationWarning)
            control = fullquantum.solve(point, cutoffs=fit.cutoffs, model="linearized",
                                        **solve_options)
        d_en = s.log_negativity_exact - lin.log_negativity
        rel = abs(d_en) / lin.log_negativity if lin.log_negativity > 0 else np.inf
        valid = abs(d_en) <= crit.absolute_floor or rel <= crit.relative_error
        row.update({
            "status": "valid" if valid else "breaks",
            "E_N exact": s.log_negativity_exact, "abs dE_N": abs(d_en),
            "rel dE_N": rel if np.isfinite(rel) else np.nan,
            "max abs dV": max_abs_difference(s.V, lin.V),
            "truncation dE_N": abs(control.log_negativity_exact - lin.log_negativity),
            "non-Gaussianity": s.non_gaussianity,
            "photons driven": s.photons[0 if direction == "ccw" else 1],
            "phonons": s.phonons, "max top population": max(s.top_populations)})
    except Exception as exc:  # a failed point is a row with its error, never a crash
        row.update(status="failed", message=f"{type(exc).__name__}: {exc}")
    return _finish(row, t0)


def _finish(row: dict, t0: float) -> dict:
    row["seconds"] = time.perf_counter() - t0
    return row


__all__ = ["adaptive_cutoffs", "AdaptiveSolve", "validity_point", "ValidityCriteria",
           "Status"]
