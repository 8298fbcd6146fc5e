"""My device: the approximation error of the Gaussian E_N of any model at its real g0.

The generalisation of the paper-device study (:mod:`.paper_device`) to any
:class:`omxval.Model`. A real device has a tiny g0 and enormous photon numbers; the Fock
spaces of the displaced frame are set by the fluctuations, but the approximation error at
s = 1 is far below what a full-quantum solve resolves directly. So:

1. **The ladder.** ``model.scaled(s)`` (docs/models.md Eq. M7: every g0 × s, every drive ÷ s)
   keeps the Gaussian model exactly and scales the neglected terms −g0·δa†δa·δq by s. At each
   s of a ladder where the Fock spaces fit, the ``nonlinear`` model's cutoffs c are converged
   for that row (:func:`~.search.adaptive_cutoffs`); the approximation error of each pair is
   E_N(nonlinear) − E_N(linearized Fock), both at c, so the truncation error common to both
   cancels; the same at c + 1 (every mode one level more) checks that it does.
2. **The fit.** The cubic term enters E_N at even orders of s (docs/paper_device.md §4), so
   ΔE_N(s) = c2·s² + c4·s⁴ is fitted (and a free power law a·s^p, whose p ≈ 2 checks the
   assumption) over the converged rows.
3. **The prediction** at s = 1 is c2 + c4 with its 95 % band. Assumptions, stated in every
   report: the series in s holds from the ladder down to s = 1 (no other scale enters
   between: the Gaussian model is the same at every s, so the fluctuations are), the
   mean-field branch is the same at every s (it is: the shifts are invariant), and the rows'
   cutoffs are converged (rows that are not are left out, never fitted).

``agree`` when the band's far end at s = 1 is within the criteria (``relative_error`` of the
pair's Gaussian E_N, or ``absolute_floor``) for every judged pair; ``disagree`` when it is
not; ``incomplete`` with fewer than 3 converged rows of a pair.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ... import fullquantum, linear
from ...errors import InputError
from ...fullquantum.modelresult import pair_label
from .fits import BAND_LEVEL, Prediction, fit_leading_order, fit_power_law
from .maps import map_points
from .modelvalidity import judged_pairs
from .progress import Counter
from .search import ValidityCriteria, adaptive_cutoffs, linearized_control
from .status import FAILED

#: Fewest converged rows a pair's fit needs (two coefficients and one degree of freedom).
MIN_ROWS = 3


def device_row(point: linear.ModelPoint, s: float, pairs: tuple[tuple[str, str], ...],
               criteria: ValidityCriteria, max_dimension: int | None,
               solve_options: dict) -> dict:
    """One rung of the ladder: cutoffs converged for ``model.scaled(s)``, then the
    approximation error of every pair at c and at c + 1 (a failure is a row)."""
    t0 = time.perf_counter()
    row: dict = {"s": float(s)}
    try:
        p = linear.ModelPoint(point.model.scaled(s), point.branch)
        fit = adaptive_cutoffs(p, "nonlinear", pairs=pairs, V_tolerance=criteria.V_tolerance,
                               log_negativity_tolerance=criteria.log_negativity_tolerance,
                               max_dimension=max_dimension, **solve_options)
        names = point.model.mode_names
        row.update({f"N_{m}": n for m, n in zip(names, fit.cutoffs)})
        row.update({"d": int(np.prod(fit.cutoffs)), "solves": fit.solves})
        if not fit.converged:
            row.update({"status": "unconverged", "message": fit.reason})
            return {**row, "seconds": time.perf_counter() - t0}
        raised = tuple(c + 1 for c in fit.cutoffs)
        lin = linearized_control(p, fit, pairs=pairs, **solve_options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fullquantum.TruncationWarning)
            nl_up = fullquantum.solve(p, cutoffs=raised, hamiltonian="nonlinear", pairs=pairs,
                                      initial_state=fit.state, **solve_options)
            lin_up = fullquantum.solve(p, cutoffs=raised, hamiltonian="linearized",
                                       pairs=pairs, initial_state=lin, **solve_options)
        gauss = linear.analyze(p)
        for pair in pairs:
            lab = pair_label(pair)
            row[f"dE_N {lab}"] = (fit.state.log_negativities_exact[pair]
                                  - lin.log_negativities_exact[pair])
            row[f"dE_N {lab} (c+1)"] = (nl_up.log_negativities_exact[pair]
                                        - lin_up.log_negativities_exact[pair])
            row[f"truncation {lab}"] = (lin.log_negativities_exact[pair]
                                        - gauss.log_negativities[pair])
        row.update({"status": "converged", "message": "",
                    "max top population": fit.state.max_top_population})
    except Exception as exc:  # noqa: BLE001 - a failed rung is a row, computed again later
        row.update({"status": FAILED, "message": f"{type(exc).__name__}: {exc}"})
    return {**row, "seconds": time.perf_counter() - t0}


def _row_task(s: float, point, pairs, criteria, max_dimension, solve_options) -> tuple[float, dict]:
    return s, device_row(point, s, pairs, criteria, max_dimension, solve_options)


@dataclass(frozen=True)
class PairPrediction:
    """The fit of one pair's ladder and its prediction at s = 1."""

    pair: tuple[str, str]
    gaussian: float
    rows: int
    c2: float
    c2_stderr: float
    exponent: float
    exponent_stderr: float
    prediction: Prediction | None
    verdict: str

    @property
    def bound(self) -> float:
        """The band's far end |ΔE_N| at s = 1 (NaN without a prediction)."""
        if self.prediction is None:
            return np.nan
        p = self.prediction
        return float(max(abs(p.low), abs(p.high))) if np.isfinite(p.low) else abs(p.value)


