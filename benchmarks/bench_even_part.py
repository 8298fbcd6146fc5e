"""Benchmark: nonlinear solves preconditioned with Ā's parity-even part, against the full one.

    OMP_NUM_THREADS=1 python benchmarks/bench_even_part.py [--case fig3-0.05 ...] [--quick]

Solves the spinning resonator's ``nonlinear`` model with
:func:`fullquantum.structured.steadystate_structured`, one BLAS thread, once with the
``StructuredOptions(parity="off")`` (the full Schur preconditioner of S(X) = Ā X + X Āᴴ,
the default before the even-part preconditioner) and once with the default options
(``parity="auto"``: the inverse of the Sylvester part of Ā's parity-even part, in the parity
sectors — about 0.6× the time a step, GMRES absorbing the dropped cubic term — where the
dropped part's estimated weight allows; the table says which ran). Cases: the paper's Fig. 3 point (``fig3-ccw``, cutoffs (14, 6, 18),
d = 1512) at G0 = 0.01 and 0.05, and the reference point (docs/conventions.md §5, G0 = 0.05,
cutoffs (10, 8, 14), d = 1120); ``--quick``: d = 480 instead (the smallest d where "auto"
considers the even part is 400). Prints per case the
CPU seconds and GMRES steps of both, their ratio, and the trace distance between the two
states. Run cases in separate processes to use both cores (``--case``).
"""

from __future__ import annotations

import argparse
import os
import time

from _common import trace_distance

CASES = {  # name: (paper point or None for the reference design, G0, cutoffs, quick cutoffs)
    "fig3-0.01": ("fig3-ccw", 0.01, (14, 6, 18), (10, 4, 12)),
    "fig3-0.05": ("fig3-ccw", 0.05, (14, 6, 18), (10, 4, 12)),
    "reference": (None, 0.05, (10, 8, 14), (8, 6, 10)),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", nargs="+", choices=sorted(CASES), default=list(CASES))
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    from omxval import linear
    from omxval.compare.studies.paper_device import paper_points
    from omxval.compare.studies.reference import REFERENCE_DESIGN
    from omxval.fullquantum.models import generator_for
    from omxval.fullquantum.structured import StructuredOptions, steadystate_structured
    print(f"# nonlinear solves, one BLAS thread, load average {os.getloadavg()[0]:.1f} at the "
          f"start\n\n| case | d | full: CPU s (steps) | default: CPU s (steps), preconditioner | "
          f"ratio | trace distance |\n|---|---|---|---|---|---|", flush=True)
    for name in args.case:
        paper, G0, cut, quick_cut = CASES[name]
        point = (linear.design_point(**{**REFERENCE_DESIGN, "G0": G0}) if paper is None else
                 next(q for q in paper_points() if q.name == paper).operating_point(G0))
        cut = quick_cut if args.quick else cut
        gen = generator_for(point, cutoffs=cut, hamiltonian="nonlinear")
        out = []
        for parity in ("off", "auto"):
            t = time.process_time()
            res = steadystate_structured(gen, options=StructuredOptions(threads=1,
                                                                        parity=parity))
            out.append((time.process_time() - t, res))
        (t0, r0), (t1, r1) = out
        print(f"| {name} {cut} | {gen.hilbert_dim} | {t0:.1f} ({r0.iterations}) | {t1:.1f} "
              f"({r1.iterations}), {r1.preconditioner} | {t0 / t1:.2f}× | "
              f"{trace_distance(r0.rho, r1.rho):.1e} |",
              flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
