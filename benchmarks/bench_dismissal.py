"""Benchmark: the cutoff search with early dismissal against the climb to max_dimension.

    OMP_NUM_THREADS=1 python benchmarks/bench_dismissal.py [--points 6] [--max-dimension 1000]

The built-in map's points (omxval map: G0 × |G_d|, docs/validity.md) with the largest
predicted cost (:func:`~omxval.compare.studies.convergence.predicted_point_cost`: the
non-Gaussian corner, where searches end unconverged), one BLAS thread. For each,
:func:`compare.adaptive_cutoffs` (nonlinear) twice in this process: ``dismiss_early=False``
(climb until the next solve exceeds max_dimension) and the default ``dismiss_early=True``
(stop when two refinement steps predict final cutoffs beyond it). Reported: converged or
not, solves, CPU seconds (process time, robust to other load), the cutoffs reached, the
refused cutoffs; then the totals, their ratio and whether every verdict agrees.
"""

from __future__ import annotations

import argparse
import time

from threadpoolctl import threadpool_limits

from omxval import compare, linear
from omxval.compare.app.config import ReportConfig
from omxval.compare.studies.maps import most_expensive_first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--points", type=int, default=6)
    ap.add_argument("--max-dimension", type=int, default=ReportConfig().solver.max_dimension)
    args = ap.parse_args()
    spec = ReportConfig().map_spec()
    ordered, _ = most_expensive_first(spec, spec.points())
    print(f"max_dimension = {args.max_dimension}\n")
    print("| G0 | |G_d| | dismiss_early | converged | solves | CPU s | cutoffs | refused |")
    print("|---|---|---|---|---|---|---|---|")
    total = {False: [0, 0.0], True: [0, 0.0]}
    agree = True
    for design in ordered[:args.points]:
        point = linear.design_point(**design, direction=spec.direction, bath=spec.bath)
        verdicts = {}
        for early in (False, True):
            t = time.process_time()
            with threadpool_limits(1):
                fit = compare.adaptive_cutoffs(point, "nonlinear",
                                               max_dimension=args.max_dimension,
                                               dismiss_early=early)
            cpu = time.process_time() - t
            verdicts[early] = (fit.converged, fit.cutoffs if fit.converged else None)
            total[early][0] += fit.solves
            total[early][1] += cpu
            print(f"| {design['G0']:g} | {design['coupling']:g} | {early} | {fit.converged} | "
                  f"{fit.solves} | {cpu:.1f} | {fit.cutoffs} | {fit.refused or ''} |",
                  flush=True)
        agree &= verdicts[False] == verdicts[True]
    (s0, c0), (s1, c1) = total[False], total[True]
    print(f"\n{args.points} points: climb {s0} solves, {c0:.0f} CPU s; early dismissal {s1} "
          f"solves, {c1:.0f} CPU s: {c0 / max(c1, 1e-9):.2f}× less CPU; "
          f"every verdict the same: {agree}")


if __name__ == "__main__":
    main()
