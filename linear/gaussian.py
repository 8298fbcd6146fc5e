"""Pure functions of Gaussian covariance matrices (one convention, stated once).

Convention (docs/conventions.md §2): quadratures X = (a + a†)/√2, Y = i(a† − a)/√2 ordered
mode by mode, (x_1, p_1, x_2, p_2, ...); V_kl = ⟨u_k u_l + u_l u_k⟩/2 − ⟨u_k⟩⟨u_l⟩, so the
vacuum is V = I/2 and the uncertainty principle reads V + iΩ/2 ≥ 0 with
Ω = ⊕ [[0, 1], [−1, 0]]. Symplectic eigenvalues are ≥ 1/2.

All functions accept stacks (..., 2n, 2n).
"""

from __future__ import annotations

import math
from typing import Literal, Sequence

import numpy as np

from ..errors import InputError

Base = Literal["e", "2"]


def in_base(value_ln, base: Base = "e"):
    """A logarithmic quantity given in nats, expressed in ``base``: "e" (unchanged) or "2"
    (divided by ln 2; QuTiP's ``negativity(..., logarithmic=True)`` uses log2)."""
    if base not in ("e", "2"):
        raise InputError(f"base must be 'e' or '2'; got {base!r}")
    return value_ln / math.log(2.0) if base == "2" else value_ln


def symplectic_form(n_modes: int) -> np.ndarray:
    """Ω = ⊕_k [[0, 1], [−1, 0]] for ``n_modes`` modes."""
    return np.kron(np.eye(n_modes), np.array([[0.0, 1.0], [-1.0, 0.0]]))


def symplectic_eigenvalues(V: np.ndarray) -> np.ndarray:
    """Symplectic eigenvalues ν_k (..., n), ascending: the moduli of the eigenvalues of iΩV."""
    V = np.asarray(V, dtype=float)
    n = V.shape[-1] // 2
    ev = np.abs(np.linalg.eigvals(1j * symplectic_form(n) @ V))
    return np.sort(ev, axis=-1)[..., ::2]


