"""Truncation-convergence study of the full-quantum model.

Each Fock cutoff is refined in turn (ccw, then cw, then mechanics) from a small start; a
mode's cutoff is accepted at the first N for which raising it to N + 1 changes V and both
E_N by less than the tolerances. The accepted cutoffs are then checked once more by raising
every mode by one. Like any such study, this can dismiss convergence but never prove it:
"converged" means that no refinement that was tried changed anything beyond tolerance.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ...errors import InputError
from ... import fullquantum
from ... import linear
from ... import perturbative
from ...fullquantum.operators import MIN_CUTOFF
from ...linear.cutoffs import gaussian_start_cutoffs
from ...fullquantum.options import resolve_hamiltonian
from .deviation import max_abs_difference
from .progress import sink
from .tables import TabulatedResult

MODES = ("ccw", "cw", "mech")
ConvergenceVerdict = Literal["converged", "marginal", "not converged"]
# The one source of the study's defaults (API, `[converge]` and the report): the V tolerance
# is 2e-5 of the vacuum variance 1/2, the E_N one 0.1 % of the reference E_N ≈ 0.1.
DEFAULT_START, DEFAULT_MAXIMUM = (2, 2, 4), (8, 7, 14)
DEFAULT_V_TOLERANCE, DEFAULT_LOG_NEGATIVITY_TOLERANCE = 1e-5, 1e-4


@dataclass(frozen=True)
class ConvergenceStudy(TabulatedResult):
    """Outcome of :func:`convergence_study`.

    Attributes
    ----------
    steps : DataFrame
        One row per solve: ``stage`` (refine ccw / cw / mech, or check), cutoffs, Hilbert
        dimension ``d``, the change against the solve it refines (``max abs dV``,
        ``dE_N gaussian``, ``dE_N exact``), the values (``E_N gaussian``, ``E_N exact``,
        ``V error vs linear``), top Fock populations and seconds.
    chosen : (int, int, int)
        The smallest cutoffs at which every quantity stopped changing within tolerance
        (the largest tried for a mode that never did).
    verdict : {"converged", "marginal", "not converged"}
    reasons : tuple of str
    tolerances : (float, float)
        (V, E_N) tolerances used.
    state : fullquantum.SteadyState
        The solve at the chosen cutoffs.
    advice : str
        The next step, computed from what limited the verdict (:func:`convergence_advice`);
        "" for ``converged``.
    """

    _table = "steps"  # the table of _repr_html_ and to_dataframe

    steps: pd.DataFrame
    chosen: tuple[int, int, int]
    verdict: ConvergenceVerdict
    reasons: tuple[str, ...]
    tolerances: tuple[float, float]
    state: fullquantum.SteadyState
    advice: str = ""

    question = "Fock truncation"

    def __repr__(self) -> str:
        return (f"ConvergenceStudy({self.verdict}: cutoffs {self.chosen}, {len(self.steps)} "
                f"solves; E_N exact {self.state.log_negativity_exact:.5g}, Gaussian "
                f"{self.state.log_negativity_gaussian:.5g}; tolerances V {self.tolerances[0]:.0e}"
                f", E_N {self.tolerances[1]:.0e})")



def predicted_cutoffs(point: linear.OperatingPoint | linear.ModelPoint,
                      V_tolerance: float = 1e-5, minimum: int = MIN_CUTOFF) -> tuple[int, ...]:
    """Fock cutoffs predicted from the Gaussian state's Fock tails: the cutoff search's start.

    Each mode's heavier quadrature, the largest eigenvalue v of its 2×2 block of V (vacuum
    ½), sets the decay rate of its photon-number distribution, P(n) ∝ rⁿ with
    r = (v − ½)/(v + ½) (exact for thermal states, r = n̄/(n̄ + 1), and for squeezed vacuum,
    r = tanh ρ; docs/validity.md §"Cutoff prediction"). A cut at N moves ⟨n⟩, and so V, by
    about (N + 1)·r^N, so the prediction is the smallest N with (N + 1)·r^N ≤ V_tolerance,
    the search's own tolerance. Unlike :func:`gaussian_cutoffs` (the mean occupation's
    thermal tail, which ignores squeezing), this start was never above the converged
    cutoffs on the presets' validity maps (149 points) and below them by 1 on average
    (3–10 for :func:`gaussian_cutoffs`), so the search needs a few solves instead of 15–25.

    Returns
    -------
    tuple of int
        In mode order ((N_ccw, N_cw, N_m) for an OperatingPoint).

    Raises
    ------
    InputError
        The point is unstable (no Gaussian state), or V_tolerance not in (0, 1).
    """
    if not (isinstance(V_tolerance, (int, float)) and 0 < V_tolerance < 1):
        raise InputError(f"V_tolerance must be a number in (0, 1); got {V_tolerance!r}")
    lin = linear.analyze(point)
    if not lin.stable:
        raise InputError("cutoffs cannot be predicted at an unstable point (no steady state)")
    V = np.asarray(lin.V)
    out = []
    for k in range(V.shape[0] // 2):
        v = float(np.linalg.eigvalsh(V[2 * k:2 * k + 2, 2 * k:2 * k + 2])[-1])
        r = max(v - 0.5, 0.0) / (v + 0.5)
        n = minimum
        while r > 0 and (n + 1) * r ** n > V_tolerance:
            n += 1
        out.append(n)
    # A driven cavity starts no lower than a cavity it hops to (the spinning resonator's
    # driven mode shares the undriven one's fluctuations through J). No wider rule: giving
    # every driven cavity the largest cavity start put the electro-optomechanics preset's
    # optical cavity 2 levels above its converged cutoff.
    names = (point.model.mode_names if isinstance(point, linear.ModelPoint)
             else ("ccw", "cw", "mechanics"))
    start = dict(zip(names, out))
    for a, b in _hopping_cavities(point):
        for driven, other in ((a, b), (b, a)):
            if _drive(point, driven) > 0:
                start[driven] = max(start[driven], out[names.index(other)])
    return tuple(start[n] for n in names)


def _hopping_cavities(point) -> list[tuple[str, str]]:
    """Pairs of cavities joined by a hopping coupling."""
    if not isinstance(point, linear.ModelPoint):
        return [("ccw", "cw")] if point.system.J != 0 else []
    cavities = {c.name for c in point.model.cavities}
    return [c.modes for c in point.model.couplings
            if c.kind == "hopping" and set(c.modes) <= cavities and c.J != 0]


def _drive(point, name: str) -> float:
    """The drive of cavity ``name`` (the spinning resonator drives one direction)."""
    if not isinstance(point, linear.ModelPoint):
        return 1.0 if linear.driven_first("ccw", "cw", point.direction)[0] == name else 0.0
    return next(c.drive for c in point.model.cavities if c.name == name)


#: max|V2| (quadrature units) of the covariance's nonlinear correction at which the cutoffs
#: a nonlinear search converges at grow by a further factor 2 (measured on the built-in map:
#: docs/validity.md §"Cost prediction").
NONLINEAR_DV_SCALE = 5e-3
#: How a search's seconds grow with the dimension it ends at, d ~ 60–730 on the built-in map
#: (fitted d^1.5–1.7: below d ≈ 1000 the operator and GMRES work weigh as much as the
#: O(d³) preconditioner).
MAP_COST_EXPONENT = 1.5
#: The final cutoffs of a search over its start's, typically (1.3–2.6 on the built-in map).
GROWTH = 2.0


def predicted_point_cost(point: linear.OperatingPoint | linear.ModelPoint,
                         hamiltonian: str = "nonlinear", *, V_tolerance: float = 1e-5,
                         max_dimension: int | None = None) -> float:
    """Relative cost of judging one point, predicted from its Gaussian state before any solve.

    The search ends near d_end = GROWTH·d_start (d_start: :func:`predicted_cutoffs`); for
    the ``nonlinear`` (and ``lab``) model further by 1 + (max|V2| / NONLINEAR_DV_SCALE)²,
    V2 the second-order nonlinear correction of the covariance from perturbation theory
    (:func:`omxval.perturbative.covariance_series`, milliseconds): a large one means a
    non-Gaussian state whose Fock tails the Gaussian start under-predicts. d_end is capped
    at ``max_dimension`` (a search stops there), and the cost is d_end^MAP_COST_EXPONENT.
    On the built-in map (100 points) every point whose search reached max_dimension had
    max|V2| > 6.6e-3, every other one but one below 6.2e-3; ordering the map by this cost
    brought its ETA to 0.8–1.24 of the time left (tenth to fiftieth point; 0.03–0.4 before;
    docs/validity.md).

    Parameters
    ----------
    point : linear.OperatingPoint or linear.ModelPoint
    hamiltonian : {"nonlinear", "linearized", "lab"}
        The judged full-quantum model.
    V_tolerance : float
        The search's tolerance (sets the start).
    max_dimension : int, optional
        The search's cost limit.

    Returns
    -------
    float
        Arbitrary unit; monotone in the predicted start cutoffs. Unstable or unbuildable
        points raise (as :func:`predicted_cutoffs`).
    """
    growth = 1.0
    if hamiltonian != "linearized":
        try:
            dv = float(np.max(np.abs(np.asarray(
                perturbative.covariance_series(point, order=2)[2]))))
        except (InputError, perturbative.UnstablePointError, ValueError):
            dv = 0.0  # no expansion for this model (too many modes): the Gaussian start
        growth = 1.0 + (dv / NONLINEAR_DV_SCALE) ** 2
    return search_cost(predicted_cutoffs(point, V_tolerance), growth, max_dimension)


def search_cost(cutoffs: Sequence[int], growth: float = 1.0,
                max_dimension: int | None = None) -> float:
    """Relative cost of a cutoff search that starts at ``cutoffs``: d_end^MAP_COST_EXPONENT.

    d_end = GROWTH·growth·Π N_k, capped at ``max_dimension``: the dimension the search is
    expected to end at (``growth``: the nonlinear model's further growth, see
    :func:`predicted_point_cost`). The unit is arbitrary (for ordering points and weighting
    an ETA). Monotone in every cutoff (strictly below the cap).
    """
    d = GROWTH * growth * float(np.prod([float(c) for c in cutoffs]))
    if max_dimension is not None:
        d = min(d, float(max_dimension))
    return d ** MAP_COST_EXPONENT


def _changes(a: fullquantum.SteadyState, b: fullquantum.SteadyState) -> dict[str, float]:
    return {"max abs dV": max_abs_difference(a.V, b.V),
            "dE_N gaussian": abs(a.log_negativity_gaussian - b.log_negativity_gaussian),
            "dE_N exact": abs(a.log_negativity_exact - b.log_negativity_exact)}


def _within(ch: dict[str, float], tol_V: float, tol_EN: float, factor: float = 1.0) -> bool:
    return (ch["max abs dV"] <= factor * tol_V and ch["dE_N gaussian"] <= factor * tol_EN
            and ch["dE_N exact"] <= factor * tol_EN)


def gaussian_cutoffs(point: linear.OperatingPoint | linear.ModelPoint, tol: float = 1e-3,
                     minimum: int = MIN_CUTOFF) -> tuple[int, ...]:
    """First Fock cutoffs for ``point``, estimated from its Gaussian (Lyapunov) state.

    Each mode's fluctuation quanta n̄ = (V_xx + V_pp − 1)/2 (docs/conventions.md §2) give
    the smallest N whose thermal tail P(n ≥ N) = (n̄/(n̄ + 1))^N is below ``tol``; the
    driven optical mode gets the larger of the two optical estimates, for either drive (for
    a model: every driven cavity gets the largest cavity estimate). A start, not a
    verdict: squeezed states have heavier tails, and :func:`convergence_study` raises the
    cutoffs until nothing changes.

    Returns
    -------
    tuple of int
        In mode order: (N_ccw, N_cw, N_m) for an OperatingPoint.

    Raises
    ------
    InputError
        The point is unstable (no Gaussian state to estimate from).
    """
    return gaussian_start_cutoffs(point, tol, minimum)  # one rule: linear/cutoffs.py


def convergence_study(point: linear.OperatingPoint | linear.System,
                      direction: str | None = None, *, hamiltonian: str | None = None,
                      start: tuple[int, int, int] = DEFAULT_START,
                      maximum: tuple[int, int, int] = DEFAULT_MAXIMUM,
                      V_tolerance: float = DEFAULT_V_TOLERANCE,
                      log_negativity_tolerance: float = DEFAULT_LOG_NEGATIVITY_TOLERANCE,
                      progress: Callable[[str], None] | None = None,
                      model: str | None = None, **solve_options) -> ConvergenceStudy:
    """Refine each cutoff in turn and judge truncation convergence.

    Parameters
    ----------
    point, direction, hamiltonian
        As for :func:`fullquantum.solve`: an operating point, or a system and a direction;
        the form studied (default "linearized"; ``model=``: its former name).
    start, maximum : (int, int, int)
        First and largest cutoffs (N_ccw, N_cw, N_m) tried.
    V_tolerance, log_negativity_tolerance : float
        A refinement "changes nothing" when max|ΔV| and both |ΔE_N| stay below these.
    progress : callable, optional
        Receives a one-line message per solve.
    **solve_options
        Passed to :func:`fullquantum.solve` (``method=``, options).

    Returns
    -------
    ConvergenceStudy
        verdict "not converged" if a mode reached its maximum while still changing or the
        final check (every cutoff + 1) changes something beyond tolerance; "marginal" if
        the final check is within tolerance but uses more than half of it, or a top Fock
        population at the chosen cutoffs exceeds the truncation tolerance; else
        "converged".
    """
    hamiltonian = resolve_hamiltonian(hamiltonian, model, "linearized")
    if any(a > b for a, b in zip(start, maximum)):
        raise InputError(f"start {tuple(start)} must not exceed maximum {tuple(maximum)}")
    point = linear.resolve_point(point, direction)
    lin_V = linear.analyze(point).V
    say = sink(progress)
    rows: list[dict] = []
    solved: dict[tuple[int, ...], fullquantum.SteadyState] = {}
    budget = solve_options.get("memory_budget_bytes", fullquantum.DEFAULT_MEMORY_BUDGET_BYTES)

    def run(cutoffs, stage, ref=None):
        t = time.perf_counter()
        key = tuple(cutoffs)
        if key not in solved:  # the final check may revisit a rung of the ladder
            with warnings.catch_warnings():  # truncation is expected on the ladder; recorded
                warnings.simplefilter("ignore", fullquantum.TruncationWarning)
                solved[key] = fullquantum.solve(point, cutoffs=key, hamiltonian=hamiltonian,
                                                **solve_options)
        res = solved[key]
        ch = _changes(res, ref) if ref is not None else dict.fromkeys(
            ("max abs dV", "dE_N gaussian", "dE_N exact"), np.nan)
        rows.append({"stage": stage, "N_ccw": cutoffs[0], "N_cw": cutoffs[1], "N_m": cutoffs[2],
                     "d": int(np.prod(cutoffs)), **ch,
                     "E_N gaussian": res.log_negativity_gaussian,
                     "E_N exact": res.log_negativity_exact, "V error vs linear": max_abs_difference(res.V, lin_V),
                     **{f"top population {m}": p for m, p in zip(MODES, res.top_populations)},
                     "seconds": time.perf_counter() - t})
        say(f"{stage}: cutoffs {tuple(cutoffs)} (d = {int(np.prod(cutoffs))}), "
            f"max|ΔV| {ch['max abs dV']:.1e}, {rows[-1]['seconds']:.1f} s")
        return res, ch

    current = list(start)
    prev, _ = run(current, "start")
    reasons: list[str] = []
    stuck: list[str] = []
    limits: dict[str, str] = {}  # mode -> "maximum" or "memory": what stopped its search
    for k, mode in enumerate(MODES):
        while True:
            if current[k] >= maximum[k]:
                stuck.append(mode)
                limits[mode] = "maximum"
                reasons.append(f"{mode}: still changing at the maximum cutoff {maximum[k]}")
                break
            trial = list(current)
            trial[k] += 1
            try:
                res, ch = run(trial, f"refine {mode}", prev)
            except fullquantum.MemoryBudgetError:
                stuck.append(mode)
                limits[mode] = "memory"
                reasons.append(f"{mode}: still changing, and cutoffs {tuple(trial)} exceed the "
                               f"memory budget")
                break
            if _within(ch, V_tolerance, log_negativity_tolerance):
                break  # N_k = current[k] is enough: keep the smaller cutoff and its state
            current, prev = trial, res
    chosen = tuple(current)
    base = prev
    worst = {"max abs dV": 0.0, "dE_N gaussian": 0.0, "dE_N exact": 0.0}
    checks: dict[str, float] = {}  # mode -> its check's change in units of the tolerance
    for k, mode in enumerate(MODES):
        trial = list(chosen)
        trial[k] += 1
        try:
            _, ch = run(trial, f"check {mode}+1", base)
        except fullquantum.MemoryBudgetError:
            stuck.append(mode)
            limits.setdefault(mode, "memory")
            reasons.append(f"the check at cutoffs {tuple(trial)} exceeds the memory budget")
            continue
        worst = {q: max(worst[q], ch[q]) for q in worst}
        checks[mode] = _used(ch, V_tolerance, log_negativity_tolerance)
    tops = base.top_populations
    trunc = base.options.truncation_tol
    reasons.append(f"final check (each cutoff + 1): max|ΔV| {worst['max abs dV']:.1e} "
                   f"(tol {V_tolerance:.0e}), |ΔE_N| Gaussian {worst['dE_N gaussian']:.1e}, "
                   f"exact {worst['dE_N exact']:.1e} (tol {log_negativity_tolerance:.0e})")
    verdict: ConvergenceVerdict
    if stuck or not _within(worst, V_tolerance, log_negativity_tolerance):
        verdict = "not converged"
    elif not _within(worst, V_tolerance, log_negativity_tolerance, 0.5) or max(tops) > trunc:
        verdict = "marginal"
        if max(tops) > trunc:
            reasons.append(f"top Fock populations {tuple(f'{p:.1e}' for p in tops)} exceed "
                           f"{trunc:.0e} at the chosen cutoffs")
    else:
        verdict = "converged"
    steps = pd.DataFrame(rows)
    advice = "" if verdict == "converged" else convergence_advice(
        steps, chosen, maximum, limits, checks,
        [m for m, p in zip(MODES, tops) if p > trunc], hamiltonian=hamiltonian, bath=point.system.bath,
        budget=budget, tolerances=(V_tolerance, log_negativity_tolerance))
    return ConvergenceStudy(steps, chosen, verdict, tuple(reasons),
                            (V_tolerance, log_negativity_tolerance), base, advice)


def _used(ch: dict[str, float], tol_V: float, tol_EN: float) -> float:
    """The largest change of a refinement in units of its tolerance (1: at the tolerance)."""
    return max(ch["max abs dV"] / tol_V, ch["dE_N gaussian"] / tol_EN,
               ch["dE_N exact"] / tol_EN)


#: The share of the tolerance a final check may use for ``converged`` (the rule above).
MARGIN = 0.5
#: Levels the advice adds to a maximum cutoff reached after a single refinement step
#: (no decay rate measured yet).
UNKNOWN_DECAY_LEVELS = 3


def levels_needed(steps: pd.DataFrame, mode: str, used: float,
                  tolerances: tuple[float, float], target: float = 0.8 * MARGIN) -> int:
    """Levels to add to ``mode`` so that its final check uses at most ``target`` of the
    tolerance, from the geometric decay of its own refinement steps.

    The ratio r of successive changes of the mode's refinement (the last two steps, or 0.5
    when there is only one) predicts the check at N + n as used·rⁿ; truncation errors of a
    damped mode fall geometrically (docs/paper_device.md §3 measured r ≈ 0.35–0.55).
    """
    mine = steps[steps["stage"] == f"refine {mode}"]
    changes = [_used(r, *tolerances) for _, r in mine.iterrows()]
    ratio = 0.5
    if len(changes) >= 2 and changes[-2] > 0 and 0 < changes[-1] < changes[-2]:
        ratio = changes[-1] / changes[-2]
    return geometric_levels(used, ratio, target)


def geometric_levels(used: float, ratio: float, target: float = 1.0) -> int:
    """The levels n ≥ 1 after which a change ``used`` falling by ``ratio`` (< 1) a level,
    used·ratioⁿ, is at most ``target`` (1 when it already is). Truncation errors of a
    damped mode fall geometrically (docs/paper_device.md §3)."""
    if used <= target:
        return 1
    # the 1e-9 keeps an exact power exact (log(10)/log(10) may round to 1 + 2e-16)
    return max(1, math.ceil(math.log(target / used) / math.log(ratio) - 1e-9))


def convergence_advice(steps: pd.DataFrame, chosen: tuple[int, int, int],
                       maximum: tuple[int, int, int], limits: dict[str, str],
                       checks: dict[str, float], truncated: list[str], *, hamiltonian: str,
                       bath: str, budget: int, tolerances: tuple[float, float]) -> str:
    """The next step of a convergence study that did not converge, computed from what
    limited it: a mode's maximum cutoff, the memory budget, or a final check that used more
    than half the tolerance (the search stopped at the first level that changed less than
    the tolerance, so raising the maximum would not change where it stops: the start
    cutoffs must move). Every suggestion is checked against the memory budget first: when
    it cannot fit, the advice says so and names the memory needed.
    """
    def memory(cutoffs) -> int:
        return fullquantum.estimate_memory(cutoffs, "structured", hamiltonian=hamiltonian,
                                           bath=bath).total_bytes

    def fits(cutoffs) -> str:
        need = memory(cutoffs)
        return "" if need <= budget else (
            f"; but its check at cutoffs {tuple(cutoffs)} needs {need / 2**30:.1f} GiB, over "
            f"the memory budget of {budget / 2**30:.1f} GiB ([solver] memory_budget_bytes): "
            f"raise it only if this machine has the memory, otherwise this point cannot be "
            f"converged further here")

    at_max = [m for m in MODES if limits.get(m) == "maximum"]
    if at_max:
        def more(m: str) -> int | None:  # levels until its refinement passes, + 1 to refine
            mine = steps[steps["stage"] == f"refine {m}"]
            if len(mine) < 2:  # one step: no decay rate to extrapolate
                return None
            return levels_needed(steps, m, _used(mine.iloc[-1], *tolerances), tolerances,
                                 target=1.0) + 1
        levels = {m: more(m) for m in at_max}
        unknown = [m for m, n in levels.items() if n is None]
        new_max = tuple(c + ((levels[m] or UNKNOWN_DECAY_LEVELS) if m in at_max else 0)
                        for m, c in zip(MODES, maximum))
        why = ("the geometric decay of its refinement steps predicts this many more levels"
               if not unknown else
               f"{', '.join(unknown)} made a single refinement step, so its decay rate is not "
               f"known yet: {UNKNOWN_DECAY_LEVELS} more levels, and a second run predicts from "
               f"the decay it then measures")
        return (f"raise the maximum cutoffs of {', '.join(at_max)} ([converge] max_cutoffs → "
                f"{new_max}, now {tuple(maximum)}): the search reached them still changing; "
                f"{why}" + fits(tuple(c + 1 for c in new_max)))
    by_memory = [m for m in MODES if limits.get(m) == "memory"]
    if by_memory:
        nxt = tuple(c + 1 for c in chosen)
        return (f"the search of {', '.join(by_memory)} stopped at the memory budget: "
                f"cutoffs {nxt} need {memory(nxt) / 2**30:.1f} GiB; raise [solver] "
                f"memory_budget_bytes above that if this machine has the memory, otherwise "
                f"this point cannot be converged further here")
    heavy = {m: u for m, u in checks.items() if u > MARGIN} or {m: 1.0 for m in truncated}
    if not heavy:
        return ""
    start = list(chosen)
    for k, m in enumerate(MODES):
        if m in heavy:
            start[k] += levels_needed(steps, m, heavy[m], tolerances)
    start = tuple(start)
    new_max = tuple(max(a, b) for a, b in zip(maximum, start))
    what = (f"([converge] start_cutoffs → {start}" +
            (f", max_cutoffs → {new_max}" if new_max != tuple(maximum) else "") + ")")
    return (f"start the search at cutoffs {start} {what}: the final check of "
            f"{', '.join(heavy)} used {max(heavy.values()):.0%} of the tolerance, and the "
            f"search stops at the first level that changes less than the tolerance, so a "
            f"larger maximum alone changes nothing; the start predicted from the geometric "
            f"decay of the refinement steps puts the check below half the tolerance"
            + fits(tuple(c + 1 for c in start)))
