"""The text ``omxval model FILE`` prints: the model, every mean-field branch, every pair's E_N."""

from __future__ import annotations

import math

from ...linear import Model, ModelResult


def _num(x: float) -> str:
    return "nan" if not math.isfinite(x) else f"{x:.6g}"


def model_summary(model: Model, results: list[ModelResult]) -> str:
    """The model (:meth:`Model.__str__`) and, per mean-field branch, its stability, the
    effective detuning and photon number of every cavity, the mechanical means and the
    Gaussian E_N of every pair of modes (natural log; "unstable" where there is no steady
    state)."""
    lines = [str(model), ""]
    n = len(results)
    complete = results[0].mean_field.complete
    lines.append(f"{n} mean-field branch{'es' if n != 1 else ''} "
                 + ("(every real root of the self-consistency polynomial)" if complete else
                    "(multi-start Newton search: completeness not guaranteed)"))
    for r in results:
        mf = r.mean_field
        state = (f"stable (max Re λ = {r.max_growth_rate:.3g})" if r.stable
                 else f"UNSTABLE (max Re λ = {r.max_growth_rate:.3g}): no steady state")
        lines.append(f"branch {r.branch}: {state}")
        for name, shift in mf.shifts.items():
            lines.append(f"  cavity {name}: effective detuning "
                         f"{_num(model.mode(name).detuning - shift)}, photons "
                         f"{_num(mf.photons[name])}")
        for name, (q, p) in mf.positions.items():
            lines.append(f"  mechanics {name}: q_s = {_num(q)}, p_s = {_num(p)}")
        if r.stable:
            for (a, b), en in r.log_negativities.items():
                lines.append(f"  E_N({a}, {b}) = {en:.6f}")
    return "\n".join(lines)


__all__ = ["model_summary"]
