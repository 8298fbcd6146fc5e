"""Batched solver of the steady-state Lyapunov equation A V + V Aᵀ = −D (paper Eq. 11).

``scipy.linalg.solve_continuous_lyapunov`` handles one matrix per call; a sweep needs 10⁵ of
them. V is symmetric, so for n×n matrices the equation is a linear system in the
n(n+1)/2 unknowns of its upper triangle (21 for n = 6):

    M v = −vech(D),   M = E (A ⊗ I + I ⊗ A) T,

with T the duplication (vech → vec) and E the selection (vec → vech) matrices. Two solvers
of that one system:

* compiled (:mod:`linear._vech_lu`, numba): M built entry by entry from A and factorised by
  Gaussian elimination with partial pivoting, many points per SIMD loop. The default.
* NumPy (:func:`_solve_numpy`): M is linear in A, so the whole batch is built as one matrix
  product vec(A)·W with a constant W (n² × m²), and NumPy's batched ``solve`` factorises
  all m×m systems in one call. Used where numba is not installed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from threadpoolctl import threadpool_limits

import numpy as np


_MIN_SPLIT = 512  # below this per thread, thread start-up costs more than it saves


@lru_cache(maxsize=8)
def _vech_maps(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols) of the upper triangle, the selected vec rows and the duplication matrix."""
    rows, cols = np.triu_indices(n)
    sel = rows * n + cols
    dup = np.zeros((n * n, rows.size))
    dup[sel, np.arange(rows.size)] = 1.0
    dup[cols * n + rows, np.arange(rows.size)] = 1.0
    return rows, cols, sel, dup


@lru_cache(maxsize=8)
def _operator_map(n: int) -> np.ndarray:
    """W (n², m²) with vec(M) = vec(A)·W, M·vech(V) = vech(A V + V Aᵀ)."""
    _, _, sel, dup = _vech_maps(n)
    m = sel.size
    eye = np.eye(n)
    W = np.empty((n * n, m * m))
    for a in range(n * n):
        E = np.zeros((n, n))
        E.flat[a] = 1.0
        # Row-major vec: (A V)_{ij} -> kron(A, I), (V Aᵀ)_{ij} -> kron(I, A).
        W[a] = ((np.kron(E, eye) + np.kron(eye, E))[sel] @ dup).ravel()
    return W


def _operator(A: np.ndarray) -> np.ndarray:
    """M (..., m, m) with M·vech(V) = vech(A V + V Aᵀ)."""
    n = A.shape[-1]
    m = n * (n + 1) // 2
    return (A.reshape(A.shape[:-2] + (n * n,)) @ _operator_map(n)).reshape(A.shape[:-2] + (m, m))


@lru_cache(maxsize=1)
def _compiled_kernel():
    """The numba kernel, or None without numba (imported on first use: numba is slow to import)."""
    try:
        from . import _vech_lu
    except ImportError:
        return None
    return _vech_lu


def _solve_numpy(A: np.ndarray, D: np.ndarray, refine: int) -> np.ndarray:
    """NumPy path of :func:`solve_lyapunov`: A, D (..., n, n) float, D broadcast to A."""
    n = A.shape[-1]
    rows, cols, _, _ = _vech_maps(n)
    M = _operator(A)
    V = np.zeros(A.shape)
    R = D  # residual A V + V Aᵀ + D at V = 0
    for step in range(1 + refine):
        v = np.linalg.solve(M, -R[..., rows, cols][..., None])[..., 0]
        V[..., rows, cols] += v
        V[..., cols, rows] = V[..., rows, cols]
        if step < refine:
            AV = A @ V
            R = AV + np.swapaxes(AV, -1, -2) + D
    return V


def _solve_compiled(kernel, A: np.ndarray, D: np.ndarray, refine: int) -> np.ndarray:
    """Compiled path of :func:`solve_lyapunov`: A, D (..., n, n) float, D broadcast to A."""
    n = A.shape[-1]
    flatA, flatD = A.reshape(-1, n, n), D.reshape(-1, n, n)  # views unless A is strided
    V = np.empty(flatA.shape)
    lanes = max(1, min(kernel.LANES, len(flatA)))  # a single point must not pay for 64
    if kernel.solve_batch(flatA, flatD, refine, lanes, V) >= 0:
        raise np.linalg.LinAlgError("Singular matrix")  # NumPy's words for the same failure
    return V.reshape(A.shape)


def solve_lyapunov(A: np.ndarray, D: np.ndarray, *, refine: int = 0, workers: int = 1
                   ) -> np.ndarray:
    """Solve A V + V Aᵀ = −D for symmetric V, batched over leading axes (paper Eq. 11).

    Solved as the linear system M vech(V) = −vech(D) in the n(n+1)/2 unknowns of V's upper
    triangle, by the compiled kernel where numba is installed, else by NumPy's batched
    LAPACK ``solve`` (the module docstring). Both factorise M with partial pivoting: they
    agree to rounding (~1e-13 relative on the paper model).

    Parameters
    ----------
    A : ndarray, shape (..., n, n)
        Drift matrices; the caller checks stability (a singular or unstable A gives
        no physical steady state).
    D : ndarray, shape (..., n, n)
        Symmetric diffusion matrices, broadcastable against ``A``.
    refine : int
        Steps of iterative refinement on the residual A V + V Aᵀ + D. None are needed for
        this model (the benchmark finds no gain in agreement with SciPy); offered for
        badly conditioned inputs.
    workers : int
        Threads sharing a large batch (the kernel and NumPy's batched LAPACK release the
        GIL). The sweep engine parallelises at a coarser level and calls this with 1.

    Returns
    -------
    ndarray, shape (..., n, n)
        Symmetric V.

    Raises
    ------
    numpy.linalg.LinAlgError
        "Singular matrix" where some point's M is exactly singular (λ_i + λ_j = 0 for two
        eigenvalues of A), as NumPy's ``solve`` raises.

    Examples
    --------
    >>> import numpy as np
    >>> from omxval import linear
    >>> V = linear.solve_lyapunov(np.diag([-1.0, -2.0]), np.eye(2))   # V_ii = D_ii / (2|A_ii|)
    >>> V.round(6).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    A = np.asarray(A, dtype=float)
    D = np.broadcast_to(np.asarray(D, dtype=float), A.shape)
    if workers > 1 and A.ndim == 3 and len(A) >= 2 * _MIN_SPLIT:
        parts = np.array_split(np.arange(len(A)), workers)
        with threadpool_limits(limits=1, user_api="blas"), \
                ThreadPoolExecutor(max_workers=workers) as pool:  # one BLAS thread per worker
            out = list(pool.map(lambda i: solve_lyapunov(A[i], D[i], refine=refine), parts))
        return np.concatenate(out)
    kernel = _compiled_kernel()
    if kernel is None:
        return _solve_numpy(A, D, refine)
    return _solve_compiled(kernel, A, D, refine)
