"""Benchmark of perturbative.leading_coefficient at the paper device's points. Run on demand.

    OMP_NUM_THREADS=1 python benchmarks/bench_leading_coefficient.py \
        [--points fig2-ccw fig3-ccw] [--max-steps 6] [--rtol 0.02] [--tail 1e-6] \
        [--start N_ccw N_cw N_m | --cutoffs N_ccw N_cw N_m] [--threads 1]

For each operating point of :func:`omxval.compare.studies.paper_device.paper_points` (at
G0 = 0.01 ω_m; c2 is per (G0/ω_m)² at fixed design, so the G0 chosen does not matter):
c2 of the exact E_N of the (driven, mechanics) pair (docs/perturbative.md §11), its
truncation uncertainty, the cutoffs of every evaluation, the wall time, the number of
linear solves, and for comparison the G0 ladder's values (docs/paper_device.md §6: the
leading-order fit of the shipped rows, and each shipped row's approximation error / G0²).
``--start`` starts the cutoff search there (each step raises every cutoff by one);
``--cutoffs`` fixes them (one evaluation, no uncertainty).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from omxval import fullquantum, perturbative
from omxval.compare.studies.paper_device import POINT_NAMES, paper_points

ROOT = Path(__file__).resolve().parents[1]
ROWS = ROOT / "compare" / "app" / "data" / "paper_device.jsonl"
PAPER_G0 = 7.2e-6
#: The ladder's leading-order fits (docs/paper_device.md §6, c2 of |E_N nonlinear − E_N
#: linearized| = c2·G0², a decrease of E_N).
LADDER_FITS = {"fig2-ccw": (0.06254, 0.00014), "fig3-ccw": (0.05357, 0.00005)}


def ladder_rows(name: str) -> list[tuple[float, tuple[int, int, int], float]]:
    """(G0, cutoffs, approximation error / G0²) of the shipped rows of ``name``."""
    out = []
    if not ROWS.exists():
        return out
    for line in ROWS.read_text().splitlines():
        row = json.loads(line)["row"]
        if row.get("point") == name and row.get("status") == "converged":
            out.append((row["G0"], (row["N_ccw"], row["N_cw"], row["N_m"]),
                        row["approximation error"] / row["G0"] ** 2))
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", nargs="+", default=["fig2-ccw"], choices=POINT_NAMES)
    parser.add_argument("--max-steps", type=int, default=6)
    parser.add_argument("--rtol", type=float, default=0.02)
    parser.add_argument("--tail", type=float, default=1e-6)
    parser.add_argument("--start", type=int, nargs=3, default=None)
    parser.add_argument("--cutoffs", type=int, nargs=3, default=None)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print(f"# bench_leading_coefficient: {platform.machine()}, python "
          f"{platform.python_version()}, BLAS threads {args.threads}")
    print(f"# command: {' '.join(__import__('sys').argv)}")
    options = fullquantum.StructuredOptions(threads=args.threads)
    for point in paper_points(names=args.points):
        op = point.operating_point(0.01)
        pair = (point.direction, "m")
        t0 = time.perf_counter()
        with threadpool_limits(limits=args.threads, user_api="blas"):
            res = perturbative.leading_coefficient(
                op, pair, cutoffs=args.cutoffs, rtol=args.rtol, tail=args.tail,
                max_steps=args.max_steps, options=options,
                start=None if args.cutoffs else args.start)
        wall = time.perf_counter() - t0
        pc = res.coefficient()
        print(f"\n## {point.name} ({point.label}), pair {pair[0]}-{pair[1]}")
        print(f"c2 = {pc.c2:.5f} ± {pc.uncertainty:.5f} per (G0/ω_m)², status {res.status}, "
              f"cutoffs {res.cutoffs}, steps {res.steps}, solves {res.solves}, "
              f"wall {wall:.0f} s")
        print(f"E_N0 (Fock, linearized) = {pc.E_N0:.6f}, N1 = {pc.N1:.1e}")
        for e in res.evaluations:
            print(f"  cutoffs {e.cutoffs} (d = {e.cutoffs[0] * e.cutoffs[1] * e.cutoffs[2]}): "
                  f"c2 = {e.c2[pair]:.6f}, iterations {e.iterations}, {e.seconds:.0f} s")
        pred = res.prediction(PAPER_G0)
        print(f"prediction at the paper's G0 = {PAPER_G0:g}: ΔE_N = {pred.value:.4e} "
              f"[{pred.low:.4e}, {pred.high:.4e}]")
        if point.name in LADDER_FITS:
            c, se = LADDER_FITS[point.name]
            print(f"ladder (leading-order fit, docs/paper_device.md §6): "
                  f"c2 = {-c:.5f} ± {se:.5f}")
        for G0, cut, ratio in ladder_rows(point.name):
            print(f"  ladder row G0 = {G0:g}, cutoffs {cut}: approximation error / G0² = "
                  f"{ratio:.5f}")


if __name__ == "__main__":
    main()
