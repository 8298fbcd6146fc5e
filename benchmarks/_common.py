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


def fig3_linearized(flat_cutoffs: list[int]):
    """The probes' systems: the paper's Fig. 3 point (``fig3-ccw``, G0 = 0.05), its bath, and
    the ``linearized`` generator at each cutoff triple of ``flat_cutoffs`` (N_ccw, N_cw, N_m,
    …), as (bath, [(cutoffs, generator), …])."""
    from omxval.compare.studies.paper_device import paper_points
    from omxval.fullquantum.models import generator_for
    p = next(q for q in paper_points() if q.name == "fig3-ccw")
    point = p.operating_point(0.05)
    trip = list(zip(flat_cutoffs[0::3], flat_cutoffs[1::3], flat_cutoffs[2::3]))
    return p.bath, [(cut, generator_for(point, cutoffs=cut, hamiltonian="linearized"))
                    for cut in trip]


def superop(q):
    """A QuTiP superoperator as a SciPy CSC matrix (column-stacking, QuTiP's vec)."""
    import scipy.sparse as sp
    return sp.csc_matrix(q.to("csr").data_as("csr_matrix"))
