"""Drift and diffusion matrices of the linearised fluctuations (paper Eqs. 6, 10; §4).

Fluctuation order u = (X_ccw, Y_ccw, X_cw, Y_cw, q, p) (docs/conventions.md §2); u̇ = A u + v
with ⟨v_k v_l + v_l v_k⟩/2 = D_kl δ(t − t'). Rates in units of ω_m (ω_m = 1).
"""

from __future__ import annotations

import numpy as np

from .meanfield import MeanField
from .point import OperatingPoint, resolve_mean_field, system_of
from .system import System


def drift_arrays(kappa, J, Dt_ccw, Dt_cw, G_ccw, G_cw, gamma_m, bath: str) -> np.ndarray:
    """Batched drift matrix A (..., 6, 6) of paper Eq. 6 (Lindblad: A[4,4] = A[5,5] = −γ_m/2).

    Inputs broadcast together; G_j = √2 G0 α_j are complex.
    """
    kappa, J, Dt_ccw, Dt_cw, G_ccw, G_cw, gamma_m = np.broadcast_arrays(
        *(np.asarray(v) for v in (kappa, J, Dt_ccw, Dt_cw, G_ccw, G_cw, gamma_m)))
    A = np.zeros(kappa.shape + (6, 6))
    Gcx, Gcy, Gwx, Gwy = G_ccw.real, G_ccw.imag, G_cw.real, G_cw.imag
    A[..., 0, 0] = A[..., 1, 1] = A[..., 2, 2] = A[..., 3, 3] = -kappa
    A[..., 0, 1], A[..., 1, 0] = Dt_ccw, -Dt_ccw
    A[..., 2, 3], A[..., 3, 2] = Dt_cw, -Dt_cw
    A[..., 0, 3], A[..., 1, 2], A[..., 2, 1], A[..., 3, 0] = J, -J, J, -J
    A[..., 0, 4], A[..., 1, 4], A[..., 2, 4], A[..., 3, 4] = -Gcy, Gcx, -Gwy, Gwx
    A[..., 4, 5], A[..., 5, 4] = 1.0, -1.0
    A[..., 5, 0], A[..., 5, 1], A[..., 5, 2], A[..., 5, 3] = Gcx, Gcy, Gwx, Gwy
    if bath == "brownian":
        A[..., 5, 5] = -gamma_m
    else:
        A[..., 4, 4] = A[..., 5, 5] = -gamma_m / 2.0
    return A


def diffusion_arrays(kappa, gamma_m, n_m, bath: str) -> np.ndarray:
    """Batched diffusion matrix D (..., 6, 6) (paper below Eq. 10; Lindblad variant §4)."""
    kappa, gamma_m, n_m = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                for v in (kappa, gamma_m, n_m)))
    D = np.zeros(kappa.shape + (6, 6))
    for k in range(4):
        D[..., k, k] = kappa
    th = gamma_m * (2.0 * n_m + 1.0)
    if bath == "brownian":
        D[..., 5, 5] = th
    else:
        D[..., 4, 4] = D[..., 5, 5] = th / 2.0
    return D


def drift_matrix(point: OperatingPoint | System, mean_field: MeanField | None = None
                 ) -> np.ndarray:
    """Drift matrix A (6×6) of paper Eq. 6 at one mean-field branch, units of ω_m.

    Call forms: ``drift_matrix(point)`` with an :class:`OperatingPoint` (at its branch), or
    ``drift_matrix(system, mean_field)``.

    Parameters
    ----------
    point : OperatingPoint or System
        Where to linearise.
    mean_field : MeanField, optional
        The branch (from :func:`linear.steady_states`); required with a System, and must be
        the point's own with an OperatingPoint.

    Returns
    -------
    ndarray (6, 6)
        In the order u = (X_ccw, Y_ccw, X_cw, Y_cw, q, p).

    Raises
    ------
    InputError
        A System without a mean field, or a mean field that is not the point's.
    InputTypeError
        ``point`` is neither an OperatingPoint nor a System.
    """
    system, mean_field = resolve_mean_field(point, mean_field)
    G_ccw, G_cw = mean_field.couplings(system.G0)
    return drift_arrays(system.kappa, system.J, mean_field.Delta_eff_ccw,
                        mean_field.Delta_eff_cw, G_ccw, G_cw, system.gamma_m, system.bath)


def diffusion_matrix(point: OperatingPoint | System) -> np.ndarray:
    """Diffusion matrix D (6×6): diag(κ,κ,κ,κ,0,γ_m(2n_m+1)) (Brownian) or the Lindblad form.

    Parameters
    ----------
    point : OperatingPoint or System
        Only the system matters (D does not depend on the mean field); units of ω_m.

    Returns
    -------
    ndarray (6, 6)

    Raises
    ------
    InputTypeError
        ``point`` is neither an OperatingPoint nor a System.
    """
    system = system_of(point)
    return diffusion_arrays(system.kappa, system.gamma_m, system.n_m, system.bath)


def growth_rate(A: np.ndarray) -> np.ndarray:
    """max Re λ(A) over the eigenvalues of each drift matrix (..., n, n): the rate at which
    the slowest-decaying fluctuation grows; ≥ 0 means unstable (§4)."""
    return np.max(np.linalg.eigvals(A).real, axis=-1)


def is_stable(A: np.ndarray) -> np.ndarray:
    """True where every eigenvalue of A has a negative real part (§4): growth_rate(A) < 0."""
    return growth_rate(A) < 0.0
