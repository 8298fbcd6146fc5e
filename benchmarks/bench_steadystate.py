"""Benchmark: structured steady state (fullquantum/structured.py) against QuTiP's solvers.

Run on demand (not a test):

    OMP_NUM_THREADS=1 /work/venv/bin/python benchmarks/bench_steadystate.py [--quick]

For a ladder of Fock cutoffs (N_ccw, N_cw, N_m) and both mechanical baths it runs, each in a
fresh subprocess (so that memory is measured in isolation and runaways can be killed):

* ``structured``: :func:`fullquantum.structured.steadystate_structured`, default options
  (BLAS threads: its default, 1, unless --structured-threads);
* ``superlu``:  ``qutip.steadystate(L, method="direct")`` (SciPy's SuperLU);
* ``gmres-ilu``: ``qutip.steadystate(L, method="direct", solver="gmres", use_precond=True,
  use_rcm=True)`` (SciPy GMRES with an incomplete-LU preconditioner, rtol 1e-12);
* ``pardiso``: ``qutip.steadystate(L, method="direct", solver="mkl_spsolve")`` (MKL PARDISO,
  if QuTiP finds MKL: ``pip install mkl==2024.2.2``; newer MKL lacks a symbol QuTiP needs).

QuTiP's solvers run with one BLAS/MKL thread by default (--qutip-threads): multithreaded
BLAS inside sparse LU was seen to slow small solves 10–20× on this shared 2-core machine.
A QuTiP method that exceeds --limit seconds ("> N s") or fails (SciPy's GMRES not reaching
its tolerance) is skipped at larger d of that bath.

Reported per run: wall time (median of --repeat runs for the structured solver; one run for
QuTiP's), peak memory = increase of the process's peak RSS (``ru_maxrss``) over its RSS just
before the solve (it includes building QuTiP's superoperator, and C allocations such as
SuperLU's, which tracemalloc would miss), the trace distance of each QuTiP result to the
structured one, the speed ratio best-QuTiP / structured, and ‖L(ρ)‖_F of every result
(evaluated in the parent process by ``Generator.apply``, independently of either solver).
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

FULL_LADDER = [(3, 2, 8), (4, 3, 8), (5, 4, 8), (5, 4, 10), (5, 4, 15), (8, 6, 12),
               (10, 8, 14)]
QUICK_LADDER = [(3, 2, 8), (4, 3, 8), (5, 4, 8)]
QUTIP_METHODS = ("superlu", "gmres-ilu", "pardiso")

# The reference point of docs/conventions.md §5 (units of ω_m).
REFERENCE = dict(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05, detuning=0.9,
                 coupling=0.25)


def build_model(cutoffs, bath):
    """The project's nonlinear model (displaced frame + cubic term) at the reference point."""
    sys.path.insert(0, str(ROOT))
    from omxval import fullquantum
    from omxval import linear

    system = linear.design_point(**REFERENCE, direction="ccw", bath=bath)
    return fullquantum.generator_for(system, "ccw", tuple(cutoffs), hamiltonian="nonlinear")


def _rss_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def worker(args) -> None:
    """One method on one system in this (fresh) process; writes rho and stats to --out."""
    from threadpoolctl import threadpool_limits

    cutoffs = tuple(int(c) for c in args.cut.split(","))
    g = build_model(cutoffs, args.bath)
    import qutip

    sys.path.insert(0, str(ROOT))
    from omxval.fullquantum.structured import StructuredOptions, steadystate_structured

    info: dict = {"d": g.hilbert_dim}
    rss0 = _rss_bytes()
    times = []
    if args.worker == "structured":
        threads = None if args.threads == "auto" else int(args.threads)
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            res = steadystate_structured(g, options=StructuredOptions(threads=threads))
            times.append(time.perf_counter() - t0)
        rho = res.rho
        info.update(iterations=res.iterations, residual=res.residual, threads=res.threads,
                    setup=res.setup_seconds, solve=res.solve_seconds,
                    estimate=res.memory_estimate, preconditioner=res.preconditioner)
    else:
        kwargs = {"superlu": dict(method="direct"),
                  "gmres-ilu": dict(method="direct", solver="gmres", use_precond=True,
                                    use_rcm=True, rtol=1e-12, atol=1e-15, restart=100,
                                    maxiter=2000),
                  "pardiso": dict(method="direct", solver="mkl_spsolve")}[args.worker]
        if args.worker == "pardiso" and not qutip.settings.has_mkl:
            raise SystemExit("MKL not found by QuTiP")
        with threadpool_limits(int(args.threads)):
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                rho = qutip.steadystate(g.superoperator(), **kwargs).full()
                times.append(time.perf_counter() - t0)
        info["threads"] = int(args.threads)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    info.update(wall=float(np.median(times)), walls=times, peak=max(peak - rss0, 0))
    np.save(args.out + ".npy", rho)
    Path(args.out + ".json").write_text(json.dumps(info))


def run_one(method, cutoffs, bath, *, threads, repeat, limit, tmpdir):
    """Run a worker subprocess; returns (info dict or None, rho or None, status text)."""
    out = os.path.join(tmpdir, f"{method}_{bath}_{'-'.join(map(str, cutoffs))}")
    env = dict(os.environ)
    if method != "structured":
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
    cmd = [sys.executable, __file__, "--worker", method, "--cut", ",".join(map(str, cutoffs)),
           "--bath", bath, "--out", out, "--threads", str(threads), "--repeat", str(repeat)]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return None, None, f">{limit:.0f} s"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        if "Tolerance was not reached" in last:
            return None, None, "failed (no convergence)"
        return None, None, "failed: " + last[:60].replace("|", "/")
    info = json.loads(Path(out + ".json").read_text())
    return info, np.load(out + ".npy"), "ok"


