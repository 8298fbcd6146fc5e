"""Compiled kernel of :func:`linear.lyapunov.solve_lyapunov` (needs numba).

It solves the same vech system as the NumPy path, M v = −vech(D) (paper Eq. 11,
A V + V Aᵀ = −D), by Gaussian elimination with partial pivoting, but builds M straight from
A (each row of M holds at most 2n entries of A) and solves ``lanes`` points at once: every
array is laid out (..., lanes), so each step of the elimination is a loop over points with
unit stride, which LLVM turns into SIMD (each point keeps its own pivots). This is what
makes it faster than one LAPACK call per point, whose cost at m = 21 is mostly per-call
overhead.

The lane count is a run-time argument on purpose: as a compile-time constant, LLVM unrolls
the lane loops completely before its loop vectoriser sees them, and numba does not run the
SLP vectoriser that would then be needed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Points per block: 64 lanes are two passes of LLVM's 8-wide × 4-unrolled AVX-512 loop
# body; measured ~10 % faster than 32 (n = 6 and 8), M still within L2 (663 KB at n = 8).
LANES = 64

_JIT = dict(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})


@njit(**_JIT)
def _factor(M, piv, mult, lanes):
    """LU with partial pivoting of each lane's M (m, m, lanes), in place.

    LINPACK layout (``dgefa``): the interchange at step k moves only columns k.., so column
    k of L keeps the row order of step k, and half the strided swapping is saved;
    :func:`_lu_solve` applies the interchanges interleaved with the elimination to match.
    Returns a lane whose M is exactly singular (a zero pivot), or −1.
    """
    m = M.shape[0]
    best = np.empty(lanes)
    inv = np.empty(lanes)
    for k in range(m):
        for l in range(lanes):
            best[l] = abs(M[k, k, l])
            piv[k, l] = k
        for i in range(k + 1, m):
            for l in range(lanes):
                v = abs(M[i, k, l])
                if v > best[l]:
                    best[l] = v
                    piv[k, l] = i
        for l in range(lanes):
            q = piv[k, l]
            if q != k:  # one lane's rows, strided: columns k.. only (LINPACK layout)
                for j in range(k, m):
                    t = M[k, j, l]
                    M[k, j, l] = M[q, j, l]
                    M[q, j, l] = t
            if M[k, k, l] == 0.0:
                return l
            inv[l] = 1.0 / M[k, k, l]
        for i in range(k + 1, m):
            nonzero = False
            for l in range(lanes):
                mult[l] = M[i, k, l] * inv[l]
                M[i, k, l] = mult[l]
                nonzero |= mult[l] != 0.0
            if not nonzero:  # M is sparse for sparse A (the paper model's has 128 of 441)
                continue
            for j in range(k + 1, m):
                for l in range(lanes):
                    M[i, j, l] -= mult[l] * M[k, j, l]
    return -1


@njit(**_JIT)
def _lu_solve(M, piv, b, lanes):
    """Overwrite b (m, lanes) with the solution of M x = b, M factorised by :func:`_factor`."""
    m = M.shape[0]
    for k in range(m):  # interchanges interleaved, as the factorisation made them
        for l in range(lanes):
            q = piv[k, l]
            t = b[k, l]
            b[k, l] = b[q, l]
            b[q, l] = t
        for i in range(k + 1, m):
            for l in range(lanes):
                b[i, l] -= M[i, k, l] * b[k, l]
    for k in range(m - 1, -1, -1):
        for l in range(lanes):
            b[k, l] /= M[k, k, l]
        for i in range(k):
            for l in range(lanes):
                b[i, l] -= M[i, k, l] * b[k, l]


@njit(**_JIT)
def solve_batch(A, D, refine, lanes, V):
    """Write into V (N, n, n) the solutions of A V + V Aᵀ = −D for A, D (N, n, n).

    ``refine`` steps of iterative refinement on the residual A V + V Aᵀ + D reuse the LU
    factors. Returns the index of a point whose M is exactly singular (V is then
    incomplete), or −1.
    """
    N, n = A.shape[0], A.shape[1]
    m = n * (n + 1) // 2
    vech = np.empty((n, n), np.intp)  # (i, j) -> row of vech(V), upper triangle row by row
    r = 0
    for i in range(n):
        for j in range(i, n):
            vech[i, j] = r
            vech[j, i] = r
            r += 1
    At = np.empty((n, n, lanes))
    Dt = np.empty((n, n, lanes))
    M = np.empty((m, m, lanes))
    piv = np.empty((m, lanes), np.intp)
    mult = np.empty(lanes)
    x = np.empty((m, lanes))
    b = np.empty((m, lanes))
    for p0 in range(0, N, lanes):
        count = min(lanes, N - p0)
        for i in range(n):
            for k in range(n):
                for l in range(count):
                    At[i, k, l] = A[p0 + l, i, k]
                    Dt[i, k, l] = D[p0 + l, i, k]
                for l in range(count, lanes):  # idle lanes of the last block: A = −I, D = 0
                    At[i, k, l] = -1.0 if i == k else 0.0
                    Dt[i, k, l] = 0.0
        # Row (i, j) of M: (A V + V Aᵀ)_ij = Σ_k A_ik V_kj + Σ_k A_jk V_ik. For i < j the two
        # sums share only the unknown V_ij; for i = j they are the same sum.
        M[:] = 0.0
        for i in range(n):
            for j in range(i, n):
                r = vech[i, j]
                if i == j:
                    for k in range(n):
                        c = vech[k, i]
                        for l in range(lanes):
                            M[r, c, l] = 2.0 * At[i, k, l]
                else:
                    for k in range(n):
                        c = vech[k, j]
                        for l in range(lanes):
                            M[r, c, l] = At[i, k, l]
                    for k in range(n):
                        c = vech[i, k]
                        for l in range(lanes):
                            M[r, c, l] = At[j, k, l]
                    for l in range(lanes):
                        M[r, r, l] = At[i, i, l] + At[j, j, l]
                for l in range(lanes):
                    x[r, l] = -Dt[i, j, l]
        bad = _factor(M, piv, mult, lanes)
        if bad >= 0:  # never an idle lane: their M is −2·I
            return p0 + bad
        _lu_solve(M, piv, x, lanes)
        for _ in range(refine):
            for i in range(n):
                for j in range(i, n):
                    for l in range(lanes):
                        s = Dt[i, j, l]
                        for k in range(n):
                            s += At[i, k, l] * x[vech[k, j], l] + x[vech[i, k], l] * At[j, k, l]
                        b[vech[i, j], l] = -s
            _lu_solve(M, piv, b, lanes)
            for r in range(m):
                for l in range(lanes):
                    x[r, l] += b[r, l]
        for l in range(count):
            for i in range(n):
                for j in range(i, n):
                    V[p0 + l, i, j] = x[vech[i, j], l]
                    V[p0 + l, j, i] = x[vech[i, j], l]
    return -1
