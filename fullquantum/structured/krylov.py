"""Flexible GMRES in real arithmetic, the Krylov loop of the structured solver."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import scipy.linalg

# Kahan–Parlett reorthogonalisation threshold of the Gram–Schmidt step.
_REORTH = 0.7071


def _fgmres(matvec: Callable[[np.ndarray], np.ndarray],
            precond: Callable[[np.ndarray, float], np.ndarray],
            b: np.ndarray, x0: np.ndarray | None, tol: float, restart: int,
            maxiter: int) -> tuple[np.ndarray, int, float, bool]:
    """Right-preconditioned flexible GMRES(restart) for a real linear system.

    Flexible, because the preconditioner may change between steps (single, then double
    precision; ``precond(v, r)`` gets the current relative residual estimate r) and is not
    exactly linear in single precision: storing the preconditioned vectors z_j keeps the
    Arnoldi relation M Z = V H exact, so the attainable accuracy is that of double precision.
    Orthogonalisation is classical Gram–Schmidt (BLAS-2), repeated when the norm drops by
    more than 1/√2 (the "twice is enough" criterion of Kahan and Parlett).

    Returns
    -------
    x, iterations, relative true residual, converged
    """
    n = b.size
    bnorm = float(np.linalg.norm(b))
    target = tol * bnorm
    V = np.empty((restart + 1, n))
    Z = np.empty((restart, n))
    H = np.zeros((restart + 1, restart))
    cs = np.zeros(restart)
    sn = np.zeros(restart)
    g = np.zeros(restart + 1)
    if x0 is None:
        x = np.zeros(n)
        r = b.copy()
    else:
        x = np.array(x0, dtype=np.float64)
        r = b - matvec(x)
    rnorm = float(np.linalg.norm(r))
    its = 0
    while rnorm > target and its < maxiter:
        V[0] = r / rnorm
        H[:] = 0.0
        g[:] = 0.0
        g[0] = rnorm
        k = 0
        for j in range(restart):
            Z[j] = precond(V[j], abs(g[j]) / bnorm)
            w = matvec(Z[j])
            wn = float(np.linalg.norm(w))
            h = V[: j + 1] @ w
            w -= h @ V[: j + 1]
            hn = float(np.linalg.norm(w))
            if hn < _REORTH * wn:  # cancellation: a second pass restores orthogonality
                h2 = V[: j + 1] @ w
                w -= h2 @ V[: j + 1]
                h += h2
                hn = float(np.linalg.norm(w))
            H[: j + 1, j] = h
            H[j + 1, j] = hn
            for i in range(j):  # previous Givens rotations
                t = cs[i] * H[i, j] + sn[i] * H[i + 1, j]
                H[i + 1, j] = -sn[i] * H[i, j] + cs[i] * H[i + 1, j]
                H[i, j] = t
            rho = math.hypot(H[j, j], H[j + 1, j])
            cs[j], sn[j] = (1.0, 0.0) if rho == 0.0 else (H[j, j] / rho, H[j + 1, j] / rho)
            H[j, j] = rho
            H[j + 1, j] = 0.0
            g[j + 1] = -sn[j] * g[j]
            g[j] = cs[j] * g[j]
            its += 1
            k = j + 1
            if abs(g[j + 1]) <= target or its >= maxiter or hn <= 1e-14 * np.linalg.norm(h):
                break
            V[j + 1] = w / hn
        y = scipy.linalg.solve_triangular(H[:k, :k], g[:k], check_finite=False)
        x += y @ Z[:k]
        r = b - matvec(x)  # the true residual decides convergence, not the estimate
        rnorm = float(np.linalg.norm(r))
    return x, its, rnorm / bnorm, rnorm <= target
