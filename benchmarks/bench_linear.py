"""Benchmark of the Gaussian model (issue: linear). Run on demand, not a test.

    python benchmarks/bench_linear.py [--points 10000] [--threads 1]

1. Lyapunov solvers on the same ≥ 1e4 random *stable* drift matrices of this model (paper
   set, random Δ_c, Ω, J, P), timed in one run, interleaved round by round so that a load
   change on a shared machine hits all alike: a loop over
   scipy.linalg.solve_continuous_lyapunov (the per-point pipeline), linear.solve_lyapunov
   (compiled kernel, with workers=2 too) and its NumPy batched-LAPACK path (the fallback
   without numba). µs/point, ratio to the loop, and the largest relative difference
   max |V − V_ref| / max |V_ref| per point. Where it exceeds 1e-12 against SciPy, both are
   also compared with a reference refined with long-double residuals: near marginal
   stability SciPy's Bartels–Stewart is the less accurate of the two.
2. The χ(J, Ω) map of paper Eq. 14 at 31×31 for both drive directions (each a maximum over
   Δ_c), with 1 and 2 worker threads.

BLAS threads are pinned with threadpoolctl (default 1: small dense work on a shared 2-core
machine is slower with more); the compiled kernel is single-threaded.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from importlib.metadata import version

import numpy as np
import scipy
import scipy.linalg
from threadpoolctl import threadpool_info, threadpool_limits

from omxval import linear
from omxval.linear import lyapunov, paper


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


def best_of_interleaved(fns: dict, rounds: int) -> dict:
    """Least time of each callable over ``rounds`` rounds, each round running every one once."""
    best = dict.fromkeys(fns, np.inf)
    for _ in range(rounds):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def relative_difference(V: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """max |V − ref| / max |ref| of each point."""
    return np.abs(V - ref).max(axis=(-2, -1)) / np.abs(ref).max(axis=(-2, -1))


def refined_reference(a: np.ndarray, d: np.ndarray, steps: int = 3) -> np.ndarray:
    """V of A V + V Aᵀ = −D from the full n² Kronecker system, refined with residuals in
    long double (80-bit on x86_64): accurate to about double rounding where cond · 1e-19 ≪ 1."""
    n = len(a)
    K = np.kron(a, np.eye(n)) + np.kron(np.eye(n), a)  # row-major vec(A V + V Aᵀ)
    x = np.linalg.solve(K, -d.ravel()).astype(np.longdouble)
    Kl, dl = K.astype(np.longdouble), d.ravel().astype(np.longdouble)
    for _ in range(steps):
        x -= np.linalg.solve(K, (Kl @ x + dl).astype(float))
    return x.astype(float).reshape(n, n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (threadpoolctl)")
    args = ap.parse_args()
    blas = [f"{i['internal_api']} {i.get('version')} ({i['num_threads']} thr)"
            for i in threadpool_info()]
    kernel = lyapunov._compiled_kernel()
    numba = f"numba {version('numba')}" if kernel is not None else "no numba"
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
          f"{numba}")
    print(f"BLAS: {'; '.join(blas)}; limited to {args.threads} thread(s)\n")
    with threadpool_limits(args.threads):
        A, D = stable_systems(args.points)
        n = len(A)
        n_loop = min(n, 3000)
        if kernel is None:
            print("numba is not installed: linear.solve_lyapunov runs its NumPy path")
        linear.solve_lyapunov(A[:10], D[:10])  # compile (or load) the kernel, warm the maps
        t = best_of_interleaved({
            "loop": lambda: [scipy.linalg.solve_continuous_lyapunov(a, -d)
                             for a, d in zip(A[:n_loop], D[:n_loop])],
            "new": lambda: linear.solve_lyapunov(A, D),
            "new2": lambda: linear.solve_lyapunov(A, D, workers=2),
            "numpy": lambda: lyapunov._solve_numpy(A, D, 0),
        }, rounds=5)
        V = linear.solve_lyapunov(A, D)
        V_np = lyapunov._solve_numpy(A, D, 0)
        ref = np.array([scipy.linalg.solve_continuous_lyapunov(a, -d) for a, d in zip(A, D)])
        rel, rel_np = relative_difference(V, ref), relative_difference(V_np, ref)
        us = {k: v / (n_loop if k == "loop" else n) * 1e6 for k, v in t.items()}
        compiled = "compiled kernel" if kernel is not None else "NumPy path (no numba)"
        print(f"Lyapunov, {n} stable systems of the model (n = {A.shape[-1]}), "
              f"{args.threads} BLAS thread(s), kernel single-threaded")
        print("| solver | µs/point | ratio to loop |")
        print("|---|---|---|")
        print(f"| loop over scipy.linalg.solve_continuous_lyapunov ({n_loop} points) | "
              f"{us['loop']:.1f} | 1 |")
        print(f"| linear.solve_lyapunov ({compiled}, 1 thread) | {us['new']:.2f} | "
              f"{us['loop'] / us['new']:.1f}× |")
        print(f"| linear.solve_lyapunov ({compiled}, workers=2) | {us['new2']:.2f} | "
              f"{us['loop'] / us['new2']:.1f}× |")
        print(f"| NumPy batched LAPACK path (old solver, 1 thread) | {us['numpy']:.2f} | "
              f"{us['loop'] / us['numpy']:.1f}× |")
        print(f"max relative difference to SciPy: solve_lyapunov {rel.max():.2e} (median "
              f"{np.median(rel):.2e}), NumPy path {rel_np.max():.2e}; solve_lyapunov to "
              f"NumPy path {relative_difference(V, V_np).max():.2e}")
        far = np.nonzero(rel > 1e-12)[0]
        if far.size:
            exact = np.array([refined_reference(A[i], D[i]) for i in far])
            print(f"{far.size} points differ from SciPy by more than 1e-12; against a "
                  f"long-double-refined reference there: solve_lyapunov "
                  f"{relative_difference(V[far], exact).max():.2e}, NumPy path "
                  f"{relative_difference(V_np[far], exact).max():.2e}, SciPy "
                  f"{relative_difference(ref[far], exact).max():.2e}")
        print()

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
