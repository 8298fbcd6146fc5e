"""Approach to the linearised limit: a G0 ladder at fixed (Δ̃_c, |G_d|), or any model's s ladder.

At fixed effective detuning and driven-mode coupling the Gaussian model does not depend on
G0 (docs/conventions.md §5), while the ``nonlinear`` full-quantum model keeps the cubic
radiation-pressure term −G0 Σ_j δa_j†δa_j δq. Its deviation from the linearised model must
vanish as G0 → 0; the expected leading order is G0² for V and G0 for ⟨δq⟩.

The deviation of V is measured against the ``linearized`` full-quantum model at the same
cutoffs, so that truncation error (common to both) does not floor the power law; the
deviation from the Lyapunov V is reported too.

For any model (docs/models.md Eq. M7) the ladder is the nonlinearity scale s:
``model.scaled(s)`` multiplies every g0 by s and divides every drive by s, which leaves the
Gaussian model exactly unchanged; the same powers are expected in s (for the spinning
resonator s = G0 / G0 of the design, today's ladder).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ...errors import InputError, InputTypeError
from ... import fullquantum
from ... import linear
from ...fullquantum.modelresult import pair_label
from .deviation import max_abs_difference
from .fits import PowerLawFit, extrapolate_to_zero, fit_power_law
from .modelvalidity import judged_pairs
from .search import adaptive_cutoffs
from .progress import Counter
from .tables import TabulatedResult


LinearizationVerdict = Literal["consistent", "inconsistent"]


@dataclass(frozen=True)
class LinearizationStudy(TabulatedResult):
    """Outcome of :func:`linearization_study`.

    Attributes
    ----------
    table : DataFrame
        One row per G0: deviations of the nonlinear model from the linearised full-quantum
        model (``max abs dV``, ``dE_N gaussian``, ``dE_N exact``), from the Lyapunov V,
        ``<dq>`` (fluctuation mean of q), values and diagnostics (``non-Gaussianity`` is
        clipped at 0, with ``non-Gaussianity below floor`` flagging a negative raw δ).
    V_fit, dq_fit : PowerLawFit
        Power laws of max|ΔV| and |⟨δq⟩| against G0.
    E_N_extrapolated : dict
        For "gaussian" and "exact": (G0 → 0 intercept, its standard error, the value it
        must meet): the linearised full-quantum model's E_N at the same cutoffs (so that
        truncation error, common to both, cancels).
    linear_log_negativity : float
        The Lyapunov E_N (differs from the targets above by the truncation error only).
    verdict : {"consistent", "inconsistent"}
        "consistent" when max|ΔV| falls as G0^p with |p − 2| ≤ max(0.1, 3σ) (the cubic
        term's leading correction to V is second order in G0 at fixed (Δ̃_c, |G_d|)) and
        both E_N extrapolate to their linearised values within 3σ (+1e-6).
    reasons : tuple of str
        The exponents and extrapolations behind the verdict.
    """

    _table = "table"  # the table of _repr_html_ and to_dataframe

    table: pd.DataFrame
    V_fit: PowerLawFit
    dq_fit: PowerLawFit
    E_N_extrapolated: dict[str, tuple[float, float, float]]
    linear_log_negativity: float
    verdict: LinearizationVerdict
    reasons: tuple[str, ...]
    variable: str = "G0"

    @property
    def question(self) -> str:
        return f"approach to the linearised limit ({self.variable} → 0)"

    def __repr__(self) -> str:
        g0, v = self.table[self.variable], self.variable
        return (f"LinearizationStudy({self.verdict}: max|ΔV| ∝ {v}^{self.V_fit.exponent:.3f}"
                f"±{self.V_fit.exponent_stderr:.3f} (expected 2) over {len(g0)} {v} in "
                f"[{g0.min():g}, {g0.max():g}]; {'; '.join(self.reasons[2:])})")



def linearization_study(design: dict | linear.Design | linear.OperatingPoint | linear.ModelPoint,
                        G0: tuple[float, ...], *, direction: str | None = None,
                        cutoffs: tuple[int, ...] | None = (4, 3, 8),
                        progress: Callable[[str], None] | None = None,
                        pairs=None, **solve_options) -> LinearizationStudy:
    """Run the nonlinear model on a nonlinearity ladder at a fixed Gaussian model.

    At fixed effective detuning Δ̃_c and driven-mode coupling |G_d| the Gaussian model does
    not depend on G0 (docs/conventions.md §5), so the ladder isolates the nonlinear terms;
    for any model, ``model.scaled(s)`` does the same (docs/models.md Eq. M7).

    Parameters
    ----------
    design : linear.Design, linear.OperatingPoint, dict or linear.ModelPoint
        The design point (its G0 is replaced by the ladder's); of an operating point, its
        :meth:`linear.Design.of`; a dict holds the keyword arguments of
        :func:`linear.design_point` except ``G0`` and ``direction``. A model's point: the
        ladder is then the scale s of :meth:`omxval.Model.scaled` (same branch).
    G0 : sequence of float
        The ladder (≥ 3 values): G0 in units of ω_m, or s for a model.
    direction : {"ccw", "cw"}, optional
        Driven mode of a dict design (default "ccw"); with a Design or a point it must
        agree with theirs.
    cutoffs : tuple of int, optional
        As for :func:`fullquantum.solve`; for a model, ``None`` (or the spinning resonator's
        default) converges them at the largest s (:func:`~.search.adaptive_cutoffs`, the
        nonlinear form) and keeps them along the ladder.
    pairs : sequence of (str, str), optional
        A model's pairs of modes tabulated (default: those with a nonzero Gaussian E_N).
    **solve_options
        Passed to :func:`fullquantum.solve`.
    """
    if isinstance(design, linear.ModelPoint):
        return _model_ladder(design, G0, cutoffs, pairs, progress, solve_options)
    if pairs is not None:
        raise InputError("pairs applies to a model's point (linear.ModelPoint)")
    G0 = tuple(float(g) for g in G0)
    if len(G0) < 3:
        raise InputError(f"G0 needs at least 3 values for a fit; got {G0}")
    count = Counter(len(G0) + 1, progress)
    rows = []

    def solve(point, hamiltonian):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", fullquantum.TruncationWarning)
            res = fullquantum.solve(point, cutoffs=cutoffs, hamiltonian=hamiltonian,
                                        **solve_options)
        return res, bool(caught)

    base = _as_design(design, direction, max(G0))
    # At fixed (Δ̃_c, |G_d|) the linearised model is the same for every G0: solve it once.
    top = base.replace(G0=max(G0)).point()
    lin = linear.analyze(top)
    ref, _ = solve(top, "linearized")
    count.step("linearized reference")
    for g in sorted(G0, reverse=True):
        t = time.perf_counter()
        nl, truncated = solve(base.replace(G0=g).point(), "nonlinear")
        rows.append({"G0": g, "max abs dV": max_abs_difference(nl.V, ref.V),
                     "max abs dV vs Lyapunov": max_abs_difference(nl.V, lin.V),
                     "dE_N gaussian": nl.log_negativity_gaussian - ref.log_negativity_gaussian,
                     "dE_N exact": nl.log_negativity_exact - ref.log_negativity_exact,
                     "<dq>": float(nl.means[4]),
                     "E_N gaussian": nl.log_negativity_gaussian,
                     "E_N exact": nl.log_negativity_exact,
                     "non-Gaussianity": nl.non_gaussianity,
                     "non-Gaussianity below floor": nl.non_gaussianity_below_floor,
                     "max top population": max(nl.top_populations),
                     "truncated": truncated, "seconds": time.perf_counter() - t})
        count.step(f"G0 = {g:g}: max|ΔV| = {rows[-1]['max abs dV']:.2e}, "
                   f"{rows[-1]['seconds']:.1f} s")
    table = pd.DataFrame(rows)
    V_fit = fit_power_law(table["G0"], table["max abs dV"])
    dq_fit = fit_power_law(table["G0"], np.abs(table["<dq>"]))
    extrap = {"gaussian": (*extrapolate_to_zero(table["G0"], table["E_N gaussian"]),
                           ref.log_negativity_gaussian),
              "exact": (*extrapolate_to_zero(table["G0"], table["E_N exact"]),
                        ref.log_negativity_exact)}
    ok_exp = abs(V_fit.exponent - 2.0) <= max(0.1, 3 * V_fit.exponent_stderr)
    meets = all(abs(c - target) <= 3 * err + 1e-6 for c, err, target in extrap.values())
    g, ex = extrap["gaussian"], extrap["exact"]
    reasons = (f"max|ΔV| ∝ G0^{V_fit.exponent:.3f}±{V_fit.exponent_stderr:.3f} (expected 2)",
               f"⟨δq⟩ ∝ G0^{dq_fit.exponent:.3f}±{dq_fit.exponent_stderr:.3f} (expected 1)",
               f"E_N(G0→0) Gaussian {g[0]:.6f}±{g[1]:.1e} vs {g[2]:.6f}, exact "
               f"{ex[0]:.6f}±{ex[1]:.1e} vs {ex[2]:.6f}")
    return LinearizationStudy(table, V_fit, dq_fit, extrap, lin.log_negativity_gaussian,
                              "consistent" if ok_exp and meets else "inconsistent", reasons)


def _model_ladder(point: linear.ModelPoint, s_values, cutoffs, pairs, progress,
                  solve_options: dict) -> LinearizationStudy:
    """:func:`linearization_study` of any model: the s ladder (docs/models.md Eq. M7)."""
    s_values = tuple(float(s) for s in s_values)
    if len(s_values) < 3 or any(not (s > 0) for s in s_values):
        raise InputError(f"s needs at least 3 positive values for a fit; got {s_values}")
    model = point.model
    lin = linear.analyze(point)
    if not lin.stable:
        raise InputError(f"the Gaussian model is unstable at branch {point.branch} (max Re "
                         f"λ(A) = {lin.max_growth_rate:.3g}): no ladder to its limit")
    pairs = judged_pairs(lin, pairs)

    def at(s: float) -> linear.ModelPoint:
        return linear.ModelPoint(model.scaled(s), point.branch)

    count = Counter(len(s_values) + 2, progress)
    if cutoffs is None or len(cutoffs) != len(model.modes):
        fit = adaptive_cutoffs(at(max(s_values)), "nonlinear", pairs=pairs, **solve_options)
        if not fit.converged:
            raise InputError(f"the cutoffs of the largest s = {max(s_values):g} did not "
                             f"converge ({fit.reason}); lower the ladder or raise "
                             f"memory_budget_bytes")
        cutoffs = fit.cutoffs
        count.step(f"cutoffs {cutoffs} converged at s = {max(s_values):g} ({fit.solves} solves)")
    else:
        count.step(f"cutoffs {tuple(cutoffs)} given")

    def solve(p, hamiltonian):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", fullquantum.TruncationWarning)
            res = fullquantum.solve(p, cutoffs=cutoffs, hamiltonian=hamiltonian, pairs=pairs,
                                    **solve_options)
        return res, bool(caught)

    # The Gaussian model is the same at every s: one linearized reference.
    ref, _ = solve(at(max(s_values)), "linearized")
    count.step("linearized reference")
    mech = [2 * model.index(m.name) for m in model.mechanical_modes]
    rows = []
    for s in sorted(s_values, reverse=True):
        t = time.perf_counter()
        nl, truncated = solve(at(s), "nonlinear")
        row = {"s": s, "max abs dV": max_abs_difference(nl.V, ref.V),
               "max abs dV vs Lyapunov": max_abs_difference(nl.V, lin.V),
               "<dq>": float(max((nl.means[k] for k in mech), key=abs)) if mech else np.nan}
        for p in pairs:
            lab = pair_label(p)
            row[f"dE_N gaussian {lab}"] = (nl.log_negativities_gaussian[p]
                                           - ref.log_negativities_gaussian[p])
            row[f"dE_N exact {lab}"] = (nl.log_negativities_exact[p]
                                        - ref.log_negativities_exact[p])
            row[f"E_N gaussian {lab}"] = nl.log_negativities_gaussian[p]
            row[f"E_N exact {lab}"] = nl.log_negativities_exact[p]
        row.update({"max top population": nl.max_top_population, "truncated": truncated,
                    "seconds": time.perf_counter() - t})
        rows.append(row)
        count.step(f"s = {s:g}: max|ΔV| = {row['max abs dV']:.2e}, {row['seconds']:.1f} s")
    table = pd.DataFrame(rows)
    V_fit = fit_power_law(table["s"], table["max abs dV"])
    dq_fit = fit_power_law(table["s"], np.abs(table["<dq>"])) if mech else V_fit
    extrap = {}
    for p in pairs:
        lab = pair_label(p)
        for kind in ("gaussian", "exact"):
            extrap[f"{kind} {lab}"] = (
                *extrapolate_to_zero(table["s"], table[f"E_N {kind} {lab}"]),
                (ref.log_negativities_gaussian if kind == "gaussian"
                 else ref.log_negativities_exact)[p])
    ok_exp = abs(V_fit.exponent - 2.0) <= max(0.1, 3 * V_fit.exponent_stderr)
    meets = all(abs(c - target) <= 3 * err + 1e-6 for c, err, target in extrap.values())
    reasons = (f"max|ΔV| ∝ s^{V_fit.exponent:.3f}±{V_fit.exponent_stderr:.3f} (expected 2)",
               f"⟨δq⟩ ∝ s^{dq_fit.exponent:.3f}±{dq_fit.exponent_stderr:.3f} (expected 1)",
               *(f"E_N {k}(s→0) {c:.6f}±{e:.1e} vs {t:.6f}" for k, (c, e, t) in extrap.items()))
    first = pairs[0]
    return LinearizationStudy(table, V_fit, dq_fit, extrap, lin.log_negativities[first],
                              "consistent" if ok_exp and meets else "inconsistent", reasons,
                              variable="s")


def _as_design(design: dict | linear.Design | linear.OperatingPoint, direction: str | None,
               G0: float) -> linear.Design:
    """The one design object of any accepted form (``G0`` fills a dict's missing G0)."""
    if isinstance(design, linear.OperatingPoint):
        design = linear.Design.of(design)
    if isinstance(design, linear.Design):
        if direction is not None and direction != design.direction:
            raise InputError(f"direction={direction!r} contradicts the design's direction "
                             f"{design.direction!r}; leave it out")
        return design
    if not isinstance(design, dict):
        raise InputTypeError(f"design must be a linear.Design, an OperatingPoint or a dict; "
                             f"got {type(design).__name__}")
    return linear.Design.from_dict({"G0": G0, **design, "direction": direction or "ccw"})



