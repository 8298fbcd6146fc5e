"""The cutoff search: Fock cutoffs raised until one more level changes nothing.

:func:`adaptive_cutoffs` converges the cutoffs of one point, any model, every mode; its
verdict can dismiss convergence, never prove it (the final pass at the final cutoffs). The
:class:`ValidityCriteria` hold its tolerances and the validity thresholds of the verdicts
that rest on it (:mod:`.validity` for the spinning resonator, :mod:`.modelvalidity` for any
model); :func:`search_advice` says what to change when a search stops short.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from collections.abc import Callable, Sequence

import numpy as np

from ... import fullquantum, linear
from ...errors import InputError
from ...fullquantum.options import resolve_hamiltonian
from ...linear.checks import check_real
from .convergence import geometric_levels, predicted_cutoffs
from .deviation import max_abs_difference
from .progress import sink
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
        The cutoffs the limit refused (``()`` for "passes" and when converged); after an
        early dismissal (``dismiss_early``), the final cutoffs predicted beyond
        ``max_dimension``.
    history : tuple of dict
        One record per solve, in order: ``cutoffs``, ``d``, ``iterations``, ``seconds``,
        ``max top population`` and ``state`` (the steady state is not kept: only its
        scalar record), for convergence tables.
    linearized_state : fullquantum.SteadyState or None
        The ``linearized`` model's steady state at ``cutoffs`` when the search solved it:
        ``state`` itself for a ``linearized`` search; for a ``nonlinear`` one, the
        linearized-first climb's final state when the nonlinear pass ended at the climb's
        cutoffs (the usual case). None otherwise. The truncation control of a judged point
        is this state, so it is not solved twice.
    """

    state: fullquantum.SteadyState | fullquantum.ModelSteadyState | None
    cutoffs: tuple[int, ...]
    converged: bool
    solves: int
    reason: str
    iterations: int = 0
    limit: str = ""
    refused: tuple[int, ...] = ()
    history: tuple[dict, ...] = ()
    linearized_state: fullquantum.SteadyState | fullquantum.ModelSteadyState | None = None

    def __repr__(self) -> str:
        word = "converged" if self.converged else "unconverged"
        why = f": {clip(self.reason, 180)}" if self.reason else ""
        return f"AdaptiveSolve({word} at cutoffs {self.cutoffs}, {self.solves} solves{why})"