def is_physical(V: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """True where V + iΩ/2 ≥ −tol (the Robertson–Schrödinger uncertainty relation)."""
    V = np.asarray(V, dtype=float)
    n = V.shape[-1] // 2
    return np.linalg.eigvalsh(V + 0.5j * symplectic_form(n)).min(axis=-1) >= -tol


def mode_indices(i: int, j: int) -> list[int]:
    """Quadrature indices of modes i and j in the (x_1, p_1, x_2, p_2, ...) order."""
    return [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]


def smallest_pt_symplectic_eigenvalue(V2: np.ndarray) -> np.ndarray:
    """ν₋ of the partially transposed two-mode matrix V' = [[A, C], [Cᵀ, B]] (paper Eq. 12).

    ν₋ = 2^{-1/2} [Σ − (Σ² − 4 det V')^{1/2}]^{1/2}, Σ = det A + det B − 2 det C.
    Evaluated as ν₋² = 2 det V' / [Σ + (Σ² − 4 det V')^{1/2}] (the same number, since
    ν₋²ν₊² = det V'), which avoids the cancellation of the paper's form for strong
    entanglement.

    ν₋ is homogeneous of degree 1 in V, while det V' is of degree 4 and Σ² of degree 8: a
    large but finite V (e.g. n_m ≳ 1e38, or a point close to an instability) would overflow
    them to inf/NaN. Such a matrix (max|V| outside [2⁻¹⁰⁰, 2¹⁰⁰], where V⁸ could leave
    float64) is therefore divided by a power of two s ≈ max|V| first, and ν₋ multiplied by s
    at the end. Matrices inside that window (every physical case so far: V ≥ ½ and
    V ≲ 1e30) are not touched, so existing results are unchanged bit for bit (NumPy's det
    goes through a logarithm, so even an exact power-of-two rescaling would move the last
    bit).
    """
    V2 = np.asarray(V2, dtype=float)
    # s = 2**e with max|V| < s (frexp); NaN or inf give e = 0, s = 1 so that they propagate.
    big = np.max(np.abs(V2), axis=(-2, -1))
    _, e = np.frexp(big)
    with np.errstate(invalid="ignore"):
        outside = (big > 2.0**100) | (big < 2.0**-100)
    s = np.where(outside & np.isfinite(big), np.ldexp(1.0, e), 1.0)
    V2 = V2 / s[..., None, None]
    dA = np.linalg.det(V2[..., :2, :2])
    dB = np.linalg.det(V2[..., 2:, 2:])
    dC = np.linalg.det(V2[..., :2, 2:])
    Sigma = dA + dB - 2.0 * dC
    det = np.linalg.det(V2)
    disc = np.maximum(Sigma**2 - 4.0 * det, 0.0)
    return s * np.sqrt(np.maximum(2.0 * det, 0.0) / (Sigma + np.sqrt(disc)))


def log_negativity(V: np.ndarray, modes: tuple[int, int] = (0, 1), base: Base = "e") -> np.ndarray:
    """Logarithmic negativity E_N = max(0, −ln 2ν₋) of a two-mode cut (paper Eq. 12).

    Parameters
    ----------
    V : ndarray, shape (..., 2n, 2n)
        Covariance matrices (vacuum = I/2).
    modes : (int, int)
        The two modes of the cut; the rest is traced out (a Gaussian partial trace is
        taking the sub-block).
    base : {"e", "2"}
        Natural log (default, as in the paper) or log2, which is what QuTiP's
        ``negativity(..., logarithmic=True)`` returns.

    Returns
    -------
    ndarray
        E_N, same leading shape; NaN propagates from NaN entries of V.

    Examples
    --------
    A two-mode squeezed vacuum with squeezing r has E_N = 2r:

    >>> import numpy as np
    >>> from omxval import linear
    >>> r = 0.5
    >>> c, s = np.cosh(2 * r) / 2, np.sinh(2 * r) / 2
    >>> V = np.array([[c, 0, s, 0], [0, c, 0, -s], [s, 0, c, 0], [0, -s, 0, c]])
    >>> round(float(linear.log_negativity(V)), 6)
    1.0
    >>> round(float(linear.log_negativity(V, base="2")), 6)      # QuTiP's log2 reading
    1.442695
    """
    in_base(0.0, base)  # validates base before any work
    V = np.asarray(V, dtype=float)
    n = V.shape[-1] // 2
    i, j = modes
    if not (0 <= i < n and 0 <= j < n and i != j):
        raise InputError(f"modes must be two different indices in [0, {n - 1}]; got {modes!r}")
    idx = mode_indices(i, j)
    nu = smallest_pt_symplectic_eigenvalue(V[..., idx, :][..., :, idx])
    with np.errstate(divide="ignore"):
        en = np.maximum(0.0, -np.log(2.0 * nu))
    en = np.where(np.isnan(nu), np.nan, en)
    return in_base(en, base)


def bipartite_log_negativity(V: np.ndarray, part_a: Sequence[int], part_b: Sequence[int],
                             base: Base = "e") -> np.ndarray:
    """E_N of the cut A|B of a Gaussian state, any number of modes on each side.

    E_N = Σ_k max(0, −ln 2ν̃_k) over the symplectic eigenvalues ν̃_k of the partially
    transposed covariance of A ∪ B (the p of every mode of B negated; Vidal & Werner 2002,
    Adesso & Illuminati 2007); the other modes are traced out (the sub-block). For one mode
    on each side it equals :func:`log_negativity` (paper Eq. 12).

    Parameters
    ----------
    V : ndarray, shape (..., 2n, 2n)
        Covariance matrices (vacuum = I/2).
    part_a, part_b : sequence of int
        Disjoint, non-empty sets of mode indices.
    base : {"e", "2"}

    Returns
    -------
    ndarray
        E_N, same leading shape.
    """
    in_base(0.0, base)
    V = np.asarray(V, dtype=float)
    n = V.shape[-1] // 2
    a, b = [int(k) for k in part_a], [int(k) for k in part_b]
    if (not a or not b or set(a) & set(b) or len(set(a)) != len(a) or len(set(b)) != len(b)
            or not all(0 <= k < n for k in a + b)):
        raise InputError(f"part_a and part_b must be disjoint, non-empty sets of mode indices "
                         f"in [0, {n - 1}]; got {tuple(a)!r} and {tuple(b)!r}")
    modes = sorted(a + b)
    idx = [q for k in modes for q in (2 * k, 2 * k + 1)]
    sub = V[..., idx, :][..., :, idx]
    flip = np.ones(len(idx))
    for pos, k in enumerate(modes):
        if k in b:
            flip[2 * pos + 1] = -1.0
    pt = sub * flip[:, None] * flip[None, :]
    nu = symplectic_eigenvalues(pt)
    with np.errstate(divide="ignore", invalid="ignore"):
        en = np.sum(np.maximum(0.0, -np.log(2.0 * nu)), axis=-1)
    en = np.where(np.isnan(nu).any(axis=-1), np.nan, en)
    return in_base(en, base)


def gaussian_entropy(V: np.ndarray) -> np.ndarray:
    """Von Neumann entropy (nats) of the Gaussian state with covariance V.

    S = Σ_k g(ν_k), g(ν) = (ν + ½) ln(ν + ½) − (ν − ½) ln(ν − ½), with g(½) = 0.
    """
    nu = np.maximum(symplectic_eigenvalues(V), 0.5)
    a, b = nu + 0.5, nu - 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        blog = np.where(b > 0, b * np.log(np.where(b > 0, b, 1.0)), 0.0)
    return np.sum(a * np.log(a) - blog, axis=-1)


def mode_occupation(V: np.ndarray, mode: int) -> np.ndarray:
    """⟨δc†δc⟩ = (V_xx + V_pp − 1)/2 of one mode: the fluctuation quanta (vacuum → 0)."""
    V = np.asarray(V, dtype=float)
    return (V[..., 2 * mode, 2 * mode] + V[..., 2 * mode + 1, 2 * mode + 1] - 1.0) / 2.0


def gaussian_purity(V: np.ndarray) -> np.ndarray:
    """Tr ρ² = 1/√det(2V) of the Gaussian state with covariance V (1 for pure states)."""
    return 1.0 / np.sqrt(np.linalg.det(2.0 * np.asarray(V, dtype=float)))


def thermal_tail_cutoff(quanta: float, tail: float, minimum: int = 2) -> int:
    """Smallest Fock cutoff N whose thermal tail (n̄/(n̄ + 1))^N is at most ``tail``.

    The population above level N − 1 of a thermal state with n̄ = ``quanta`` quanta is
    (n̄/(n̄ + 1))^N: the first cutoffs that searches start from, read off a Gaussian state's
    fluctuation quanta (the Lyapunov state is not thermal, so it is an estimate).

    Parameters
    ----------
    quanta : float
        Mean fluctuation quanta n̄ ≥ 0 of the mode (negative round-off counts as 0).
    tail : float
        Allowed tail population, in (0, 1).
    minimum : int
        The smallest cutoff returned (also for n̄ = 0).

    Returns
    -------
    int
        max(minimum, ⌈ln tail / ln(n̄/(n̄ + 1))⌉).
    """
    n = max(float(quanta), 0.0)
    ratio = n / (n + 1.0)
    if ratio <= 0:
        return minimum
    return max(minimum, math.ceil(math.log(tail) / math.log(ratio)))

