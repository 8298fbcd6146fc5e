"""The validation report of a model of your own (``omxval report|point|converge|linearization
--model FILE``): the same verdicts, exit codes, figures (per pair of modes) and provenance as
the spinning resonator's report, for any :class:`omxval.Model` (docs/models.md).

Studies: ``point`` (both errors at the model's point, cutoffs converged there:
:func:`~omxval.compare.studies.modelvalidity.judge_model_point`), ``converge`` (the cutoff
search of the ``linearized`` Fock model and its control against Lyapunov), ``linearization``
(the nonlinearity ladder in s, docs/models.md Eq. M7) and ``validity`` (a map when
``[validity]`` names the model's parameters or s).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ... import linear
from ...errors import InputError
from ..studies.linearization import linearization_study
from ..studies.maps import validity_study, verdict as map_verdict
from ..studies.modelvalidity import judge_model_point, model_convergence_study
from ..studies.progress import sink
from . import plots
from .config import ReportConfig
from .markdown import how_to_read, markdown_table
from .metadata import collect
from .model_text import model_summary
from .output import OutputDirectory
from .report import REQUIRED_BYTES, verdict_row

#: The studies of a model's report, in order.
MODEL_STUDIES = ("point", "converge", "linearization", "validity")


def model_point(cfg: ReportConfig) -> linear.ModelPoint:
    """The point of ``[model]``: its file's model at ``branch`` (InputError naming the file,
    or the number of branches)."""
    return linear.ModelPoint(cfg.model.load(), cfg.model.branch)


def _run_point(cfg: ReportConfig, point, say):
    return judge_model_point(point, cfg.point.hamiltonian, pairs=cfg.model.pairs or None,
                             criteria=cfg.map.criteria(cfg.solver),
                             max_dimension=cfg.solver.max_dimension, errors="raise",
                             progress=say, **cfg.solver.options())


def _run_converge(cfg: ReportConfig, point, say):
    return model_convergence_study(point, pairs=cfg.model.pairs or None,
                                   criteria=cfg.map.criteria(cfg.solver),
                                   max_dimension=cfg.solver.max_dimension, progress=say,
                                   **cfg.solver.options())


def _run_linearization(cfg: ReportConfig, point, say):
    return linearization_study(point, cfg.linearization.s, cutoffs=None,
                               pairs=cfg.model.pairs or None, progress=say,
                               **cfg.solver.options())


def _run_validity(cfg: ReportConfig, point, say):
    return validity_study(cfg.map_spec("validity"), progress=say, **cfg.solver.workers())


def _write_point(cfg, r, out: Path) -> tuple[str, dict]:
    figure = ""
    if r.state is not None:
        plots.plot_model_point(r, out / "point.png")
        figure = "![E_N of each judged pair](point.png)\n"
    return f"""## Both errors at the model's point

The `{cfg.point.hamiltonian}` full-quantum model at cutoffs converged for this point against
the Gaussian E_N of every judged pair (approximation error); the `linearized` Fock model at the
same cutoffs against Lyapunov (truncation control) — **{r.verdict}**.

{markdown_table(r.table(), ".4g")}

{figure}""", {"point_pairs": r.table()}


def _write_converge(cfg, r, out: Path) -> tuple[str, dict]:
    plots.plot_model_convergence(r, out / "convergence.png")
    return f"""## Truncation convergence

The cutoff search of the `linearized` Fock model (each mode raised until one more level
changes nothing beyond tolerance, then every mode once more): chosen cutoffs **{r.chosen}** —
**{r.verdict}**. (A search can dismiss convergence, never prove it.)

{markdown_table(r.control, ".4g")}

![convergence](convergence.png)

{markdown_table(r.steps, ".4g")}
""", {"convergence": r.steps, "truncation_control": r.control}


def _write_linearization(cfg, r, out: Path) -> tuple[str, dict]:
    plots.plot_model_ladder(r, out / "linearization.png")
    return f"""## Approach to the linearised limit (the s ladder)

`model.scaled(s)` multiplies every g0 by s and divides every drive by s: the Gaussian model is
the same at every s, the neglected terms −g0·δa†δa·δq grow as s (docs/models.md Eq. M7). The
`nonlinear` model against the `linearized` Fock model at the same cutoffs (converged at the
largest s) — **{r.verdict}**: {'; '.join(r.reasons)}.

![linearization](linearization.png)

{markdown_table(r.table, ".3g")}
""", {"linearization": r.table}


def _write_validity(cfg, r, out: Path) -> tuple[str, dict]:
    spec = r.spec
    plots.plot_validity_map(r.table, spec, out / "validity.png")
    for pair in spec.pair_labels():
        plots.plot_validity_map(r.table, spec, out / f"validity_{pair}.png", pair=pair)
    figures = "\n\n".join(f"![pair {p}](validity_{p}.png)" for p in spec.pair_labels())
    ranges = map_verdict(r.table, spec)["ranges"]
    return f"""## Where the Gaussian E_N holds

A validity map of the model over {spec.x} × {spec.y} (`omxval map --model` draws larger ones):
the `{spec.hamiltonian}` model at cutoffs converged per point against the Gaussian E_N of every
judged pair — **{r.verdict}**.

{markdown_table(ranges)}

![validity map (worst judged pair)](validity.png)

{figures}

