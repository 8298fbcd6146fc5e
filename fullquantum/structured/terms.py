"""The generator's d×d terms as SciPy operators, and L(X) applied with them.

:class:`~fullquantum.generator.Generator` holds L(ρ) = Aρ + ρB + Σ_k C_k ρ D_k as QuTiP
operators; here they become CSR (or dense) matrices, two-sided terms sharing a factor are
merged, and L(X) is applied to dense d×d matrices at O(nnz·d) per application — far below
the O(d³) of the preconditioner. Two forms: general, and Hermitian (for
Hermiticity-preserving generators, all of this project's: L(X) = K + Kᴴ, half the products).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

# Operators with more nonzeros than this fraction of d² are applied as dense matrices.
_DENSE_FRACTION = 0.2

Operator = sp.csr_matrix | np.ndarray


def _to_operator(q, d: int) -> Operator:
    """A QuTiP operator as a SciPy CSR matrix, or a dense array if it is not sparse."""
    m = sp.csr_matrix(q.to("csr").data_as("csr_matrix"), dtype=np.complex128)
    m.sum_duplicates()
    m.eliminate_zeros()
    if m.nnz > _DENSE_FRACTION * d * d:
        return m.toarray()
    return m


def _herm(op: Operator) -> Operator:
    """Conjugate transpose, keeping CSR for sparse operators."""
    return op.conj().T.tocsr() if sp.issparse(op) else np.ascontiguousarray(op.conj().T)


def _rel_diff(a: Operator, b: Operator) -> float:
    """‖a − b‖_F / max(‖a‖_F, ‖b‖_F, tiny)."""
    def fro(x):
        return sp.linalg.norm(x) if sp.issparse(x) else np.linalg.norm(x)
    scale = max(fro(a), fro(b), 1e-300)
    return fro(a - b) / scale


def _proportional(a: Operator, b: Operator) -> complex | None:
    """c with b = c·a (both sparse with the same pattern, or dense), else None."""
    if sp.issparse(a) != sp.issparse(b):
        return None
    if sp.issparse(a):
        if a.nnz == 0 or a.nnz != b.nnz or not (np.array_equal(a.indptr, b.indptr)
                                                 and np.array_equal(a.indices, b.indices)):
            return None
        da, db = a.data, b.data
    else:
        da, db = a.ravel(), b.ravel()
    k = int(np.argmax(np.abs(da)))
    if da[k] == 0:
        return None
    c = db[k] / da[k]
    if np.linalg.norm(db - c * da) <= 1e-14 * np.linalg.norm(db):
        return complex(c)
    return None


def _group_sandwich(pairs: list[tuple[Operator, Operator]], hermitian: bool
                    ) -> list[tuple[Operator, Operator]]:
    """Merge terms C X D sharing their left factor up to a scalar: C X (D₁ + c D₂).

    With ``hermitian`` only the Hermitian part of Σ_k C_k X D_k is needed, so a term may be
    replaced by its adjoint (Dᴴ, Cᴴ) if that joins a group: the three Caldeira–Leggett terms
    (q, p), (p, q), (q, q) all become q X (·), one two-sided product instead of three.
    """
    groups: list[tuple[Operator, Operator]] = []
    for C, D in pairs:
        orientations = [(C, D)] + ([(_herm(D), _herm(C))] if hermitian else [])
        placed = False
        for Co, Do in orientations:
            for i, (Cg, Eg) in enumerate(groups):
                c = _proportional(Cg, Co)
                if c is not None:
                    E = Eg + c * Do
                    groups[i] = (Cg, E if sp.issparse(E) else np.asarray(E))
                    placed = True
                    break
            if placed:
                break
        if not placed:
            groups.append((C, D))
    return [(C, E.tocsr() if sp.issparse(E) else E) for C, E in groups]


def _rmul(X: np.ndarray, D: Operator) -> np.ndarray:
    """X @ D for a dense X and a sparse or dense D."""
    if sp.issparse(D):
        return np.asarray(D.T @ X.T).T  # SciPy's CSR kernels act from the left
    return X @ D


class _GeneralLiouvillian:
    """L(X) = A X + X B + Σ_k C_k X D_k with sparse operators, for any dense X."""

    def __init__(self, A: Operator, B: Operator, pairs):
        self.A = A
        self.B = B
        self.groups = _group_sandwich(list(pairs), hermitian=False)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        out = np.asarray(self.A @ X) + _rmul(X, self.B)
        for C, D in self.groups:
            out += _rmul(np.asarray(C @ X), D)
        return out


class _HermitianLiouvillian:
    """L(X) = K + Kᴴ, K = Ā X + ½ Σ_g C_g X E_g, for Hermitian X and Hermiticity-preserving L.

    For such L, L(X) equals its Hermitian part, so X B = (Bᴴ X)ᴴ folds into Ā = (A + Bᴴ)/2
    and sandwich terms may be grouped with their adjoints (``_group_sandwich``). SciPy's
    sparse kernels are fast only with the sparse factor on the left of a C-ordered array;
    the right factor is applied as Eᵀ (C X)ᵀ, accumulated transposed, so each two-sided term
    costs one transposed copy.
    """

    def __init__(self, Abar: Operator, pairs):
        self.Abar = Abar
        self.groups = [(C, (0.5 * E.T).tocsr() if sp.issparse(E) else 0.5 * E.T.copy())
                       for C, E in _group_sandwich(list(pairs), hermitian=True)]

    def __call__(self, X: np.ndarray) -> np.ndarray:
        K = np.asarray(self.Abar @ X)
        Kt = None
        for C, Et in self.groups:
            R = np.asarray(Et @ np.ascontiguousarray(np.asarray(C @ X).T))  # (C X E)ᵀ / 2
            if Kt is None:
                Kt = R
            else:
                Kt += R
        if Kt is not None:
            K += Kt.T
        K += K.conj().T  # conj() copies first, so the in-place sum is safe
        return K


def _is_hermiticity_preserving(liou: _GeneralLiouvillian, d: int) -> bool:
    """L(X)ᴴ = L(X) for a random Hermitian X (a map failing this fails it generically)."""
    rng = np.random.default_rng(54321)
    X = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
    X = X + X.conj().T
    LX = liou(X)
    return np.linalg.norm(LX - LX.conj().T) <= 1e-11 * max(np.linalg.norm(LX), 1e-300)


__all__ = ["Operator"]
