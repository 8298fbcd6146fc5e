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
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ... import fullquantum, linear
from ...errors import InputError
from ...fullquantum.options import resolve_hamiltonian
from ...linear.checks import check_real
from .convergence import gaussian_cutoffs
from .deviation import max_abs_difference
from .progress import sink
from .status import FAILED, Status
from .tables import clip

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
    limit : {"", "max_dimension", "memory", "passes"}
        What stopped an unconverged search ("" when converged).
    refused : tuple of int
        The cutoffs the limit refused (``()`` for "passes" and when converged).
    """

    state: fullquantum.SteadyState | None
    cutoffs: tuple[int, int, int]
    converged: bool
    solves: int
    reason: str
    iterations: int = 0
    limit: str = ""
    refused: tuple[int, ...] = ()

    def __repr__(self) -> str:
        word = "converged" if self.converged else "unconverged"
        why = f": {clip(self.reason, 180)}" if self.reason else ""
        return f"AdaptiveSolve({word} at cutoffs {self.cutoffs}, {self.solves} solves{why})"


def adaptive_cutoffs(point: linear.OperatingPoint, hamiltonian: str | None = None, *,
                     start: tuple[int, int, int] | None = None, V_tolerance: float = 1e-5,
                     log_negativity_tolerance: float = 1e-4, max_passes: int = 24,
                     max_dimension: int | None = None, warm_start: bool = True,
                     progress: Callable[[str], None] | None = None,
                     model: str | None = None, **solve_options) -> AdaptiveSolve:
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
    hamiltonian : {"nonlinear", "linearized", "lab"}
        The full-quantum form solved (default "nonlinear").
    start : (int, int, int), optional
        First cutoffs; default :func:`~omxval.compare.studies.convergence.gaussian_cutoffs`.
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
    progress : callable, optional
        One line per solve: its number, cutoffs, d, GMRES iterations and seconds (long
        searches talk: a d ≈ 1500 solve takes minutes).
    **solve_options
        Passed to :func:`fullquantum.solve` (``method=``, ``memory_budget_bytes=``, …).
    """
    hamiltonian = resolve_hamiltonian(hamiltonian, model, "nonlinear")
    if "initial_state" in solve_options:
        raise InputError("adaptive_cutoffs chooses the initial state of each solve; "
                         "use warm_start=False for cold starts")
    method = solve_options.get("method", "structured")
    warm = warm_start and (method == "structured" or isinstance(method, fullquantum.Structured))
    current = tuple(start) if start is not None else gaussian_cutoffs(point)
    solves = iterations = 0
    say = sink(progress)

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
                known[cutoffs] = fullquantum.solve(point, cutoffs=cutoffs, hamiltonian=hamiltonian,
                                                   initial_state=near if warm else None,
                                                   **solve_options)
            info = known[cutoffs].solver_info
            iterations += info.get("iterations", 0)
            say(f"cutoff search, solve {solves}: cutoffs {cutoffs} (d = {np.prod(cutoffs)})"
                + (f", {info['iterations']} GMRES iterations" if "iterations" in info else "")
                + f", {known[cutoffs].timings.total_s:.0f} s")
        return known[cutoffs]

    def result(state, cutoffs, converged, reason="", exc=None, refused=()):
        limit = "" if converged else ("passes" if exc is None else
                                      "max_dimension" if isinstance(exc, _TooLarge) else "memory")
        return AdaptiveSolve(state, cutoffs, converged, solves, reason, iterations, limit,
                             tuple(refused))

    try:
        state = solve(current)
    except (fullquantum.MemoryBudgetError, _TooLarge) as exc:
        return result(None, current, False, f"the first cutoffs: {_why(exc)}", exc, current)
    everything = (0, 1, 2)
    pending = everything  # the modes refined in this pass
    for _ in range(max_passes):
        raise_modes, trials = [], {}
        for k in pending:
            trial = tuple(c + (i == k) for i, c in enumerate(current))
            try:
                trials[k] = solve(trial, state)
            except (fullquantum.MemoryBudgetError, _TooLarge) as exc:
                return result(state, current, False, _why(exc), exc, trial)
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
                return result(state, current, False, _why(exc), exc, current)
        # Keep refining the modes that moved; the others are checked again at the end.
        pending = tuple(raise_modes)
        # Keep in memory only the states a later pass can reuse (a state is 16·d² bytes).
        for c in [c for c in known if any(a < b for a, b in zip(c, current))]:
            del known[c]
    return result(state, current, False,
                  f"still changing after {max_passes} passes (cutoffs {current})")


