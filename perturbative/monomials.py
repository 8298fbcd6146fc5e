"""Monomials of the quadratures: their basis per degree and their Gaussian moments.

A monomial u^e = Π_j u_j^{e_j} of the 2n quadratures u = (x_1, p_1, …, x_n, p_n) (the order
of :mod:`linear`'s V) stands for the Weyl-ordered (symmetrised) operator of the same symbol
(docs/perturbative.md §2, Eq. P2); its expectation is a moment of the Wigner function.
Each degree has its own basis (:func:`basis`), sorted by an integer code so that the
monomial a differential operator produces is found by binary search.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations_with_replacement
from math import comb

import numpy as np


def count(n_variables: int, degree: int) -> int:
    """Number of monomials of exactly ``degree`` in ``n_variables`` variables."""
    return comb(n_variables + degree - 1, degree) if degree >= 0 else 0


@dataclass(frozen=True)
class Basis:
    """The monomials of one degree, in a fixed order (read-only arrays).

    Attributes
    ----------
    exponents : ndarray (N, n_variables) of int
        e of each monomial u^e.
    factors : ndarray (N, degree) of int
        The same monomials as sorted lists of variable indices (u_0²u_3 → [0, 0, 3]), the
        form Wick's theorem pairs.
    codes : ndarray (N,) of int64
        Σ_j e_j·(degree + 1)^j, increasing: the key of :meth:`find`.
    """

    exponents: np.ndarray
    factors: np.ndarray
    codes: np.ndarray

    @property
    def size(self) -> int:
        return self.codes.size

    def find(self, exponents: np.ndarray) -> np.ndarray:
        """Positions of monomials given by exponent vectors (..., n_variables) of this
        degree (every one must be in the basis)."""
        return np.searchsorted(self.codes, encode(exponents, self.factors.shape[1]))


def encode(exponents: np.ndarray, degree: int) -> np.ndarray:
    """The code Σ_j e_j·(degree + 1)^j of exponent vectors of total ``degree``."""
    n = exponents.shape[-1]
    weights = (degree + 1) ** np.arange(n, dtype=np.int64)
    return exponents.astype(np.int64) @ weights


@lru_cache(maxsize=64)
def basis(n_variables: int, degree: int) -> Basis:
    """Every monomial of exactly ``degree`` in ``n_variables`` variables (cached, read-only).

    The codes need (degree + 1)^n_variables < 2⁶³; the sizes :mod:`perturbative.series`
    accepts keep far inside that.
    """
    if degree == 0:
        factors = np.zeros((1, 0), dtype=np.int64)
    else:
        factors = np.array(list(combinations_with_replacement(range(n_variables), degree)),
                           dtype=np.int64)
    exponents = np.zeros((factors.shape[0], n_variables), dtype=np.int64)
    for k in range(degree):
        np.add.at(exponents, (np.arange(factors.shape[0]), factors[:, k]), 1)
    codes = encode(exponents, degree)
    order = np.argsort(codes)
    arrays = [a[order] for a in (exponents, factors, codes)]
    for a in arrays:
        a.setflags(write=False)
    return Basis(*arrays)


@lru_cache(maxsize=16)
def pairings(n: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Every perfect matching of positions 0…n−1 (n even): (n − 1)!! of them."""
    if n == 0:
        return ((),)
    out = []
    for k in range(1, n):
        rest = [j for j in range(1, n) if j != k]
        for sub in pairings(n - 2):
            out.append(((0, k), *((rest[i], rest[j]) for i, j in sub)))
    return tuple(out)


def gaussian_moments(V: np.ndarray, degree: int) -> np.ndarray:
    """Symmetrised moments ⟨u^e⟩ of a zero-mean Gaussian state of covariance V (Eq. P9).

    Isserlis–Wick: the moment of a product of 2k quadratures is the sum over its (2k − 1)!!
    pairings of the products of V entries; Weyl-ordered moments are moments of the (here
    Gaussian) Wigner function, so V itself (vacuum I/2) is the pair function. Odd degrees
    vanish.

    Returns
    -------
    ndarray (count(2n, degree),)
        In the order of :func:`basis`.
    """
    b = basis(V.shape[0], degree)
    if degree % 2:
        return np.zeros(b.size)
    f = b.factors
    total = np.zeros(b.size)
    for pairing in pairings(degree):
        term = np.ones(b.size)
        for i, j in pairing:
            term *= V[f[:, i], f[:, j]]
        total += term
    return total


__all__ = ["Basis", "basis", "count", "encode", "gaussian_moments", "pairings"]
