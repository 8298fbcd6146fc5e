"""Benchmark of the Gaussian framework on a user's 4-mode model. Run on demand, not a test.

    python benchmarks/bench_model.py [--points 10000] [--threads 1]

Model: examples/models/two_cavities_two_mirrors.toml (two cavities with hopping, two
mechanical modes with hopping; V is 8×8, 36 unknowns). In one run, on the same stable
drift matrices of a sweep of ``modes.a.detuning`` and ``modes.c.detuning``:

1. the batched Lyapunov solver (:func:`linear.solve_lyapunov`, and its NumPy path) against
   a per-point loop of ``scipy.linalg.solve_continuous_lyapunov``: µs/point each, the
   ratios, the largest relative difference;
2. the whole vectorised sweep (``linear.sweep(model, {...})``: every mean-field branch,
   drift, stability, V, every pair's E_N) against the per-point pipeline
   (``linear.analyze`` of each point's branches) on a subset.

BLAS threads are pinned with threadpoolctl (default 1).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import scipy
import scipy.linalg
from threadpoolctl import threadpool_limits

from omxval import Model, linear
from omxval.linear.modelfield import branches, model_arrays
from omxval.linear import lyapunov
from omxval.linear.modelgauss import gaussian_states

MODEL = Path(__file__).resolve().parents[1] / "examples" / "models" / "two_cavities_two_mirrors.toml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--model", default=str(MODEL), help="model file (default: %(default)s)")
    ap.add_argument("--rank-one", action="store_true",
                    help="drop the c–b2 coupling, so that only cavity a pushes the mirrors: "
                         "the mean field is then one polynomial per point (every branch)")
    args = ap.parse_args()
    model = Model.from_toml(args.model)
    if args.rank_one:
        model = Model(model.modes, [c for c in model.couplings
                                    if not (c.kind == "radiation-pressure" and c.cavity == "c")],
                      model.name + " (rank-1 coupling)", model.unit)
    side = int(np.ceil(np.sqrt(args.points)))
    grid = {"modes.a.detuning": np.linspace(0.2, 2.0, side),
            "modes.c.detuning": np.linspace(0.2, 2.0, side)}
    mesh = dict(zip(grid, np.meshgrid(*grid.values(), indexing="ij")))
    with threadpool_limits(args.threads):
        t = time.perf_counter()
        ar = model_arrays(model, mesh)
        br = branches(ar)
        r = gaussian_states(ar, br)
        t_sweep = time.perf_counter() - t
        stable = r["stable"]
        A = r["A"][stable]
        D = np.broadcast_to(r["D"][:, None], r["A"].shape)[stable]
        n = len(A)
        linear.solve_lyapunov(A[:10], D[:10])  # compile (or load) the kernel
        t = time.perf_counter()
        V = linear.solve_lyapunov(A, D)
        t_batch = time.perf_counter() - t
        t = time.perf_counter()
        lyapunov._solve_numpy(A, D, 0)
        t_numpy = time.perf_counter() - t
        t = time.perf_counter()
        Vs = np.array([scipy.linalg.solve_continuous_lyapunov(a, -d) for a, d in zip(A, D)])
        t_scipy = time.perf_counter() - t
        diff = np.max(np.abs(V - Vs) / np.abs(Vs).max(axis=(-2, -1), keepdims=True))
        sub = 200
        pts = np.random.default_rng(0).choice(ar.size, sub, replace=False)
        flat = {k: v.ravel() for k, v in mesh.items()}
        t = time.perf_counter()
        for i in pts:
            m = model.with_parameters({k: float(v[i]) for k, v in flat.items()})
            linear.modelgauss.analyze_branches(m)
        t_point = (time.perf_counter() - t) / sub
    print(f"machine: {platform.machine()} {platform.processor() or ''}, numpy "
          f"{np.__version__}, scipy {scipy.__version__}, BLAS threads {args.threads}")
    print(f"model: {model.name}, {len(model.modes)} modes (V {2 * len(model.modes)}x"
          f"{2 * len(model.modes)}), grid {side}x{side} = {ar.size} points, "
          f"{int(br.n_branches.sum())} branches, {n} stable")
    print(f"1. Lyapunov on {n} stable drift matrices: batched {1e6 * t_batch / n:.2f} µs/point, "
          f"scipy loop {1e6 * t_scipy / n:.2f} µs/point, ratio {t_scipy / t_batch:.1f}x, "
          f"max relative difference {diff:.1e}; NumPy batched-LAPACK path (the fallback "
          f"without numba) {1e6 * t_numpy / n:.2f} µs/point, ratio {t_scipy / t_numpy:.1f}x")
    print(f"2. whole sweep (branches, drift, stability, V, every pair's E_N): "
          f"{1e6 * t_sweep / ar.size:.1f} µs/point; per-point pipeline (analyze every branch, "
          f"{sub} points) {1e6 * t_point:.0f} µs/point; ratio {t_point * ar.size / t_sweep:.1f}x")
    print(f"   mean field: {'one polynomial per point' if br.complete.all() else 'multi-start Newton per point (rank-2 coupling), which dominates both'}")


if __name__ == "__main__":
    main()