def trace_distance(r1, r2) -> float:
    return 0.5 * float(np.abs(np.linalg.eigvalsh(r1 - r2)).sum())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small ladder " + str(QUICK_LADDER))
    ap.add_argument("--cutoffs", help='ladder as "3,2,8;4,3,8;..." (overrides --quick)')
    ap.add_argument("--baths", default="lindblad,brownian")
    ap.add_argument("--methods", default="structured," + ",".join(QUTIP_METHODS))
    ap.add_argument("--limit", type=float, default=60.0,
                    help="kill a QuTiP method after this many seconds (then skip larger d)")
    ap.add_argument("--structured-limit", type=float, default=600.0)
    ap.add_argument("--qutip-threads", default="1")
    ap.add_argument("--structured-threads", default="auto")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of the structured solver (median reported)")
    ap.add_argument("--json", help="also write the raw results here")
    # worker mode (internal)
    ap.add_argument("--worker")
    ap.add_argument("--cut")
    ap.add_argument("--bath")
    ap.add_argument("--out")
    ap.add_argument("--threads", default="1")
    args = ap.parse_args(argv)
    if args.worker:
        worker(args)
        return

    if args.cutoffs:
        ladder = [tuple(int(c) for c in s.split(",")) for s in args.cutoffs.split(";")]
    else:
        ladder = QUICK_LADDER if args.quick else FULL_LADDER
    methods = args.methods.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as tmpdir:
        for bath in args.baths.split(","):
            dead: dict[str, str] = {}
            for cut in ladder:
                row = {"bath": bath, "cutoffs": cut, "d": int(np.prod(cut)), "runs": {}}
                rhos = {}
                for method in methods:
                    if method in dead:
                        row["runs"][method] = {"status": f"skipped ({dead[method]})"}
                        continue
                    structured = method == "structured"
                    info, rho, status = run_one(
                        method, cut, bath,
                        threads=args.structured_threads if structured else args.qutip_threads,
                        repeat=args.repeat if structured else 1,
                        limit=args.structured_limit if structured else args.limit,
                        tmpdir=tmpdir)
                    row["runs"][method] = {"status": status, **(info or {})}
                    if rho is not None:
                        rhos[method] = rho
                    elif not structured:  # not worth trying at larger d
                        why = "timed out" if status.startswith(">") else "failed"
                        dead[method] = f"{why} at d={row['d']}"
                    print(f"# {bath} {cut} {method}: {status}"
                          + (f" {info['wall']:.2f} s" if info else ""), file=sys.stderr,
                          flush=True)
                if rhos:  # ‖L(ρ)‖_F of every result, evaluated here by matrix products
                    g = build_model(cut, bath)
                    for method, rho in rhos.items():
                        row["runs"][method]["liouvillian_norm"] = float(
                            np.linalg.norm(g.apply(rho)))
                if "structured" in rhos:
                    for method, rho in rhos.items():
                        if method != "structured":
                            row["runs"][method]["trace_distance"] = trace_distance(
                                rho, rhos["structured"])
                rows.append(row)
    print_table(rows, methods, args)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=str))


def _cell(run: dict) -> tuple[str, str]:
    if run.get("status") != "ok":
        return run.get("status", "—"), "—"
    return f"{run['wall']:.2f}", f"{run['peak'] / 2**20:.0f}"


def print_table(rows, methods, args) -> None:
    qutip_methods = [m for m in methods if m != "structured"]
    head = ["bath", "cutoffs", "d"]
    if "structured" in methods:
        head += ["structured s (its)", "structured MB (est.)"]
    for m in qutip_methods:
        head += [f"{m} s", f"{m} MB"]
    head += ["best QuTiP / structured", "max trace dist.", "‖L(ρ)‖_F struct. / worst QuTiP"]
    print(f"\nBLAS threads: structured {args.structured_threads} (auto = the solver's default, 1), "
          f"QuTiP {args.qutip_threads}. Time: wall s (structured: median of {args.repeat}). "
          "MB: peak RSS increase during the solve (ru_maxrss − RSS before), MiB.\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        runs = row["runs"]
        cells = [row["bath"], ",".join(map(str, row["cutoffs"])), str(row["d"])]
        s = runs.get("structured", {})
        if "structured" in methods:
            if s.get("status") == "ok":
                cells += [f"{s['wall']:.2f} ({s['iterations']})",
                          f"{s['peak'] / 2**20:.0f} ({s['estimate'] / 2**20:.0f})"]
            else:
                cells += [s.get("status", "—"), "—"]
        walls, dists, lower = [], [], None
        for m in qutip_methods:
            run = runs.get(m, {})
            cells += list(_cell(run))
            if run.get("status") == "ok":
                walls.append(run["wall"])
                if "trace_distance" in run:
                    dists.append(run["trace_distance"])
            elif run.get("status", "").startswith(">"):
                lower = args.limit  # attempted at this d and timed out
        if s.get("status") == "ok" and walls:
            cells.append(f"{min(walls) / s['wall']:.0f}×")
        elif s.get("status") == "ok" and lower:
            cells.append(f">{lower / s['wall']:.0f}× (no QuTiP result in {lower:.0f} s)")
        elif s.get("status") == "ok" and qutip_methods:
            cells.append("n/a (QuTiP skipped)")
        else:
            cells.append("—")
        cells.append(f"{max(dists):.1e}" if dists else "—")
        res_q = [runs[m]["liouvillian_norm"] for m in qutip_methods
                 if "liouvillian_norm" in runs.get(m, {})]
        cells.append(f"{s['liouvillian_norm']:.0e}" if "liouvillian_norm" in s else "—")
        cells[-1] += f" / {max(res_q):.0e}" if res_q else ""
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
