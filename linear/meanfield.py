"""Mean-field steady states: every real branch of paper Eq. 7 (CONVENTIONS.md §3).

With x = G0·q_s (the radiation-pressure frequency shift, units of ω_m), Δ̃_j = Δ_j − x and
N = |α_d|² + |α_u|², Eq. 7 gives

    α_d = (iΔ̃_u + κ) ε / [(iΔ̃_u + κ)(iΔ̃_d + κ) + J²],   α_u = −iJ α_d / (iΔ̃_u + κ),

and the bath closes the loop with x = c·G0²·N, where c = 1 (Brownian: q_s = G0 N/ω_m) or
c = 1/(1 + γ_m²/4) (Lindblad: q_s = G0 N ω_m/(ω_m² + γ_m²/4)). Multiplying out the
denominator gives a monic quintic in x,

    P(x) = x·|den(x)|² − c G0² ε² (κ² + J² + Δ̃_u(x)²) = 0,

whose real roots are the branches. All of them are returned, sorted by x; P(x) < 0 for x < 0,
so every real root is ≥ 0.

Inputs are checked by :class:`~linear.System` (types, ranges, the magnitude limit
that keeps the quintic's coefficients and roots finite). What that limit cannot bound —
amplitudes that grow as inverse powers of small rates, α ~ ε/κ — is checked by
:func:`solve_steady_states`, which raises InputError naming the inputs rather than returning
non-finite branches.

This module works on a :class:`~linear.System` and a direction only; the public
:func:`linear.steady_states`, which also takes an :class:`~linear.OperatingPoint`, lives in
:mod:`linear.point` (the operating point is built on this module, so it cannot live here
without an import circle).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .checks import blame, check_choice
from .conventions import DIRECTIONS, Direction, driven_first, mode_detunings
from .modes import Photons
from .system import SYSTEM_FIELDS, System

# System fields that enter the mean field (γ_m only through the Lindblad factor c).
MEAN_FIELD_INPUTS: tuple[str, ...] = ("kappa", "J", "Delta_c", "Delta_F", "G0", "eps", "gamma_m")


def mechanical_shift_factor(gamma_m, bath: str):
    """c in G0·q_s = c·G0²·N: 1 (Brownian, Eq. 7) or 1/(1 + γ_m²/4) (Lindblad, §3)."""
    if bath == "brownian":
        return np.ones_like(np.asarray(gamma_m, dtype=float))
    return 1.0 / (1.0 + np.asarray(gamma_m, dtype=float) ** 2 / 4.0)


def effective_coupling(G0, alpha):
    """G_j = √2 G0 α_j, the linearised coupling of mode j (below paper Eq. 6)."""
    return np.sqrt(2.0) * np.asarray(G0) * alpha


def amplitude_modulus(G0, coupling):
    """|α| = |G|/(√2 G0): the inverse of :func:`effective_coupling` (design points, §5)."""
    return np.asarray(coupling) / (np.sqrt(2.0) * np.asarray(G0))


def amplitudes(kappa, J, Dt_d, Dt_u, eps):
    """Intracavity amplitudes (α_d, α_u) of paper Eq. 7 for effective detunings Δ̃_d, Δ̃_u."""
    lu = kappa + 1j * np.asarray(Dt_u)
    den = lu * (kappa + 1j * np.asarray(Dt_d)) + np.asarray(J) ** 2
    with np.errstate(invalid="ignore"):  # NaN detunings of absent roots propagate
        a_d = lu * eps / den
        return a_d, -1j * J * a_d / lu


def quintic_coefficients(kappa, J, D_d, D_u, c_eps2):
    """Ascending coefficients (..., 6) of the monic quintic P(x) above.

    ``c_eps2`` is c·G0²·ε². With s = Δ̃_u + Δ̃_d = S0 − 2x and Δ̃_uΔ̃_d = P0 − S0 x + x²:
    |den|² = (κ² + J² − Δ̃_uΔ̃_d)² + κ² s².
    """
    kappa, J, D_d, D_u, c_eps2 = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                       for v in (kappa, J, D_d, D_u, c_eps2)))
    k2 = kappa**2
    K = k2 + J**2
    S0, P0 = D_d + D_u, D_d * D_u
    u0, u1 = K - P0, S0  # κ²+J²−Δ̃_uΔ̃_d = u0 + u1 x − x²
    q0 = u0**2 + k2 * S0**2
    q1 = 2 * u0 * u1 - 4 * k2 * S0
    q2 = u1**2 - 2 * u0 + 4 * k2
    q3 = -2 * u1
    coeffs = np.stack([-c_eps2 * (K + D_u**2), q0 + 2 * c_eps2 * D_u, q1 - c_eps2, q2, q3,
                       np.ones_like(q0)], axis=-1)
    return coeffs


_POWERS = np.arange(6)


def _powers(x):
    """x^k for k = 0 … 5: (..., k) → (..., k, 6)."""
    return x[..., None] ** _POWERS


def _horner(coeffs, x):
    """P(x) and P'(x) for ascending coefficients (..., 6) and x (..., k).

    As products with the powers of x (a handful of NumPy calls; a Horner loop costs a
    dozen, which dominates the single-point path).
    """
    X = _powers(x)
    p = np.einsum("...kj,...j->...k", X, coeffs)
    dp = np.einsum("...kj,...j->...k", X[..., :5], coeffs[..., 1:] * _POWERS[1:])
    return p, dp


def real_roots(coeffs: np.ndarray) -> np.ndarray:
    """Real roots of monic quintics, batched: (..., 6) coefficients → (..., 5), NaN-padded.

    Companion-matrix eigenvalues (numpy batches the 5×5 problems), candidates with a small
    imaginary part polished by Newton on the real axis and kept only if the residual is at
    round-off level; sorted ascending with NaN last. A quintic with a non-finite
    coefficient (float64 overflow) has no roots (all NaN) rather than failing the whole
    batch with LinAlgError; :func:`solve_steady_states` reports it by name.
    """
    coeffs = np.asarray(coeffs, dtype=float)
    batch = coeffs.shape[:-1]
    finite = np.all(np.isfinite(coeffs), axis=-1)
    comp = np.zeros(batch + (5, 5))
    comp[..., 1:, :-1] = np.eye(4)
    comp[..., :, -1] = -np.where(finite[..., None], coeffs[..., :5], 0.0)
    z = np.linalg.eigvals(comp)
    z = np.where(finite[..., None], z, np.nan)
    scale = 1.0 + np.abs(z)
    cand = np.where(np.abs(z.imag) <= 1e-6 * scale, z.real, np.nan)
    x = cand.copy()
    for _ in range(4):
        p, dp = _horner(coeffs, x)
        step = np.where(dp != 0, p / np.where(dp != 0, dp, 1.0), 0.0)
        x = x - step
        # Converged (steps at round-off, or no candidates): further steps change nothing.
        if not np.any(np.abs(step) > 1e-15 * (1.0 + np.abs(x))):
            break
    # Residual test relative to the size of the terms of P at x.
    mag = np.einsum("...kj,...j->...k", _powers(np.abs(x)), np.abs(coeffs))
    p, _ = _horner(coeffs, x)
    ok = np.isfinite(x) & (np.abs(p) <= 1e-9 * mag)
    x = np.where(ok, x, np.nan)
    # Newton may pull two candidates of a near-double root onto one point: keep one.
    x = np.sort(x, axis=-1)
    dup = np.zeros_like(ok)
    dup[..., 1:] = np.abs(np.diff(x, axis=-1)) <= 1e-10 * (1.0 + np.abs(x[..., 1:]))
    return np.sort(np.where(dup, np.nan, x), axis=-1)


@dataclass(frozen=True)
class MeanField:
    """One mean-field branch (units of ω_m; amplitudes dimensionless).

    Attributes
    ----------
    branch : int
        Index among the real roots, sorted by increasing x = G0·q_s.
    n_branches : int
        Number of real roots at this point.
    alpha_ccw, alpha_cw : complex
        Intracavity amplitudes α_j (paper Eq. 7).
    q_s, p_s : float
        Mechanical mean position and momentum (dimensionless quadratures, §3).
    Delta_eff_ccw, Delta_eff_cw : float
        Effective detunings Δ̃_j = Δ_j − G0 q_s.
    shift : float
        x = G0 q_s, the radiation-pressure red shift of both optical modes.
    """

    branch: int
    n_branches: int
    alpha_ccw: complex
    alpha_cw: complex
    q_s: float
    p_s: float
    Delta_eff_ccw: float
    Delta_eff_cw: float
    shift: float

    @property
    def photons(self) -> Photons:
        """Intracavity photon numbers ``Photons(ccw=|α_ccw|², cw=|α_cw|²)``: a tuple
        (N_ccw, N_cw) whose fields are named (``photons.ccw``, ``photons["ccw"]``)."""
        return Photons(abs(self.alpha_ccw) ** 2, abs(self.alpha_cw) ** 2)

    def couplings(self, G0: float) -> tuple[complex, complex]:
        """Effective couplings (G_ccw, G_cw) = √2 G0 α_j (below paper Eq. 6)."""
        return (complex(effective_coupling(G0, self.alpha_ccw)),
                complex(effective_coupling(G0, self.alpha_cw)))

    @property
    def mechanical_amplitude(self) -> complex:
        """β = (q_s + i p_s)/√2, the mechanical mean amplitude (p_s ≠ 0 for Lindblad)."""
        return complex(self.q_s, self.p_s) / np.sqrt(2.0)

    @property
    def quadrature_means(self) -> np.ndarray:
        """⟨u⟩ of the mean field in the order (X_ccw, Y_ccw, X_cw, Y_cw, q, p) (§2):
        X_j = √2 Re α_j, Y_j = √2 Im α_j, (q_s, p_s)."""
        z = (self.alpha_ccw, self.alpha_cw, self.mechanical_amplitude)
        return np.sqrt(2.0) * np.array([part for c in z for part in (c.real, c.imag)])


def _quintic(kappa, J, Delta_c, Delta_F, gamma_m, G0, eps, bath: str, direction: str
             ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Quintic coefficients of the branches and the bare detunings (Δ_ccw, Δ_cw, Δ_d, Δ_u)."""
    check_choice("direction", direction, DIRECTIONS)
    D_ccw, D_cw = mode_detunings(Delta_c, Delta_F)
    D_d, D_u = driven_first(D_ccw, D_cw, direction)
    c = mechanical_shift_factor(gamma_m, bath)
    coeffs = quintic_coefficients(kappa, J, D_d, D_u, c * np.asarray(G0) ** 2 * np.asarray(eps) ** 2)
    return coeffs, (D_ccw, D_cw, D_d, D_u)


