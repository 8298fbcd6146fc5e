"""``omxval device --model FILE``: the "my device" study of any model, resumable, as a report.

Rows (one per s of the ladder) go to a journal ``<out>.cache.jsonl`` as each finishes
(:mod:`.journal`), keyed by the model, the settings and s: a killed run loses only the rows
in flight, a rerun computes only what is missing, and the report is written whole at the
end (:class:`~.output.OutputDirectory`). The paper's device is one preset run:
``examples/models/paper_device_fig2_ccw.toml`` (docs/models.md §8).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ... import __version__, linear
from ...errors import InputError
from ..studies.device import DeviceStudy, device_study
from ..studies.maps import check_engine
from ..studies.progress import sink
from ..studies.search import ValidityCriteria
from . import journal as _journal
from . import plots
from .markdown import how_to_read, markdown_table
from .metadata import collect
from .output import OutputDirectory

KIND = "device"
REQUIRED_BYTES = 10e6
#: The default ladder: s from 10 to 1000 (a model's g0 × s must reach where Fock spaces
#: resolve the error; give your own with --s).
DEFAULT_S = (1000.0, 560.0, 320.0, 180.0, 100.0)


def cache_path(out: str | Path) -> Path:
    """The journal of finished rows beside ``out``."""
    out = Path(out).absolute()
    return out.parent / f"{out.name}.cache.jsonl"


def _key(model: linear.Model, branch: int, pairs, criteria: ValidityCriteria,
         max_dimension: int | None, method: str, s: float) -> str:
    payload = {"model": model.to_dict(), "branch": branch, "pairs": pairs,
               "criteria": criteria.__dict__, "max_dimension": max_dimension,
               "method": method, "s": s, "omxval": __version__}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=float).encode()
                          ).hexdigest()[:20]


def write_device_report(out: str | Path, cfg, *, s: Sequence[float] = DEFAULT_S,
                        engine: str = "serial", num_cpus: int | None = None,
                        progress: Callable[[str], None] | None = None) -> DeviceStudy:
    """Run (or resume) the study on ``cfg``'s model and write the report to ``out``.

    Parameters
    ----------
    out : path
        Output directory (``index.md``, ``device.png``, ``rows.csv``, ``predictions.csv``,
        ``verdicts.csv``, ``metadata.json`` with the model file and its SHA-256).
    cfg : ReportConfig
        With ``[model] file``; ``[solver]`` and ``[map]`` criteria.
    s : sequence of float
        The ladder.
    engine, num_cpus, progress
        As for the maps.

    Returns
    -------
    DeviceStudy
    """
    import pandas as pd

    check_engine(engine)
    if not cfg.model.file:
        raise InputError("omxval device needs a model: --model FILE (or [model] file)")
    say = sink(progress)
    point = linear.ModelPoint(cfg.model.load(), cfg.model.branch)
    crit = cfg.map.criteria(cfg.solver)
    pairs = [list(p) for p in cfg.model.pairs] or None
    opts = cfg.solver.options()

    def key(v: float) -> str:
        return _key(point.model, point.branch, pairs, crit, cfg.solver.max_dimension,
                    cfg.solver.method, float(v))

    with OutputDirectory(out, kind=KIND, required_bytes=REQUIRED_BYTES) as target, \
            _journal.Journal(cache_path(out)) as journal:
        t0 = time.perf_counter()
        rows = journal.contents.rows
        known = {float(v): rows[key(v)] for v in s if key(v) in rows}
        if known:
            say(f"{len(known)} row(s) of {len(set(s))} found in {cache_path(out)}")
        study = device_study(point, s, pairs=cfg.model.pairs or None, criteria=crit,
                             max_dimension=cfg.solver.max_dimension, engine=engine,
                             num_cpus=num_cpus, known=known, progress=say,
                             on_row=lambda v, row: journal.append(key(v), row), **opts)
        tmp = target.path
        plots.plot_device_ladder(study, tmp / "device.png")
        study.rows.to_csv(tmp / "rows.csv", index=False)
        study.table().to_csv(tmp / "predictions.csv", index=False)
        verdicts = pd.DataFrame([{"question": study.question, "error judged": "approximation",
                                  "verdict": study.verdict,
                                  "evidence": "; ".join(study.reasons)}])
        verdicts.to_csv(tmp / "verdicts.csv", index=False)
        meta = collect(cfg.to_dict(), {"total": round(time.perf_counter() - t0, 3)})
        meta["s"] = [float(v) for v in s]
        target.metadata = meta
        (tmp / "index.md").write_text(_markdown(cfg, study, verdicts, meta))
    say(f"wrote {Path(out).resolve()}")
    return study


def _markdown(cfg, study: DeviceStudy, verdicts, meta: dict) -> str:
    prov = meta.get("model_file", {})
    assumptions = "\n".join(f"* {a}." for a in study.assumptions)
    return f"""# My device: can the Gaussian E_N be trusted at the real g0?

**Verdict: {study.verdict}.** {'; '.join(study.reasons)}.

Model `{study.point.model.name or cfg.model.file}` (file `{cfg.model.file}`, SHA-256
`{prov.get('sha256', '?')}`), branch {study.point.branch}, rates in units of the
{study.point.model.unit}. The ladder `model.scaled(s)` (every g0 × s, every drive ÷ s:
docs/models.md Eq. M7) keeps the Gaussian model and scales the neglected terms; at each s the
`nonlinear` model's cutoffs are converged for that row, and the approximation error
E_N(nonlinear) − E_N(linearized Fock) at the same cutoffs (truncation cancels; checked at
c + 1) is fitted with c2·s² + c4·s⁴ and predicted at s = 1, the real device, with its band.
`agree`: the band's far end is within {cfg.map.relative_error:.0%} of the pair's Gaussian E_N
(or {cfg.map.absolute_floor:g}).

{markdown_table(study.table(), ".4g")}

![approximation error on the ladder and at the device](device.png)

## Assumptions

{assumptions}

## Rows

{markdown_table(study.rows, ".4g")}

{how_to_read()}

omxval {meta['packages']['omxval']}, QuTiP {meta['packages']['qutip']}, commit
`{meta['git_commit']}`; the rows are kept in the journal `<out>.cache.jsonl` beside this
directory (a rerun resumes). Configuration: `metadata.json`.
"""


__all__ = ["write_device_report", "cache_path", "DEFAULT_S"]
