"""Small pieces the benchmark scripts share (run as ``python benchmarks/X.py``)."""

from __future__ import annotations

import numpy as np


def trace_distance(a: np.ndarray, b: np.ndarray) -> float:
    """½‖a − b‖₁ of two Hermitian matrices (density matrices as NumPy arrays)."""
    return 0.5 * float(np.abs(np.linalg.eigvalsh(a - b)).sum())


def gmres_steps(M, rhs: np.ndarray, precond, restart: int = 1000) -> int | str:
    """SciPy GMRES steps for M x = rhs (relative tolerance 1e-11) with the preconditioner
    x ↦ precond(x); ">n" when it did not converge within three restarts."""
    import scipy.sparse.linalg as spla
    count = [0]

    def callback(_):
        count[0] += 1
    _, info = spla.gmres(M, rhs, M=spla.LinearOperator(M.shape, matvec=precond, dtype=complex),
                         rtol=1e-11, restart=restart, maxiter=3, callback=callback,
                         callback_type="pr_norm")
    return count[0] if info == 0 else f">{count[0]}"
