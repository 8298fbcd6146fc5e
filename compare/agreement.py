"""Agreement of the Gaussian and full-quantum descriptions at one operating point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InputError
from .. import fullquantum, linear
from ..linear.parameters import check_choice
from .deviation import max_abs_difference
from .tables import markdown_table

QUADRATURES = ("X_ccw", "Y_ccw", "X_cw", "Y_cw", "q", "p")
Verdict = Literal["agree", "disagree", "truncated", "unstable"]


@dataclass(frozen=True)
class Tolerances:
    """What "agree" means.

    Attributes
    ----------
    V : float
        Largest allowed max|V_fq − V_lin| (quadrature variances are ≥ 1/2).
    log_negativity : float
        Largest allowed |E_N^fq − E_N^lin| for both the Gaussian E_N of V_fq and the exact
        ln‖ρ^{T_m}‖₁ (natural log).
    """

    V: float = 1e-4
    log_negativity: float = 1e-3

    def __post_init__(self) -> None:
        for name in ("V", "log_negativity"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise InputError(f"tolerance {name} must be a finite number > 0; got {value!r}")


@dataclass(frozen=True)
class PointComparison:
    """Linear vs full-quantum at one point.

    Attributes
    ----------
    linear : linear.PointResult
    steady : fullquantum.SteadyState or None
        None when the linear model is unstable (nothing to compare with).
    elements : DataFrame
        One row per independent element of V: ``element``, ``linear``, ``full quantum``,
        ``abs error``, ``rel error``.
    summary : DataFrame
        ``quantity``, ``linear``, ``full quantum``, ``difference`` for norms of ΔV, means,
        photon/phonon numbers, E_N (Gaussian and exact), purity, non-Gaussianity,
        diagnostics and timings.
    verdict : {"agree", "disagree", "truncated", "unstable"}
    reasons : tuple of str
        Why the verdict is what it is, with numbers.
    tolerances : Tolerances
    """

    linear: linear.PointResult
    steady: fullquantum.SteadyState | None
    elements: pd.DataFrame
    summary: pd.DataFrame
    verdict: Verdict
    reasons: tuple[str, ...]
    tolerances: Tolerances

    question = "Gaussian model vs full quantum at the design point"

    def to_markdown(self) -> str:
        """Verdict first, then the summary and the element tables."""
        head = f"**Verdict: {self.verdict}** — " + "; ".join(self.reasons)
        if self.steady is None:
            return head + "\n"
        s = self.steady
        meta = (f"model `{s.model}`, bath `{s.bath}`, drive `{s.direction}`, cutoffs "
                f"{s.cutoffs}, method `{s.method}`")
        return (f"{head}\n\n{meta}\n\n{markdown_table(self.summary)}\n\n"
                f"Covariance matrix elements (order of docs/conventions.md §2):\n\n"
                f"{markdown_table(self.elements)}\n")


def _elements(V_lin: np.ndarray, V_fq: np.ndarray) -> pd.DataFrame:
    rows, cols = np.triu_indices(6)
    lin, fq = V_lin[rows, cols], V_fq[rows, cols]
    err = np.abs(fq - lin)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.abs(lin) > 0, err / np.abs(lin), np.nan)
    return pd.DataFrame({"element": [f"V[{QUADRATURES[i]},{QUADRATURES[j]}]"
                                     for i, j in zip(rows, cols)],
                         "linear": lin, "full quantum": fq, "abs error": err, "rel error": rel})


def _linear_lab_values(r: linear.PointResult) -> dict[str, float]:
    """Lab-frame means and quanta of the Gaussian model: mean field plus fluctuations (the
    fluctuations of a Gaussian steady state have zero mean)."""
    mf = r.mean_field
    q = r.fluctuation_quanta
    return {"means": mf.quadrature_means, "N_ccw": abs(mf.alpha_ccw) ** 2 + q["ccw"],
            "N_cw": abs(mf.alpha_cw) ** 2 + q["cw"],
            "n_b": abs(mf.mechanical_amplitude) ** 2 + q["mechanics"]}


def compare_point(point: linear.OperatingPoint | linear.System, direction: str | None = None,
                  *, model: str = "linearized", cutoffs: tuple[int, int, int] = (4, 3, 8),
                  branch: int | None = None, tolerances: Tolerances | None = None,
                  **solve_options) -> PointComparison:
    """Solve both models at one operating point and tabulate their agreement.

    Parameters
    ----------
    point : linear.OperatingPoint or linear.System
        The operating point (e.g. from :func:`linear.design_point`), or a system with a
        ``direction`` (and ``branch``, default 0).
    direction : {"ccw", "cw"}, optional
    model : {"linearized", "nonlinear", "lab"}
        Full-quantum model level (docs/conventions.md §5).
    cutoffs : (int, int, int)
        Fock cutoffs (N_ccw, N_cw, N_m).
    branch : int, optional
        Mean-field branch of both models (must match ``point``'s if it is a point).
    tolerances : Tolerances
    **solve_options
        Passed to :func:`fullquantum.solve` (``method=``, ``solver=``, options).

    Returns
    -------
    PointComparison
        ``verdict`` is "unstable" when the linear model has no steady state (the
        full-quantum model is then not solved), "truncated" when a top Fock level holds more
        than the truncation tolerance (the comparison is not trustworthy), else "agree" or
        "disagree" against ``tolerances``.
    """
    tol = tolerances or Tolerances()
    point = linear.resolve_point(point, direction, branch)
    lin = linear.analyze(point)
    if not lin.stable:
        return PointComparison(lin, None, pd.DataFrame(), pd.DataFrame(), "unstable",
                               (f"the linear model is unstable (max Re λ(A) = "
                                f"{lin.max_growth_rate:.3g}): no steady state to compare",),
                               tol)
    check_choice("model", model, fullquantum.MODELS)
    fq = fullquantum.solve(point, cutoffs=cutoffs, model=model, **solve_options)
    dV = fq.V - lin.V
    lab = _linear_lab_values(lin)
    en_lin = lin.log_negativity
    rows = [("max abs ΔV", 0.0, max_abs_difference(fq.V, lin.V)),
            ("‖ΔV‖_F", 0.0, float(np.linalg.norm(dV))),
            ("E_N Gaussian (ln)", en_lin, fq.log_negativity_gaussian),
            ("E_N exact (ln)", en_lin, fq.log_negativity_exact)]
    rows += [(f"<{name}> (lab frame)", float(lab["means"][k]), float(fq.lab_means[k]))
             for k, name in enumerate(QUADRATURES)]
    rows += [("N_ccw (lab)", lab["N_ccw"], fq.photons[0]), ("N_cw (lab)", lab["N_cw"], fq.photons[1]),
             ("n_b (lab)", lab["n_b"], fq.phonons),
             ("purity", float(linear.gaussian_purity(lin.V)), fq.purity),
             ("non-Gaussianity δ (nats)", 0.0, fq.non_gaussianity)]
    summary = pd.DataFrame(rows, columns=["quantity", "linear", "full quantum"])
    summary["difference"] = summary["full quantum"] - summary["linear"]
    diag = pd.DataFrame([
        ("residual ‖Lρ‖", np.nan, fq.residual, np.nan),
        ("most negative eigenvalue of ρ", np.nan, fq.min_eigenvalue, np.nan),
        *[(f"top Fock population ({m})", np.nan, p, np.nan)
          for m, p in zip(("ccw", "cw", "mech"), fq.top_populations)],
        ("mean-field residual", np.nan, fq.mean_field_residual, np.nan),
        ("solve time (s)", np.nan, fq.timings.total_s, np.nan),
    ], columns=summary.columns)
    summary = pd.concat([summary, diag], ignore_index=True)

    max_dV = max_abs_difference(fq.V, lin.V)
    d_gauss = abs(fq.log_negativity_gaussian - en_lin)
    d_exact = abs(fq.log_negativity_exact - en_lin)
    reasons = [f"max|ΔV| = {max_dV:.2e} (tolerance {tol.V:.0e})",
               f"|ΔE_N| Gaussian {d_gauss:.2e}, exact {d_exact:.2e} "
               f"(tolerance {tol.log_negativity:.0e})"]
    if fq.truncated:
        verdict: Verdict = "truncated"
        reasons.insert(0, f"top Fock populations {tuple(f'{p:.1e}' for p in fq.top_populations)}"
                          f" exceed {fq.options.truncation_tol:.0e}: raise the cutoffs")
    elif max_dV <= tol.V and d_gauss <= tol.log_negativity and d_exact <= tol.log_negativity:
        verdict = "agree"
    else:
        verdict = "disagree"
    return PointComparison(lin, fq, _elements(lin.V, fq.V), summary, verdict, tuple(reasons), tol)
