"""The Gaussian engine: drift, diffusion, stability, V and E_N for a batch of branches.

One kernel serves both a single operating point (:func:`linear.analyze`) and every sweep
(:func:`linear.evaluate`), so the two cannot differ. Inputs are flat arrays with one entry
per (point, mean-field branch); units of ω_m (docs/conventions.md §4).
"""

from __future__ import annotations

import numpy as np

from .drift import diffusion_arrays, drift_arrays, growth_rate
from .gaussian import log_negativity
from .lyapunov import solve_lyapunov
from .meanfield import effective_coupling
from .conventions import cut, driven_first


# Relative distance to the stability edge below which a divergent V marks the point as
# marginal (unstable) rather than as a float64 failure: max Re λ > −MARGINAL·max|A|.
MARGINAL = 1e-9


def gaussian_batch(kappa, J, gamma_m, n_m, G0, Dt_ccw, Dt_cw, alpha_ccw, alpha_cw, *,
                   bath: str, direction: str, covariance: bool = True) -> dict[str, np.ndarray]:
    """Gaussian steady state of a batch of mean-field branches (paper Eqs. 6, 10–12).

    Parameters
    ----------
    kappa, J, gamma_m, n_m, G0 : ndarray (n,)
        System fields of each entry.
    Dt_ccw, Dt_cw : ndarray (n,)
        Effective detunings Δ̃_j = Δ_j − G0 q_s of the branch.
    alpha_ccw, alpha_cw : ndarray (n,), complex
        Intracavity amplitudes of the branch (Eq. 7).
    bath : {"brownian", "lindblad"}
    direction : {"ccw", "cw"}
        Driven mode: E_N is between it and the mechanics.
    covariance : bool
        Return V (n, 6, 6) as well.

    Returns
    -------
    dict
        ``A``, ``D`` (n, 6, 6); ``finite`` (A and D representable; where False nothing else
        is computed); ``growth`` = max Re λ(A); ``stable`` = growth < 0 (§4); ``E_N`` (natural
        log, NaN where unstable); ``G_d`` = |G| of the driven mode; ``V`` if requested (NaN
        where unstable). A stable entry whose V or E_N is not finite (float64 overflow) has
        ``finite`` False too, unless it lies within ``MARGINAL`` of the stability edge (V
        diverges there): it is then reported unstable.
    """
    G_ccw, G_cw = effective_coupling(G0, alpha_ccw), effective_coupling(G0, alpha_cw)
    with np.errstate(over="ignore", invalid="ignore"):  # reported through ``finite``
        A = drift_arrays(kappa, J, Dt_ccw, Dt_cw, G_ccw, G_cw, gamma_m, bath)
        D = diffusion_arrays(kappa, gamma_m, n_m, bath)
    n = A.shape[0]
    finite = np.isfinite(A).all(axis=(-2, -1)) & np.isfinite(D).all(axis=(-2, -1))
    growth = np.full(n, np.nan)
    growth[finite] = growth_rate(A[finite])
    stable = finite & (growth < 0.0)
    sel = np.nonzero(stable)[0]
    V = np.full((n, 6, 6), np.nan)
    en = np.full(n, np.nan)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            V[sel] = solve_lyapunov(A[sel], D[sel])
        except np.linalg.LinAlgError:  # one numerically singular entry fails the batch:
            for i in sel:              # solve one by one, and mark the failures
                try:
                    V[i] = solve_lyapunov(A[i], D[i])
                except np.linalg.LinAlgError:
                    V[i] = np.nan
        en[sel] = log_negativity(V[sel], cut(direction))
    # A stable point has a steady state: non-finite V or E_N is a float64 failure, except
    # at the very edge of stability, where V ~ 1/|max Re λ| diverges: such a point cannot be
    # told from marginal and is reported unstable (NaN), never as a number.
    bad = ~(np.isfinite(V[sel]).all(axis=(-2, -1)) & np.isfinite(en[sel]))
    edge = bad & (growth[sel] > -MARGINAL * np.abs(A[sel]).max(axis=(-2, -1)))
    stable[sel[edge]] = False
    V[sel[edge]], en[sel[edge]] = np.nan, np.nan
    finite[sel[bad & ~edge]] = False
    out = {"A": A, "D": D, "finite": finite, "growth": growth, "stable": stable, "E_N": en,
           "G_d": np.abs(driven_first(G_ccw, G_cw, direction)[0])}
    if covariance:
        out["V"] = V
    return out


__all__ = ["gaussian_batch"]
