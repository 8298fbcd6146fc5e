"""``omxval report``: every study, verdicts first, written atomically to ``reports/validation``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd


from ... import linear
from ...errors import InputError
from . import plots
from ..studies.agreement import Tolerances, compare_point
from .config import ReportConfig
from ..studies.convergence import convergence_study
from ..studies.linearization import linearization_study
from ..studies.maps import validity_study
from .metadata import collect
from ..studies.nonreciprocity import nonreciprocity_study
from .output import OutputDirectory
from ..studies.progress import sink
from ..studies.verdicts import next_step
from .device_answer import DeviceAnswer, device_answer
from .display import stderr_progress
from .markdown import how_to_read, markdown_table, point_markdown

# Free space a report needs: the default report measured 1 MB; a large configuration
# (long nonreciprocity curves) stays far below this.
REQUIRED_BYTES = 20e6


def run_point(cfg: ReportConfig, progress=None):
    """Agreement at the design point (config sections ``design``, ``point``, ``solver``)."""
    p = cfg.point
    return compare_point(cfg.design.point(), hamiltonian=p.hamiltonian, cutoffs=p.cutoffs or None,
                         tolerances=Tolerances(p.V_agreement, p.log_negativity_agreement),
                         **cfg.solver.search())


def run_converge(cfg: ReportConfig, progress=None):
    """Truncation-convergence study at the design point."""
    c = cfg.converge
    return convergence_study(cfg.design.point(), hamiltonian=c.hamiltonian, start=c.start_cutoffs,
                             maximum=c.max_cutoffs, V_tolerance=c.V_tolerance,
                             log_negativity_tolerance=c.log_negativity_tolerance,
                             progress=progress, **cfg.solver.options())


def run_linearization(cfg: ReportConfig, progress=None):
    """G0 ladder at the design's (Δ̃_c, |G_d|)."""
    lz = cfg.linearization
    return linearization_study(cfg.design.design(), lz.G0, cutoffs=lz.cutoffs,
                               progress=progress, **cfg.solver.options())


def run_nonreciprocity(cfg: ReportConfig, progress=None):
    """E_N against Δ_c for both drives and both baths, the laser fixed by the design."""
    nr = cfg.nonreciprocity
    system = cfg.design.point(Delta_F=nr.Delta_F).system
    return nonreciprocity_study(system, nr.Delta_c, hamiltonian=nr.hamiltonian, progress=progress,
                                **cfg.solver.workers(),
                                **cfg.solver.search(relative_error=nr.relative_error))


def run_validity(cfg: ReportConfig, progress=None):
    """The ``[validity]`` map around the design point."""
    return validity_study(cfg.map_spec("validity"), progress=progress, **cfg.solver.workers())


def _check_memory(cfg: ReportConfig, studies: tuple[str, ...]) -> None:
    """Refuse a configuration whose largest solve exceeds the memory budget, before any
    study runs (the largest cutoffs of each study; the Brownian bath is the larger)."""
    largest = {"point": (cfg.point.cutoffs, cfg.point.hamiltonian),  # () : searched, budget inside
               "converge": (tuple(c + 1 for c in cfg.converge.max_cutoffs), cfg.converge.hamiltonian),
               "linearization": (cfg.linearization.cutoffs, "nonlinear"),
               }
    for name in studies:
        cutoffs, model = largest.get(name, ((), ""))
        if cutoffs:
            cfg.solver.check_memory(cutoffs, model, "brownian")


def verdict_row(result) -> tuple[str, str, str, str]:
    """(question, verdict, evidence, next step) of a study result: the study decides, the
    writer writes; the next step comes from :data:`~omxval.compare.studies.verdicts.VERDICTS`."""
    evidence = "; ".join(result.reasons)
    if hasattr(result, "chosen"):  # the convergence study: the cutoffs it settled on first
        evidence = f"chosen cutoffs {result.chosen}; {evidence}"
    advice = getattr(result, "advice", "") or next_step(result.verdict)
    return result.question, result.verdict, evidence, advice or "—"


def _error_judged(cfg: ReportConfig, study: str) -> str:
    """Which of the two errors a study's verdict judges (the other is only a control)."""
    model = {"point": cfg.point.hamiltonian, "nonreciprocity": cfg.nonreciprocity.hamiltonian,
             "validity": cfg.validity.hamiltonian, "converge": "linearized",
             "linearization": "nonlinear"}[study]
    return "truncation" if model == "linearized" else "approximation"


def write_point(cfg: ReportConfig, point, out: Path) -> tuple[str, dict]:
    figure = ""
    if point.steady is not None:  # an unstable point has nothing to draw
        plots.plot_point(point, out / "point.png")
        figure = "![point](point.png)\n"
    md = f"""## Agreement at the design point

{point_markdown(point)}
{figure}"""
    return md, {"point_summary": point.summary, "point_elements": point.elements}


