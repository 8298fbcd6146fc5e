"""Agreement of the Gaussian and full-quantum descriptions at one operating point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ...linear.checks import check_real
from ... import fullquantum, linear
from ...fullquantum.options import resolve_hamiltonian
from .deviation import max_abs_difference
from .tables import TabulatedResult, clip
from .validity import ValidityCriteria, judge_point, search_advice
from .leading import LeadingCheck, leading_check
from .series import SeriesCheck, series_check

QUADRATURES = ("X_ccw", "Y_ccw", "X_cw", "Y_cw", "q", "p")
Verdict = Literal["agree", "disagree", "truncated", "unconverged", "unstable"]


@dataclass(frozen=True)
class Tolerances:
    """What "agree" means.

    Attributes
    ----------
    V : float
        Largest allowed max|V_fq − V_lin|, in quadrature units where the vacuum variance is
        1/2: the default 1e-3 is 0.2 % of the vacuum noise.
    log_negativity : float
        Largest allowed |E_N^fq − E_N^lin| for both the Gaussian E_N of V_fq and the exact
        ln‖ρ^{T_m}‖₁ (natural log): the default 1e-3 is 1 % of the reference point's E_N ≈ 0.1.
    """

    V: float = 1e-3
    log_negativity: float = 1e-3

    def __post_init__(self) -> None:
        for name in ("V", "log_negativity"):  # finite, > 0, a real number (not a bool)
            object.__setattr__(self, name, check_real(f"tolerance {name}", getattr(self, name),
                                                      low=0, low_inclusive=False))


@dataclass(frozen=True)
class PointComparison(TabulatedResult):
    """Gaussian vs full quantum at one point, the approximation and truncation errors apart.

    Attributes
    ----------
    linear : linear.PointResult
        The Gaussian (Lyapunov) solution.
    steady : fullquantum.SteadyState or None
        The judged full-quantum model (default ``nonlinear``); None when the linear model is
        unstable or the cutoffs did not converge.
    control : fullquantum.SteadyState or None
        The ``linearized`` Fock model at the same cutoffs: the truncation control (the same
        object as ``steady`` when the judged model is ``linearized``).
    elements : DataFrame
        One row per independent element of V: ``element``, ``linear``, ``full quantum``,
        ``linearized Fock``, ``abs error`` (full quantum − linear: the approximation error
        plus truncation), ``truncation`` (linearized Fock − linear), ``rel error``.
    summary : DataFrame
        ``quantity``, ``linear``, ``full quantum``, ``linearized Fock``, ``difference``
        (full quantum − linear) for norms of ΔV, means, photon/phonon numbers, E_N
        (Gaussian and exact), purity, non-Gaussianity (clipped at 0, then the raw value:
        the linearized Fock model's raw δ, zero on the infinite space, estimates the
        truncation floor of δ), diagnostics and timings.
    verdict : {"agree", "disagree", "truncated", "unconverged", "unstable"}
    reasons : tuple of str
        Why the verdict is what it is, with numbers: the approximation error, the truncation
        control and the cutoffs, each on its own line.
    tolerances : Tolerances
    cutoffs_converged : bool or None
        Whether the cutoffs were converged for this point (None: fixed cutoffs were given).
    advice : str
        For ``unconverged``: the next step computed from what stopped the cutoff search
        (:func:`~omxval.compare.studies.validity.search_advice`); otherwise "" (the
        verdict's generic next step applies).
    series : SeriesCheck or None
        The moment expansion of V (the third framework, :func:`~.series.series_check`):
        V2 + V4 against V_nonlinear − V_linearized at the same cutoffs, a truncation test
        that uses no Fock space; a diagnostic that never changes ``verdict``.
    leading : LeadingCheck or None
        c2·G0² of perturbation theory at the same cutoffs against the Fock-space ΔE_N
        (nonlinear − linearized Fock) and their ratio (:func:`~.leading.leading_check`);
        None unless the judged model is ``nonlinear``. A diagnostic too.
    """

    _table = "summary"  # the table of _repr_html_ and to_dataframe

    linear: linear.PointResult
    steady: fullquantum.SteadyState | None
    control: fullquantum.SteadyState | None
    elements: pd.DataFrame
    summary: pd.DataFrame
    verdict: Verdict
    reasons: tuple[str, ...]
    tolerances: Tolerances
    cutoffs_converged: bool | None = None
    advice: str = ""
    series: SeriesCheck | None = None
    leading: LeadingCheck | None = None

    question = "Gaussian model vs full quantum at the design point"

    def __repr__(self) -> str:
        if self.steady is None:
            return f"PointComparison({self.verdict}: {clip(self.reasons[0], 200)})"
        s, en = self.steady, self.linear.log_negativity_gaussian
        how = " converged" if self.cutoffs_converged else ""
        return (f"PointComparison({self.verdict}: {s.hamiltonian} vs Gaussian at{how} cutoffs "
                f"{s.cutoffs}; E_N exact {s.log_negativity_exact:.5g} vs Gaussian {en:.5g}, "
                f"max|ΔV| {max_abs_difference(s.V, self.linear.V):.1e}; truncation |ΔE_N| "
                f"{abs(self.control.log_negativity_exact - en):.1e})")


def _elements(V_lin: np.ndarray, V_fq: np.ndarray, V_control: np.ndarray) -> pd.DataFrame:
    rows, cols = np.triu_indices(6)
    lin, fq, ctl = V_lin[rows, cols], V_fq[rows, cols], V_control[rows, cols]
    err = np.abs(fq - lin)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.abs(lin) > 0, err / np.abs(lin), np.nan)
    return pd.DataFrame({"element": [f"V[{QUADRATURES[i]},{QUADRATURES[j]}]"
                                     for i, j in zip(rows, cols)],
                         "linear": lin, "full quantum": fq, "linearized Fock": ctl,
                         "abs error": err, "truncation": np.abs(ctl - lin), "rel error": rel})


def _linear_lab_values(r: linear.PointResult) -> dict[str, float]:
    """Lab-frame means and quanta of the Gaussian model: mean field plus fluctuations (the
    fluctuations of a Gaussian steady state have zero mean)."""
    mf = r.mean_field
    q = r.fluctuation_quanta
    return {"means": mf.quadrature_means, "N_ccw": abs(mf.alpha_ccw) ** 2 + q["ccw"],
            "N_cw": abs(mf.alpha_cw) ** 2 + q["cw"],
            "n_b": abs(mf.mechanical_amplitude) ** 2 + q["mechanics"]}


def compare_point(point: linear.OperatingPoint | linear.System, direction: str | None = None,
                  *, hamiltonian: str | None = None, cutoffs: tuple[int, int, int] | None = None,
                  branch: int | None = None, tolerances: Tolerances | None = None,
                  criteria: ValidityCriteria | None = None, max_dimension: int | None = None,
                  model: str | None = None, **solve_options) -> PointComparison:
    """Solve both models at one operating point and tabulate their agreement.

    The judged full-quantum ``model`` is compared with the Gaussian one (the approximation
    error), and the ``linearized`` Fock model at the same cutoffs with the Gaussian one (the
    truncation control, a numerical check that says nothing about physics).

    Parameters
    ----------
    point : linear.OperatingPoint or linear.System
        The operating point (e.g. from :func:`linear.design_point`), or a system with a
        ``direction`` (and ``branch``, default 0).
    direction : {"ccw", "cw"}, optional
    hamiltonian : {"nonlinear", "linearized", "lab"}
        Full-quantum form judged (docs/conventions.md §5), default "nonlinear";
        ``model=`` is its former name (DeprecationWarning).
    cutoffs : (int, int, int), optional
        Fock cutoffs (N_ccw, N_cw, N_m). Default: converged for this point by
        :func:`~omxval.compare.studies.validity.adaptive_cutoffs` with ``criteria``'s tolerances.
    branch : int, optional
        Mean-field branch of both models (must match ``point``'s if it is a point).
    tolerances : Tolerances
        What "agree" means.
    criteria : ValidityCriteria, optional
        Convergence tolerances of the cutoff search (when ``cutoffs`` is None).
    max_dimension : int, optional
        Cost limit of the cutoff search.
    **solve_options
        Passed to :func:`fullquantum.solve` (``method=``, ``solver=``, options).

    Returns
    -------
    PointComparison
        ``verdict`` is "unstable" when the linear model has no steady state (the
        full-quantum model is then not solved), "unconverged" when the cutoff search did not
        converge, "truncated" when fixed ``cutoffs`` leave a top Fock level holding more
        than the truncation tolerance, else "agree" or "disagree" against ``tolerances``.
    """
    tol = tolerances or Tolerances()
    point = linear.resolve_point(point, direction, branch)
    hamiltonian = resolve_hamiltonian(hamiltonian, model, "nonlinear")
    lin = linear.analyze(point)
    if not lin.stable:
        return PointComparison(lin, None, None, pd.DataFrame(), pd.DataFrame(), "unstable",
                               (f"the linear model is unstable (max Re λ(A) = "
                                f"{lin.max_growth_rate:.3g}): no steady state to compare",),
                               tol)
    if cutoffs is None:
        judged = judge_point(point, hamiltonian, criteria=criteria, max_dimension=max_dimension,
                             errors="raise", **solve_options)
        if judged.state is None:
            advice = search_advice(
                [judged.fit] if judged.fit is not None else [], hamiltonian=hamiltonian,
                bath=point.system.bath, max_dimension=max_dimension,
                budget_bytes=solve_options.get("memory_budget_bytes",
                                               fullquantum.DEFAULT_MEMORY_BUDGET_BYTES))
            return PointComparison(lin, None, None, pd.DataFrame(), pd.DataFrame(),
                                   "unconverged", (f"the cutoffs did not converge: "
                                                   f"{judged.message}",), tol, False, advice)
        fq, control, converged = judged.state, judged.control, True
        how = (f"cutoffs {fq.cutoffs} converged for this point ({judged.fit.solves} solves: one "
               f"more level changes V by < {judged.criteria.V_tolerance:.0e} and E_N by < "
               f"{judged.criteria.log_negativity_tolerance:.0e})")
    else:
        fq = fullquantum.solve(point, cutoffs=cutoffs, hamiltonian=hamiltonian, **solve_options)
        control = fq if hamiltonian == "linearized" else fullquantum.solve(
            point, cutoffs=cutoffs, hamiltonian="linearized", **solve_options)
        converged = None
        how = f"fixed cutoffs {fq.cutoffs} (not converged per point)"
    dV = fq.V - lin.V
    lab = _linear_lab_values(lin)
    en_lin = lin.log_negativity_gaussian
    rows = [("max abs ΔV", 0.0, max_abs_difference(fq.V, lin.V),
             max_abs_difference(control.V, lin.V)),
            ("‖ΔV‖_F", 0.0, float(np.linalg.norm(dV)), float(np.linalg.norm(control.V - lin.V))),
            ("E_N Gaussian (ln)", en_lin, fq.log_negativity_gaussian,
             control.log_negativity_gaussian),
            ("E_N exact (ln)", en_lin, fq.log_negativity_exact, control.log_negativity_exact)]
    rows += [(f"<{name}> (lab frame)", float(lab["means"][k]), float(fq.lab_means[k]),
              float(control.lab_means[k])) for k, name in enumerate(QUADRATURES)]
    rows += [("N_ccw (lab)", lab["N_ccw"], fq.photons.ccw, control.photons.ccw),
             ("N_cw (lab)", lab["N_cw"], fq.photons.cw, control.photons.cw),
             ("n_b (lab)", lab["n_b"], fq.phonons, control.phonons),
             ("purity", float(linear.gaussian_purity(lin.V)), fq.purity, control.purity),
             ("non-Gaussianity δ (nats)", 0.0, fq.non_gaussianity, control.non_gaussianity),
             ("non-Gaussianity δ raw (nats; < 0: below the truncation floor)", 0.0,
              fq.non_gaussianity_raw, control.non_gaussianity_raw)]
    columns = ["quantity", "linear", "full quantum", "linearized Fock"]
    summary = pd.DataFrame(rows, columns=columns)
    summary["difference"] = summary["full quantum"] - summary["linear"]
    diag = pd.DataFrame([
        ("residual ‖Lρ‖", np.nan, fq.residual, control.residual, np.nan),
        ("most negative eigenvalue of ρ", np.nan, fq.min_eigenvalue, control.min_eigenvalue,
         np.nan),
        *[(f"top Fock population ({m})", np.nan, p, q, np.nan)
          for m, p, q in zip(("ccw", "cw", "mech"), fq.top_populations,
                             control.top_populations)],
        ("mean-field residual", np.nan, fq.mean_field_residual, control.mean_field_residual,
         np.nan),
        ("solve time (s)", np.nan, fq.timings.total_s, control.timings.total_s, np.nan),
    ], columns=summary.columns)
    summary = pd.concat([summary, diag], ignore_index=True)

    max_dV = max_abs_difference(fq.V, lin.V)
    d_gauss = abs(fq.log_negativity_gaussian - en_lin)
    d_exact = abs(fq.log_negativity_exact - en_lin)
    reasons = [f"approximation ({hamiltonian} vs Gaussian): max|ΔV| = {max_dV:.2e} (tolerance "
               f"{tol.V:.0e}), |ΔE_N| Gaussian {d_gauss:.2e}, exact {d_exact:.2e} (tolerance "
               f"{tol.log_negativity:.0e})",
               f"truncation control (linearized Fock vs Lyapunov): max|ΔV| = "
               f"{max_abs_difference(control.V, lin.V):.2e}, |ΔE_N| exact "
               f"{abs(control.log_negativity_exact - en_lin):.2e}", how]
    if fq.truncated and converged is None:
        verdict: Verdict = "truncated"
        reasons.insert(0, f"top Fock populations {tuple(f'{p:.1e}' for p in fq.top_populations)}"
                          f" exceed {fq.options.truncation_tol:.0e}: raise the cutoffs")
    elif max_dV <= tol.V and d_gauss <= tol.log_negativity and d_exact <= tol.log_negativity:
        verdict = "agree"
    else:
        verdict = "disagree"
    series = (series_check(point, fq, control) if hamiltonian == "nonlinear"
              else series_check(point))
    reasons.append(f"moment expansion (no Fock space, docs/perturbative.md): {series.status} — "
                   f"{series.message}")
    leading = None
    if hamiltonian == "nonlinear":
        leading = leading_check(point, fq, control)
        reasons.append(f"leading order (perturbation theory, docs/perturbative.md §11): "
                       f"{leading.status} — {leading.message}")
    return PointComparison(lin, fq, control, _elements(lin.V, fq.V, control.V), summary,
                           verdict, tuple(reasons), tol, converged, series=series,
                           leading=leading)