def search_advice(fits: Sequence[AdaptiveSolve | tuple[str, tuple[int, ...]]], *, hamiltonian: str,
                  bath: str, max_dimension: int | None, budget_bytes: int) -> str:
    """The next step after unconverged cutoff searches, from what stopped them.

    ``max_dimension``: the smallest value that admits every refused cutoffs, checked
    against the memory budget; ``memory``: the memory the refused cutoffs need; ``passes``:
    more passes. A suggestion that the memory budget cannot hold says so: such a point
    cannot be converged on this budget.
    """
    limits = [(f.limit, f.refused) if isinstance(f, AdaptiveSolve) else f for f in fits]
    limits = [(limit, tuple(refused)) for limit, refused in limits if limit]
    if not limits:
        return ""
    steps = []
    too_large = [c for limit, c in limits if limit == "max_dimension" and c]
    memory = [c for limit, c in limits if limit == "memory" and c]
    if too_large:
        biggest = max(too_large, key=lambda c: int(np.prod(c)))
        d = int(np.prod(biggest))
        need = fullquantum.estimate_memory(biggest, "structured", hamiltonian=hamiltonian,
                                           bath=bath).total_bytes
        # The search goes on above the refused cutoffs: ask for headroom of one level more.
        target = int(np.prod([c + 1 for c in biggest]))
        step = (f"raise [solver] max_dimension from {max_dimension} to at least {d} (better "
                f"{target}): the search was refused cutoffs {tuple(biggest)}")
        if need > budget_bytes:
            step += (f", which need {need / 2**30:.1f} GiB, over the memory budget "
                     f"{budget_bytes / 2**30:.1f} GiB: raise [solver] memory_budget_bytes "
                     f"too if this machine has the memory, otherwise these points cannot "
                     f"be converged here")
        steps.append(step)
    if memory:
        biggest = max(memory, key=lambda c: int(np.prod(c)))
        need = fullquantum.estimate_memory(biggest, "structured", hamiltonian=hamiltonian,
                                           bath=bath).total_bytes
        steps.append(f"cutoffs {tuple(biggest)} need {need / 2**30:.1f} GiB, over the memory "
                     f"budget {budget_bytes / 2**30:.1f} GiB: raise [solver] "
                     f"memory_budget_bytes if this machine has the memory, otherwise these "
                     f"points cannot be converged here")
    if any(limit == "passes" for limit, _ in limits):
        steps.append("the search was still changing after its last pass: raise max_passes, "
                     "or move the point away from an instability edge")
    return "; ".join(steps)


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
            object.__setattr__(self, name, check_real(name, getattr(self, name), low=0,
                                                      low_inclusive=False))