def write_converge(cfg: ReportConfig, conv, out: Path) -> tuple[str, dict]:
    plots.plot_convergence(conv, out / "convergence.png")
    cols = ["stage", "N_ccw", "N_cw", "N_m", "d", "max abs dV", "dE_N gaussian", "dE_N exact",
            "E_N exact", "seconds"]
    md = f"""## Truncation convergence

Each cutoff is raised in turn until one more level changes nothing beyond tolerance; then
every cutoff is raised once more as a check. Chosen cutoffs: **{conv.chosen}** —
**{conv.verdict}**. (A study like this can dismiss convergence, never prove it.)

![convergence](convergence.png)

{markdown_table(conv.steps[cols], ".3g")}
"""
    return md, {"convergence": conv.steps}


def write_linearization(cfg: ReportConfig, lin, out: Path) -> tuple[str, dict]:
    plots.plot_linearization(lin, out / "linearization.png")
    cols = ["G0", "max abs dV", "dE_N gaussian", "dE_N exact", "<dq>", "non-Gaussianity",
            "max top population", "seconds"]
    md = f"""## Approach to the linearised limit

`nonlinear` model on a G0 ladder at fixed (Δ̃_c, |G_d|); deviations against the `linearized`
model at the same cutoffs {cfg.linearization.cutoffs}.

![linearization](linearization.png)

{markdown_table(lin.table[cols], ".3g")}
"""
    return md, {"linearization": lin.table}


def write_nonreciprocity(cfg: ReportConfig, result, out: Path) -> tuple[str, dict]:
    curves, points = result.curves, result.points
    plots.plot_nonreciprocity(curves, points, out / "nonreciprocity.png")
    cols = [c for c in ("bath", "direction", "Delta_c [omega_m]", "status", "E_N linear",
                        "E_N gaussian fq", "E_N exact fq", "truncation dE_N", "N_ccw", "N_cw",
                        "N_m") if c in points]
    md = f"""## Nonreciprocity

One laser — the design point's drive, with the Sagnac shift set to Δ_F =
{cfg.nonreciprocity.Delta_F} — drives either direction; Gaussian curves and full-quantum
points (`{cfg.nonreciprocity.hamiltonian}` model, cutoffs converged per point, `linearized` model at
the same cutoffs as the truncation control).

![nonreciprocity](nonreciprocity.png)

{markdown_table(points[cols], ".4g")}
"""
    return md, {"nonreciprocity_points": points, "nonreciprocity_curves": curves}


def write_validity(cfg: ReportConfig, study, out: Path) -> tuple[str, dict]:
    from .map_report import verdict as map_verdict

    plots.plot_validity_map(study.table, study.spec, out / "validity.png")
    spec = study.spec
    ranges = map_verdict(study.table, spec)["ranges"]
    cols = [spec.x, spec.y, "status", "E_N linear", "E_N exact", "rel dE_N", "truncation dE_N",
            "N_ccw", "N_cw", "N_m", "seconds"]
    md = f"""## Where the Gaussian E_N holds

A small validity map around the design point (`omxval map` draws larger ones): the
`{spec.hamiltonian}` model at cutoffs converged per point against the Gaussian E_N (approximation
error; `valid` within {spec.criteria.relative_error:.0%}), with the `linearized` Fock model at
the same cutoffs as the truncation control — **{study.verdict}**.

{markdown_table(ranges)}

![validity map](validity.png)

{markdown_table(study.table[cols], ".3g")}
"""
    return md, {"validity": study.table}


STUDIES: dict[str, tuple[Callable, Callable]] = {
    "point": (run_point, write_point),
    "converge": (run_converge, write_converge),
    "linearization": (run_linearization, write_linearization),
    "nonreciprocity": (run_nonreciprocity, write_nonreciprocity),
    "validity": (run_validity, write_validity),
}


