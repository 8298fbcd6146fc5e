"""Benchmark: the structured solver's GPU path against its CPU path, in one run.

    OMP_NUM_THREADS=1 python benchmarks/bench_gpu.py [--budget 60] [--max-d 4000] [--out F]

For a ladder of cutoffs of the paper's Fig. 3 point (``fig3-ccw``, G0 = 0.05, nonlinear
model; all three cutoffs raised together, ``LADDER``), solves the steady state
with ``StructuredOptions(device="gpu")`` (eigenbasis preconditioner on the GPU, CuPy) and,
up to ``--cpu-max-d``, with the CPU default (Schur, mixed precision, one BLAS thread), and
prints per d: wall seconds of both, GMRES iterations, the trace distance between the two
states (the issue asks ≤ 1e-10) and the set-up's share (the eigendecomposition runs on the
CPU). The ladder stops after the first GPU solve over ``--budget`` seconds; the last d
within it is "the largest d solved in ≤ budget s". Without CuPy or a CUDA device it says so
and exits with status 2 before any work (``--simulate`` runs the GPU column's algorithm on the
CPU instead, to check the script).

On a lent device machine (docs: the device tool) with CuPy but without QuTiP, carry QuTiP's
wheel (``pip download --no-deps --only-binary=:all: qutip`` into an ignored folder) and
install it with ``--target``; then run this script with ``--out $OUT/gpu.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from _common import trace_distance

LADDER = [(8, 4, 10), (10, 5, 14), (14, 6, 18), (16, 7, 20), (18, 8, 22), (20, 9, 24),
          (22, 10, 26), (24, 11, 28)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds a GPU solve may take before the ladder stops")
    ap.add_argument("--max-d", type=int, default=4000, help="largest d tried")
    ap.add_argument("--cpu-max-d", type=int, default=1600,
                    help="largest d also solved on the CPU for the comparison")
    ap.add_argument("--out", help="also write the table to this file")
    ap.add_argument("--simulate", action="store_true",
                    help="no GPU: run the GPU column's algorithm (eigenbasis preconditioner) "
                         "on the CPU, to check this script")
    args = ap.parse_args()
    from omxval.compare.studies.paper_device import paper_points
    from omxval.fullquantum.models import generator_for
    from omxval.fullquantum.structured import StructuredOptions, steadystate_structured
    from omxval.fullquantum.structured.accelerator import accelerator_info
    info = ({"devices": ["none: --simulate, eig-double on the CPU"], "cupy": "—"}
            if args.simulate else accelerator_info())
    gpu_opts = (StructuredOptions(preconditioner="eig-double", threads=1) if args.simulate
                else StructuredOptions(device="gpu"))
    if not info or not info["devices"]:
        print("no CuPy with a CUDA device here: nothing to measure", file=sys.stderr)
        return 2
    point = next(q for q in paper_points() if q.name == "fig3-ccw").operating_point(0.05)
    lines = [f"# structured solve, GPU ({', '.join(info['devices'])}, CuPy {info['cupy']}) "
             f"against CPU (one BLAS thread), fig3-ccw nonlinear, G0 = 0.05; "
             f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start\n",
             "| cutoffs | d | GPU s (set-up s, iterations) | CPU s (iterations) | ratio "
             "| trace distance |", "|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    # Untimed warm-up: CuPy's and cuBLAS's start-up would otherwise land in the first row.
    steadystate_structured(generator_for(point, cutoffs=(3, 2, 4), hamiltonian="nonlinear"),
                           options=gpu_opts)
    largest, capped = None, True
    for cut in LADDER:
        gen = generator_for(point, cutoffs=cut, hamiltonian="nonlinear")
        d = gen.hilbert_dim
        if d > args.max_d:
            break
        t = time.perf_counter()
        gpu = steadystate_structured(gen, options=gpu_opts)
        t_gpu = time.perf_counter() - t
        cpu_cell, ratio, dist = "—", "—", "—"
        if d <= args.cpu_max_d:
            t = time.perf_counter()
            cpu = steadystate_structured(gen, options=StructuredOptions(threads=1))
            t_cpu = time.perf_counter() - t
            cpu_cell = f"{t_cpu:.1f} ({cpu.iterations})"
            ratio = f"{t_cpu / t_gpu:.1f}×"
            dist = f"{trace_distance(gpu.rho, cpu.rho):.1e}"
        lines.append(f"| {cut} | {d} | {t_gpu:.1f} ({gpu.setup_seconds:.1f}, "
                     f"{gpu.iterations}) | {cpu_cell} | {ratio} | {dist} |")
        print(lines[-1], flush=True)
        if t_gpu > args.budget:
            capped = False
            break
        largest = d
    lines.append(f"\nlargest d solved on the GPU in ≤ {args.budget:.0f} s: {largest}"
                 + (" (the ladder ended first: raise --max-d or extend LADDER)" if capped
                    else ""))
    print(lines[-1])
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
