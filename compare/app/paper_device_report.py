"""``omxval paper-device``: the paper's own device, written as a report.

The study is :mod:`omxval.compare.studies.paper_device`; this module runs its rows through
the journal (:func:`omxval.compare.app.runs.run_rows`, ``<out>.cache.jsonl`` beside the
report, so an interrupted run resumes) and writes ``index.md``, the CSV tables and the
figure through :class:`~omxval.compare.app.output.OutputDirectory`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import OmxvalError

from ... import linear
from ..studies.fits import BAND_LEVEL, Prediction
from ..studies.paper_device import (DEFAULT_G0, FIG3_J_OVER_KAPPA, POINT_NAMES,
                                    STUDY, DeviceCriteria, PointAnalysis,
                                    analyse_point, check_ladder, curvature, device_verdicts,
                                    direct_table, fits_table,
                                    paper_points, points_table, row_key)
from ..studies.maps import check_engine
from ..studies.progress import sink
from . import journal as _journal
from . import plots
from .markdown import markdown_table
from .metadata import collect
from .output import OutputDirectory
from .device_answer import RECOMPUTE_DIRECT
from .runs import run_direct, run_rows


class NothingToReport(OmxvalError):
    """``compute=False`` and the cache holds none of the requested rows: no report is
    written (the command line says so and exits 0)."""


# Free space the report needs: a few small CSV files and one PNG (measured below 1 MB).
REQUIRED_BYTES = 5e6


def default_cache(out: str | Path) -> Path:
    """The cache beside the report: ``<out>.cache.jsonl`` (outside the report directory, so
    that it survives an interrupted run, which discards the staging folder)."""
    out = Path(out)
    return out.with_name(out.name + ".cache.jsonl")


def write_paper_device_report(out: str | Path = "reports/paper_device", *,
                              engine: str = "serial", num_cpus: int | None = None,
                              progress: Callable[[str], None] | None = None,
                              G0: Sequence[float] = DEFAULT_G0,
                              points: Sequence[str] = POINT_NAMES,
                              J_over_kappa: float = FIG3_J_OVER_KAPPA,
                              criteria: DeviceCriteria | None = None,
                              cache: str | Path | None = None,
                              setup: linear.PaperSetup | None = None,
                              compute: bool = True, direct: bool = False) -> Path:
    """Run the study and write ``index.md``, CSV tables and the figure to ``out``.

    The output location is checked before any computation and replaced only when every file
    is complete (:class:`~omxval.compare.app.output.OutputDirectory`). Finished rows go to the
    cache at once, so an interrupted run resumes where it stopped.

    Parameters
    ----------
    out : path
        Report directory.
    engine : {"serial", "parallel", "loky", "mpi"}
        Map engine of the rows (one BLAS thread per worker).
    num_cpus : int, optional
        Workers of the parallel engines.
    progress : callable, optional
        One-line progress messages.
    G0 : sequence of float
        The G0/ω_m ladder (≥ 3 values in (0, 1]).
    points : sequence of str
        Operating points, any of :data:`POINT_NAMES`.
    J_over_kappa : float
        J/κ of the Fig. 3 point.
    criteria : DeviceCriteria
        Convergence settings (default: :class:`DeviceCriteria`).
    cache : path, optional
        JSON-lines row cache; default :func:`default_cache` (``<out>.cache.jsonl``).
    setup : PaperSetup, optional
        The device (default: the paper's set).
    compute : bool
        False: compute no row, report the rows already in the cache and list the missing
        ones as not computed (a report while a long run proceeds, or from shards).
    direct : bool
        Also compute each point's c2 directly by perturbation theory
        (:func:`~omxval.compare.studies.paper_device.direct_coefficient`, into the same
        cache; minutes per point instead of the ladder's hours), also with ``compute=False``
        (then only the direct route runs). Without it the report shows the direct c2 found
        in the cache. Like the ladder's rows, the shipped values are not used here: this
        report is of this run (``omxval report`` leads with the shipped answer).

    Returns
    -------
    Path
        The report directory.
    """
    ladder = check_ladder(G0)
    check_engine(engine)
    crit = criteria or DeviceCriteria()
    setup = setup or linear.PaperSetup()
    cache = Path(cache) if cache is not None else default_cache(out)
    say = sink(progress)
    timings: dict[str, float] = {}
    with OutputDirectory(out, kind=STUDY, required_bytes=REQUIRED_BYTES) as target:
        t0 = time.perf_counter()
        say("operating points from the paper's parameters ...")
        pts = paper_points(setup, J_over_kappa=J_over_kappa, names=points)
        timings["operating points"] = time.perf_counter() - t0
        known = _journal.read(cache).done
        cached = sum(row_key(p, g, crit) in known for p in pts for g in ladder)
        say(f"{len(pts)} points x {len(ladder)} G0 values; {cached} rows in the cache {cache}")
        if not compute and not cached and not direct:  # the previous report stays as it is
            raise NothingToReport(f"nothing to report: none of the {len(pts) * len(ladder)} "
                                  f"rows is in the cache {cache}; run omxval paper-device "
                                  f"without --cached-only to compute them (resumable)")
        t = time.perf_counter()
        rows = run_rows(pts, ladder, cache, engine=engine, num_cpus=num_cpus, criteria=crit,
                        progress=say, compute=compute)
        timings["rows"] = time.perf_counter() - t
        if direct:
            t = time.perf_counter()
            say("c2 directly by perturbation theory (docs/perturbative.md §11) ...")
            mine = run_direct(pts, cache, engine=engine, num_cpus=num_cpus, progress=say)
            timings["direct"] = time.perf_counter() - t
        else:
            mine = direct_table(pts, _journal.read(cache).done)
        directs, direct_source = mine, {name: str(cache) for name in mine}
        analyses = [analyse_point(p, rows[rows["point"] == p.name], directs.get(p.name))
                    for p in pts]
        timings["total"] = time.perf_counter() - t0

        tmp = target.path
        plots.plot_device(analyses, tmp / "approximation_error.png")
        table = pd.concat([a.rows.assign(point=a.point.name) for a in analyses],
                          ignore_index=True)
        table.to_csv(tmp / "paper_device.csv", index=False)
        points_table(pts).to_csv(tmp / "paper_device_points.csv", index=False)
        fits_table(analyses).to_csv(tmp / "paper_device_fits.csv", index=False)
        device_verdicts(analyses, ladder).to_csv(tmp / "verdicts.csv", index=False)
        configuration = {"G0": list(ladder), "points": [p.name for p in pts],
                         "compute": compute, "direct": direct,
                         "J_over_kappa": J_over_kappa, "criteria": dataclasses.asdict(crit),
                         "engine": engine, "num_cpus": num_cpus, "cache": str(cache),
                         "setup": dataclasses.asdict(setup)}
        meta = collect(configuration, {k: round(v, 3) for k, v in timings.items()})
        meta["verdicts"] = {a.point.name: a.verdict for a in analyses}  # read by omxval report
        target.metadata = meta
        (tmp / "index.md").write_text(_markdown(analyses, ladder, crit, cache, cached,
                                                  meta, direct_source))
    say(f"wrote {Path(out).resolve()}")
    return Path(out)


ASSUMPTIONS = (
    "**Fixed effective detuning and coupling.** The ladder keeps the paper's κ, J, Δ_F, γ_m, "
    "n_m, Δ̃_c and |G_d| and raises G0 only; the real device realises the same (Δ̃_c, |G_d|) "
    "with G0 = 7.2e-6 ω_m and ~5e9 photons (docs/conventions.md §5).",
    "**The fitted law holds down to the paper's G0.** The power law (or the leading order "
    "c2·G0² + c4·G0⁴) measured on G0 = 0.01–0.1 ω_m is extrapolated over about four decades; "
    "E_N of the nonlinear model is even in G0 at fixed (Δ̃_c, |G_d|), so the leading "
    "correction is O(G0²) (docs/paper_device.md §4), and nothing in the model sets a scale "
    "between the ladder and the paper's G0 (stable point, one mean-field branch).",
    "**Truncation converged.** Cutoffs are converged per row on the nonlinear state, and a "
    "row counts only if its approximation error changes by less than the estimator tolerance "
    "when every cutoff is raised by one (both values are in the tables); the fit at the "
    "raised cutoffs gives the exponent's sensitivity to the remaining truncation.",
    "**Bath model.** Both models use the paper's Brownian mechanical bath (docs/conventions.md "
    "§4–5) and optical vacuum noise; the study says nothing about effects outside the "
    "paper's model (other baths, mode structure, heating).",
)


def _fmt_prediction(p: Prediction) -> str:
    return f"{p.value:.3g} [{p.low:.3g}, {p.high:.3g}]"


def _display_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows as text for the Markdown tables (E_N to 7 decimals, errors in e-notation)."""
    def col(name: str, fmt: str) -> pd.Series:
        values = rows[name] if name in rows else pd.Series(np.nan, index=rows.index)
        return values.map(lambda v: format(v, fmt) if pd.notna(v) else "—")

    cutoffs = rows.apply(lambda r: f"({r['N_ccw']:.0f}, {r['N_cw']:.0f}, {r['N_m']:.0f})"
                         if pd.notna(r.get("N_ccw")) else "—", axis=1)
    return pd.DataFrame({
        "G0": col("G0", "g"), "status": rows["status"], "cutoffs c": cutoffs,
        "E_N Lyapunov": col("E_N Lyapunov", ".7f"),
        "E_N linearized Fock": col("E_N linearized Fock", ".7f"),
        "E_N nonlinear": col("E_N nonlinear", ".7f"),
        "truncation error": col("truncation error", ".2e"),
        "approximation error": col("approximation error", ".4e"),
        "relative": col("relative approximation error", ".2e"),
        "approximation error (c+1)": col("approximation error (c+1)", ".4e"),
        "estimator change": col("estimator change", ".2%"),
        "seconds": col("seconds", ".0f")})


def _direct_section(analyses: Sequence[PointAnalysis], sources: dict[str, str]) -> str:
    """The direct route beside the ladder: c2 by perturbation theory, no fit."""
    rows = []
    for a in analyses:
        d = a.direct
        if d is None:
            continue
        rows.append({"point": a.point.name, "c2 direct": f"{d.c2:.5f} ± {d.uncertainty:.5f}",
                     "cutoffs": "×".join(map(str, d.cutoffs)), "status": d.status,
                     "solves": d.solves, "seconds": f"{d.seconds:.0f}",
                     "|c2| ladder (c; c + 1)": "—" if a.leading is None else
                     f"{a.leading.c2:.5f} ± {a.leading.c2_stderr:.5f}; "
                     f"{a.leading_raised.c2:.5f}",
                     "agree": {True: "yes", False: "**no**", None: "—"}[a.direct_agrees],
                     "|ΔE_N| at paper G0": f"{d.prediction(a.point.G0).value:.3g}",
                     "source": sources.get(a.point.name, "")})
    if not rows:
        return ""
    return f"""## The direct route: c2 by perturbation theory, no ladder

ρ = ρ0 + G0·ρ1 + G0²·ρ2 + … with L0ρ0 = 0, L0ρ1 = −L1ρ0, L0ρ2 = −L1ρ1 (L0 the linearized
generator, L1 the cubic terms per unit G0), and the second-order perturbation of
ln‖ρ^T‖₁ gives E_N = E_N(ρ0) + c2·G0² + O(G0⁴) from three linear solves at cutoffs
converged for c2 (docs/perturbative.md §11, Eqs. P12–P14; the uncertainty is c2's change at
the last cutoff step). The ladder fits |ΔE_N|, so its c2 is compared with |c2 direct|. Where the two agree the verdict's bound is c2·G0² with that uncertainty — no
extrapolation. Recompute with `{RECOMPUTE_DIRECT}`.

{markdown_table(pd.DataFrame(rows))}
"""


def _markdown(analyses: Sequence[PointAnalysis], ladder: Sequence[float],
              crit: DeviceCriteria, cache: Path, cached: int, meta: dict,
              direct_sources: dict[str, str] | None = None) -> str:
    verdicts = "\n".join(f"- {a.verdict}" for a in analyses)
    pts = points_table([a.point for a in analyses])
    shown_points = pts[["point", "direction", "Omega [rad/s]", "J/kappa", "Delta_c [omega_m]",
                        "E_N Lyapunov", "detuning [omega_m]", "coupling [omega_m]",
                        "fluctuation quanta ccw", "fluctuation quanta cw",
                        "fluctuation quanta mechanics"]]
    fit_rows = []
    for a in analyses:
        if a.fit is None:
            fit_rows.append({"point": a.point.name, "converged rows": len(a.converged)})
            continue
        fit_rows.append({
            "point": a.point.name, "rows": len(a.converged),
            "p ± s.e. (c; c + 1)": f"{a.fit.exponent:.3f} ± {a.fit.exponent_stderr:.3f}; "
                                   f"{a.fit_raised.exponent:.3f} ± "
                                   f"{a.fit_raised.exponent_stderr:.3f}",
            "c2 ± s.e. (c; c + 1)": f"{a.leading.c2:.5f} ± {a.leading.c2_stderr:.5f}; "
                                    f"{a.leading_raised.c2:.5f}",
            "c4": f"{a.leading.c4:.3g}",
            f"power law at paper G0 [{BAND_LEVEL:.0%}]": _fmt_prediction(a.power_law),
            f"leading order at paper G0 [{BAND_LEVEL:.0%}]": _fmt_prediction(a.leading_order),
            "upper bound (relative)": f"{a.upper:.2e} ({a.upper / a.point.log_negativity:.1e})"})
    fits = pd.DataFrame(fit_rows)
    sections = []
    for a in analyses:
        notes = a.rows[a.rows["status"] != "converged"]
        note = "".join(f"\n- G0 = {r['G0']:g}: {r['status']} — {r['message']}"
                       for _, r in notes.iterrows())
        missing = [g for g in ladder if not len(a.rows) or g not in set(a.rows["G0"])]
        if missing:
            note += (f"\n- not computed (not in the cache): G0 = "
                     f"{', '.join(f'{g:g}' for g in missing)}")
        table = markdown_table(_display_rows(a.rows)) if len(a.rows) else "No rows yet."
        sections.append(f"### {a.point.label} (`{a.point.name}`)\n\n{table}\n{note}\n")
    assumptions = "\n".join(f"{i}. {text}" for i, text in enumerate(ASSUMPTIONS, 1))
    curvature_notes = "".join(
        f"\n- `{a.point.name}`: c4·G0²/c2 = {curvature(a):.2f} at G0 = "
        f"{a.converged['G0'].max():g}, so the ladder is not yet purely quadratic and the free "
        f"power law returns p = {a.fit.exponent:.2f}; extrapolated, it lies a factor "
        f"{a.leading_order.value / a.power_law.value:.2g} below the leading order at the "
        f"paper's G0."
        for a in analyses if a.fit is not None)
    rows_s = sum(float(a.rows["seconds"].sum()) for a in analyses)
    return f"""# Can the paper's Gaussian E_N be trusted at the paper's own parameters?

Jiao et al., PRL 125, 143605 (2020) compute E_N from the linearised (Gaussian) model. Here the
`nonlinear` full-quantum model (exact up to Fock truncation, docs/conventions.md §5) is solved
at each operating point's *exact* dimensionless design — derived from the paper's SI
parameters — with only the single-photon coupling G0 raised to 0.01–0.1 ω_m, where the state
fits a Fock space. At fixed (Δ̃_c, |G_d|) the Gaussian model does not depend on G0, so the
difference measures the linearization alone; a fit against G0 predicts it at the paper's
G0 = (ω_c/R)·√(ħ/(m ω_m)) = {analyses[0].point.G0:.4g} ω_m (452.0 s⁻¹, below paper Eq. 2).
Method: docs/paper_device.md.

## Verdicts

{verdicts}

## Operating points (Lyapunov state at the paper's parameters; units of ω_m)

{markdown_table(shown_points, '.6g')}

## Fits and the prediction at the paper's G0

|approximation error| = a·G0^p by least squares in log–log (standard errors from the
residuals; bands: Student t, {BAND_LEVEL:.0%}, from the covariance of (ln a, p)); the leading
order (the theoretical exponent 2, E_N being even in G0 at fixed (Δ̃_c, |G_d|)) fits
|error|/G0² = c2 + c4·G0² and predicts c2·G0² + c4·G0⁴ with the band from the covariance of
(c2, c4). Both fits are repeated on the values at cutoffs c + 1; the upper bound is the
largest upper band end of the four predictions.
{curvature_notes}

![approximation error](approximation_error.png)

{markdown_table(fits, '.4g')}

{_direct_section(analyses, direct_sources or {})}
## Rows

Truncation error = E_N(linearized Fock, c) − E_N(Lyapunov); approximation error =
E_N(nonlinear, c) − E_N(linearized Fock, c), both at the row's converged cutoffs c
(N_ccw, N_cw, N_m); relative = approximation error / E_N(Lyapunov); "(c+1)": every cutoff
raised by one; estimator change = |Δ(approximation error)| / |approximation error (c+1)|.
A row that is not converged has no numbers. Criteria: adaptive refinement with V tolerance
{crit.V_tolerance:g}, E_N tolerance {crit.log_negativity_tolerance:g}, first cutoffs from a
thermal tail of {crit.start_tail:g}, estimator tolerance {crit.estimator_tolerance:g}, method
`{crit.method}`, memory budget {crit.memory_budget_bytes / 2**30:.1f} GiB per solve.

{"".join(sections)}
## Assumptions

{assumptions}

## Provenance

omxval {meta['packages']['omxval']}, QuTiP {meta['packages']['qutip']}, NumPy
{meta['packages']['numpy']}, SciPy {meta['packages']['scipy']}, Python {meta['python']},
{meta['platform']}, commit `{meta['git_commit']}`. Row cache: `{cache}` (rerunning reuses
every finished row; {cached} of the {sum(len(a.rows) for a in analyses)} rows came from it in
this run). Compute time of the rows {rows_s:.0f} s (sum over rows, one BLAS thread each; this
run's wall time {meta['timings_s']['total']:.0f} s). Tables: `paper_device.csv` (rows),
`paper_device_points.csv` (designs), `paper_device_fits.csv` (fits), `verdicts.csv` (one
verdict per point); configuration and BLAS
details: `metadata.json`.
"""
