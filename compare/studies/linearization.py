"""Approach to the linearised limit: a G0 ladder at fixed (Δ̃_c, |G_d|).

At fixed effective detuning and driven-mode coupling the Gaussian model does not depend on
G0 (docs/conventions.md §5), while the ``nonlinear`` full-quantum model keeps the cubic
radiation-pressure term −G0 Σ_j δa_j†δa_j δq. Its deviation from the linearised model must
vanish as G0 → 0; the expected leading order is G0² for V and G0 for ⟨δq⟩.

The deviation of V is measured against the ``linearized`` full-quantum model at the same
cutoffs, so that truncation error (common to both) does not floor the power law; the
deviation from the Lyapunov V is reported too.
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
from .deviation import max_abs_difference
from .fits import PowerLawFit, extrapolate_to_zero, fit_power_law
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

    question = "approach to the linearised limit (G0 → 0)"

    def __repr__(self) -> str:
        g0, ex = self.table["G0"], self.E_N_extrapolated["exact"]
        return (f"LinearizationStudy({self.verdict}: max|ΔV| ∝ G0^{self.V_fit.exponent:.3f}"
                f"±{self.V_fit.exponent_stderr:.3f} (expected 2) over {len(g0)} G0 in "
                f"[{g0.min():g}, {g0.max():g}]; E_N exact(G0→0) {ex[0]:.5g} vs {ex[2]:.5g})")



def linearization_study(design: dict | linear.Design | linear.OperatingPoint,
                        G0: tuple[float, ...], *, direction: str | None = None,
                        cutoffs: tuple[int, int, int] = (4, 3, 8),
                        progress: Callable[[str], None] | None = None,
                        **solve_options) -> LinearizationStudy:
    """Run the nonlinear model on a G0 ladder at a fixed design point.

    At fixed effective detuning Δ̃_c and driven-mode coupling |G_d| the Gaussian model does
    not depend on G0 (docs/conventions.md §5), so the ladder isolates the nonlinear terms.

    Parameters
    ----------
    design : linear.Design, linear.OperatingPoint or dict
        The design point (its G0 is replaced by the ladder's); of an operating point, its
        :meth:`linear.Design.of`; a dict holds the keyword arguments of
        :func:`linear.design_point` except ``G0`` and ``direction``.
    G0 : sequence of float
        The ladder (≥ 3 values, units of ω_m).
    direction : {"ccw", "cw"}, optional
        Driven mode of a dict design (default "ccw"); with a Design or a point it must
        agree with theirs.
    cutoffs
        As for :func:`fullquantum.solve`.
    **solve_options
        Passed to :func:`fullquantum.solve`.
    """
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



