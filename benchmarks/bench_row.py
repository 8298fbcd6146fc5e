"""Benchmark: one paper-device row, this tree against an earlier commit, in the same run.

    python benchmarks/bench_row.py [--point fig3-ccw] [--G0 0.01] [--baseline 8727024]

A row (:func:`omxval.compare.studies.paper_device.approximation_row`: the cutoff search of
the nonlinear model, then the linearized model at c and both models at c + 1) is computed
twice, at once, one process per core and one BLAS thread each: by this tree and by the
``--baseline`` commit (checked out into a temporary git worktree and imported from there).
Both feel the same load, and CPU time (process time) is reported beside wall time. Prints
the rows' cutoffs, solves, CPU and wall seconds, the ratio, and the largest difference of
the row's E_N values (the two must agree to the solver's tolerance).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from _baseline import baseline_path


def child(point_name: str, G0: float) -> None:
    """Compute the row in this process and print one JSON line."""
    from omxval.compare.studies.paper_device import approximation_row, paper_points
    point = next(p for p in paper_points() if p.name == point_name)
    lines = []
    t_cpu, t_wall = time.process_time(), time.perf_counter()
    row = approximation_row(point.design, G0, point.direction, point.bath,
                            progress=lambda s: lines.append(s))
    row["cpu seconds"] = time.process_time() - t_cpu
    row["wall seconds"] = time.perf_counter() - t_wall
    row["progress"] = lines
    print(json.dumps(row, default=float))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--point", default="fig3-ccw")
    ap.add_argument("--G0", type=float, default=0.01)
    ap.add_argument("--baseline", default="8727024",
                    help="commit to compare against (default: main before issue 21's "
                         "parity sectors)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.point, args.G0)
        return
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    cmd = [sys.executable, __file__, "--child", "--point", args.point, "--G0", str(args.G0)]
    with baseline_path(args.baseline) as path:
        procs = {
            "this tree": subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True),
            f"baseline {args.baseline}": subprocess.Popen(
                cmd, env={**env, "PYTHONPATH": str(path)}, stdout=subprocess.PIPE, text=True),
        }
        rows = {name: json.loads(p.communicate()[0].strip().splitlines()[-1])
                for name, p in procs.items()}
    print(f"# paper-device row {args.point}, G0 = {args.G0}; load average "
          f"{os.getloadavg()[0]:.1f} at the end\n")
    print("| code | status | cutoffs | solves | CPU s | wall s |\n|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['status']} | ({r.get('N_ccw')}, {r.get('N_cw')}, {r.get('N_m')}) "
              f"| {r.get('solves')} | {r['cpu seconds']:.0f} | {r['wall seconds']:.0f} |")
    new, old = rows.values()
    print(f"\nCPU ratio baseline / this tree: {old['cpu seconds'] / new['cpu seconds']:.2f}×")
    keys = [k for k in new if k.startswith(("E_N", "approximation error", "truncation error"))
            and isinstance(new[k], float) and isinstance(old.get(k), float)]
    if keys:
        worst = max(keys, key=lambda k: abs(new[k] - old[k]))
        print(f"largest difference of the row's values: {worst}: "
              f"{abs(new[worst] - old[worst]):.2e}")
    for name, r in rows.items():
        print(f"\n{name}:")
        for line in r["progress"]:
            print(f"  {line}")


if __name__ == "__main__":
    main()
