"""Operators as sums of ladder-operator words over n modes, before any matrix is built.

A full-quantum model is written once, symbolically: every operator of its generator is an
:class:`OpSum`, a sum of terms c·w₁⊗w₂⊗…⊗w_n where w_k is a word in the ladder operators of
mode k (``"a"`` annihilation, ``"d"`` creation, read left to right as the matrix product;
``""`` the identity). From that one description come both

* the matrices, :meth:`OpSum.build` at any cutoffs (each word is the product of the
  truncated matrices, as QuTiP's products of ``destroy``/``create`` give), and
* the sparsity pattern, :meth:`OpSum.shifts`, used by the memory estimate before anything
  is allocated: a word with n_d creations and n_a annihilations moves the Fock index of its
  mode by Δ = n_d − n_a (row − column), whatever the cutoff.

The generator formulas of :mod:`fullquantum.generator` (Hamiltonian part, dissipator,
Caldeira–Leggett bath) use only ``+``, ``*``, scalar products and ``.dag()``, so they accept
:class:`OpSum` operators as they accept QuTiP ones: one home for each formula, and
:func:`realize` turns a symbolic :class:`~fullquantum.generator.Generator` into QuTiP's.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import qutip
import scipy.sparse as sp

from .generator import Generator

Word = tuple[str, ...]        # one word per mode
Shift = tuple[int, ...]       # Fock-index change (row − column) per mode


def _local(word: str, n: int) -> sp.csr_matrix:
    """The matrix of a word on one mode with ``n`` levels (truncated products)."""
    out = sp.identity(n, dtype=np.complex128, format="csr")
    down = sp.diags(np.sqrt(np.arange(1, n, dtype=float)), 1, format="csr",
                    dtype=np.complex128)
    up = down.T.tocsr()
    for letter in word:
        out = out @ (down if letter == "a" else up)
    return out


@dataclass(frozen=True)
class OpSum:
    """A sum of products of ladder-operator words, one word per mode.

    Attributes
    ----------
    n_modes : int
        Number of modes.
    terms : tuple of (complex, tuple of str)
        (coefficient, words); equal words are merged, zero coefficients dropped.
    """

    n_modes: int
    terms: tuple[tuple[complex, Word], ...] = ()

    @classmethod
    def _merged(cls, n_modes: int, pairs) -> "OpSum":
        acc: dict[Word, complex] = {}
        for c, w in pairs:
            acc[w] = acc.get(w, 0.0) + complex(c)
        # Only exact zeros go (words that cancel): a small term is physics, kept.
        return cls(n_modes, tuple((c, w) for w, c in acc.items() if c != 0))

    @classmethod
    def identity(cls, n_modes: int) -> "OpSum":
        return cls(n_modes, ((1.0 + 0j, ("",) * n_modes),))

    @classmethod
    def ladder(cls, n_modes: int, k: int) -> "OpSum":
        """The annihilation operator of mode ``k``."""
        w = [""] * n_modes
        w[k] = "a"
        return cls(n_modes, ((1.0 + 0j, tuple(w)),))

    def _same(self, other: "OpSum") -> None:
        if other.n_modes != self.n_modes:
            raise ValueError(f"operators on {self.n_modes} and {other.n_modes} modes")

    def __add__(self, other):
        if isinstance(other, numbers.Number):
            other = OpSum.identity(self.n_modes) * other
        if not isinstance(other, OpSum):
            return NotImplemented
        self._same(other)
        return OpSum._merged(self.n_modes, self.terms + other.terms)

    __radd__ = __add__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        if isinstance(other, numbers.Number):
            return OpSum._merged(self.n_modes, ((c * other, w) for c, w in self.terms))
        if not isinstance(other, OpSum):
            return NotImplemented
        self._same(other)
        return OpSum._merged(self.n_modes, (
            (c1 * c2, tuple(a + b for a, b in zip(w1, w2)))
            for c1, w1 in self.terms for c2, w2 in other.terms))

    def __rmul__(self, other):
        if isinstance(other, numbers.Number):
            return self * other
        return NotImplemented

    def __truediv__(self, other):
        return self * (1.0 / other)

    def dag(self) -> "OpSum":
        """The adjoint: coefficients conjugated, each word reversed with a ↔ d."""
        swap = str.maketrans("ad", "da")
        return OpSum(self.n_modes, tuple(
            (complex(np.conj(c)), tuple(w[::-1].translate(swap) for w in ws))
            for c, ws in self.terms))

    def shifts(self) -> frozenset[Shift]:
        """Fock-index shifts (row − column per mode) of the terms: the sparsity pattern."""
        return frozenset(tuple(w.count("d") - w.count("a") for w in ws) for _, ws in self.terms)

    def build(self, cutoffs: Sequence[int]) -> qutip.Qobj:
        """The operator on the truncated Fock space with ``cutoffs`` levels per mode.

        Returns
        -------
        Qobj
            CSR, QuTiP dims ``[cutoffs, cutoffs]`` (tensor order = mode order, the last mode
            fastest).
        """
        cutoffs = tuple(int(n) for n in cutoffs)
        if len(cutoffs) != self.n_modes:
            raise ValueError(f"{len(cutoffs)} cutoffs for {self.n_modes} modes")
        d = math.prod(cutoffs)
        total = sp.csr_matrix((d, d), dtype=np.complex128)
        cache: dict[tuple[str, int], sp.csr_matrix] = {}
        for c, ws in self.terms:
            m = None
            for w, n in zip(ws, cutoffs):
                key = (w, n)
                if key not in cache:
                    cache[key] = _local(w, n)
                m = cache[key] if m is None else sp.kron(m, cache[key], format="csr")
            total = total + c * m
        total.sum_duplicates()
        total.eliminate_zeros()
        return qutip.Qobj(total, dims=[list(cutoffs), list(cutoffs)])


def realize(gen: Generator, cutoffs: Sequence[int]) -> Generator:
    """A symbolic :class:`~fullquantum.generator.Generator` (OpSum terms) as QuTiP operators."""
    return Generator(gen.left.build(cutoffs), gen.right.build(cutoffs),
                     tuple((C.build(cutoffs), D.build(cutoffs)) for C, D in gen.sandwich))


__all__ = ["OpSum", "realize"]
