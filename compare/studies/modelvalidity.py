"""Is the Gaussian E_N right here? Any model's operating point, both errors kept apart.

The generalisation of :mod:`.validity` to any :class:`omxval.Model` (docs/models.md §7): at
cutoffs converged **for the point** (:func:`~.validity.adaptive_cutoffs`, every mode, the
driven cavities starting larger) it reports, for every pair of modes judged,

* the **truncation error** — the ``linearized`` Fock model against the Lyapunov E_N (a
  numerical control: the same quadratic Hamiltonian on both sides), and
* the **approximation error** — the ``nonlinear`` model (exact up to truncation) against the
  Gaussian E_N: what linearising the radiation pressure costs.

The pairs judged are the user's, or by default those whose Gaussian E_N is nonzero (every
pair when none is). A point whose cutoffs do not converge is ``unconverged``, never a number.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from ... import fullquantum, linear
from ...errors import InputError
from ...fullquantum.modelresult import pair_label
from ...fullquantum.options import resolve_hamiltonian
from .deviation import max_abs_difference
from .status import FAILED, Status
from .tables import clip
from .search import AdaptiveSolve, ValidityCriteria, adaptive_cutoffs, linearized_control
from .leading import LeadingCheck, leading_check
from .series import SeriesCheck, series_check

Pair = tuple[str, str]


def judged_pairs(gaussian: linear.ModelResult, pairs: Sequence[Pair] | None = None
                 ) -> tuple[Pair, ...]:
    """The pairs a verdict judges: ``pairs`` (checked by name, either order accepted), or the
    pairs whose Gaussian E_N is nonzero, or every pair when none is entangled."""
    model = gaussian.model
    if pairs is not None:
        out = []
        for p in pairs:
            if (isinstance(p, str) or len(p) != 2 or p[0] == p[1]
                    or any(m not in model.mode_names for m in p)):
                raise InputError(f"pairs must be pairs of two different mode names of the "
                                 f"model ({', '.join(model.mode_names)}); got {p!r}")
            key = tuple(p) if tuple(p) in model.pairs else (p[1], p[0])
            out.append(key)
        if not out:
            raise InputError("pairs must name at least one pair of modes")
        return tuple(dict.fromkeys(out))
    entangled = tuple(p for p in model.pairs if gaussian.log_negativities[p] > 0)
    return entangled or tuple(model.pairs)


@dataclass(frozen=True)
class ModelPointValidity:
    """Both errors of the Gaussian model at one model point (:func:`judge_model_point`).

    Attributes
    ----------
    point : linear.ModelPoint
    gaussian : linear.ModelResult
        The Lyapunov solution.
    pairs : tuple of (str, str)
        The pairs judged.
    status : {"valid", "breaks", "unconverged", "unstable", "failed"}
        ``valid`` when every judged pair is within the criteria, ``breaks`` when one is not.
    message : str
    state, control : fullquantum.ModelSteadyState or None
        The judged form and the ``linearized`` Fock model at the converged cutoffs.
    fit : AdaptiveSolve or None
    criteria : ValidityCriteria
    seconds : float
    series : SeriesCheck or None
        The moment expansion of V at the point (:func:`~.series.series_check`), against
        ``state`` − ``control`` where they are the ``nonlinear`` and ``linearized`` models;
        None at an unstable or failed point.
    leading : LeadingCheck or None
        c2·s² of perturbation theory per judged pair at the converged cutoffs against the
        Fock-space ΔE_N (:func:`~.leading.leading_check`); None unless the judged model is
        ``nonlinear`` and the point is valid or breaks.
    """

    point: linear.ModelPoint
    gaussian: linear.ModelResult
    pairs: tuple[Pair, ...]
    status: Status
    message: str
    state: fullquantum.ModelSteadyState | None
    control: fullquantum.ModelSteadyState | None
    fit: AdaptiveSolve | None
    criteria: ValidityCriteria
    seconds: float
    series: SeriesCheck | None = None
    leading: LeadingCheck | None = None

    def approximation_error(self, pair: Pair) -> float:
        """E_N exact of the judged form − Lyapunov E_N of ``pair`` (nats); NaN without one."""
        if self.state is None:
            return np.nan
        return self.state.log_negativities_exact[pair] - self.gaussian.log_negativities[pair]

    def truncation_error(self, pair: Pair) -> float:
        """E_N exact of the linearized Fock model − Lyapunov E_N (nats): the control."""
        if self.control is None:
            return np.nan
        return self.control.log_negativities_exact[pair] - self.gaussian.log_negativities[pair]

    def holds(self, pair: Pair) -> bool:
        """|approximation error| within the criteria for ``pair``."""
        en, d = self.gaussian.log_negativities[pair], abs(self.approximation_error(pair))
        crit = self.criteria
        return bool(d <= crit.absolute_floor or (en > 0 and d <= crit.relative_error * en))

    def table(self) -> pd.DataFrame:
        """One row per judged pair: E_N Gaussian, exact (judged form), exact (linearized Fock
        model), both errors, the relative approximation error and the pair's verdict."""
        rows = []
        for p in self.pairs:
            en = self.gaussian.log_negativities[p]
            d = self.approximation_error(p)
            rows.append({
                "pair": pair_label(p), "E_N gaussian": en,
                "E_N exact": (self.state.log_negativities_exact[p]
                              if self.state is not None else np.nan),
                "E_N linearized Fock": (self.control.log_negativities_exact[p]
                                        if self.control is not None else np.nan),
                "approximation dE_N": d, "rel dE_N": abs(d) / en if en > 0 else np.nan,
                "truncation dE_N": self.truncation_error(p),
                "verdict": (("valid" if self.holds(p) else "breaks")
                            if self.state is not None else self.status)})
        return pd.DataFrame(rows)

    def worst_pair(self) -> Pair | None:
        """The judged pair with the largest relative (else absolute) approximation error."""
        if self.state is None:
            return None

        def badness(p):
            en, d = self.gaussian.log_negativities[p], abs(self.approximation_error(p))
            return (d / en if en > 0 else np.inf if d > self.criteria.absolute_floor else 0.0, d)
        return max(self.pairs, key=badness)

    def row(self) -> dict:
        """One map row: the worst judged pair's numbers under the map's column names
        (``E_N linear``, ``E_N exact``, ``abs dE_N``, ``rel dE_N``, ``truncation dE_N``) and
        every pair's under ``… a-b``; cutoffs ``N_<mode>``, quanta and diagnostics."""
        g, model = self.gaussian, self.point.model
        row = {"status": self.status, "message": self.message,
               "n_branches": self.point.n_branches, "complete": self.point.mean_field.complete,
               "pairs": " ".join(pair_label(p) for p in self.pairs)}
        for p in model.pairs:
            row[f"E_N linear {pair_label(p)}"] = g.log_negativities[p]
        if self.fit is not None:
            row.update({f"N_{m}": n for m, n in zip(model.mode_names, self.fit.cutoffs)})
            row["solves"] = self.fit.solves
            if self.fit.limit:
                row.update({"search limit": self.fit.limit,
                            "refused cutoffs": " ".join(map(str, self.fit.refused))})
        worst = self.worst_pair()
        if worst is not None:
            s = self.state
            for p in self.pairs:  # the exact E_N is computed for the judged pairs only
                lab = pair_label(p)
                en, d = g.log_negativities[p], self.approximation_error(p)
                row.update({f"E_N exact {lab}": s.log_negativities_exact[p],
                            f"abs dE_N {lab}": abs(d),
                            f"rel dE_N {lab}": abs(d) / en if en > 0 else np.nan,
                            f"truncation dE_N {lab}": abs(self.truncation_error(p))})
            en, d = g.log_negativities[worst], self.approximation_error(worst)
            row.update({
                "worst pair": pair_label(worst), "E_N linear": en,
                "E_N exact": s.log_negativities_exact[worst], "abs dE_N": abs(d),
                "rel dE_N": abs(d) / en if en > 0 else np.nan,
                "max abs dV": max_abs_difference(s.V, g.V),
                "truncation dE_N": abs(self.truncation_error(worst)),
                "truncation max abs dV": max_abs_difference(self.control.V, g.V),
                "max top population": s.max_top_population,
                **{f"quanta {m}": q for m, q in s.quanta.items()}})
        if self.series is not None:
            row.update(self.series.row())
        if self.leading is not None:
            row.update(self.leading.row(worst))
        row["seconds"] = self.seconds
        return row

    question = "Gaussian model vs full quantum at the model's point"

    @property
    def verdict(self) -> str:
        """The point study's verdict word (docs/verdicts.md): ``agree`` when every judged pair
        holds, ``disagree`` when one breaks, else the status (unconverged, unstable, failed)."""
        return {"valid": "agree", "breaks": "disagree"}.get(self.status, self.status)

    @property
    def reasons(self) -> tuple[str, ...]:
        """The evidence of :attr:`verdict`, one line per judged pair."""
        if self.state is None:
            return (self.message or self.status,)
        crit = self.criteria
        out = []
        for p in self.pairs:
            en, d = self.gaussian.log_negativities[p], self.approximation_error(p)
            rel = f" ({abs(d) / en:.2%} of E_N)" if en > 0 else ""
            out.append(f"{pair_label(p)}: E_N exact {self.state.log_negativities_exact[p]:.6g} vs "
                       f"Gaussian {en:.6g}, |ΔE_N| = {abs(d):.2e}{rel}, truncation |ΔE_N| = "
                       f"{abs(self.truncation_error(p)):.1e}")
        out.append(f"cutoffs {self.state.cutoffs} converged for this point (tolerances "
                   f"{crit.V_tolerance:g} on V, {crit.log_negativity_tolerance:g} on E_N); "
                   f"criterion {crit.relative_error:.0%} or |ΔE_N| ≤ {crit.absolute_floor:g}")
        if self.series is not None:
            out.append(f"moment expansion (no Fock space, docs/perturbative.md): "
                       f"{self.series.status} — {self.series.message}")
        if self.leading is not None:
            out.append(f"leading order (perturbation theory, docs/perturbative.md §11): "
                       f"{self.leading.status} — {self.leading.message}")
        return tuple(out)

    def __repr__(self) -> str:
        if self.state is None:
            why = f": {clip(self.message, 180)}" if self.message else ""
            return f"ModelPointValidity({self.status}{why})"
        parts = ", ".join(f"{pair_label(p)} exact {self.state.log_negativities_exact[p]:.5g} vs "
                          f"Gaussian {self.gaussian.log_negativities[p]:.5g}"
                          for p in self.pairs)
        return (f"ModelPointValidity({self.status}: {parts}; cutoffs {self.state.cutoffs}, "
                f"{self.seconds:.1f} s)")


