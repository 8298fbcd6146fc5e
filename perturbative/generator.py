"""The generator of the fluctuations as a differential operator on Wigner symbols.

In the displaced frame of a mean-field branch the adjoint (Heisenberg) generator acting on
a Weyl-ordered operator acts on its symbol f(u) as a differential operator with polynomial
coefficients (docs/perturbative.md §2–§4):

    𝓛 = 𝓛0 + s·𝓛1,
    𝓛0 f = Σ_ij A_ij u_j ∂_i f + ½ Σ_ij D_ij ∂_i ∂_j f                                  (P4)
    𝓛1 f = −Σ_(c,m) g0_cm [ q_m (y_c ∂_(x_c) − x_c ∂_(y_c)) f − ½(x_c² + y_c² − 1) ∂_(p_m) f
                           + ⅛ (∂²_(x_c) + ∂²_(y_c)) ∂_(p_m) f ]                          (P5)

with A, D the drift and diffusion of the linearized model (Eq. M6; for the Brownian bath
the adjoint of docs/conventions.md §5 is exactly its −γ p ∂_p + ½γ(2n + 1)∂²_p part, P6)
and g0 the point's couplings (the series variable s multiplies them, docs/models.md M7).

An operator is a :class:`Terms`: Σ_t c_t u^(a_t) ∂^(b_t). Acting on a monomial it changes
the degree by |a_t| − |b_t|; :meth:`Terms.matrix` gives the matrix from the monomials of
one degree to those of another, the blocks of the moment equations (P8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..linear import ModelPoint, ModelResult
from .monomials import basis

#: e!/(e − k)! for e, k < 16 (0 where k > e): the factor ∂^k brings down from u^e.
_FALLING = np.array([[np.prod(np.arange(e - k + 1, e + 1), dtype=float) if k <= e else 0.0
                      for k in range(16)] for e in range(16)])


@dataclass(frozen=True)
class Terms:
    """A differential operator Σ_t coef_t · u^(a_t) ∂^(b_t) on polynomials of u.

    Attributes
    ----------
    coef : ndarray (T,)
    a, b : ndarray (T, n_variables) of int
        Exponents of the multiplying monomial and of the derivative of each term.
    """

    coef: np.ndarray
    a: np.ndarray
    b: np.ndarray

    @classmethod
    def of(cls, n_variables: int, terms: list[tuple[float, tuple[int, ...], tuple[int, ...]]]
           ) -> "Terms":
        """From (coef, variables multiplied, variables differentiated) triples, variables
        by index with repetition (−g0·q·y·∂_x → (−g0, (q, y), (x,)))."""
        a = np.zeros((len(terms), n_variables), dtype=np.int64)
        b = np.zeros_like(a)
        for t, (_, mult, diff) in enumerate(terms):
            np.add.at(a[t], list(mult), 1)
            np.add.at(b[t], list(diff), 1)
        coef = np.array([c for c, _, _ in terms], dtype=float)
        keep = coef != 0.0
        return cls(coef[keep], a[keep], b[keep])

    @property
    def changes(self) -> np.ndarray:
        """The degree change |a_t| − |b_t| of each term."""
        return self.a.sum(axis=1) - self.b.sum(axis=1)

    def matrix(self, degree: int, change: int) -> sp.csr_matrix:
        """C (N_degree, N_(degree + change)) with 𝓛 u^e = Σ_f C[e, f] u^f over the terms of
        this degree change (monomials of :func:`monomials.basis`)."""
        n = self.a.shape[1]
        rows_basis, cols_basis = basis(n, degree), basis(n, degree + change)
        pick = self.changes == change
        coef, a, b = self.coef[pick], self.a[pick], self.b[pick]
        E = rows_basis.exponents[:, None, :]
        factor = np.prod(_FALLING[E, b[None]], axis=-1) * coef[None]   # 0 where b > e
        r, t = np.nonzero(factor)
        cols = cols_basis.find(E[r, 0] - b[t] + a[t])
        return sp.csr_matrix((factor[r, t], (r, cols)),
                             shape=(rows_basis.size, cols_basis.size))


def linearized_terms(result: ModelResult) -> Terms:
    """𝓛0 of Eq. P4 from the drift A and diffusion D of the linearized model (Eq. M6)."""
    A, D = result.A, result.D
    n = A.shape[0]
    terms = [(A[i, j], (j,), (i,)) for i in range(n) for j in range(n)]
    terms += [(D[i, i] / 2.0, (), (i, i)) for i in range(n)]
    terms += [(D[i, j], (), (i, j)) for i in range(n) for j in range(i + 1, n)]
    return Terms.of(n, terms)


def cubic_terms(point: ModelPoint) -> Terms:
    """𝓛1 of Eq. P5: every −g0·δa_c†δa_c·δq_m of the nonlinear model (docs/models.md M8) at
    the point's g0 (s = 1)."""
    model = point.model
    idx = {name: k for k, name in enumerate(model.mode_names)}
    terms = []
    for c in model.couplings:
        if c.kind != "radiation-pressure":
            continue
        x, y = 2 * idx[c.cavity], 2 * idx[c.cavity] + 1
        q, p = 2 * idx[c.mechanical], 2 * idx[c.mechanical] + 1
        g = c.g0
        terms += [(-g, (q, y), (x,)), (g, (q, x), (y,)),              # the shift −g0 q of Δ
                  (g / 2.0, (x, x), (p,)), (g / 2.0, (y, y), (p,)),    # the force g0 a†a ...
                  (-g / 2.0, (), (p,)),                                # ... whose symbol has −½
                  (-g / 8.0, (), (x, x, p)), (-g / 8.0, (), (y, y, p))]  # Moyal's third order
    return Terms.of(2 * len(model.modes), terms)


__all__ = ["Terms", "linearized_terms", "cubic_terms"]