def adaptive_cutoffs(point: linear.OperatingPoint | linear.ModelPoint,
                     hamiltonian: str | None = None, *,
                     start: tuple[int, ...] | None = None, V_tolerance: float = 1e-5,
                     log_negativity_tolerance: float = 1e-4, max_passes: int = 24,
                     max_dimension: int | None = None, warm_start: bool = True,
                     progress: Callable[[str], None] | None = None,
                     pairs: Sequence[tuple[str, str]] | None = None,
                     model: str | None = None, linearized_first: bool = True,
                     dismiss_early: bool = True, **solve_options) -> AdaptiveSolve:
    """Raise each Fock cutoff until one more level changes V and E_N by less than tolerance.

    A pass raises cutoffs by one in turn, against the state at the current cutoffs; the
    modes whose change exceeds the tolerances (max|ΔV|, |ΔE_N| Gaussian and exact) are
    raised together, and the next pass refines only those. When they stop changing, a final
    pass refines every mode at the final cutoffs; the verdict rests on that pass (it can
    dismiss convergence, never prove it). Modes that passed are not refined again until the
    final pass, and a pass that raises one mode reuses its trial as the new state.

    Parameters
    ----------
    point : linear.OperatingPoint or linear.ModelPoint
        The spinning resonator's point, or any model's (cutoffs in its mode order).
    hamiltonian : {"nonlinear", "linearized", "lab"}
        The full-quantum form solved (default "nonlinear").
    start : tuple of int, optional
        First cutoffs; default
        :func:`~omxval.compare.studies.convergence.predicted_cutoffs` at ``V_tolerance``
        (the Gaussian state's Fock tails, heavier quadrature per mode).
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
    pairs : sequence of (str, str), optional
        A model's pairs of modes whose E_N must be converged (default every pair); the
        spinning resonator's is the (driven, mechanics) pair.
    model : str, optional
        Former name of ``hamiltonian`` (DeprecationWarning).
    linearized_first : bool
        For ``nonlinear``: climb first with the ``linearized`` model from the start (the
        same Fock spaces; its solves run in parity sectors, ≈ 3× cheaper), then go on with
        the nonlinear model from the cutoffs it converged at. The verdict still rests on
        the nonlinear model's own final pass at the final cutoffs; where the nonlinear state
        needs more levels, the search climbs on with it. ``solves`` and ``history`` count
        both models' solves (``history``'s ``hamiltonian``).
    dismiss_early : bool
        With ``max_dimension``: stop as soon as the changes of a mode's last two refinement
        steps predict, decaying geometrically (:func:`predicted_final_cutoffs`), final
        cutoffs beyond ``max_dimension`` ("unconverged", limit ``max_dimension``, the
        prediction as the refused cutoffs): the climb to the limit would end there at
        several times the cost. A prediction can only dismiss a point, never converge
        one. False: climb until the next solve would exceed ``max_dimension``.
    **solve_options
        Passed to :func:`fullquantum.solve` (``method=``, ``memory_budget_bytes=``, …).
    """
    hamiltonian = resolve_hamiltonian(hamiltonian, model, "nonlinear")
    if "initial_state" in solve_options:
        raise InputError("adaptive_cutoffs chooses the initial state of each solve; "
                         "use warm_start=False for cold starts")
    method = solve_options.get("method", "structured")
    warm = warm_start and (method == "structured" or isinstance(method, fullquantum.Structured))
    current = tuple(start) if start is not None else predicted_cutoffs(point, V_tolerance)
    pre = None
    if linearized_first and hamiltonian == "nonlinear":
        pre = adaptive_cutoffs(point, "linearized", start=current, V_tolerance=V_tolerance,
                               log_negativity_tolerance=log_negativity_tolerance,
                               max_passes=max_passes, max_dimension=max_dimension,
                               warm_start=warm_start, progress=progress, pairs=pairs,
                               dismiss_early=dismiss_early, **solve_options)
        if pre.state is not None:
            current = pre.cutoffs
    if isinstance(point, linear.ModelPoint):
        solve_options = {**solve_options, "pairs": pairs}
    elif pairs is not None:
        raise InputError("pairs applies to a model's point (linear.ModelPoint)")
    solves, iterations = (0, 0) if pre is None else (pre.solves, pre.iterations)
    say = sink(progress)

    known: dict[tuple[int, ...], fullquantum.SteadyState] = {}
    history: list[dict] = [] if pre is None else list(pre.history)

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
            history.append(_record(known[cutoffs], hamiltonian))
            say(f"cutoff search, solve {solves} ({hamiltonian}): cutoffs {cutoffs} "
                f"(d = {np.prod(cutoffs)})"
                + (f", {info['iterations']} GMRES iterations" if "iterations" in info else "")
                + f", {known[cutoffs].timings.total_s:.0f} s")
        return known[cutoffs]

    def result(state, cutoffs, converged, reason="", exc=None, refused=()):
        limit = "" if converged else ("passes" if exc is None else
                                      "max_dimension" if isinstance(exc, _TooLarge) else "memory")
        if hamiltonian == "linearized":
            control = state
        elif pre is not None and pre.state is not None and pre.cutoffs == tuple(cutoffs):
            control = pre.state
        else:
            control = None
        return AdaptiveSolve(state, cutoffs, converged, solves, reason, iterations, limit,
                             tuple(refused), tuple(history), control)

    try:
        # From the linearized state at these cutoffs when there is one (same frame).
        state = solve(current, pre.state if pre is not None else None)
    except (fullquantum.MemoryBudgetError, _TooLarge) as exc:
        return result(None, current, False, f"the first cutoffs: {_why(exc)}", exc, current)
    everything = tuple(range(len(current)))
    pending = everything  # the modes refined in this pass
    steps: dict[int, dict[int, float]] = {k: {} for k in everything}  # level: change/tol
    for _ in range(max_passes):
        raise_modes, trials = [], {}
        for k in pending:
            trial = tuple(c + (i == k) for i, c in enumerate(current))
            try:
                trials[k] = solve(trial, state)
            except (fullquantum.MemoryBudgetError, _TooLarge) as exc:
                return result(state, current, False, _why(exc), exc, trial)
            change = state_change(trials[k], state)
            steps[k][current[k]] = max(change[0] / V_tolerance,
                                       change[1] / log_negativity_tolerance,
                                       change[2] / log_negativity_tolerance)
            if steps[k][current[k]] > 1:
                raise_modes.append(k)
        if not raise_modes:
            if pending == everything:  # every mode refined at the final cutoffs
                return result(state, current, True)
            pending = everything  # the modes not refined since they last passed: check all
            continue
        current = tuple(c + (i in raise_modes) for i, c in enumerate(current))
        if dismiss_early and max_dimension is not None:
            final = predicted_final_cutoffs(current, {k: steps[k] for k in raise_modes},
                                            max_dimension)
            if final is not None:
                names = (point.model.mode_names if isinstance(point, linear.ModelPoint)
                         else MODES)
                seen = "; ".join(
                    f"{names[k]} {steps[k][current[k] - 2]:.3g} then "
                    f"{steps[k][current[k] - 1]:.3g}" for k in raise_modes
                    if current[k] - 2 in steps[k])
                return result(state, current, False,
                              f"the last two refinement steps (changes in units of the "
                              f"tolerance: {seen}), extrapolated geometrically, need final "
                              f"cutoffs of at least {final} (d = {int(np.prod(final))}), "
                              f"over max_dimension = {max_dimension}: stopped before "
                              f"climbing there (dismiss_early=False climbs to the limit)",
                              _TooLarge(), final)
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