@dataclass(frozen=True)
class DeviceStudy:
    """The "my device" study of a model (:func:`device_study`).

    Attributes
    ----------
    point : linear.ModelPoint
        The model at its real parameters (s = 1) and the branch.
    rows : DataFrame
        One row per s (``status`` converged, unconverged or failed).
    predictions : tuple of PairPrediction
    verdict : {"agree", "disagree", "incomplete"}
    reasons : tuple of str
    assumptions : tuple of str
    """

    point: linear.ModelPoint
    rows: pd.DataFrame
    predictions: tuple[PairPrediction, ...]
    verdict: str
    reasons: tuple[str, ...]
    assumptions: tuple[str, ...]
    criteria_limits: tuple[float, ...] = ()

    question = "my device: the Gaussian E_N at the model's real g0 (s = 1)"

    def table(self) -> pd.DataFrame:
        """One row per judged pair: the fit, the prediction at s = 1 and the verdict."""
        return pd.DataFrame([{
            "pair": pair_label(p.pair), "E_N gaussian": p.gaussian, "rows": p.rows,
            "c2": p.c2, "c2 stderr": p.c2_stderr, "exponent p": p.exponent,
            "p stderr": p.exponent_stderr,
            "dE_N at s = 1": p.prediction.value if p.prediction else np.nan,
            f"band low ({BAND_LEVEL:.0%})": p.prediction.low if p.prediction else np.nan,
            f"band high ({BAND_LEVEL:.0%})": p.prediction.high if p.prediction else np.nan,
            "relative bound": p.bound / p.gaussian if p.gaussian > 0 else np.nan,
            "verdict": p.verdict} for p in self.predictions])


ASSUMPTIONS = (
    "ΔE_N(s) = c2·s² + c4·s⁴ from the ladder down to s = 1: the cubic term enters E_N at even "
    "orders of s, and nothing else changes along the ladder (model.scaled keeps the Gaussian "
    "model, hence the fluctuations, exactly)",
    "the same mean-field branch at every s (the shifts g0·q are invariant under the scaling)",
    "only rows whose cutoffs converged are fitted; the error at c + 1 checks that the "
    "truncation error cancels in nonlinear − linearized Fock",
)


def analyze_device(point: linear.ModelPoint, rows: pd.DataFrame,
                   pairs: tuple[tuple[str, str], ...],
                   criteria: ValidityCriteria) -> DeviceStudy:
    """Fit each pair's ladder, predict at s = 1 and judge (the rows from
    :func:`device_row`, e.g. read back from a journal)."""
    gauss = linear.analyze(point)
    ok = rows[rows["status"] == "converged"] if "status" in rows else rows.iloc[0:0]
    preds, reasons, limits = [], [], []
    for pair in pairs:
        lab, en = pair_label(pair), float(gauss.log_negativities[pair])
        limits.append(max(criteria.absolute_floor, criteria.relative_error * en))
        sel = ok[np.isfinite(ok.get(f"dE_N {lab}", pd.Series(dtype=float)).astype(float))] \
            if len(ok) else ok
        n = len(sel)
        if n < MIN_ROWS:
            preds.append(PairPrediction(pair, en, n, np.nan, np.nan, np.nan, np.nan, None,
                                        "incomplete"))
            reasons.append(f"{lab}: {n} converged row(s), {MIN_ROWS} needed")
            continue
        s, dE = sel["s"].astype(float).to_numpy(), sel[f"dE_N {lab}"].astype(float).to_numpy()
        lead = fit_leading_order(s, dE)
        power = fit_power_law(s, np.abs(dE)) if np.all(dE != 0) else None
        pred = lead.predict(1.0)
        p = PairPrediction(pair, en, n, lead.c2, lead.c2_stderr,
                           power.exponent if power else np.nan,
                           power.exponent_stderr if power else np.nan, pred, "")
        limit = max(criteria.absolute_floor, criteria.relative_error * en)
        word = "agree" if p.bound <= limit else "disagree"
        preds.append(PairPrediction(**{**p.__dict__, "verdict": word}))
        reasons.append(f"{lab}: c2 = {lead.c2:.4g} ± {lead.c2_stderr:.1g}, p = "
                       f"{p.exponent:.3f} ± {p.exponent_stderr:.2g} over {n} rows (s = "
                       f"{s.min():g}–{s.max():g}); ΔE_N(s = 1) = {pred.value:.3g} "
                       f"[{pred.low:.3g}, {pred.high:.3g}] against E_N = {en:.4g} (limit "
                       f"{limit:.2g})")
    words = [p.verdict for p in preds]
    verdict = ("incomplete" if "incomplete" in words else
               "disagree" if "disagree" in words else "agree")
    return DeviceStudy(point, rows, tuple(preds), verdict, tuple(reasons), ASSUMPTIONS,
                       tuple(limits))