def judge_model_point(point: linear.ModelPoint, hamiltonian: str | None = None, *,
                      pairs: Sequence[Pair] | None = None,
                      criteria: ValidityCriteria | None = None,
                      max_dimension: int | None = None,
                      errors: Literal["status", "raise"] = "status",
                      progress: Callable[[str], None] | None = None,
                      **solve_options) -> ModelPointValidity:
    """Both errors of the Gaussian model at a model point, at cutoffs converged there.

    Parameters
    ----------
    point : linear.ModelPoint
        The model and its mean-field branch.
    hamiltonian : {"nonlinear", "linearized", "lab"}
        The full-quantum form judged (default "nonlinear": the approximation error).
    pairs : sequence of (str, str), optional
        Pairs of modes to judge (default: those with a nonzero Gaussian E_N).
    criteria : ValidityCriteria
        ``valid``: every judged pair has |E_N exact − E_N Gaussian| ≤ relative_error·E_N or
        ≤ absolute_floor; the convergence tolerances of the cutoff search.
    max_dimension : int, optional
        Cost limit of the cutoff search (d = Π N_k).
    errors : {"status", "raise"}
        "status": an error becomes the status "failed" (maps); "raise": it propagates.
    progress : callable, optional
        One line per solve of the cutoff search.
    **solve_options
        Passed to :func:`fullquantum.solve` (``method=``, ``memory_budget_bytes=``, …).

    Returns
    -------
    ModelPointValidity
    """
    hamiltonian = resolve_hamiltonian(hamiltonian, None, "nonlinear")
    crit = criteria or ValidityCriteria()
    t0 = time.perf_counter()
    lin = linear.analyze(point)
    judged = judged_pairs(lin, pairs) if lin.stable else tuple(point.model.pairs)

    def done(status, message="", state=None, control=None, fit=None):
        series = leading = None
        if status not in ("unstable", FAILED):  # the third framework: milliseconds
            nonlinear = hamiltonian == "nonlinear" and state is not None
            series = series_check(point, state if nonlinear else None,
                                  control if nonlinear else None)
            if nonlinear:  # three linear solves per pair at the converged cutoffs
                leading = leading_check(point, state, control, pairs=judged)
        return ModelPointValidity(point, lin, judged, status, message, state, control, fit,
                                  crit, time.perf_counter() - t0, series, leading)

    if not lin.stable:
        return done("unstable", f"max Re λ(A) = {lin.max_growth_rate:.3g}")
    try:
        fit = adaptive_cutoffs(point, hamiltonian, V_tolerance=crit.V_tolerance,
                               log_negativity_tolerance=crit.log_negativity_tolerance,
                               max_dimension=max_dimension, pairs=judged, progress=progress,
                               **solve_options)
        if not fit.converged:
            last = (f"; at the last cutoffs {fit.state.cutoffs} E_N exact was "
                    + ", ".join(f"{pair_label(p)} {fit.state.log_negativities_exact[p]:.4g}"
                                for p in judged) if fit.state is not None else "")
            return done("unconverged", fit.reason + last, fit=fit)
        state = fit.state
        control = linearized_control(point, fit, pairs=judged, **solve_options)
    except Exception as exc:  # a failed point is a result with its error, never a crash
        if errors == "raise":
            raise
        return done(FAILED, f"{type(exc).__name__}: {exc}")
    result = done("valid", "", state, control, fit)
    return result if all(result.holds(p) for p in judged) else replace(result, status="breaks")