def linearized_control(point: linear.OperatingPoint | linear.ModelPoint, fit: AdaptiveSolve,
                       **solve_options) -> fullquantum.SteadyState | fullquantum.ModelSteadyState:
    """The truncation control of a search's point: the ``linearized`` state at ``fit.cutoffs``.

    Parameters
    ----------
    point : linear.OperatingPoint or linear.ModelPoint
        The point ``fit`` searched.
    fit : AdaptiveSolve
        The search's outcome (:func:`adaptive_cutoffs`).
    **solve_options
        :func:`fullquantum.solve`'s options (``pairs=`` for a model's point), used only when
        the state is solved here.

    Returns
    -------
    fullquantum.SteadyState or fullquantum.ModelSteadyState
        The search's own ``fit.linearized_state`` when it solved one at ``fit.cutoffs``;
        otherwise solved here, its truncation warning silenced (the search judged the
        truncation).
    """
    if fit.linearized_state is not None:
        return fit.linearized_state
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fullquantum.TruncationWarning)
        return fullquantum.solve(point, cutoffs=fit.cutoffs, hamiltonian="linearized",
                                 **solve_options)


def predicted_final_cutoffs(current: tuple[int, ...], steps: dict[int, dict[int, float]],
                            max_dimension: int) -> tuple[int, ...] | None:
    """The final cutoffs a search must reach, predicted from its refinement steps, when they
    exceed ``max_dimension``; None otherwise (or when nothing can be predicted yet).

    ``steps[k]`` maps a level N of mode k to the change measured from N to N + 1, divided
    by its tolerance (> 1: still changing); the search has just raised the mode to
    ``current[k]``. With the two steps below it, at levels current − 2 and current − 1,
    the ratio r = last/before predicts the change m levels further as last·rᵐ (truncation
    errors of a damped mode fall geometrically: docs/validity.md §"Early dismissal"), so
    the mode stops at current + m − 1, m the first level where the change falls to 1. A
    mode whose change did not fall (r ≥ 1) never stops on this evidence: it is raised
    until d exceeds the maximum. Modes without two such steps keep their current cutoff.
    """
    final, flat, predicted = list(current), [], False
    for k, levels in steps.items():
        last, before = levels.get(current[k] - 1, 0.0), levels.get(current[k] - 2, 0.0)
        if last <= 1 or before <= 0:
            continue
        r, predicted = last / before, True
        if r >= 1:
            flat.append(k)
        else:
            final[k] += geometric_levels(last, r) - 1
    while flat and int(np.prod(final)) <= max_dimension:
        for k in flat:
            final[k] += 1
    return tuple(final) if predicted and int(np.prod(final)) > max_dimension else None


