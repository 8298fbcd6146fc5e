"""d×d matrices as the real vectors GMRES works on.

Hermitian ρ (Hermiticity-preserving generators) is stored as d² reals, half the memory of a
complex vector; a general ρ as its 2d² real and imaginary parts. Both maps are real-linear
isometries, so GMRES's inner products are the Frobenius ones.
"""

from __future__ import annotations

import numpy as np


class _HermitianPacking:
    """Hermitian X ↔ real R = Re X + Im X (d² reals).

    Re X is symmetric and Im X antisymmetric, so they are orthogonal: ‖R‖ = ‖X‖_F and the
    real inner product of packed vectors equals Re tr(X₁ᴴX₂). Unpacking takes the symmetric
    and antisymmetric parts; packing a non-Hermitian X keeps its Hermitian part.
    """

    def __init__(self, d: int):
        self.d = d
        self.n = d * d

    def pack(self, X: np.ndarray, dtype=np.float64) -> np.ndarray:
        return np.add(X.real, X.imag, dtype=dtype).ravel()

    def unpack(self, v: np.ndarray, dtype=np.complex128) -> np.ndarray:
        R = v.reshape(self.d, self.d)
        X = np.empty((self.d, self.d), dtype=dtype)
        np.add(R, R.T, out=X.real)
        np.subtract(R, R.T, out=X.imag)
        X *= 0.5
        return X


class _ComplexPacking:
    """General complex X ↔ its 2d² real and imaginary parts (a real-linear isometry)."""

    def __init__(self, d: int):
        self.d = d
        self.n = 2 * d * d

    def pack(self, X: np.ndarray, dtype=np.float64) -> np.ndarray:
        cdt = np.complex64 if dtype == np.float32 else np.complex128
        return np.ascontiguousarray(X, dtype=cdt).ravel().view(dtype).copy()

    def unpack(self, v: np.ndarray, dtype=np.complex128) -> np.ndarray:
        fdt = np.float32 if dtype == np.complex64 else np.float64
        return np.ascontiguousarray(v, dtype=fdt).view(dtype).reshape(self.d, self.d).copy()
