"""Validity map, serial against parallel, in the same run (run on demand).

    python benchmarks/bench_maps.py [--num-cpus 2] [--repeat 1]
    python benchmarks/bench_maps.py --default-map [--num-cpus 2]

The map: 9 points, n_m ∈ {0.5, 1, 2} × |G_d| ∈ {0.3, 0.35, 0.4} at G0 = 0.1 around the
reference point (docs/conventions.md §5); each point's adaptive ladder takes ≈ 1–4 s on one
core. Every run starts from a fresh cache; the engines alternate (serial first) ``--repeat``
times, and the rows of the two engines are checked equal (all columns but ``seconds``).
The machine may be shared, so the load average is printed before and after: a busy second
core lowers the ratio, which ideally equals the number of workers.

``--default-map`` times the built-in default map of ``omxval map`` (100 points, nonlinear,
converged cutoffs) once with the parallel engine, against its goal of 10 min on 2 cores; the
serial alternative is estimated by the sum of the points' own seconds (each point runs on one
BLAS thread in either engine), measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

from omxval.compare.studies.maps import MapSpec
from omxval.compare.app.runs import run_map

SPEC = MapSpec(x="n_m", x_values=[0.5, 1.0, 2.0], y="coupling", y_values=[0.3, 0.35, 0.4],
               design={"G0": 0.1})


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the parallel workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(engine: str, num_cpus: int | None, folder: Path):
    """Wall seconds, CPU seconds and the table of one run of the map from an empty cache.

    CPU / wall is the number of cores the run actually got: below the worker count, other
    processes held the rest.
    """
    cache = folder / f"{engine}-{time.monotonic_ns()}.jsonl"
    c0, t0 = cpu_seconds(), time.perf_counter()
    df = run_map(SPEC, cache, engine=engine, num_cpus=num_cpus)
    return time.perf_counter() - t0, cpu_seconds() - c0, df


def default_map(num_cpus: int) -> None:
    """The default map once, parallel: wall time against the 10 min goal."""
    from omxval.compare.app.config import ReportConfig
    from omxval.compare.app.display import stderr_progress

    spec = ReportConfig().map_spec("map")
    print(f"default map: {len(spec.points())} points ({spec.x} x {spec.y}), parallel, "
          f"num_cpus={num_cpus}; load average before: {load()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        c0, t0 = cpu_seconds(), time.perf_counter()
        df = run_map(spec, Path(tmp) / "cache.jsonl", engine="parallel", num_cpus=num_cpus,
                     progress=stderr_progress)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    point_s = df["seconds"].sum()
    print(f"wall {wall:.0f} s ({wall / 60:.1f} min; goal <= 10 min), CPU {cpu:.0f} s "
          f"({cpu / wall:.2f} cores); sum of point seconds {point_s:.0f} s = serial estimate: "
          f"speed-up {point_s / wall:.2f}x")
    print(f"statuses: { {k: int(v) for k, v in df['status'].value_counts().items()} }; "
          f"seconds by status: "
          f"{ {k: round(v) for k, v in df.groupby('status')['seconds'].sum().items()} }")
    print(f"load average after: {load()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--num-cpus", type=int, default=2, help="parallel workers (default 2)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each engine (default 1)")
    ap.add_argument("--default-map", action="store_true",
                    help="time the built-in default map (parallel) instead")
    args = ap.parse_args()
    if args.default_map:
        default_map(args.num_cpus)
        return
    print(f"{len(SPEC.points())} points, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores; load average (1, 5, 15 min) before: {load()}")
    walls: dict[str, list[float]] = {"serial": [], "parallel": []}
    tables = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            for engine, cpus in (("serial", None), ("parallel", args.num_cpus)):
                wall, cpu, tables[engine] = timed(engine, cpus, Path(tmp))
                walls[engine].append(wall)
                point_s = tables[engine]["seconds"]
                print(f"run {r + 1} {engine:8s}: {wall:6.1f} s wall, {cpu:6.1f} s CPU "
                      f"({cpu / wall:.2f} cores); per point {point_s.min():.1f}–"
                      f"{point_s.max():.1f} s, sum {point_s.sum():.1f} s (load {load()})",
                      flush=True)
    cols = [c for c in tables["serial"].columns if c != "seconds"]
    same = tables["serial"][cols].equals(tables["parallel"][cols])
    serial, parallel = (statistics.median(walls[e]) for e in ("serial", "parallel"))
    counts = tables["serial"]["status"].value_counts()
    print(f"statuses: { {k: int(v) for k, v in counts.items()} }; rows identical: {same}")
    print(f"serial {serial:.1f} s, parallel (num_cpus={args.num_cpus}) {parallel:.1f} s: "
          f"speed-up {serial / parallel:.2f}x (median of {args.repeat})")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