def write_report(out: str | Path = "reports/validation", config: ReportConfig | None = None,
                 *, studies: tuple[str, ...] = tuple(STUDIES),
                 progress: Callable[[str], None] | None = stderr_progress,
                 paper_link: str | None = "../paper/index.md",
                 paper_device: bool = True) -> Path:
    """Run ``studies`` and write ``index.md``, figures, CSV tables and ``metadata.json``.

    The output location is checked before any computation (see :class:`OutputDirectory`:
    only a directory omxval wrote is ever replaced), and the directory is replaced only when
    every file is complete: an interrupted run leaves the previous report intact.

    Parameters
    ----------
    out : path
        Output directory.
    config : ReportConfig
        Default: the built-in configuration.
    studies : tuple of str
        Any of "point", "converge", "linearization", "nonreciprocity", "validity"
        (default: all).
    progress : callable or None
        Receives one-line progress messages (default: standard error).
    paper_link : str or None
        Relative link to the paper reproduction, shown at the top.
    paper_device : bool
        Lead with the paper's own device: its verdict rows first, from the rows shipped
        with omxval or, point by point, from a run of ``omxval paper-device`` beside the
        report (``<out>/../paper_device.cache.jsonl``;
        :func:`~omxval.compare.app.device_answer.device_answer`). Seconds; no solve.
    """
    unknown = [s for s in studies if s not in STUDIES]
    if unknown:
        raise InputError(f"unknown studies {unknown}; valid: {list(STUDIES)}")
    cfg = config or ReportConfig()
    say = sink(progress)
    timings: dict[str, float] = {}
    results = {}
    _check_memory(cfg, studies)  # every solve's memory, before the first one runs
    if "validity" in studies:  # every grid point, before the first study runs
        cfg.map_spec("validity").check_grid()
    # The output location is checked (and staged) before any computation.
    with OutputDirectory(out, kind="validation", required_bytes=REQUIRED_BYTES) as target:
        t0 = time.perf_counter()
        for name in studies:
            say(f"{name} ...")
            t = time.perf_counter()
            results[name] = STUDIES[name][0](cfg, say)
            timings[name] = round(time.perf_counter() - t, 3)
            say(f"{name}: {timings[name]:.1f} s")
        verdicts = pd.DataFrame([verdict_row(results[n]) for n in studies],
                                columns=["question", "verdict", "evidence", "next step"])
        verdicts.insert(1, "error judged", [_error_judged(cfg, n) for n in studies])
        answer = None
        if paper_device:  # the question users bring, answered first
            say("the paper's own device (shipped rows, or a run beside this report) ...")
            answer = device_answer(Path(out).absolute().parent / "paper_device.cache.jsonl")
            verdicts = pd.concat([device_verdict_rows(answer), verdicts], ignore_index=True)
        timings["total"] = round(time.perf_counter() - t0, 3)

        say("writing the report ...")
        tmp = target.path
        sections, tables = [], {"verdicts": verdicts}
        if answer is not None:
            sections.append(device_section(answer, tmp))
            tables["paper_device_verdicts"] = answer.verdicts
            tables["paper_device_rows"] = pd.concat(
                [a.rows.assign(point=a.point.name, source=answer.sources[a.point.name])
                 for a in answer.analyses], ignore_index=True)
        for name in studies:
            md, tabs = STUDIES[name][1](cfg, results[name], tmp)
            sections.append(md)
            tables.update(tabs)
        for name, df in tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
        meta = collect(cfg.to_dict(), timings)
        target.metadata = meta
        design_en = float(linear.analyze(cfg.design.point()).log_negativity_gaussian)
        (tmp / "index.md").write_text(_markdown(cfg, verdicts, sections, meta, paper_link,
                                                design_en))
    say(f"wrote {Path(out).resolve()}")
    return Path(out)


def device_verdict_rows(answer: DeviceAnswer) -> pd.DataFrame:
    """The paper-device verdicts as rows of the report's verdict table (first)."""
    v = answer.verdicts
    source = ["shipped with omxval " + answer.shipped.version if s == "shipped"
              else f"your run ({Path(s).name})" for s in v["source"]]
    return pd.DataFrame({
        "question": v["question"], "error judged": "approximation", "verdict": v["verdict"],
        "evidence": [f"{e} ({src})" for e, src in zip(v["evidence"], source)],
        "next step": [(f"compute the missing rows: omxval paper-device --points {p} "
                       f"(resumable)") if w == "incomplete" else next_step(w) or "—"
                      for p, w in zip(v["point"], v["verdict"])]})