@dataclass(frozen=True)
class PointValidity:
    """Both errors of the Gaussian model at one operating point (:func:`judge_point`).

    Attributes
    ----------
    point : linear.OperatingPoint
    gaussian : linear.PointResult
        The Lyapunov solution.
    status : {"valid", "breaks", "unconverged", "unstable", "failed"}
    message : str
        Why, for every status but "valid"/"breaks" ("" otherwise).
    state : fullquantum.SteadyState or None
        The judged model at the converged cutoffs (None unless valid/breaks).
    control : fullquantum.SteadyState or None
        The ``linearized`` model at the same cutoffs: the truncation control.
    fit : AdaptiveSolve or None
        The cutoff search (None at an unstable point).
    criteria : ValidityCriteria
    seconds : float
    """

    point: linear.OperatingPoint
    gaussian: linear.PointResult
    status: Status
    message: str
    state: fullquantum.SteadyState | None
    control: fullquantum.SteadyState | None
    fit: AdaptiveSolve | None
    criteria: ValidityCriteria
    seconds: float

    @property
    def approximation_error(self) -> float:
        """E_N exact of the judged model − Lyapunov E_N (ln); NaN without a state."""
        if self.state is None:
            return np.nan
        return self.state.log_negativity_exact - self.gaussian.log_negativity_gaussian

    @property
    def truncation_error(self) -> float:
        """E_N exact of the linearized Fock model − Lyapunov E_N (ln): the numerical control."""
        if self.control is None:
            return np.nan
        return self.control.log_negativity_exact - self.gaussian.log_negativity_gaussian

    def __repr__(self) -> str:
        en = self.gaussian.log_negativity_gaussian
        if self.state is None:
            why = f"{clip(self.message, 180)}; " if self.message else ""
            return f"PointValidity({self.status}: {why}E_N Gaussian {en:.5g})"
        rel = abs(self.approximation_error) / en if en > 0 else np.nan
        return (f"PointValidity({self.status}: E_N exact {self.state.log_negativity_exact:.5g} "
                f"vs Gaussian {en:.5g} (rel {rel:.2%}), truncation |ΔE_N| "
                f"{abs(self.truncation_error):.1e}, cutoffs {self.state.cutoffs}, "
                f"{self.seconds:.1f} s)")

    def to_dataframe(self) -> pd.DataFrame:
        """:meth:`row` as a one-row table."""
        return pd.DataFrame([self.row()])

    def row(self) -> dict:
        """One table row (the columns of ``map.csv``).

        ``non-Gaussianity`` is clipped at 0; ``non-Gaussianity below floor`` flags a raw δ
        that came out negative (truncation error, see
        :attr:`fullquantum.SteadyState.non_gaussianity`).
        """
        p, lin = self.point, self.gaussian
        row = {"status": self.status, "message": self.message,
               "n_branches": p.n_branches, "multistable": p.multistable,
               "E_N linear": lin.log_negativity_gaussian}
        if self.fit is not None:
            row.update({"N_ccw": self.fit.cutoffs[0], "N_cw": self.fit.cutoffs[1],
                        "N_m": self.fit.cutoffs[2], "solves": self.fit.solves})
            if self.fit.limit:  # what stopped the search: the map's advice reads it
                row.update({"search limit": self.fit.limit,
                            "refused cutoffs": " ".join(map(str, self.fit.refused))})
        if self.state is not None:
            s, d_en = self.state, self.approximation_error
            en = lin.log_negativity_gaussian
            rel = abs(d_en) / en if en > 0 else np.nan
            row.update({
                "E_N exact": s.log_negativity_exact, "E_N gaussian": s.log_negativity_gaussian,
                "abs dE_N": abs(d_en), "rel dE_N": rel,
                "max abs dV": max_abs_difference(s.V, lin.V),
                "truncation dE_N": abs(self.truncation_error),
                "truncation max abs dV": max_abs_difference(self.control.V, lin.V),
                "non-Gaussianity": s.non_gaussianity,
                "non-Gaussianity below floor": s.non_gaussianity_below_floor,
                "photons driven": getattr(s.photons, p.direction),
                "phonons": s.phonons, "max top population": max(s.top_populations)})
        row["seconds"] = self.seconds
        return row


def judge_point(point: linear.OperatingPoint, hamiltonian: str | None = None, *,
                criteria: ValidityCriteria | None = None, max_dimension: int | None = None,
                errors: Literal["status", "raise"] = "status", model: str | None = None,
                **solve_options) -> PointValidity:
    """Both errors of the Gaussian model at one operating point, at cutoffs converged there.

    The judged ``hamiltonian`` is solved at cutoffs raised until converged (:func:`adaptive_cutoffs`
    with the criteria's tolerances); the ``linearized`` model at the same cutoffs is the
    truncation control. ``valid``: |E_N exact − E_N Gaussian| ≤ ``relative_error``·E_N or
    ≤ ``absolute_floor``; ``breaks`` otherwise; ``unconverged`` when the cutoffs do not
    converge within the memory budget or ``max_dimension`` (no number is given);
    ``unstable`` when the linearised dynamics has no steady state; ``failed`` (with the
    message) on any error — a failure is a result, never an exception.

    Parameters
    ----------
    point : linear.OperatingPoint
    hamiltonian : {"nonlinear", "linearized", "lab"}
        The full-quantum form judged (default "nonlinear", which measures the approximation
        error). ``model=`` is its former name (DeprecationWarning).
    criteria : ValidityCriteria
    max_dimension : int, optional
        Cost limit of the cutoff search (see :func:`adaptive_cutoffs`).
    errors : {"status", "raise"}
        "status": an error becomes the status "failed" with its message (for maps);
        "raise": it propagates (for a single point asked for directly).
    **solve_options
        Passed to :func:`fullquantum.solve`.
    """
    hamiltonian = resolve_hamiltonian(hamiltonian, model, "nonlinear")
    crit = criteria or ValidityCriteria()
    t0 = time.perf_counter()
    lin = linear.analyze(point)

    def done(status, message="", state=None, control=None, fit=None):
        return PointValidity(point, lin, status, message, state, control, fit, crit,
                             time.perf_counter() - t0)

    if not lin.stable:
        return done("unstable", f"max Re λ(A) = {lin.max_growth_rate:.3g}")
    try:
        fit = adaptive_cutoffs(point, hamiltonian, V_tolerance=crit.V_tolerance,
                               log_negativity_tolerance=crit.log_negativity_tolerance,
                               max_dimension=max_dimension, **solve_options)
        if not fit.converged:  # no number; the message says how far it got
            last = (f"; at the last cutoffs {fit.state.cutoffs} E_N exact was "
                    f"{fit.state.log_negativity_exact:.4g} "
                    f"(Gaussian {lin.log_negativity_gaussian:.4g})"
                    if fit.state is not None else "")
            return done("unconverged", fit.reason + last, fit=fit)
        state = fit.state
        if hamiltonian == "linearized":
            control = state
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", fullquantum.TruncationWarning)
                control = fullquantum.solve(point, cutoffs=fit.cutoffs, hamiltonian="linearized",
                                            **solve_options)
    except Exception as exc:  # a failed point is a result with its error, never a crash
        if errors == "raise":
            raise
        return done(FAILED, f"{type(exc).__name__}: {exc}")
    en = lin.log_negativity_gaussian
    d_en = state.log_negativity_exact - en
    valid = (abs(d_en) <= crit.absolute_floor
             or (en > 0 and abs(d_en) <= crit.relative_error * en))
    return done("valid" if valid else "breaks", "", state, control, fit)