def branches(kappa, J, Delta_c, Delta_F, gamma_m, G0, eps, bath: str, direction: str) -> dict:
    """Vectorised mean field: arrays with a trailing axis of 5 root slots (NaN where absent).

    Returns a dict with ``x`` (G0 q_s), ``alpha_ccw``, ``alpha_cw``, ``q_s``, ``p_s``,
    ``Dt_ccw``, ``Dt_cw`` of shape broadcast(inputs) + (5,), ``n_branches``, and the
    quintic's ``coefficients`` (..., 6).
    Raises nothing for overflowing points (a batch must not fail for one point): a
    non-finite quintic gives no roots there; :func:`solve_steady_states` checks one point
    by name.
    """
    coeffs, (D_ccw, D_cw, D_d, D_u) = _quintic(kappa, J, Delta_c, Delta_F, gamma_m, G0, eps,
                                               bath, direction)
    x = real_roots(coeffs)
    ex = lambda v: np.asarray(v, dtype=float)[..., None]  # noqa: E731 - broadcast over roots
    a_d, a_u = amplitudes(ex(kappa), ex(J), ex(D_d) - x, ex(D_u) - x, ex(eps))
    a_ccw, a_cw = driven_first(a_d, a_u, direction)
    G0e = ex(G0)
    with np.errstate(invalid="ignore", divide="ignore"):
        q_s = np.where(G0e > 0, x / np.where(G0e > 0, G0e, 1.0), 0.0 * x)
    p_s = ex(gamma_m) * q_s / 2.0 if bath == "lindblad" else 0.0 * q_s  # §3, ω_m = 1
    return {"x": x, "alpha_ccw": a_ccw, "alpha_cw": a_cw, "q_s": q_s, "p_s": p_s,
            "Dt_ccw": ex(D_ccw) - x, "Dt_cw": ex(D_cw) - x, "coefficients": coeffs,
            "n_branches": np.sum(np.isfinite(x), axis=-1)}


