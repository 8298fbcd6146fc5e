"""Where a structured steady-state solve spends its time (issue: full quantum ten times cheaper).

Run on demand (not a test), one BLAS thread:

    OMP_NUM_THREADS=1 python benchmarks/profile_structured.py [--cutoffs 10 8 14] [--G0 0.05]

Solves the ``nonlinear`` model at the reference design (docs/conventions.md §5) at the given
cutoffs under cProfile and splits the wall time into: building the operators, the
preconditioner's set-up (Schur or eigen-decomposition, O(d³) once), its applications
(O(d³) each, one per GMRES step), the generator's applications (sparse, O(nnz·d) each), and
the rest of GMRES (orthogonalisation). Prints one Markdown table and the load average.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

from omxval import linear
from omxval.compare.studies.reference import REFERENCE_DESIGN
from omxval.fullquantum.models import generator_for
from omxval.fullquantum.structured import StructuredOptions, steadystate_structured

#: (label, substring of "file:function") of the profiled parts, in report order.
PARTS = (
    ("preconditioner set-up", "preconditioners.py:_build_preconditioner"),
    ("preconditioner applications", "driver.py:apply_precond"),
    ("generator applications", "driver.py:matvec"),
    ("FGMRES (all, incl. the two above)", "krylov.py:_fgmres"),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cutoffs", type=int, nargs=3, default=(10, 8, 14))
    ap.add_argument("--G0", type=float, default=0.05)
    ap.add_argument("--preconditioner", default="auto")
    args = ap.parse_args()
    point = linear.design_point(**{**REFERENCE_DESIGN, "G0": args.G0})
    cut = tuple(args.cutoffs)
    t0 = time.perf_counter()
    gen = generator_for(point, cutoffs=cut, hamiltonian="nonlinear")
    t_build = time.perf_counter() - t0
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    res = steadystate_structured(gen, options=StructuredOptions(
        preconditioner=args.preconditioner, threads=1))
    prof.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(prof)
    cum = {f"{os.path.basename(k[0])}:{k[2]}": v[3] for k, v in stats.stats.items()}
    d = gen.hilbert_dim
    print(f"# structured solve, nonlinear model, cutoffs {cut} (d = {d}), G0 = {args.G0}, "
          f"preconditioner {res.preconditioner}, {res.iterations} GMRES iterations, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| part | seconds | share of the solve |\n|---|---|---|")
    print(f"| building the generator (outside the solve) | {t_build:.2f} | — |")
    for label, key in PARTS:
        sec = sum(v for k, v in cum.items() if key in k)
        print(f"| {label} | {sec:.2f} | {sec / wall:.0%} |")
    print(f"| the whole solve (profiled) | {wall:.2f} | 100% |")
    per = {label: sum(v for k, v in cum.items() if key in k) / max(res.iterations, 1)
           for label, key in PARTS[1:3]}
    print(f"\nper GMRES step: preconditioner {per['preconditioner applications'] * 1e3:.1f} ms, "
          f"generator {per['generator applications'] * 1e3:.1f} ms; setup_seconds "
          f"{res.setup_seconds:.2f}, solve_seconds {res.solve_seconds:.2f} (unprofiled "
          f"timers inside the solver)")


if __name__ == "__main__":
    main()
