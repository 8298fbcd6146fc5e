"""Benchmark: the structured solver with parity sectors against the full d×d solve.

    OMP_NUM_THREADS=1 python benchmarks/bench_sectors.py [--quick]

At the reference point (docs/conventions.md §5, G0 = 0.05, cutoffs (10, 8, 14), d = 1120)
and the paper's Fig. 3 point (``fig3-ccw``, G0 = 0.05, cutoffs (14, 6, 18), d = 1512), one
BLAS thread, in one process and interleaved (the same load for both):

* one steady state of the ``linearized`` and of the ``nonlinear`` model with
  ``StructuredOptions(parity="off")`` (the solver before the sectors) and ``"auto"``;
* perturbation theory's three solves ρ0, ρ1, ρ2 (:func:`perturbative.leading.
  perturbation_orders`, the cost of c2 at fixed cutoffs) both ways.

Reports CPU seconds (process time), GMRES iterations, the ratio, and the trace distance of
the two states (the largest over ρ0, ρ1, ρ2 for the orders). ``--quick``: cutoffs (6, 5, 10)
and (8, 4, 12) instead.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from threadpoolctl import threadpool_limits

from omxval import linear
from omxval.compare.studies.paper_device import paper_points
from omxval.compare.studies.reference import REFERENCE_DESIGN
from omxval.fullquantum.models import generator_for
from omxval.fullquantum.structured import StructuredOptions, steadystate_structured
from omxval.perturbative.leading import perturbation_orders

from _common import trace_distance


def timed(fn):
    t = time.process_time()
    out = fn()
    return out, time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    fig3 = next(p for p in paper_points() if p.name == "fig3-ccw")
    points = {
        "reference": (linear.design_point(**{**REFERENCE_DESIGN, "G0": 0.05}),
                      (6, 5, 10) if args.quick else (10, 8, 14)),
        "fig3-ccw": (fig3.operating_point(0.05),
                     (8, 4, 12) if args.quick else (14, 6, 18)),
    }
    print(f"# parity sectors against the full solve, one BLAS thread, load average "
          f"{os.getloadavg()[0]:.1f} at the start\n")
    print("| point | cutoffs (d) | solve | full: CPU s (iterations) | sectors: CPU s "
          "(iterations) | ratio | trace distance |\n|---|---|---|---|---|---|---|")
    with threadpool_limits(1):
        for name, (point, cut) in points.items():
            d = int(np.prod(cut))
            for ham in ("linearized", "nonlinear"):
                g = generator_for(point, cutoffs=cut, hamiltonian=ham)
                res = {}
                for parity in ("off", "auto"):
                    res[parity] = timed(lambda: steadystate_structured(
                        g, options=StructuredOptions(threads=1, parity=parity)))
                (off, t_off), (on, t_on) = res["off"], res["auto"]
                print(f"| {name} | {cut} ({d}) | {ham} | {t_off:.1f} ({off.iterations}) | "
                      f"{t_on:.1f} ({on.iterations}{'' if on.parity_sectors else ', no sectors'})"
                      f" | {t_off / t_on:.2f}× | {trace_distance(off.rho, on.rho):.1e} |",
                      flush=True)
            res = {}
            for parity in ("off", "auto"):
                res[parity] = timed(lambda: perturbation_orders(
                    point, cut, options=StructuredOptions(threads=1, parity=parity)))
            (off, t_off), (on, t_on) = res["off"], res["auto"]
            dist = max(trace_distance(a, b) for a, b in zip(off.rho, on.rho))
            print(f"| {name} | {cut} ({d}) | c2's ρ0, ρ1, ρ2 | {t_off:.1f} "
                  f"({sum(off.iterations)}) | {t_on:.1f} ({sum(on.iterations)}) | "
                  f"{t_off / t_on:.2f}× | {dist:.1e} |", flush=True)


if __name__ == "__main__":
    main()