def designed_mean_field(kappa, J, Delta_F, gamma_m, G0, detuning, coupling, bath: str,
                        direction: str) -> dict[str, np.ndarray]:
    """Paper Eq. 7 solved backwards for a design point (docs/conventions.md §5), vectorised.

    Given the effective detuning Δ̃_c (``detuning``; Δ̃_ccw = Δ̃_c + Δ_F, Δ̃_cw = Δ̃_c − Δ_F) and
    the driven mode's |G_d| (``coupling``): α_d = |G_d|/(√2 G0) with the phase that makes ε
    real and positive, α_u = −iJα_d/(iΔ̃_u + κ), x = G0 q_s = c·G0²·N from the bath, and the
    bare Δ_c = Δ̃_c + x. No validation (the caller's job); overflow gives inf/NaN.

    Returns
    -------
    dict
        ``eps``, ``Delta_c`` and ``x`` (the designed branch's G0 q_s), broadcast arrays.
    """
    Dt_d, Dt_u = driven_first(*mode_detunings(detuning, Delta_F), direction)
    # Amplitudes for ε = 1 (Eq. 7), then ε scaled so that |α_d| = |G_d|/(√2 G0).
    a_d1, a_u1 = amplitudes(kappa, J, Dt_d, Dt_u, 1.0)
    eps = amplitude_modulus(G0, coupling) / np.abs(a_d1)
    N = eps**2 * (np.abs(a_d1) ** 2 + np.abs(a_u1) ** 2)
    x = np.asarray(G0) ** 2 * mechanical_shift_factor(gamma_m, bath) * N  # G0·q_s (§3)
    return {"eps": eps, "Delta_c": np.asarray(detuning) + x, "x": x}