def validity_point(design: dict | linear.Design | linear.OperatingPoint,
                   direction: str | None = None,
                   bath: str | None = None, *, hamiltonian: str | None = None,
                   criteria: ValidityCriteria | None = None, max_dimension: int | None = None,
                   model: str | None = None, **solve_options) -> dict:
    """:func:`judge_point` at a design point (or an operating point), as one table row.

    Parameters
    ----------
    design : dict, linear.Design or linear.OperatingPoint
        Keyword arguments of :func:`linear.design_point` except direction and bath, a
        Design, or the operating point itself.
    direction, bath : str, optional
        Drive and mechanical bath of a dict (default "ccw", "brownian"); with a Design or an
        operating point they must agree with it (InputError otherwise).
    hamiltonian, criteria, max_dimension, **solve_options
        As for :func:`judge_point` (``model=``: former name of ``hamiltonian``).

    Returns
    -------
    dict
        ``status`` ("valid", "breaks", "unconverged", "unstable", "failed"), ``message``,
        ``E_N linear``, ``E_N exact``, ``abs dE_N``, ``rel dE_N``, ``max abs dV``,
        ``truncation dE_N`` and ``truncation max abs dV`` (linearized Fock model against
        Lyapunov at the same cutoffs), ``non-Gaussianity`` (clipped at 0) and ``non-Gaussianity
        below floor``, photon and phonon numbers, ``n_branches``, ``multistable``, the
        cutoffs, ``solves`` and ``seconds``. A failure (also of the design itself) becomes a
        row, not an exception.
    """
    hamiltonian = resolve_hamiltonian(hamiltonian, model, "nonlinear")
    t0 = time.perf_counter()
    if isinstance(design, linear.Design):
        design = _agreeing(design, direction, bath).point()
        direction = bath = None
    if isinstance(design, linear.OperatingPoint):
        for name, given, own in (("direction", direction, design.direction),
                                 ("bath", bath, design.system.bath)):
            if given is not None and given != own:
                raise InputError(f"{name}={given!r} contradicts the operating point's "
                                 f"{name} {own!r}; leave it out")
        return judge_point(design, hamiltonian, criteria=criteria,
                           max_dimension=max_dimension, **solve_options).row()
    try:
        point = linear.design_point(**design, direction=direction or "ccw",
                                    bath=bath or "brownian")
    except Exception as exc:
        return {"status": FAILED, "message": f"{type(exc).__name__}: {exc}",
                "seconds": time.perf_counter() - t0}
    return judge_point(point, hamiltonian, criteria=criteria, max_dimension=max_dimension,
                       **solve_options).row()


def _agreeing(design: linear.Design, direction: str | None, bath: str | None
              ) -> linear.Design:
    """``design``, once ``direction`` and ``bath`` (where given) agree with it."""
    for name, given in (("direction", direction), ("bath", bath)):
        if given is not None and given != getattr(design, name):
            raise InputError(f"{name}={given!r} contradicts the design's {name} "
                             f"{getattr(design, name)!r}; leave it out")
    return design


__all__ = ["adaptive_cutoffs", "AdaptiveSolve", "judge_point", "PointValidity",
           "validity_point", "ValidityCriteria", "Status"]
