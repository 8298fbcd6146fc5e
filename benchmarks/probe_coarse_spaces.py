"""Would a two-level preconditioner cut the structured solver's GMRES steps? Small d, exact.

    OMP_NUM_THREADS=1 python benchmarks/probe_coarse_spaces.py [--cutoffs 4 2 10 4 2 18]

The structured solver preconditions M(X) = L(X) + tr(X)·I/d with S⁻¹, the exact inverse of
the no-jump part S(X) = Ā X + X B̄; probe_jump_preconditioners.py found that what S misses
is the optical jumps. Here S⁻¹ is combined with an exact correction on a small coarse space
(GMRES from SciPy, restart 1000, relative tolerance 1e-11; superoperators formed, d ≲ 150),
at the paper's Fig. 3 point (``fig3-ccw``, G0 = 0.05, linearized model, its bath):

* Fock coarse spaces: the operators on a smaller Fock space (lower cutoffs, one or all
  modes), the Galerkin block of M, multiplicative correction after S⁻¹;
* the rate-equation coarse space: the diagonal of X in the Schur basis of Ā (X = U diag(y)
  Uᴴ), where the Galerkin block of M is a d×d Pauli rate matrix (the no-jump part diagonal,
  the jumps Γ_ij = Σ_k (C̃_k)_ij (D̃_k)_ji), applied additively (free inside the Schur
  preconditioner) or multiplicatively before, after or on both sides of S⁻¹ (one more L
  application and one more congruence a step).

Prints the GMRES steps of each. Measured: none comes near the 2.4–2.6× of keeping the
optical jumps (benchmarks/results/probe_coarse_spaces.txt).
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import qutip
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from _common import fig3_linearized, superop
from _common import gmres_steps as steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cutoffs", type=int, nargs="+", default=[4, 2, 10, 4, 2, 18],
                    help="triples (N_ccw, N_cw, N_m)")
    args = ap.parse_args()
    bath, systems = fig3_linearized(args.cutoffs)
    print(f"# GMRES steps with two-level preconditioners, fig3-ccw linearized, G0 = 0.05, "
          f"bath {bath}\n")
    for cut, g in systems:
        d, dims = g.hilbert_dim, g.dims[0]
        S = superop(qutip.spre(g.left) + qutip.spost(g.right)).tocsc()
        J = sum(superop(qutip.sprepost(C, D)) for C, D in g.sandwich)
        w = np.eye(d).ravel(order="F") / d  # vec(I/d), column-major as QuTiP's
        M = (S + J + sp.csc_matrix(np.outer(w, np.eye(d).ravel(order="F")))).tocsc()
        lu_s = spla.splu(S)
        rhs = w.astype(complex)
        rows = [("S⁻¹ alone", steps(M, rhs, lu_s.solve))]

        # Fock coarse spaces: X restricted to the states below the coarse cutoffs.
        fock = np.array(list(itertools.product(*[range(n) for n in dims])))
        m_cut = max(2, cut[2] // 3)
        for keep in [(cut[0], cut[1], m_cut), (cut[0], cut[1], cut[2] // 2),
                     (max(2, cut[0] // 2), cut[1], cut[2]), (2, 1, cut[2])]:
            sel = np.flatnonzero(np.all(fock < np.array(keep), axis=1))
            idx = (sel[:, None] + d * sel[None, :]).ravel(order="F")
            lu_c = spla.splu(M[idx][:, idx].tocsc())

            def fock_mult(r, idx=idx, lu_c=lu_c):
                z = lu_s.solve(r)
                z[idx] += lu_c.solve((r - M @ z)[idx])
                return z
            rows.append((f"S⁻¹ then Fock coarse {keep} (d_c = {sel.size})",
                         steps(M, rhs, fock_mult)))

        # The rate-equation coarse space: diagonal matrices in the Schur basis of Ā.
        T, U = sla.schur(g.left.full(), output="complex")
        UH = U.conj().T
        Mc = np.diag(np.diag(T) + np.diag(UH @ g.right.full() @ U)).astype(complex)
        for C, D in g.sandwich:
            Mc += (UH @ C.full() @ U) * (UH @ D.full() @ U).T
        Mc += np.ones((d, d)) / d  # the border: tr(U diag(y) Uᴴ) = Σ y
        lu_rate = sla.lu_factor(Mc)

        def coarse(r):
            y = sla.lu_solve(lu_rate, np.diag(UH @ r.reshape((d, d), order="F") @ U))
            return ((U * y) @ UH).ravel(order="F")

        def additive(r):
            return lu_s.solve(r) + coarse(r)

        def after(r):
            z = lu_s.solve(r)
            return z + coarse(r - M @ z)

        def before(r):
            z = coarse(r)
            return z + lu_s.solve(r - M @ z)

        def both(r):
            z = before(r)
            return z + coarse(r - M @ z)
        for label, fn in (("rate coarse, additive", additive), ("S⁻¹ then rate coarse", after),
                          ("rate coarse then S⁻¹", before),
                          ("rate coarse, S⁻¹, rate coarse", both)):
            rows.append((label, steps(M, rhs, fn)))
        print(f"\n## cutoffs {cut}, d = {d}\n\n| preconditioner | GMRES steps |\n|---|---|")
        for label, n in rows:
            print(f"| {label} | {n} |", flush=True)


if __name__ == "__main__":
    main()