{markdown_table(r.table[list(spec.summary_columns())], ".3g")}
""", {"validity": r.table}


STUDIES: dict[str, tuple[Callable, Callable]] = {
    "point": (_run_point, _write_point),
    "converge": (_run_converge, _write_converge),
    "linearization": (_run_linearization, _write_linearization),
    "validity": (_run_validity, _write_validity),
}


def model_studies(cfg: ReportConfig, studies: tuple[str, ...]) -> tuple[str, ...]:
    """The studies of ``studies`` that run on a model: a ``validity`` map only when
    ``[validity]`` names the model's parameters or s; ``nonreciprocity`` (the spinning
    resonator's drive directions) never."""
    return tuple(s for s in studies if s in STUDIES
                 and (s != "validity" or cfg.is_model_map("validity")))


def write_model_report(out: str | Path, cfg: ReportConfig, *,
                       studies: tuple[str, ...] = MODEL_STUDIES,
                       progress: Callable[[str], None] | None = None) -> Path:
    """Run the studies on ``[model]`` and write ``index.md``, figures, CSV tables and
    ``metadata.json`` (with the model file and its SHA-256).

    Parameters
    ----------
    out : path
        Output directory (checked before any computation; only a directory omxval wrote is
        ever replaced, and only once every file is complete).
    cfg : ReportConfig
        With ``model.file`` set.
    studies : tuple of str
        Any of :data:`MODEL_STUDIES`; those that do not apply are left out and named in the
        report.
    progress : callable, optional

    Returns
    -------
    Path
    """
    if not cfg.model.file:
        raise InputError("a model report needs a model: --model FILE (or [model] file)")
    unknown = [s for s in studies if s not in (*STUDIES, "nonreciprocity")]
    if unknown:
        raise InputError(f"unknown studies {unknown}; valid for a model: {list(STUDIES)}")
    say = sink(progress)
    point = model_point(cfg)  # the model file and its branch, before any output or solve
    run = model_studies(cfg, studies)
    skipped = [s for s in studies if s not in run]
    if "validity" in run:
        cfg.map_spec("validity").check_grid()
    with OutputDirectory(out, kind="validation", required_bytes=REQUIRED_BYTES) as target:
        t0 = time.perf_counter()
        results, timings = {}, {}
        for name in run:
            say(f"{name} ...")
            t = time.perf_counter()
            results[name] = STUDIES[name][0](cfg, point, say)
            timings[name] = round(time.perf_counter() - t, 3)
        timings["total"] = round(time.perf_counter() - t0, 3)
        verdicts = pd.DataFrame([verdict_row(results[n]) for n in run],
                                columns=["question", "verdict", "evidence", "next step"])
        verdicts.insert(1, "error judged", ["truncation" if n == "converge" else "approximation"
                                            for n in run])
        tmp = target.path
        sections, tables = [], {"verdicts": verdicts}
        for name in run:
            md, tabs = STUDIES[name][1](cfg, results[name], tmp)
            sections.append(md)
            tables.update(tabs)
        for name, df in tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
        meta = collect(cfg.to_dict(), timings)
        target.metadata = meta
        summary = model_summary(point.model, linear.analyze_branches(point.model))
        (tmp / "index.md").write_text(_markdown(cfg, point, verdicts, sections, meta, summary,
                                                skipped))
    say(f"wrote {Path(out).resolve()}")
    return Path(out)


def _markdown(cfg: ReportConfig, point, verdicts, sections, meta, summary: str,
              skipped: list[str]) -> str:
    prov = meta.get("model_file", {})
    skip = ""
    if skipped:
        why = {"validity": "set [validity] x and y to the model's parameters or s to map it",
               "nonreciprocity": "drive directions are the spinning resonator's"}
        skip = "\n\nNot run on this model: " + "; ".join(
            f"`{s}` ({why.get(s, 'not for models')})" for s in skipped) + "."
    return f"""# omxval validation report: {point.model.name or cfg.model.file}

Can the Gaussian E_N of this model be trusted here, and was the Fock space large enough?
Model file `{cfg.model.file}` (SHA-256 `{prov.get('sha256', '?')[:16]}…`), mean-field branch
{point.branch}, rates in units of the {point.model.unit}.

## Verdicts

{markdown_table(verdicts)}{skip}

```
{summary}
```

{chr(10).join(sections)}
## How to read this report

Two errors are never mixed. The **approximation error** compares the `nonlinear` full-quantum
model (exact up to truncation) with the Gaussian model of the same model file; the
**truncation error** compares the `linearized` Fock model (the same quadratic Hamiltonian as
the Gaussian model) with the Lyapunov solution at the same cutoffs, a numerical control.
Cutoffs are converged per point (one more level changes V by less than
{cfg.solver.V_tolerance:g} and every judged pair's E_N by less than
{cfg.solver.log_negativity_tolerance:g}); `agree`/`valid` means |ΔE_N| ≤
{cfg.map.relative_error:.0%} of E_N (or ≤ {cfg.map.absolute_floor:g}) for every judged pair.

{how_to_read()}

## Provenance

omxval {meta['packages']['omxval']}, QuTiP {meta['packages']['qutip']}, NumPy
{meta['packages']['numpy']}, SciPy {meta['packages']['scipy']}, Python {meta['python']},
commit `{meta['git_commit']}`; model file `{prov.get('path', cfg.model.file)}`, SHA-256
`{prov.get('sha256', '?')}`. Wall time {meta['timings_s']['total']:.0f} s. Configuration:
`metadata.json`.
"""


__all__ = ["write_model_report", "MODEL_STUDIES", "model_point", "model_studies"]
