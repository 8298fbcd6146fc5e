"""Benchmark of the Gaussian model (issue: linear). Run on demand, not a test.

    python benchmarks/bench_linear.py [--points 10000] [--threads 1]

1. Batched Lyapunov solver vs a loop over scipy.linalg.solve_continuous_lyapunov on the
   same ≥ 1e4 random *stable* drift matrices of this model (paper set, random Δ_c, Ω, J, P),
   in one run: µs/point for both, the ratio, and the largest relative difference.
2. The χ(J, Ω) map of paper Eq. 14 at 31×31 for both drive directions (each a maximum over
   Δ_c), with 1 and 2 worker threads.

BLAS threads are pinned with threadpoolctl (default 1: small dense work on a shared 2-core
machine is slower with more).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import scipy
import scipy.linalg
from threadpoolctl import threadpool_info, threadpool_limits

from omxval import linear
from omxval.linear import paper


def stable_systems(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    setup = linear.PaperSetup()
    rng = np.random.default_rng(seed)
    As, Ds = [], []
    while sum(len(a) for a in As) < n:
        m = 2 * n
        f = setup.dimensionless(Delta_c=rng.uniform(-1, 3, m), Omega=rng.uniform(0, 3e4, m),
                                J=rng.uniform(0, 2, m) * setup.kappa_si,
                                power=rng.uniform(1e-3, 3e-2, m))
        mf = linear.meanfield.branches(f["kappa"], f["J"], f["Delta_c"], f["Delta_F"],
                                       f["gamma_m"], f["G0"], f["eps"], "brownian", "ccw")
        G = np.sqrt(2) * f["G0"]
        A = linear.drift.drift_arrays(f["kappa"], f["J"], mf["Dt_ccw"][:, 0],
                                      mf["Dt_cw"][:, 0], G * mf["alpha_ccw"][:, 0],
                                      G * mf["alpha_cw"][:, 0], f["gamma_m"], "brownian")
        A = A[linear.is_stable(A)]
        As.append(A)
        Ds.append(np.broadcast_to(linear.drift.diffusion_arrays(
            f["kappa"], f["gamma_m"], f["n_m"], "brownian"), A.shape))
    return np.concatenate(As)[:n], np.concatenate(Ds)[:n]


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (threadpoolctl)")
    args = ap.parse_args()
    blas = [f"{i['internal_api']} {i.get('version')} ({i['num_threads']} thr)"
            for i in threadpool_info()]
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}")
    print(f"BLAS: {'; '.join(blas)}; limited to {args.threads} thread(s)\n")
    with threadpool_limits(args.threads):
        A, D = stable_systems(args.points)
        n = len(A)
        linear.solve_lyapunov(A[:10], D[:10])  # warm the cached index maps
        t_batch = best_of(lambda: linear.solve_lyapunov(A, D), 3)
        t_batch2 = best_of(lambda: linear.solve_lyapunov(A, D, workers=2), 3)
        n_loop = min(n, 3000)
        t_loop = best_of(lambda: [scipy.linalg.solve_continuous_lyapunov(a, -d)
                                  for a, d in zip(A[:n_loop], D[:n_loop])], 2)
        V = linear.solve_lyapunov(A, D)
        ref = np.array([scipy.linalg.solve_continuous_lyapunov(a, -d) for a, d in zip(A, D)])
        rel = np.abs(V - ref).max(axis=(1, 2)) / np.abs(ref).max(axis=(1, 2))
        us_b, us_b2, us_l = t_batch / n * 1e6, t_batch2 / n * 1e6, t_loop / n_loop * 1e6
        print(f"Lyapunov, {n} stable systems of the model")
        print("| solver | µs/point | ratio |")
        print("|---|---|---|")
        print(f"| loop over scipy.linalg.solve_continuous_lyapunov | {us_l:.1f} | 1 |")
        print(f"| linear.solve_lyapunov (batched, 1 thread) | {us_b:.2f} | {us_l / us_b:.1f}× |")
        print(f"| linear.solve_lyapunov (batched, workers=2) | {us_b2:.2f} | {us_l / us_b2:.1f}× |")
        print(f"max relative difference {rel.max():.2e}, median {np.median(rel):.2e}\n")

        setup = linear.PaperSetup()
        Jg = np.linspace(0, 2.5, 31) * setup.kappa_si
        Og = np.linspace(0, 3e4, 31)
        print("χ map 31×31 × 2 directions (each a max over Δ_c)")
        print("| evaluate workers | seconds |")
        print("|---|---|")
        for w in (1, 2):
            os.environ["OMXVAL_WORKERS"] = str(w)
            t = best_of(lambda: paper.chi_map(setup, Jg, Og), 2)
            print(f"| {w} | {t:.2f} |")
        os.environ.pop("OMXVAL_WORKERS")


if __name__ == "__main__":
    main()
