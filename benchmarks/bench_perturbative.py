"""Benchmark of omxval.perturbative: time per point, and the V2 residual slope. Run on demand.

    python benchmarks/bench_perturbative.py [--repeats 20] [--threads 1] [--ladder]

1. ``perturbative.covariance_series(point, order=4)`` on the three presets (the spinning
   resonator at the reference point of docs/conventions.md §5, vitali2007,
   electro_optomechanics) and on the 4-mode examples/models/two_cavities_two_mirrors.toml:
   the first call in the process (it also builds the cached monomial bases), the median and
   the minimum of ``--repeats`` further calls (the minimum is the robust figure on a shared
   machine); each includes the Gaussian analysis of the point.
2. ``--ladder``: the full-quantum check of docs/perturbative.md §8 — along
   ``model.scaled(s)``, r2(s) = max|V_nonlinear(s) − V_linearized − s²V2| and
   r4(s) = max|… − s⁴V4| at fixed cutoffs, with the log-log slopes (4 and 6 expected), on
   the one-cavity model of the tests (cutoffs (9, 12)) and at the reference point
   (cutoffs (6, 5, 10), ~15 s).

BLAS threads are pinned with threadpoolctl (default 1).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import scipy
from threadpoolctl import threadpool_limits

from omxval import Model, linear, perturbative, presets
from omxval.linear import Cavity, Mechanical, ModelPoint, RadiationPressure
from omxval.linear.presets import spinning_resonator_point

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = dict(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05, detuning=0.9,
                 coupling=0.25)


def points() -> dict[str, ModelPoint]:
    return {
        "spinning resonator (reference)": spinning_resonator_point(
            linear.design_point(**REFERENCE, direction="ccw")),
        "vitali2007": ModelPoint(presets.vitali2007()),
        "electro_optomechanics": ModelPoint(presets.electro_optomechanics()),
        "two_cavities_two_mirrors (4 modes)": ModelPoint(
            Model.from_toml(ROOT / "examples" / "models" / "two_cavities_two_mirrors.toml")),
    }


def timing(repeats: int) -> None:
    print(f"{'point':38s} {'first call':>11s} {'median':>9s} {'min':>9s}   max|V2|   max|V4|")
    for name, point in points().items():
        t = time.perf_counter()
        series = perturbative.covariance_series(point, order=4)
        first = time.perf_counter() - t
        runs = []
        for _ in range(repeats):
            t = time.perf_counter()
            perturbative.covariance_series(point, order=4)
            runs.append(time.perf_counter() - t)
        print(f"{name:38s} {first * 1e3:8.1f} ms {statistics.median(runs) * 1e3:6.1f} ms "
              f"{min(runs) * 1e3:6.1f} ms   {np.abs(series[2]).max():.2e}  "
              f"{np.abs(series[4]).max():.2e}")


def ladder(name: str, point: ModelPoint, s_values: tuple[float, ...], cutoffs) -> None:
    from omxval import fullquantum  # only here: the timing part needs no QuTiP

    series = perturbative.covariance_series(point, order=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", fullquantum.TruncationWarning)
        lin = fullquantum.solve(point, cutoffs=cutoffs, hamiltonian="linearized")
        diff = {s: fullquantum.solve(ModelPoint(point.model.scaled(s), point.branch),
                                     cutoffs=cutoffs, hamiltonian="nonlinear").V - lin.V
                for s in s_values}
    r2 = [np.abs(diff[s] - s**2 * series[2]).max() for s in s_values]
    r4 = [np.abs(diff[s] - s**2 * series[2] - s**4 * series[4]).max() for s in s_values]
    fit = lambda r: np.polyfit(np.log(s_values), np.log(r), 1)[0]  # noqa: E731
    print(f"\n{name}, cutoffs {cutoffs}; max|V_lin(Fock) − V0| = "
          f"{np.abs(lin.V - series[0]).max():.1e}")
    print(f"{'s':>6s} {'max|ΔV|':>10s} {'r2':>10s} {'r4':>10s}")
    for s, a, b in zip(s_values, r2, r4):
        print(f"{s:6.2f} {np.abs(diff[s]).max():10.3e} {a:10.3e} {b:10.3e}")
    print(f"slope of r2: {fit(r2):.3f} (4 expected); of r4: {fit(r4):.3f} (6 expected, until "
          "the solver and truncation floor)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ladder", action="store_true",
                    help="also the full-quantum residual slopes (needs QuTiP, ~20 s)")
    args = ap.parse_args()
    print(f"omxval.perturbative benchmark — {platform.machine()} {platform.processor() or ''}"
          f", Python {platform.python_version()}, NumPy {np.__version__}, SciPy "
          f"{scipy.__version__}, BLAS threads {args.threads}")
    with threadpool_limits(args.threads):
        timing(args.repeats)
        if args.ladder:
            cavity = Model((Cavity("a", 1.0, 0.3, 1.0), Mechanical("b", 1.0, 0.05, 0.1)),
                           (RadiationPressure("a", "b", 0.05),))
            ladder("one cavity, one mirror (tests/perturbative), g0 = 0.05·s",
                   linear.design_model(cavity, coupling=0.2), (0.5, 1.0, 2.0, 4.0), (9, 12))
            ladder("spinning resonator, reference point, G0 = 0.05·s",
                   points()["spinning resonator (reference)"], (0.5, 1.0, 2.0), (6, 5, 10))


if __name__ == "__main__":
    main()