def device_study(point: linear.ModelPoint | linear.Model, s: Sequence[float], *,
                 pairs: Sequence[tuple[str, str]] | None = None,
                 criteria: ValidityCriteria | None = None, max_dimension: int | None = None,
                 engine: str = "serial", num_cpus: int | None = None,
                 on_row: Callable[[float, dict], None] | None = None,
                 known: dict[float, dict] | None = None,
                 progress: Callable[[str], None] | None = None,
                 **solve_options) -> DeviceStudy:
    """The approximation error of the Gaussian E_N at the model's real g0, from an s ladder.

    Parameters
    ----------
    point : linear.ModelPoint or omxval.Model
        The device at its real parameters (s = 1); a Model means its branch 0.
    s : sequence of float
        The ladder (> 1: where the Fock spaces fit), at least :data:`MIN_ROWS` values.
    pairs : sequence of (str, str), optional
        Pairs judged (default: those with a nonzero Gaussian E_N).
    criteria : ValidityCriteria
        Convergence tolerances of each row's cutoffs and the verdict's limits.
    max_dimension : int, optional
        Largest d of a row's cutoff search (a row that needs more is ``unconverged``).
    engine, num_cpus : optional
        Rows in parallel (:func:`~.maps.map_points`; one BLAS thread per worker).
    on_row : callable, optional
        ``on_row(s, row)`` as each row finishes (a journal makes the run resumable).
    known : dict, optional
        Rows already computed, by s (not computed again unless ``failed``).
    progress : callable, optional
    **solve_options
        Passed to :func:`fullquantum.solve`.

    Returns
    -------
    DeviceStudy
    """
    if isinstance(point, linear.Model):
        point = linear.ModelPoint(point)
    ladder = tuple(sorted({float(v) for v in s}))
    if len(ladder) < MIN_ROWS or any(not (v > 0) for v in ladder):
        raise InputError(f"s needs at least {MIN_ROWS} different positive values; got {list(s)}")
    crit = criteria or ValidityCriteria()
    gauss = linear.analyze(point)
    if not gauss.stable:
        raise InputError(f"the Gaussian model is unstable at branch {point.branch} (max Re "
                         f"λ(A) = {gauss.max_growth_rate:.3g}): nothing to judge")
    judged = judged_pairs(gauss, pairs)
    known = dict(known or {})
    todo = [v for v in ladder if v not in known or known[v].get("status") == FAILED]
    count = Counter(len(todo), progress)

    def record(result: tuple[float, dict]) -> None:
        v, row = result
        known[v] = row
        if on_row is not None:
            on_row(v, row)
        count.step(f"s = {v:g}: {row['status']}"
                   + (f", cutoffs d = {row['d']}" if "d" in row else "")
                   + f", {row['seconds']:.0f} s")

    # The largest s needs the largest Fock spaces: start it first (the ETA is then honest).
    map_points(_row_task, sorted(todo, reverse=True),
               task_args=(point, judged, crit, max_dimension, solve_options),
               engine=engine, num_cpus=num_cpus, reduce_func=record,
               on_lost=lambda v, why: (v, {"s": v, "status": FAILED, "message": why}))
    rows = pd.DataFrame([known[v] for v in ladder if v in known])
    return analyze_device(point, rows, judged, crit)


__all__ = ["device_study", "device_row", "analyze_device", "DeviceStudy", "PairPrediction",
           "ASSUMPTIONS", "MIN_ROWS"]
