"""Every mean-field branch of a :class:`~linear.Model`, batched (docs/models.md §3).

Stationary means of the equations of motion of Eq. M1 (ω of each mode, κ, ε, J, g0 in the
model's unit):

    0 = −(κ_c + iΔ̃_c) α_c − i Σ_c' J_cc' α_c' + ε_c,     Δ̃_c = Δ_c − s_c,   (M3)
    s_c = Σ_m g0_cm q_m,       (q, p) = R·F,   F_m = Σ_c g0_cm |α_c|²,        (M4)

with R the static response of the undriven mechanics (q̇, ṗ of every mechanical mode,
its hopping and its bath; R = −A_mech⁻¹ restricted to the force rows). The cavity amplitudes
are linear in the shifts s, which solve s = K·N(s), K = G·χ·Gᵀ (χ = the q rows of R,
G = [g0_cm], N_c = |α_c|²).

* **K of rank ≤ 1** (one mechanical mode, or one cavity, or couplings in one proportion):
  s = v·y with a scalar y = uᵀN(v y). Clearing the denominator with Cramer's rule,
  α_c = w_c(y)/D(y), D = det M(y), w_c = det M(y) with column c replaced by ε, gives the
  real polynomial (M5)

      P(y) = y·|D(y)|² − Σ_c u_c·|w_c(y)|²    of degree ≤ 2·n_cavities + 1,

  whose real roots are **every** branch (today's quintic for the spinning resonator, where
  y = G0·q_s). The result says ``complete = True``.
* **K of rank ≥ 2** (several mechanical modes seen by several cavities in different
  proportions): Newton's method (MINPACK's hybrid Powell) on s − K N(s) = 0 from the zero
  shift, the branches of the rank-1 part of K and a fixed set of spread seeds; solutions
  are kept when their residual is at round-off. Completeness is not guaranteed and the
  result says ``complete = False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from ..errors import InputError
from .checks import check_array
from .model import PARAMETER_RANGES, Model

# Rank-1 test of K: second singular value below this fraction of the first.
_RANK_TOL = 1e-12


@dataclass(frozen=True)
class ModelArrays:
    """A model's numbers as arrays over a batch of P points (one per parameter set).

    Cavity arrays are (P, n_c) in the order of ``model.cavities``; mechanical ones (P, n_m);
    ``Jc`` (P, n_c, n_c), ``Jm`` (P, n_m, n_m) symmetric; ``g0`` (P, n_c, n_m).
    """

    model: Model
    shape: tuple[int, ...]
    detuning: np.ndarray
    kappa: np.ndarray
    drive: np.ndarray
    cavity_thermal: np.ndarray
    Jc: np.ndarray
    frequency: np.ndarray
    gamma: np.ndarray
    mechanical_thermal: np.ndarray
    Jm: np.ndarray
    g0: np.ndarray

    @property
    def size(self) -> int:
        return self.detuning.shape[0] if self.detuning.size else self.frequency.shape[0]

    @property
    def brownian(self) -> np.ndarray:
        return np.array([m.bath == "brownian" for m in self.model.mechanical_modes], bool)

    @property
    def cavity_positions(self) -> list[int]:
        """Index in the mode order of each cavity."""
        return [self.model.index(c.name) for c in self.model.cavities]

    @property
    def mechanical_positions(self) -> list[int]:
        return [self.model.index(m.name) for m in self.model.mechanical_modes]


def model_arrays(model: Model, values: Mapping[str, Any] | None = None) -> ModelArrays:
    """The model's numbers, with parameters overridden by arrays (broadcast together).

    Parameters
    ----------
    model : Model
    values : mapping, optional
        Parameter path (``Model.parameter_names()``) → array_like; checked against the
        ranges of :data:`linear.model.PARAMETER_RANGES`, naming the path.

    Raises
    ------
    InputError
        An unknown path, values outside the range, arrays that do not broadcast.
    """
    values = dict(values or {})
    for path in values:
        model._check_parameter(path)
    arrays = {}
    for path, v in values.items():
        key = path.rsplit(".", 1)[1]
        arrays[path] = check_array(path, v, **PARAMETER_RANGES[key])
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
    except ValueError:
        raise InputError("parameter arrays do not broadcast together: " + ", ".join(
            f"{p} {a.shape}" for p, a in arrays.items())) from None
    P = int(np.prod(shape)) if shape else 1

    def get(path: str) -> np.ndarray:
        if path in arrays:
            return np.broadcast_to(arrays[path], shape).reshape(P).astype(float)
        return np.full(P, float(model.parameter(path)))

    cav, mech = model.cavities, model.mechanical_modes
    ci = {c.name: k for k, c in enumerate(cav)}
    mi = {m.name: k for k, m in enumerate(mech)}

    def stack(modes, key):
        return (np.stack([get(f"modes.{m.name}.{key}") for m in modes], axis=-1) if modes
                else np.zeros((P, 0)))

    Jc = np.zeros((P, len(cav), len(cav)))
    Jm = np.zeros((P, len(mech), len(mech)))
    g0 = np.zeros((P, len(cav), len(mech)))
    for i, c in enumerate(model.couplings):
        if c.kind == "radiation-pressure":
            g0[:, ci[c.cavity], mi[c.mechanical]] += get(f"couplings.{i}.g0")
        else:
            a, b = c.modes
            J, idx = (Jc, ci) if a in ci else (Jm, mi)
            val = get(f"couplings.{i}.J")
            J[:, idx[a], idx[b]] += val
            J[:, idx[b], idx[a]] += val
    return ModelArrays(model, shape, stack(cav, "detuning"), stack(cav, "kappa"),
                       stack(cav, "drive"), stack(cav, "thermal"), Jc, stack(mech, "frequency"),
                       stack(mech, "gamma"), stack(mech, "thermal"), Jm, g0)


def mechanical_drift(ar: ModelArrays) -> np.ndarray:
    """Drift (P, 2n_m, 2n_m) of the mechanical quadratures (q_1, p_1, ...) alone (Eq. M2):
    q̇ = ω p (+ J p'), ṗ = −ω q (− J q'); Brownian −γ on p, Lindblad −γ/2 on q and p."""
    P, nm = ar.frequency.shape
    A = np.zeros((P, 2 * nm, 2 * nm))
    for m in range(nm):
        q, p = 2 * m, 2 * m + 1
        A[:, q, p] = ar.frequency[:, m]
        A[:, p, q] = -ar.frequency[:, m]
        if ar.brownian[m]:
            A[:, p, p] = -ar.gamma[:, m]
        else:
            A[:, q, q] = A[:, p, p] = -ar.gamma[:, m] / 2.0
    for i in range(nm):
        for j in range(nm):
            if i != j:
                A[:, 2 * i, 2 * j + 1] += ar.Jm[:, i, j]
                A[:, 2 * i + 1, 2 * j] -= ar.Jm[:, i, j]
    return A


def static_response(ar: ModelArrays) -> np.ndarray:
    """R (P, 2n_m, n_m): stationary (q, p) of the mechanics per unit force on each p (M4).

    NaN where the mechanics has a zero-frequency normal mode (no static displacement)."""
    P, nm = ar.frequency.shape
    A = mechanical_drift(ar)
    B = np.zeros((2 * nm, nm))
    B[2 * np.arange(nm) + 1, np.arange(nm)] = 1.0
    R = np.full((P, 2 * nm, nm), np.nan)
    if nm == 0:
        return R
    ok = np.abs(np.linalg.det(A)) > 1e-300
    R[ok] = -np.linalg.solve(A[ok], np.broadcast_to(B, (int(ok.sum()), 2 * nm, nm)))
    return R


def cavity_matrix(ar: ModelArrays, shifts: np.ndarray) -> np.ndarray:
    """M (..., n_c, n_c) of Eq. M3, M α = ε: diag(κ + i(Δ − s)) + iJ. ``shifts`` (P, ..., n_c)."""
    extra = shifts.ndim - 2
    ex = lambda a: a.reshape(a.shape[:1] + (1,) * extra + a.shape[1:])  # noqa: E731
    M = 1j * ex(ar.Jc) + 0j * shifts[..., None]
    idx = np.arange(shifts.shape[-1])
    M[..., idx, idx] = ex(ar.kappa) + 1j * (ex(ar.detuning) - shifts)
    return M


def _det_poly(M0: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Coefficients (P, n+1), ascending, of det(M0 + y·diag(d)) (principal-minor expansion:
    Σ_S y^|S| Π_{i∈S} d_i det M0[S̄, S̄])."""
    P, n = d.shape
    out = np.zeros((P, n + 1), complex)
    for k in range(n + 1):
        for S in combinations(range(n), k):
            rest = [i for i in range(n) if i not in S]
            minor = (np.linalg.det(M0[:, rest][:, :, rest]) if rest else np.ones(P, complex))
            out[:, k] += np.prod(d[:, list(S)], axis=-1) * minor
    return out