def device_section(answer: DeviceAnswer, out: Path) -> str:
    """The report's first section: the paper's device, its verdicts, band and figure."""
    from ..studies.fits import BAND_LEVEL

    shown = [a for a in answer.analyses if len(a.converged)]
    figure = ""
    if shown:
        plots.plot_device(shown, out / "paper_device.png")
        figure = "![approximation error at the paper's device](paper_device.png)\n"
    prov = answer.shipped.provenance
    v = answer.verdicts
    table = pd.DataFrame({
        "point": v["point"], "verdict": v["verdict"],
        "abs ΔE_N at paper G0 (leading order)": v["abs error at paper G0"],
        f"upper end ({BAND_LEVEL:.0%} bands)": v["upper bound"],
        "relative to E_N": v["relative upper bound"],
        "rows": [len(a.converged) for a in answer.analyses],
        "source": v["source"]})
    shipped = [p for p, s in answer.sources.items() if s == "shipped"]
    missing = [a.point.name for a in answer.analyses if not len(a.rows)]
    origin = (f"Rows of {', '.join(f'`{p}`' for p in shipped)}: **shipped data**, computed by "
              f"omxval {prov['omxval']} (QuTiP {prov['packages']['qutip']}, NumPy "
              f"{prov['packages']['numpy']}, SciPy {prov['packages']['scipy']}; commit "
              f"`{prov['git_commit']}`, {prov['created_utc'][:10]}, {prov['machine']}) with "
              f"`{prov['command']}`; every row with its cutoffs is in `paper_device_rows.csv`. "
              f"Running that "
              f"command beside this report (`--out` the sibling `paper_device`) recomputes "
              f"them, and its rows replace the shipped ones here. "
              if shipped else "")
    if missing:
        origin += (f"Not computed yet: {', '.join(f'`{p}`' for p in missing)} (no row "
                   f"shipped; `omxval paper-device --points {','.join(missing)}` computes "
                   f"them, resumably). ")
    return f"""## The paper's own device

Can the Gaussian E_N of Jiao et al. be trusted at the device they describe? The `nonlinear`
full-quantum model is solved at each of the paper's exact dimensionless operating points
with G0 raised to 0.01–0.1 ω_m, at cutoffs converged per row; the approximation error
E_N(nonlinear) − E_N(linearized Fock) is fitted against G0 and predicted at the paper's
G0 = 7.2e-6 ω_m (docs/paper_device.md). `agree`: the predicted error stays below half a unit
of the paper's printed fourth decimal (5e-5).

{markdown_table(table, ".3g")}

{origin}

{figure}"""


def _markdown(cfg: ReportConfig, verdicts: pd.DataFrame, sections: list[str], meta: dict,
              paper_link: str | None, design_log_negativity: float) -> str:
    d = cfg.design
    results_en = design_log_negativity if np.isfinite(design_log_negativity) else 0.0
    link = (f" Paper reproduction (Gaussian model only): [{paper_link}]({paper_link}) "
            f"(`omxval paper`)." if paper_link else "")
    body = "\n".join(sections)
    per_study = ", ".join(f"{k} {v:.1f} s" for k, v in meta["timings_s"].items() if k != "total")
    return f"""# omxval validation report

Does the Gaussian (linearised) model of the spinning optomechanical resonator hold here, and
was the Fock space of the full-quantum model large enough?{link}

## Verdicts

{markdown_table(verdicts)}

Each verdict word is defined in [How to read this report](#how-to-read-this-report); a
verdict that is not a pass says what to do next.

Design point (units of ω_m, docs/conventions.md §5): κ = {d.kappa}, J = {d.J}, Δ_F = {d.Delta_F},
γ_m = {d.gamma_m}, n_m = {d.n_m}, G0 = {d.G0}, Δ̃_c = {d.detuning}, |G_d| = {d.coupling},
{d.direction} drive, {d.bath} bath. Full-quantum solver: `{cfg.solver.method}`.

{body}
## How to read this report

Two errors are never mixed. The **approximation error** compares the `nonlinear`
full-quantum model (exact up to truncation) with the Gaussian model: it is the physics this
report judges. The **truncation error** compares the `linearized` Fock model (the same
quadratic Hamiltonian as the Gaussian model) with the Lyapunov solution at the same cutoffs:
a numerical control that says how well the Fock space resolves the state, nothing about
physics. Cutoffs are converged per point: raised until one more level changes V by less than
{cfg.solver.V_tolerance:g} (the vacuum variance is 1/2, so {cfg.solver.V_tolerance / 0.5:.0e}
of the vacuum noise) and E_N by less than {cfg.solver.log_negativity_tolerance:g} (ln units).
Agreement tolerances at the design point: max|ΔV| ≤ {cfg.point.V_agreement:g}
({cfg.point.V_agreement / 0.5:.1%} of the vacuum variance), |ΔE_N| ≤
{cfg.point.log_negativity_agreement:g} ({cfg.point.log_negativity_agreement / max(results_en, 1e-12):.1%} of this
design's Gaussian E_N = {results_en:.4f}). Maps and the nonreciprocity study judge the
relative error |ΔE_N| / E_N (`valid` within {cfg.validity.relative_error:.0%}).

{how_to_read()}

## Provenance

omxval {meta['packages']['omxval']}, QuTiP {meta['packages']['qutip']}, NumPy
{meta['packages']['numpy']}, SciPy {meta['packages']['scipy']}, Python {meta['python']},
{meta['platform']}, commit `{meta['git_commit']}`. Wall time {meta['timings_s']['total']:.0f} s
({per_study}). Full configuration and BLAS details: `metadata.json`; every table is also a
CSV file beside this page.
"""
