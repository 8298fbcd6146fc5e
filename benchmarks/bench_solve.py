"""Benchmark: single structured steady-state solves, this tree against an earlier commit.

    OMP_NUM_THREADS=1 python benchmarks/bench_solve.py [--baseline 23152a8] [--quick]

Solves the spinning resonator's ``linearized`` and ``nonlinear`` models at the reference
point (docs/conventions.md §5, G0 = 0.05, cutoffs (10, 8, 14), d = 1120) and at the paper's
Fig. 3 point (``fig3-ccw``, G0 = 0.05, cutoffs (14, 6, 18), d = 1512) with
:func:`fullquantum.structured.steadystate_structured` (default options, one BLAS thread),
once with this tree and once with the ``--baseline`` commit (a temporary git worktree),
at once, one process per core, so that both feel the same load. ``--quick``: cutoffs
(6, 4, 8) and (8, 4, 10) instead. Prints per solve the CPU seconds and GMRES iterations of
both, their ratio, and the trace distance between the two states (the same answer to the
solver's tolerance).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _baseline import baseline_path
from _common import trace_distance

CASES = {  # name: (paper point or None for the reference design, cutoffs, quick cutoffs)
    "reference": (None, (10, 8, 14), (6, 4, 8)),
    "fig3-ccw": ("fig3-ccw", (14, 6, 18), (8, 4, 10)),
}


def child(out: Path, quick: bool) -> None:
    """Solve every case in this process; states to ``out``/*.npy, one JSON line printed."""
    from omxval import linear
    from omxval.compare.studies.paper_device import paper_points
    from omxval.compare.studies.reference import REFERENCE_DESIGN
    from omxval.fullquantum.models import generator_for
    from omxval.fullquantum.structured import StructuredOptions, steadystate_structured
    rows = {}
    for name, (paper, cut, quick_cut) in CASES.items():
        if paper is None:
            point = linear.design_point(**{**REFERENCE_DESIGN, "G0": 0.05})
        else:
            point = next(q for q in paper_points() if q.name == paper).operating_point(0.05)
        cut = quick_cut if quick else cut
        for ham in ("linearized", "nonlinear"):
            gen = generator_for(point, cutoffs=cut, hamiltonian=ham)
            t = time.process_time()
            res = steadystate_structured(gen, options=StructuredOptions(threads=1))
            key = f"{name} {ham} {cut}"
            rows[key] = {"cpu": time.process_time() - t, "iterations": res.iterations,
                         "d": gen.hilbert_dim}
            np.save(out / f"{len(rows)}.npy", res.rho)
    print(json.dumps(rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--baseline", default="23152a8",
                    help="commit to compare against (default: main before the Hermitian "
                         "congruence by ?trmm)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(Path(args.child), args.quick)
        return
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp, baseline_path(args.baseline) as path:
        outs = {"this tree": Path(tmp) / "new", f"baseline {args.baseline}": Path(tmp) / "old"}
        procs = {}
        for name, out in outs.items():
            out.mkdir()
            cmd = [sys.executable, __file__, "--child", str(out)] + (
                ["--quick"] if args.quick else [])
            extra = {} if name == "this tree" else {"PYTHONPATH": str(path)}
            procs[name] = subprocess.Popen(cmd, env={**env, **extra}, stdout=subprocess.PIPE,
                                           text=True)
        rows = {name: json.loads(p.communicate()[0].strip().splitlines()[-1])
                for name, p in procs.items()}
        new, old = rows.values()
        print(f"# structured solves, this tree against baseline {args.baseline}; load "
              f"average {os.getloadavg()[0]:.1f} at the end\n")
        print("| solve | d | this tree: CPU s (iterations) | baseline: CPU s (iterations) "
              "| ratio | trace distance |\n|---|---|---|---|---|---|")
        for i, key in enumerate(new, start=1):
            dist = trace_distance(np.load(outs["this tree"] / f"{i}.npy"),
                                  np.load(outs[f"baseline {args.baseline}"] / f"{i}.npy"))
            print(f"| {key} | {new[key]['d']} | {new[key]['cpu']:.1f} "
                  f"({new[key]['iterations']}) | {old[key]['cpu']:.1f} "
                  f"({old[key]['iterations']}) | {old[key]['cpu'] / new[key]['cpu']:.2f}× "
                  f"| {dist:.1e} |")


if __name__ == "__main__":
    main()