def _conv(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Batched product of ascending polynomial coefficients (P, k1) × (P, k2)."""
    out = np.zeros((a.shape[0], a.shape[1] + b.shape[1] - 1), np.result_type(a, b))
    for i in range(a.shape[1]):
        out[:, i:i + b.shape[1]] += a[:, i:i + 1] * b
    return out


def rank_one(K: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split K (P, n, n) as v uᵀ where possible: (ok (P,), v, u), max|v| = 1 (v = 0, u = 0
    for K = 0)."""
    P, n, _ = K.shape
    U, sv, Wt = np.linalg.svd(K)
    ok = sv[:, 1] <= _RANK_TOL * sv[:, 0] if n > 1 else np.ones(P, bool)
    top = U[:, :, 0]
    scale = np.max(np.abs(top), axis=-1)
    k = np.argmax(np.abs(top), axis=-1)
    scale = scale * np.sign(top[np.arange(P), k])  # the largest entry of v is +1
    zero = sv[:, 0] == 0
    scale = np.where(zero, 1.0, scale)
    v = np.where(zero[:, None], 0.0, top / scale[:, None])
    u = np.where(zero[:, None], 0.0, (sv[:, 0] * scale)[:, None] * Wt[:, 0, :])
    return ok, v, u


def shift_polynomial(ar: ModelArrays, v: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Real coefficients (P, 2n_c + 2), ascending, of P(y) (Eq. M5) for s = v·y."""
    zero = np.zeros_like(v)
    M0 = cavity_matrix(ar, zero)
    d = -1j * v  # M(y) = M0 + y diag(−i v): Δ̃ = Δ − v y
    D = _det_poly(M0, d)
    total = np.zeros((v.shape[0], 2 * v.shape[1] + 2), complex)
    total[:, 1:] += _conv(D, D.conj())
    for c in range(v.shape[1]):
        Mc = M0.copy()
        Mc[:, :, c] = ar.drive
        dc = d.copy()
        dc[:, c] = 0.0  # the replaced column carries no y
        w = _det_poly(Mc, dc)
        total[:, :-1] -= u[:, c:c + 1] * _conv(w, w.conj())
    return total.real


def polynomial_real_roots(coeffs: np.ndarray) -> np.ndarray:
    """Real roots of real polynomials (P, k) (ascending), NaN-padded to (P, k − 1), sorted.

    Points are grouped by degree (exact trailing zeros dropped); each group's companion
    eigenvalues are polished by Newton on the real axis and kept where the residual is at
    round-off relative to the size of the polynomial's terms (as :func:`linear.meanfield.
    real_roots` does for the quintic)."""
    coeffs = np.asarray(coeffs, float)
    P, k = coeffs.shape
    out = np.full((P, k - 1), np.nan)
    nz = coeffs != 0
    deg = np.where(nz.any(axis=-1), k - 1 - np.argmax(nz[:, ::-1], axis=-1), 0)
    finite = np.all(np.isfinite(coeffs), axis=-1)
    for dg in np.unique(deg[finite]):
        sel = np.nonzero((deg == dg) & finite)[0]
        if dg == 0:
            continue  # a nonzero constant has no root (the zero polynomial: none reported)
        c = coeffs[sel, :dg + 1] / coeffs[sel, dg:dg + 1]
        comp = np.zeros((len(sel), dg, dg))
        comp[:, 1:, :-1] = np.eye(dg - 1)
        comp[:, :, -1] = -c[:, :dg]
        z = np.linalg.eigvals(comp)
        x = np.where(np.abs(z.imag) <= 1e-6 * (1.0 + np.abs(z)), z.real, np.nan)
        powers = np.arange(dg + 1)
        for _ in range(6):
            X = x[..., None] ** powers
            p = np.einsum("gkj,gj->gk", X, c)
            dp = np.einsum("gkj,gj->gk", X[..., :-1], c[:, 1:] * powers[1:])
            x = x - np.where(dp != 0, p / np.where(dp != 0, dp, 1.0), 0.0)
        X = x[..., None] ** powers
        p = np.einsum("gkj,gj->gk", X, c)
        mag = np.einsum("gkj,gj->gk", np.abs(x)[..., None] ** powers, np.abs(c))
        x = np.where(np.isfinite(x) & (np.abs(p) <= 1e-9 * mag), x, np.nan)
        x = np.sort(x, axis=-1)
        dup = np.zeros(x.shape, bool)
        dup[:, 1:] = np.abs(np.diff(x, axis=-1)) <= 1e-10 * (1.0 + np.abs(x[:, 1:]))
        out[sel, :dg] = np.sort(np.where(dup, np.nan, x), axis=-1)
    return out


@dataclass(frozen=True)
class Branches:
    """Every mean-field branch of a batch (B = most branches of any point).

    ``shifts`` (P, B, n_c) = s_c; ``alpha`` (P, B, n_c) complex; ``mechanics`` (P, B, 2n_m)
    = (q_1, p_1, ...); ``valid`` (P, B); ``n_branches`` (P,); ``complete`` (P,): True where
    the polynomial route found every branch (K of rank ≤ 1). Sorted by y (rank 1) or by the
    total shift Σ_c s_c."""

    shifts: np.ndarray
    alpha: np.ndarray
    mechanics: np.ndarray
    valid: np.ndarray
    n_branches: np.ndarray
    complete: np.ndarray


def _amplitudes(ar: ModelArrays, shifts: np.ndarray) -> np.ndarray:
    """α (P, B, n_c) solving M(s) α = ε (Eq. M3) for each branch's shifts."""
    M = cavity_matrix(ar, np.nan_to_num(shifts))
    eps = np.broadcast_to(ar.drive[:, None, :], shifts.shape).astype(complex)
    with np.errstate(all="ignore"):
        return np.linalg.solve(M, eps[..., None])[..., 0]


def _newton_branches(ar1: ModelArrays, K: np.ndarray, seeds: list[np.ndarray]) -> list[np.ndarray]:
    """Solutions s of s = K N(s) for one point (rank ≥ 2), by MINPACK from ``seeds``."""
    from scipy.optimize import root

    def residual(s):
        a = _amplitudes(ar1, s[None, None, :])[0, 0]
        return s - K @ (np.abs(a) ** 2)

    found: list[np.ndarray] = []
    for s0 in seeds:
        sol = root(residual, s0, method="hybr", options={"xtol": 1e-14})
        s = sol.x
        scale = 1.0 + np.max(np.abs(s))
        if not np.all(np.isfinite(s)) or np.max(np.abs(residual(s))) > 1e-9 * scale:
            continue
        if all(np.max(np.abs(s - f)) > 1e-8 * scale for f in found):
            found.append(s)
    return sorted(found, key=lambda s: float(np.sum(s)))


def branches(ar: ModelArrays) -> Branches:
    """Every mean-field branch of each point of the batch (Eqs. M3–M5), see the module."""
    P, nc = ar.detuning.shape
    nm = ar.frequency.shape[1]
    R = static_response(ar)
    chi = R[:, 0::2, :] if nm else np.zeros((P, 0, 0))
    K = ar.g0 @ chi @ np.swapaxes(ar.g0, -1, -2) if nm else np.zeros((P, nc, nc))
    bad = ~np.all(np.isfinite(K), axis=(-2, -1))
    K = np.where(bad[:, None, None], 0.0, K)
    if nc:
        ok, v, u = rank_one(K)
    else:
        ok, v, u = np.ones(P, bool), np.zeros((P, 0)), np.zeros((P, 0))
    B = 2 * nc + 1
    y = np.full((P, B), np.nan)
    if nc:
        y[ok] = polynomial_real_roots(shift_polynomial(_sub(ar, ok), v[ok], u[ok]))
    else:
        y[:, 0] = 0.0
    shifts = y[..., None] * v[:, None, :]
    valid = np.isfinite(y)
    complete = ok & ~bad
    for i in np.nonzero(~ok)[0]:  # rank ≥ 2: Newton from seeds, sorted by Σ s
        ar1 = _sub(ar, slice(i, i + 1))
        seeds = [np.zeros(nc)]
        y1 = polynomial_real_roots(shift_polynomial(ar1, v[i:i + 1], u[i:i + 1]))[0]
        seeds += [yy * v[i] for yy in y1 if np.isfinite(yy)]
        bound = np.linalg.norm(K[i], 2) * np.sum(ar.drive[i] ** 2) / np.min(ar.kappa[i]) ** 2
        rng = np.random.default_rng(12345)
        seeds += [bound * rng.uniform(-1, 1, nc) * 10.0 ** -rng.integers(0, 6)
                  for _ in range(8)]
        sols = _newton_branches(ar1, K[i], seeds)[:B]
        shifts[i] = np.nan
        valid[i] = False
        for k, s in enumerate(sols):
            shifts[i, k] = s
            valid[i, k] = True
    alpha = _amplitudes(ar, shifts)
    alpha = np.where(valid[..., None], alpha, np.nan)
    F = np.einsum("pcm,pbc->pbm", ar.g0, np.abs(alpha) ** 2)
    mech = np.einsum("pum,pbm->pbu", R, F) if nm else np.zeros((P, B, 0))
    shifts = np.where(valid[..., None], shifts, np.nan)
    valid &= ~bad[:, None]
    return Branches(shifts, alpha, np.where(valid[..., None], mech, np.nan), valid,
                    valid.sum(axis=-1), complete)


def _sub(ar: ModelArrays, mask: Any) -> ModelArrays:
    """The points ``mask`` (boolean array or slice) of a batch."""
    f = lambda a: a[mask]  # noqa: E731
    return ModelArrays(ar.model, (), f(ar.detuning), f(ar.kappa), f(ar.drive),
                       f(ar.cavity_thermal), f(ar.Jc), f(ar.frequency), f(ar.gamma),
                       f(ar.mechanical_thermal), f(ar.Jm), f(ar.g0))


__all__ = ["ModelArrays", "model_arrays", "branches", "Branches", "static_response",
           "mechanical_drift", "cavity_matrix", "shift_polynomial", "polynomial_real_roots"]
