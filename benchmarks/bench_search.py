"""Benchmark: the cutoff search from the predicted start against the former start.

    python benchmarks/bench_search.py [--points 8] [--seed 0]

Points drawn from the built-in map's grid (omxval map: G0 × |G_d|, docs/validity.md), one
BLAS thread. For each, :func:`compare.adaptive_cutoffs` (nonlinear, the map's max_dimension)
twice in this process: from :func:`~omxval.compare.studies.convergence.gaussian_cutoffs`
(the start before issue 21: the mean occupation's thermal tail at 1e-3) and from the default
:func:`~omxval.compare.studies.convergence.predicted_cutoffs` (the heavier quadrature's tail
at the search's V tolerance). Reported: solves, CPU seconds (process time, robust to other
load), the converged cutoffs and the largest |ΔE_N| between the two results. Prints a
Markdown table and the totals.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
from threadpoolctl import threadpool_limits

from omxval import compare, linear
from omxval.compare.app.config import ReportConfig
from omxval.compare.studies.convergence import gaussian_cutoffs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--points", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    spec = ReportConfig().map_spec()
    grid = spec.points()
    random.Random(args.seed).shuffle(grid)
    print("| G0 | |G_d| | start | solves | CPU s | cutoffs | E_N exact |")
    print("|---|---|---|---|---|---|---|")
    total = {"former": [0, 0.0], "predicted": [0, 0.0]}
    worst = 0.0
    done = 0
    for design in grid:
        if done == args.points:
            break
        point = linear.design_point(**design, direction=spec.direction, bath=spec.bath)
        if not linear.analyze(point).stable:
            continue
        done += 1
        results = {}
        for name, start in (("former", gaussian_cutoffs(point)), ("predicted", None)):
            t = time.process_time()
            with threadpool_limits(1):
                fit = compare.adaptive_cutoffs(point, "nonlinear", start=start,
                                               max_dimension=spec.max_dimension)
            cpu = time.process_time() - t
            en = fit.state.log_negativity_exact if fit.converged else np.nan
            results[name] = en
            total[name][0] += fit.solves
            total[name][1] += cpu
            print(f"| {design['G0']:g} | {design['coupling']:g} | {name} | {fit.solves} | "
                  f"{cpu:.1f} | {fit.cutoffs}{'' if fit.converged else ' (not converged)'} | "
                  f"{en:.6f} |", flush=True)
        if np.isfinite(results["former"]) and np.isfinite(results["predicted"]):
            worst = max(worst, abs(results["former"] - results["predicted"]))
    (s0, c0), (s1, c1) = total["former"], total["predicted"]
    print(f"\n{done} points: former start {s0} solves, {c0:.0f} CPU s; predicted start "
          f"{s1} solves, {c1:.0f} CPU s: {s0 / max(s1, 1):.2f}× fewer solves, "
          f"{c0 / max(c1, 1e-9):.2f}× less CPU; largest |ΔE_N| between them {worst:.1e}")


if __name__ == "__main__":
    main()