def search_advice(fits: Sequence[AdaptiveSolve | tuple[str, tuple[int, ...]]], *, hamiltonian: str,
                  bath: str, max_dimension: int | None, budget_bytes: int,
                  pattern: fullquantum.GeneratorPattern | None = None) -> str:
    """The next step after unconverged cutoff searches, from what stopped them.

    ``max_dimension``: the smallest value that admits every refused cutoffs, checked
    against the memory budget; ``memory``: the memory the refused cutoffs need; ``passes``:
    more passes. A suggestion that the memory budget cannot hold says so: such a point
    cannot be converged on this budget. ``pattern``: a model's sparsity pattern
    (:func:`fullquantum.model_pattern`) for its memory estimates; default the spinning
    resonator's for ``hamiltonian`` and ``bath``.
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
                                           bath=bath, pattern=pattern).total_bytes
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
                                           bath=bath, pattern=pattern).total_bytes
        steps.append(f"cutoffs {tuple(biggest)} need {need / 2**30:.1f} GiB, over the memory "
                     f"budget {budget_bytes / 2**30:.1f} GiB: raise [solver] "
                     f"memory_budget_bytes if this machine has the memory, otherwise these "
                     f"points cannot be converged here")
    if any(limit == "passes" for limit, _ in limits):
        steps.append("the search was still changing after its last pass: raise max_passes, "
                     "or move the point away from an instability edge")
    return "; ".join(steps)


def _record(state, hamiltonian: str) -> dict:
    """The scalar record of one solve of the search (its E_N per pair for a model)."""
    out = {"cutoffs": tuple(state.cutoffs), "hamiltonian": hamiltonian,
           "d": int(np.prod(state.cutoffs)),
           "iterations": state.solver_info.get("iterations", 0),
           "seconds": state.timings.total_s}
    if isinstance(state, fullquantum.ModelSteadyState):
        out["max top population"] = state.max_top_population
        out.update({f"E_N exact {a}-{b}": v for (a, b), v in
                    state.log_negativities_exact.items()})
    else:
        out["max top population"] = max(state.top_populations)
        out["E_N exact"] = state.log_negativity_exact
    return out


def state_change(a, b) -> tuple[float, float, float]:
    """(max|ΔV|, largest |ΔE_N| Gaussian, largest |ΔE_N| exact) between two solves of one
    point at different cutoffs; for a model, over the pairs both tabulate."""
    dV = max_abs_difference(a.V, b.V)
    if isinstance(a, fullquantum.ModelSteadyState):
        pairs = [p for p in a.pairs if p in b.log_negativities_exact]
        return (dV, max((abs(a.log_negativities_gaussian[p] - b.log_negativities_gaussian[p])
                         for p in pairs), default=0.0),
                max((abs(a.log_negativities_exact[p] - b.log_negativities_exact[p])
                     for p in pairs), default=0.0))
    return (dV, abs(a.log_negativity_gaussian - b.log_negativity_gaussian),
            abs(a.log_negativity_exact - b.log_negativity_exact))


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


__all__ = ["adaptive_cutoffs", "AdaptiveSolve", "ValidityCriteria", "search_advice",
           "state_change", "MODES", "linearized_control"]
