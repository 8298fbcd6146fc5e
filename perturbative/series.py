"""The steady-state moments as power series in the nonlinearity (docs/perturbative.md).

Order by order in s (the scale of every g0, docs/models.md M7), the Wigner moments μ^(k)
of degree d solve the triangular system (Eq. P8)

    C0_d μ_d^(k) = −C−2_d μ_(d−2)^(k) − Σ_(j ∈ {+1, −1, −3}) C1,j_d μ_(d+j)^(k−1),

where C0_d (the drift part of 𝓛0 on degree d, the tensor power of A) is invertible at a
stable point, and μ^(0) is the Gaussian state of V0 (Wick, Eq. P9). Parity (Eq. P7) makes
μ_d^(k) vanish unless d ≡ k (mod 2), so only those blocks are solved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Union

import numpy as np
import scipy.linalg as la

from ..errors import InputError, InputTypeError
from ..linear import (Model, ModelPoint, ModelResult, OperatingPoint, analyze, log_negativity,
                      symplectic_form)
from ..linear.checks import short_repr
from ..linear.presets import spinning_resonator_point
from .generator import cubic_terms, linearized_terms
from .monomials import basis, count, gaussian_moments

#: Highest order of s accepted by the public functions (V6 needs the degree-8 Wigner moments
#: of the Gaussian state and the degree-7 block at order 1: C(2n + 6, 7) unknowns).
MAX_ORDER = 6
#: Largest block C0_d solved (dense LU: 8·N² bytes, ~N³ flops), checked before any work.
MAX_BLOCK = 4000

PointLike = Union[ModelPoint, Model, OperatingPoint]


class UnstablePointError(InputError):
    """The linearized model is unstable at this branch: there is no steady state to expand.

    :mod:`linear` reports such a point with ``stable = False`` and NaN; a series has no
    number to give, so every function of :mod:`omxval.perturbative` raises this instead.
    """


def _check_order(order: object) -> int:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)):
        raise InputTypeError(f"order must be an int in [0, {MAX_ORDER}]; got "
                             f"{short_repr(order)}")
    if not 0 <= order <= MAX_ORDER:
        raise InputError(f"order must be in [0, {MAX_ORDER}] (the highest power of s kept); "
                         f"got {order}")
    return int(order)


def as_model_point(point: object) -> ModelPoint:
    """A ModelPoint from a ModelPoint, a Model (branch 0) or the spinning resonator's
    OperatingPoint (its preset model, same branch and mean field)."""
    if isinstance(point, ModelPoint):
        return point
    if isinstance(point, Model):
        return ModelPoint(point, 0)
    if isinstance(point, OperatingPoint):
        return spinning_resonator_point(point)
    raise InputTypeError(f"point must be a linear.ModelPoint, linear.Model or "
                         f"linear.OperatingPoint; got {short_repr(point)}")


def stable_result(point: ModelPoint) -> ModelResult:
    """The Gaussian analysis of ``point``, which must be stable (else UnstablePointError)."""
    result = analyze(point)
    if not result.stable:
        raise UnstablePointError(
            f"the linearized model is unstable at mean-field branch {point.branch} of "
            f"{point.n_branches} (max Re λ(A) = {result.max_growth_rate:.3g} ≥ 0): there is "
            "no steady state, hence no series in the nonlinearity (docs/models.md §3)")
    return result


@dataclass(frozen=True)
class Moments:
    """The Wigner moments of every order and degree an expansion needed (Eq. P8).

    Attributes
    ----------
    n_variables : int
        2n, the quadratures (x, p) per mode in mode order.
    orders : mapping
        k → {d → μ_d^(k)}, arrays in the order of :func:`monomials.basis`; blocks absent by
        parity (d ≢ k mod 2) are zero and not stored.
    V0 : ndarray (2n, 2n)
        The Gaussian covariance (order 0).
    """

    n_variables: int
    orders: Mapping[int, Mapping[int, np.ndarray]]
    V0: np.ndarray

    def moment(self, k: int, d: int) -> np.ndarray:
        """μ_d^(k); zeros where parity (or the normalisation ⟨1⟩ = 1) makes it vanish."""
        return self.orders.get(k, {}).get(d, np.zeros(count(self.n_variables, d)))

    def first(self, k: int) -> np.ndarray:
        """The coefficient of s^k of the means ⟨u⟩ (2n,)."""
        return self.moment(k, 1)[basis(self.n_variables, 1).find(np.eye(self.n_variables,
                                                                          dtype=np.int64))]

    def second(self, k: int) -> np.ndarray:
        """The coefficient of s^k of ½⟨{u_i, u_j}⟩ (2n, 2n)."""
        n = self.n_variables
        e = np.eye(n, dtype=np.int64)
        return self.moment(k, 2)[basis(n, 2).find(e[:, None, :] + e[None, :, :])]


def _needed(order: int, degree: int, parity: bool) -> dict[int, list[int]]:
    """Order k → the degrees d ≥ 1 solved at that order: 𝓛1 raises the degree by at most 1,
    so ``degree`` at ``order`` needs degree + order − k at order k (P8)."""
    return {k: [d for d in range(1, degree + order - k + 1)
                if not parity or (d - k) % 2 == 0] for k in range(1, order + 1)}


def check_size(n_variables: int, order: int, degree: int) -> None:
    """Refuse, before any work, an expansion whose largest block exceeds MAX_BLOCK."""
    if order == 0:
        return
    biggest = count(n_variables, degree + order - 1)
    if biggest > MAX_BLOCK:
        raise InputError(
            f"order {order} with {n_variables // 2} modes needs a block of {biggest} moments "
            f"(degree {degree + order - 1} in {n_variables} quadratures), above the limit "
            f"{MAX_BLOCK}; lower the order")


def expand(point: ModelPoint, order: int, degree: int, *, parity: bool = True) -> Moments:
    """Every moment up to ``degree`` and ``order`` in s, exactly (Eqs. P7–P9).

    Parameters
    ----------
    point : ModelPoint
    order : int
        Highest power of s.
    degree : int
        The degree wanted at ``order`` (1: means, 2: covariance).
    parity : bool
        True: solve only the blocks d ≡ k (mod 2), the others vanishing by Eq. P7. False:
        solve every block (a check of P7: the skipped ones then come out at round-off).

    Raises
    ------
    UnstablePointError
        The linearized model is unstable at the point's branch.
    InputError
        The expansion is larger than :data:`MAX_BLOCK` allows.
    """
    n = 2 * len(point.model.modes)
    check_size(n, order, degree)
    result = stable_result(point)
    L0, L1 = linearized_terms(result), cubic_terms(point)
    needed = _needed(order, degree, parity)
    degrees = sorted({2}.union(*needed.values()))
    # Each block is built once and serves every order (P8): the drift blocks factorised,
    # the diffusion and cubic blocks sparse.
    lu = {d: la.lu_factor(L0.matrix(d, 0).toarray()) for d in degrees}
    diffusion = {d: L0.matrix(d, -2) for d in degrees if d >= 2}
    cubic = {(d, j): L1.matrix(d, j) for d in degrees for j in (1, -1, -3) if d + j >= 0}
    # Order 0: the Gaussian state. V0 from the degree-2 block (P8 with k = 0, μ_0 = 1: the
    # Lyapunov equation in the 2n(2n+1)/2 second moments), the higher even moments by
    # Wick (P9) up to degree + order, the most order 1 reaches through C1,+1.
    V0_moments = la.lu_solve(lu[2], -diffusion[2] @ np.ones(1))
    e = np.eye(n, dtype=np.int64)
    V0 = V0_moments[basis(n, 2).find(e[:, None] + e[None, :])]
    orders: dict[int, dict[int, np.ndarray]] = {0: {0: np.ones(1), 2: V0_moments}}
    for d in range(4, degree + order + 1, 2):
        orders[0][d] = gaussian_moments(V0, d)
    moments = Moments(n, MappingProxyType(orders), V0)
    for k in range(1, order + 1):
        orders[k] = {}
        for d in needed[k]:
            rhs = np.zeros(count(n, d))
            if d >= 3:  # μ_0^(k) = 0 for k ≥ 1 (⟨1⟩ = 1 at every order)
                rhs -= diffusion[d] @ moments.moment(k, d - 2)
            for j in (1, -1, -3):
                if d + j >= 0:
                    rhs -= cubic[d, j] @ moments.moment(k - 1, d + j)
            orders[k][d] = la.lu_solve(lu[d], rhs)
    return moments


def _frozen(arrays: dict[int, np.ndarray]) -> Mapping[int, np.ndarray]:
    for a in arrays.values():
        a.setflags(write=False)
    return MappingProxyType(arrays)


def covariance_series(point: PointLike, order: int = 4) -> Mapping[int, np.ndarray]:
    """The steady-state covariance as a series in the nonlinearity, V(s) = V0 + s²V2 + s⁴V4.

    The series variable s is the nonlinearity ladder of docs/models.md (Eq. M7): the point's
    model is ``point.model.scaled(s)`` at s = 1, every g0 multiplied by s and every drive
    divided by s, so that the linearized (Gaussian) model is the same at every s and only
    the cubic terms −s·g0·δa†δa·δq of the nonlinear model (M8) change. V(s) is the exact
    steady state of that nonlinear model (infinite Fock space, no truncation) expanded in s
    (docs/perturbative.md, Eqs. P1–P10); V(1) ≈ V0 + V2 + V4 is the given model's.

    For the spinning resonator (``linear.OperatingPoint`` from :func:`linear.design_point`)
    s = G0/G0_point at fixed design (effective detuning and |G_d|), so the coefficients in
    powers of G0 (units of ω_m) are V2 / G0_point², V4 / G0_point⁴.

    Parameters
    ----------
    point : linear.ModelPoint, linear.Model or linear.OperatingPoint
        The model and the mean-field branch of the displaced frame (a Model: branch 0; an
        OperatingPoint: its :func:`linear.presets.spinning_resonator_point`).
    order : int
        Highest power of s kept, in [0, MAX_ORDER] (default 4). Odd powers vanish
        identically (parity, Eq. P7): they are not stored, so order 3 returns {0, 2} and
        order 5 returns {0, 2, 4}.

    Returns
    -------
    mapping
        Even k ≤ order → V_k (2n, 2n), read-only, symmetric, dimensionless; quadratures
        (x, p) per mode in mode order as :mod:`linear`'s V (vacuum I/2). V0 is the Lyapunov
        V of :func:`linear.analyze`; V_k includes the products of the means
        (V = ½⟨{δu, δu}⟩ − ⟨δu⟩⟨δu⟩ᵀ, Eq. P10).

    Raises
    ------
    InputTypeError
        ``point`` or ``order`` of the wrong type.
    InputError
        ``order`` out of range; an expansion too large (:data:`MAX_BLOCK`).
    UnstablePointError
        The linearized model is unstable at the point's branch.

    Examples
    --------
    >>> import numpy as np
    >>> from omxval import linear, perturbative, presets
    >>> model = presets.vitali2007()
    >>> V = perturbative.covariance_series(model)
    >>> sorted(V), V[0].shape
    ([0, 2, 4], (4, 4))
    >>> bool(np.allclose(V[0], linear.analyze(model).V))         # V0 is the Lyapunov V
    True
    """
    order = _check_order(order)
    point = as_model_point(point)
    even = order - order % 2
    moments = expand(point, even, 2)
    n = moments.n_variables
    means = {k: moments.first(k) for k in range(1, even, 2)}
    out = {}
    for k in range(0, even + 1, 2):
        # V_k = S_k − Σ_(i+j=k) m_i m_jᵀ (P10), odd i and j only; each pair (i, j), (j, i)
        # is added as one symmetric matrix, so V_k is symmetric to the last bit (S_k is:
        # u_i u_j and u_j u_i are one monomial).
        products = np.zeros((n, n))
        for i in range(1, k // 2 + 1, 2):
            pair = np.outer(means[i], means[k - i])
            products += pair + pair.T if 2 * i < k else pair
        out[k] = (moments.second(k) if k else moments.V0) - products
    return _frozen(out)


def mean_series(point: PointLike, order: int = 3) -> Mapping[int, np.ndarray]:
    """The means of the fluctuations as a series in s: ⟨δu⟩(s) = s·m1 + s³·m3 + ….

    The displaced frame is that of the exact mean field, so the Gaussian order has zero
    means; the cubic terms shift them at odd orders (even ones vanish, Eq. P7). The series
    variable s is that of :func:`covariance_series`.

    Parameters
    ----------
    point : linear.ModelPoint, linear.Model or linear.OperatingPoint
    order : int
        Highest power of s kept, in [0, MAX_ORDER] (default 3).

    Returns
    -------
    mapping
        Odd k ≤ order → m_k (2n,), read-only: ⟨δx⟩, ⟨δp⟩ per mode in mode order
        (dimensionless quadratures). Empty for order 0.

    Raises
    ------
    InputTypeError, InputError, UnstablePointError
        As :func:`covariance_series`.
    """
    order = _check_order(order)
    point = as_model_point(point)
    odd = order - (1 - order % 2)
    if odd < 1:
        stable_result(point)  # an unstable point is refused even when nothing is computed
        return _frozen({})
    moments = expand(point, odd, 1)
    return _frozen({k: moments.first(k) for k in range(1, odd + 1, 2)})


def gaussian_log_negativity_series(point: PointLike, a: str, b: str
                                   ) -> Mapping[int, float]:
    """The Gaussian E_N of modes ``a`` and ``b`` to first order in s²: E_N0 + s²·c2.

    E_N(V) = max(0, −ln 2ν₋) (paper Eq. 12) of V(s) = V0 + s²V2 + O(s⁴)
    (:func:`covariance_series`). Where the Gaussian state is entangled (2ν₋ < 1),
    first-order perturbation of the smallest symplectic eigenvalue ν₋ of the partially
    transposed block Ṽ0 (Eq. P11):

        dν₋ = ν₋ · (vᴴ Ṽ2 v)/(vᴴ Ṽ0 v),   iΩṼ0 v = ν₋ v,   so   c2 = −(vᴴ Ṽ2 v)/(vᴴ Ṽ0 v).

    Where it is not entangled (2ν₋ ≥ 1) E_N vanishes near s = 0 and c2 = 0 (also at
    2ν₋ = 1 exactly, where E_N is not differentiable in s²).

    Parameters
    ----------
    point : linear.ModelPoint, linear.Model or linear.OperatingPoint
    a, b : str
        Two different modes of the model (the other modes traced out).

    Returns
    -------
    mapping
        {0: E_N(V0), 2: c2}, natural log (nats); E_N(s) = E_N0 + s²·c2 + O(s⁴).

    Raises
    ------
    InputError
        ``a`` or ``b`` not a mode of the model, or the same mode.
    UnstablePointError
        The linearized model is unstable at the point's branch.
    """
    point = as_model_point(point)
    model = point.model
    i, j = model.index(a), model.index(b)
    if i == j:
        raise InputError(f"a and b must be two different modes; got {a!r} twice")
    series = covariance_series(point, order=2)
    idx = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]
    flip = np.diag([1.0, 1.0, 1.0, -1.0])  # partial transposition of b: p_b → −p_b
    V0, V2 = (flip @ series[k][np.ix_(idx, idx)] @ flip for k in (0, 2))
    en0 = float(log_negativity(series[0], (i, j)))
    lam, vecs = np.linalg.eig(1j * symplectic_form(2) @ V0)
    k = int(np.argmin(np.where(lam.real > 0, lam.real, np.inf)))
    if 2.0 * lam[k].real >= 1.0:
        return MappingProxyType({0: en0, 2: 0.0})
    # ν₋ν₊ = √det Ṽ0 = √det V0 ≥ ¼ for a physical state, so an entangled ν₋ < ½ is below
    # ν₊ > ½: a simple eigenvalue, and first-order perturbation theory applies as is.
    v = vecs[:, k]
    return MappingProxyType({0: en0, 2: float(-(v.conj() @ V2 @ v).real
                                                / (v.conj() @ V0 @ v).real)})


__all__ = ["covariance_series", "mean_series", "gaussian_log_negativity_series",
           "UnstablePointError", "MAX_ORDER", "MAX_BLOCK", "Moments", "expand",
           "as_model_point"]
