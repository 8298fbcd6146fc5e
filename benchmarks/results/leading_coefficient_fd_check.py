"""Check of perturbative.leading_coefficient at fig2-ccw, cutoffs (12, 2, 17): solver tolerance,
the tail eigenvalues of X0 (pairs with |λ| below a threshold dropped from Eq. P13), and finite
differences of fullquantum.solve's exact E_N (nonlinear at G0 = 0.01, 0.005 vs linearized).

    OMP_NUM_THREADS=1 python benchmarks/results/leading_coefficient_fd_check.py

Output: leading_coefficient_fd_check.txt.
"""
import time, warnings, numpy as np
from omxval import fullquantum
from omxval.compare.studies.paper_device import paper_points
from omxval.perturbative.leading import perturbation_orders, reduced_partial_transpose, trace_norm_series, log_negativity_coefficients
warnings.simplefilter("ignore")
p = paper_points(names=["fig2-ccw"])[0]
cut = (12, 2, 17)
G0 = 0.01
op = p.operating_point(G0)
for tol in (1e-11, 1e-13):
    t = time.time()
    o = perturbation_orders(op, cut, options=fullquantum.StructuredOptions(tol=tol))
    X = [reduced_partial_transpose(r, cut, (0, 2)) for r in o.rho]
    lam, U = np.linalg.eigh(X[0])
    N0, N1, N2 = trace_norm_series(*X)
    print("tol", tol, "c2", log_negativity_coefficients(N0, N1, N2)[2] / G0**2, o.iterations, time.time() - t)
    Y1 = U.conj().T @ X[1] @ U; Y2 = U.conj().T @ X[2] @ U
    for thr in (0, 1e-14, 1e-12, 1e-10, 1e-8):
        keep = np.abs(lam) > thr
        l = lam[keep]; y1 = Y1[np.ix_(keep, keep)]; y2 = Y2[np.ix_(keep, keep)]
        sg = np.sign(l); pos, neg = l > 0, l < 0
        n2 = np.sum(sg * np.diag(y2).real) + 2 * np.sum(np.abs(y1[np.ix_(pos, neg)])**2 / (l[pos][:, None] - l[neg][None, :]))
        print("   thr", thr, "kept", keep.sum(), "of", len(lam), "c2", (n2 / N0) / G0**2)
    print("   min|lam|", np.min(np.abs(lam)), "neg count", (lam < 0).sum())
so = fullquantum.StructuredOptions(tol=1e-13)
e0 = fullquantum.solve(op, cutoffs=cut, hamiltonian="linearized", structured=so).log_negativity_exact
for g in (0.01, 0.005):
    e = fullquantum.solve(p.operating_point(g), cutoffs=cut, hamiltonian="nonlinear", structured=so).log_negativity_exact
    print("FD G0", g, (e - e0) / g**2)