def branch_index(roots: np.ndarray, x) -> np.ndarray:
    """Index of the root nearest to ``x`` along the last axis of ``roots`` (NaN-padded), and
    −1 where none lies within 1e-6·(1 + |x|) (the designed root was not resolved)."""
    roots = np.asarray(roots, dtype=float)
    x = np.asarray(x, dtype=float)[..., None]
    dist = np.where(np.isfinite(roots), np.abs(roots - x), np.inf)
    k = np.argmin(dist, axis=-1)
    ok = np.take_along_axis(dist, k[..., None], axis=-1)[..., 0] <= 1e-6 * (1.0 + np.abs(x[..., 0]))
    return np.where(ok, k, -1)


def solve_steady_states(system: System, direction: Direction) -> list[MeanField]:
    """Every real mean-field branch of ``system`` driven from ``direction`` (paper Eq. 7).

    The computation behind :func:`linear.steady_states` (which also takes an operating point).

    Parameters
    ----------
    system : System
        The dimensionless system.
    direction : {"ccw", "cw"}
        Driven mode.

    Returns
    -------
    list of MeanField
        All real roots of the self-consistency, sorted by increasing G0·q_s (never empty:
        the quintic always has a real root). Stability is judged by :func:`linear.analyze`.

    Raises
    ------
    InputError
        ``direction`` is unknown; or the mean field is not representable in float64 (the
        quintic's coefficients, its roots or a branch's amplitudes, position or detunings
        overflow, e.g. α ~ ε/κ for a tiny κ). The message names the inputs entering it,
        most extreme (furthest from 1 in decades) first.
    """
    s = system
    check_choice("direction", direction, DIRECTIONS)
    values = {name: getattr(s, name) for name in SYSTEM_FIELDS}
    entering = MEAN_FIELD_INPUTS if s.bath == "lindblad" else MEAN_FIELD_INPUTS[:-1]
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        try:
            b = branches(s.kappa, s.J, s.Delta_c, s.Delta_F, s.gamma_m, s.G0, s.eps, s.bath,
                         direction)
        except np.linalg.LinAlgError as err:  # companion eigenproblem did not converge
            raise InputError(f"mean field: the root finder failed ({err}); the quintic is "
                             f"computed from {blame(values, entering)} (most extreme first)"
                             ) from err
    if not np.all(np.isfinite(b["coefficients"])):
        raise InputError("mean field: the coefficients of the self-consistency quintic "
                         "overflow float64; they are computed from "
                         f"{blame(values, entering)} (most extreme first)")
    n = int(b["n_branches"])
    if n == 0:  # a real quintic has a real root: none found means float64 range trouble
        raise InputError("mean field: no real root of the self-consistency quintic could be "
                         "resolved in float64; it is computed from "
                         f"{blame(values, entering)} (most extreme first)")
    keys = ("alpha_ccw", "alpha_cw", "q_s", "p_s", "Dt_ccw", "Dt_cw")
    if not np.isfinite(sum(np.sum(np.abs(b[k][:n])) for k in keys)):  # one test for all
        raise InputError("mean field: the intracavity amplitudes or the mechanical shift "
                         "overflow float64 (non-finite) at this point; they are computed from "
                         f"{blame(values, entering)} (most extreme first)")
    return [MeanField(branch=i, n_branches=n, alpha_ccw=complex(b["alpha_ccw"][i]),
                      alpha_cw=complex(b["alpha_cw"][i]), q_s=float(b["q_s"][i]),
                      p_s=float(b["p_s"][i]), Delta_eff_ccw=float(b["Dt_ccw"][i]),
                      Delta_eff_cw=float(b["Dt_cw"][i]), shift=float(b["x"][i]))
            for i in range(n)]
