"""Cost of analysing one operating point: omxval's batched engine on one point against the
straightforward per-point loop a peer toolbox would write (run on demand).

    OMP_NUM_THREADS=1 python benchmarks/bench_point.py [--points 2000]

The peer loop, written here as the obvious alternative: ``numpy.roots`` of the mean-field
quintic, the drift matrix, ``numpy.linalg.eigvals`` for stability,
``scipy.linalg.solve_continuous_lyapunov`` and the closed-form E_N (paper Eq. 12). Both see
the same points (the paper's device along Δ_c, Ω = 8e3 rad/s, ccw drive) in one run, and
the E_N they return are compared.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from omxval import linear
from omxval.linear.meanfield import _quintic, amplitudes


def peer_point(s: linear.System) -> float:
    """E_N of branch 0 the straightforward way (NaN if unstable)."""
    coeffs, (_, _, D_d, D_u) = _quintic(s.kappa, s.J, s.Delta_c, s.Delta_F, s.gamma_m, s.G0,
                                         s.eps, s.bath, "ccw")
    roots = np.roots(coeffs[::-1])
    x = np.sort(roots[np.abs(roots.imag) < 1e-9].real)[0]
    a_d, a_u = amplitudes(s.kappa, s.J, D_d - x, D_u - x, s.eps)
    A = linear.drift_matrix(s, linear.MeanField(0, 1, complex(a_d), complex(a_u), x / s.G0, 0.0,
                                                float(D_d - x), float(D_u - x), float(x)))
    if np.max(np.linalg.eigvals(A).real) >= 0:
        return float("nan")
    V = scipy.linalg.solve_continuous_lyapunov(A, -linear.diffusion_matrix(s))
    return float(linear.log_negativity(V, (0, 2)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=2000)
    args = ap.parse_args()
    setup = linear.PaperSetup()
    systems = [setup.system(Delta_c=d, Omega=8e3) for d in np.linspace(0.0, 2.0, args.points)]
    points = [linear.OperatingPoint(s, "ccw") for s in systems]
    with threadpool_limits(limits=1, user_api="blas"):
        rows = []
        for name, fn, items in (
                ("peer loop: np.roots + scipy Lyapunov", peer_point, systems),
                ("omxval analyze(system, 'ccw')",
                 lambda s: linear.analyze(s, "ccw").log_negativity_gaussian, systems),
                ("omxval analyze(point) (mean field already solved)",
                 lambda p: linear.analyze(p).log_negativity_gaussian, points),
                ("omxval OperatingPoint(system, 'ccw') (every branch)",
                 lambda s: linear.OperatingPoint(s, "ccw").n_branches, systems)):
            fn(items[0])  # warm-up
            t = time.perf_counter()
            values = [fn(x) for x in items]
            rows.append((name, (time.perf_counter() - t) / len(items) * 1e6, values))
    peer = np.array(rows[0][2], dtype=float)
    ours = np.array(rows[1][2], dtype=float)
    both = np.isfinite(peer) & np.isfinite(ours)
    print(f"{args.points} points, 1 BLAS thread\n")
    print("| per point | µs | vs peer loop |\n|---|---|---|")
    for name, us, _ in rows:
        print(f"| {name} | {us:.0f} | {us / rows[0][1]:.2f}× |")
    print(f"\nE_N agreement with the peer loop: max |Δ| = {np.max(np.abs(peer - ours)[both]):.1e} "
          f"over {both.sum()} stable points; unstable flags agree: "
          f"{np.array_equal(np.isnan(peer), np.isnan(ours))}")


if __name__ == "__main__":
    main()
