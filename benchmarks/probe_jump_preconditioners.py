"""Which missing terms make the structured solver's GMRES slow? Exact preconditioners, small d.

    OMP_NUM_THREADS=1 python benchmarks/probe_jump_preconditioners.py [--cutoffs 4 2 10 ...]

The structured solver preconditions the bordered system M(X) = L(X) + tr(X)·I/d with the
exact inverse of the no-jump (Sylvester) part S(X) = Ā X + X B̄ of L = S + Σ_k C_k X D_k.
Here, at the paper's Fig. 3 point (``fig3-ccw``, G0 = 0.05, linearized model, its bath),
the sandwich terms are sorted by the modes their left factor acts on — optical (the cavity
losses κ a X a†) or mechanical (the bath's terms) — and GMRES (SciPy, restarted every 500 steps, which these never reach;
relative tolerance 1e-11) is run with the exact inverse (sparse LU of the d²×d²
superoperator) of S, of S plus the optical terms and of S plus the mechanical ones. Prints
the iteration counts per cutoff: what a preconditioner would gain by keeping each group.
Superoperators are formed, so keep d ≲ 150.
"""

from __future__ import annotations

import argparse

import numpy as np
import qutip
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from _common import fig3_linearized, gmres_steps, superop


def acts_on(op: qutip.Qobj, dims: list[int], mode: int) -> bool:
    """Whether ``op`` acts nontrivially on ``mode`` (fails to commute with its a or a†)."""
    a = qutip.tensor(*[qutip.destroy(n) if j == mode else qutip.qeye(n)
                       for j, n in enumerate(dims)])
    return any((op * o - o * op).norm() > 1e-12 for o in (a, a.dag()))


def iterations(M: spla.LinearOperator, rhs: np.ndarray, P: sp.spmatrix) -> int:
    """GMRES steps for M x = rhs with the exact inverse of P as preconditioner."""
    n = gmres_steps(M, rhs, spla.splu(sp.csc_matrix(P)).solve, restart=500)
    if isinstance(n, str):
        raise RuntimeError(f"GMRES did not converge ({n} steps)")
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cutoffs", type=int, nargs="+", default=[4, 2, 6, 4, 2, 10, 4, 2, 14,
                                                               4, 2, 18],
                    help="triples (N_ccw, N_cw, N_m)")
    args = ap.parse_args()
    bath, systems = fig3_linearized(args.cutoffs)
    print(f"# GMRES iterations with exact preconditioners, fig3-ccw linearized, G0 = 0.05, "
          f"bath {bath}\n")
    print("| cutoffs | d | S | S + optical jumps | S + mechanical terms |\n|---|---|---|---|---|")
    for cut, g in systems:
        d, dims = g.hilbert_dim, g.dims[0]
        S = superop(qutip.spre(g.left) + qutip.spost(g.right))
        groups = {"optical": [], "mechanical": []}
        for C, D in g.sandwich:
            key = "mechanical" if acts_on(C, dims, len(dims) - 1) else "optical"
            groups[key].append(superop(qutip.sprepost(C, D)))
        J = {k: sum(v) if v else sp.csc_matrix(S.shape) for k, v in groups.items()}
        L = S + J["optical"] + J["mechanical"]
        w = np.eye(d).ravel(order="F") / d  # vec(I/d), column-major as QuTiP's
        t = np.eye(d).ravel(order="F")      # tr(X) = t · vec(X)
        M = spla.LinearOperator(L.shape, matvec=lambda x: L @ x + w * (t @ x), dtype=complex)
        counts = [iterations(M, w.astype(complex), P)
                  for P in (S, S + J["optical"], S + J["mechanical"])]
        print(f"| {cut} | {d} | {counts[0]} | {counts[1]} | {counts[2]} |", flush=True)


if __name__ == "__main__":
    main()