@dataclass(frozen=True)
class ModelConvergence:
    """Truncation convergence of a model's ``linearized`` Fock model
    (:func:`model_convergence_study`): the cutoff search, then the control against Lyapunov.

    Attributes
    ----------
    fit : AdaptiveSolve
        The search (its ``history``: one record per solve).
    steps : DataFrame
        The solves of the search: ``N_<mode>``, ``d``, E_N exact per pair, max top
        population, seconds.
    control : DataFrame
        Per pair at the chosen cutoffs: Lyapunov E_N, Fock E_N, their difference.
    verdict : {"converged", "marginal", "not converged"}
        ``marginal``: converged, but a top Fock level holds more than ``truncation_tol``.
    reasons : tuple of str
    """

    fit: AdaptiveSolve
    steps: pd.DataFrame
    control: pd.DataFrame
    verdict: str
    reasons: tuple[str, ...]

    question = "truncation convergence of the linearized Fock model (any model)"

    @property
    def chosen(self) -> tuple[int, ...]:
        return self.fit.cutoffs


def model_convergence_study(point: linear.ModelPoint, *, pairs: Sequence[Pair] | None = None,
                            criteria: ValidityCriteria | None = None,
                            max_dimension: int | None = None,
                            progress: Callable[[str], None] | None = None,
                            **solve_options) -> ModelConvergence:
    """Converge a model's cutoffs for its ``linearized`` Fock model and check it against the
    Lyapunov solution (the truncation control; the same quadratic Hamiltonian on both sides).

    Parameters
    ----------
    point : linear.ModelPoint
    pairs : sequence of (str, str), optional
        Pairs whose E_N must converge (default: nonzero Gaussian E_N).
    criteria : ValidityCriteria
        Its ``V_tolerance`` and ``log_negativity_tolerance`` drive the search.
    max_dimension : int, optional
    progress : callable, optional
    **solve_options
        Passed to :func:`fullquantum.solve` (``truncation_tol`` decides ``marginal``).

    Returns
    -------
    ModelConvergence
    """
    crit = criteria or ValidityCriteria()
    lin = linear.analyze(point)
    if not lin.stable:
        raise InputError(f"the Gaussian model is unstable at branch {point.branch} (max Re "
                         f"λ(A) = {lin.max_growth_rate:.3g}): there is no steady state whose "
                         f"truncation could converge")
    judged = judged_pairs(lin, pairs)
    fit = adaptive_cutoffs(point, "linearized", V_tolerance=crit.V_tolerance,
                           log_negativity_tolerance=crit.log_negativity_tolerance,
                           max_dimension=max_dimension, pairs=judged, progress=progress,
                           **solve_options)
    names = point.model.mode_names
    steps = pd.DataFrame([{**{f"N_{m}": n for m, n in zip(names, h["cutoffs"])},
                           **{k: v for k, v in h.items() if k != "cutoffs"}}
                          for h in fit.history])
    rows = []
    if fit.state is not None:
        for p in judged:
            fock, lyap = fit.state.log_negativities_exact[p], lin.log_negativities[p]
            rows.append({"pair": pair_label(p), "E_N Lyapunov": lyap, "E_N linearized Fock": fock,
                         "truncation dE_N": fock - lyap})
    control = pd.DataFrame(rows)
    tol = solve_options.get("truncation_tol", fullquantum.DEFAULT_TRUNCATION_TOL)
    if not fit.converged:
        verdict = "not converged"
        reasons = (fit.reason,)
    else:
        top = fit.state.max_top_population
        verdict = "marginal" if top > tol else "converged"
        reasons = (f"{fit.solves} solves: one more level "
                   f"in every mode changes V by < {crit.V_tolerance:g} and E_N by < "
                   f"{crit.log_negativity_tolerance:g}",
                   f"max top population {top:.1e} (truncation_tol {tol:g})",
                   *(f"{r['pair']}: Fock − Lyapunov E_N = {r['truncation dE_N']:.1e}"
                     for r in rows))
    return ModelConvergence(fit, steps, control, verdict, reasons)


__all__ = ["ModelPointValidity", "judge_model_point", "judged_pairs", "ModelConvergence",
           "model_convergence_study"]
