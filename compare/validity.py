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
    iterations : int
        GMRES iterations of all the structured solves (0 with QuTiP's methods, which do
        not report them).
    """

    state: fullquantum.SteadyState | None
    cutoffs: tuple[int, int, int]
    converged: bool
    solves: int
    reason: str
    iterations: int = 0


def adaptive_cutoffs(point: linear.OperatingPoint, model: str = "nonlinear", *,
                     start: tuple[int, int, int] | None = None, V_tolerance: float = 1e-5,
                     log_negativity_tolerance: float = 1e-4, max_passes: int = 24,
                     max_dimension: int | None = None, warm_start: bool = True,
                     **solve_options) -> AdaptiveSolve:
    """Raise each Fock cutoff until one more level changes V and E_N by less than tolerance.

    A pass raises cutoffs by one in turn, against the state at the current cutoffs; the
    modes whose change exceeds the tolerances (max|ΔV|, |ΔE_N| Gaussian and exact) are
    raised together, and the next pass refines only those. When they stop changing, a final
    pass refines every mode at the final cutoffs; the verdict rests on that pass (it can
    dismiss convergence, never prove it). Modes that passed are not refined again until the
    final pass, and a pass that raises one mode reuses its trial as the new state.

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
        Passes (refinement and final-check passes) before giving up ("unconverged").
    max_dimension : int, optional
        Largest Hilbert-space dimension d = N_ccw·N_cw·N_m to try: a cost limit (the solve
        time grows roughly as d²), below the memory budget. Needing more is "unconverged".
    warm_start : bool
        Start the GMRES of each structured solve from the state at the cutoffs it refines
        (``initial_state`` of :func:`fullquantum.solve`): the same states to the solver's
        tolerance in fewer iterations. Without effect for QuTiP's methods.
    **solve_options
        Passed to :func:`fullquantum.solve` (``method=``, ``memory_budget_bytes=``, …).
    """
    if "initial_state" in solve_options:
        raise InputError("adaptive_cutoffs chooses the initial state of each solve; "
                         "use warm_start=False for cold starts")
    method = solve_options.get("method", "structured")
    warm = warm_start and (method == "structured" or isinstance(method, fullquantum.Structured))
    current = tuple(start) if start is not None else gaussian_cutoffs(point)
    solves = iterations = 0

    known: dict[tuple[int, int, int], fullquantum.SteadyState] = {}

    def solve(cutoffs, near=None):  # a solve depends on the cutoffs alone: never repeat one
        nonlocal solves, iterations
        if max_dimension is not None and int(np.prod(cutoffs)) > max_dimension:
            raise _TooLarge(f"cutoffs {cutoffs} (d = {int(np.prod(cutoffs))}) exceed "
                            f"max_dimension = {max_dimension}")
        if cutoffs not in known:
            solves += 1
            with warnings.catch_warnings():  # the ladder is expected to be truncated at first
                warnings.simplefilter("ignore", fullquantum.TruncationWarning)
                known[cutoffs] = fullquantum.solve(point, cutoffs=cutoffs, model=model,
                                                   initial_state=near if warm else None,
                                                   **solve_options)
            iterations += known[cutoffs].solver_info.get("iterations", 0)
        return known[cutoffs]

    def result(state, cutoffs, converged, reason=""):
        return AdaptiveSolve(state, cutoffs, converged, solves, reason, iterations)

    try:
        state = solve(current)
    except (fullquantum.MemoryBudgetError, _TooLarge) as exc:
        return result(None, current, False, f"the first cutoffs: {_why(exc)}")
    everything = (0, 1, 2)
    pending = everything  # the modes refined in this pass
    for _ in range(max_passes):
        raise_modes, trials = [], {}
        for k in pending:
            trial = tuple(c + (i == k) for i, c in enumerate(current))
            try:
                trials[k] = solve(trial, state)
            except (fullquantum.MemoryBudgetError, _TooLarge) as exc:
                return result(state, current, False, _why(exc))
            other = trials[k]
            change = (max_abs_difference(other.V, state.V),
                      abs(other.log_negativity_gaussian - state.log_negativity_gaussian),
                      abs(other.log_negativity_exact - state.log_negativity_exact))
            if (change[0] > V_tolerance or change[1] > log_negativity_tolerance
                    or change[2] > log_negativity_tolerance):
                raise_modes.append(k)
        if not raise_modes:
            if pending == everything:  # every mode refined at the final cutoffs
                return result(state, current, True)
            pending = everything  # the modes not refined since they last passed: check all
            continue
        current = tuple(c + (i in raise_modes) for i, c in enumerate(current))
        if len(raise_modes) == 1:  # the trial is the state at the raised cutoffs
            state = trials[raise_modes[0]]
        else:
            try:
                state = solve(current, state)
            except (fullquantum.MemoryBudgetError, _TooLarge) as exc:
                return result(state, current, False, _why(exc))
        # Keep refining the modes that moved; the others are checked again at the end.
        pending = tuple(raise_modes)
        # Keep in memory only the states a later pass can reuse (a state is 16·d² bytes).
        for c in [c for c in known if any(a < b for a, b in zip(c, current))]:
            del known[c]
    return result(state, current, False,
                  f"still changing after {max_passes} passes (cutoffs {current})")


class _TooLarge(Exception):
    """The next cutoffs exceed ``max_dimension``."""


def _why(exc: Exception) -> str:
    if isinstance(exc, _TooLarge):
        return str(exc)
    return f"the next cutoffs exceed the memory budget ({str(exc).split(';')[0]})"


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
                   max_dimension: int | None = None, **solve_options) -> dict:
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
    max_dimension : int, optional
        Cost limit of the cutoff search (see :func:`adaptive_cutoffs`).
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
                               max_dimension=max_dimension, **solve_options)
        row.update({"N_ccw": fit.cutoffs[0], "N_cw": fit.cutoffs[1], "N_m": fit.cutoffs[2],
                    "solves": fit.solves})
        if not fit.converged:  # no number; the message says how far it got
            last = (f"; at the last cutoffs {fit.state.cutoffs} E_N exact was "
                    f"{fit.state.log_negativity_exact:.4g} (Gaussian {lin.log_negativity:.4g})"
                    if fit.state is not None else "")
            row.update(status="unconverged", message=fit.reason + last)
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
