"""``omxval map``: a validity map written as ``map.csv``, ``map.png`` and ``index.md``.

The output directory follows the rules of :class:`~omxval.compare.app.output.OutputDirectory`
(refused unless new, empty or written by omxval; replaced whole at the end). Points are
resumable across runs: while a map runs, each finished point is appended to the journal
``.<name>.omxval-points.jsonl`` beside the output directory (:mod:`omxval.compare.app.journal`),
which survives a kill; a rerun with the same ``--out`` reads it (and the ``points.jsonl`` of
a finished map there) and computes only what is missing or failed. The journal is removed
once the map is written, unless it also holds points of another map (an interrupted run of
a different map at the same ``--out``), which are kept.

A finished map at ``--out`` is replaced only by a map whose grid holds every one of its
points (the same map, resumed, extended or recomputed with other settings); writing a
different grid there is refused, so no finished point is ever dropped silently.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...errors import InputError
from . import journal as _journal
from ..studies.maps import MapSpec, check_engine, map_table, verdict
from ..studies.modelmaps import ModelMapSpec
from ..studies.leading import LEADING_STATUSES, LeadingCriteria
from ..studies.series import SERIES_STATUSES, SeriesCriteria
from .runs import read_cache, run_map
from .metadata import collect
from .output import OutputDirectory, OutputLocationError, read_marker
from ..studies.progress import format_seconds, sink
from ..studies.tables import clip, html_table, status_counts
from .markdown import markdown_table

KIND = "map"
POINTS_FILE = "points.jsonl"
REQUIRED_BYTES = 20e6


@dataclass(frozen=True)
class MapReport:
    """A written validity map: where it is, what it computed and the table of its points."""

    path: Path
    spec: MapSpec | ModelMapSpec
    table: pd.DataFrame

    def verdict(self) -> dict[str, object]:
        """See :func:`verdict`."""
        return verdict(self.table, self.spec)

    def __repr__(self) -> str:
        return (f"MapReport({self.spec.x} × {self.spec.y}, {len(self.table)} of "
                f"{len(self.spec.points())} points: {status_counts(self.table['status'])}; "
                f"{clip(str(self.path), 80, keep='end')})")

    def _repr_html_(self) -> str:
        return html_table(f"validity map {self.spec.x} × {self.spec.y} in {self.path}: "
                          f"{status_counts(self.table['status'])}", (), self.table)

    def to_dataframe(self) -> pd.DataFrame:
        """The map table (a copy): the rows of ``map.csv``, in grid order."""
        return self.table.copy()


def spec_from_dict(values: dict) -> MapSpec | ModelMapSpec:
    """The spec a map's ``metadata.json`` recorded: a model's map holds its model file's
    mapping under ``model``, the spinning resonator's design map does not."""
    if isinstance(values.get("model"), dict):
        return ModelMapSpec.from_dict(values)
    return MapSpec.from_dict(values)


def journal_path(out: str | Path) -> Path:
    """The journal of finished points of a map being written to ``out``."""
    out = Path(os.path.abspath(os.path.expanduser(os.fspath(out))))
    return out.parent / f".{out.name}.omxval-points.jsonl"


def _shard_label(shard: tuple[int, int]) -> str:
    return f"{shard[0]}/{shard[1]}"


def write_map_report(out: str | Path, spec: MapSpec | ModelMapSpec, *, engine: str = "serial",
                     num_cpus: int | None = None, shard: tuple[int, int] = (0, 1),
                     progress: Callable[[str], None] | None = None,
                     configuration: dict | None = None,
                     allow_large: bool = False) -> MapReport:
    """Compute (or resume) a validity map and write it to ``out``.

    Parameters
    ----------
    out : path
        Output directory (``map.csv``, ``map.png``, ``index.md``, ``points.jsonl``,
        ``metadata.json``).
    spec : MapSpec
    engine, num_cpus, shard, allow_large
        As for :func:`~omxval.compare.app.runs.run_map`.
    progress : callable, optional
        One line per finished point with the count, failures and an ETA.
    configuration : dict, optional
        The full configuration, recorded in ``metadata.json``.

    Returns
    -------
    MapReport
        The output directory, the spec and the table of this shard's points.

    Raises
    ------
    InputError
        Before any file is touched: a refused engine or grid, or an ``out`` holding a
        finished map with points this map does not contain (:class:`OutputLocationError`).
    """
    say = sink(progress)
    check_engine(engine)  # before any file is touched
    spec.check_grid(allow_large=allow_large)
    journal_file = journal_path(out)
    mine_designs = spec.points()[shard[0]::shard[1]]
    mine = {spec.key(d) for d in mine_designs}
    with OutputDirectory(out, kind=KIND, required_bytes=REQUIRED_BYTES) as target, \
            _journal.Journal(journal_file) as journal:
        _check_not_another_map(target.target, spec, mine_designs)
        _seed_journal(target.target, journal)
        t0 = time.perf_counter()
        say(f"map {spec.x} × {spec.y}: {len(mine)} points"
            + (f" (shard {_shard_label(shard)} of {len(spec.points())})" if shard[1] > 1 else "")
            + f", engine {engine}")
        run_map(spec, journal, engine=engine, num_cpus=num_cpus, shard=shard, progress=say,
                allow_large=allow_large)
        rows = dict(journal.contents.rows)
        _write(target, spec, {k: v for k, v in rows.items() if k in mine}, shard,
               configuration, {"total": round(time.perf_counter() - t0, 3)})
        others = len(set(rows) - mine)
    if others:  # never drop another map's points: the journal stays for its rerun
        say(f"the journal {journal_file} also holds {others} point(s) of another map; kept")
    else:
        journal_file.unlink(missing_ok=True)
    say(f"wrote {Path(out).resolve()}")
    return MapReport(Path(out), spec, map_table(spec, {k: rows[k] for k in mine if k in rows}))


def _check_not_another_map(target: Path, spec: MapSpec | ModelMapSpec, designs: list[dict]) -> None:
    """Refuse to replace a finished map at ``target`` that has grid points this one lacks."""
    marker = read_marker(target) if target.is_dir() else None
    if marker is None or marker.get("kind") != KIND:
        return
    try:
        meta = json.loads((target / "metadata.json").read_text())
        old = spec_from_dict(meta["map"])
        old_shard = tuple(meta.get("shard", (0, 1)))
        old_designs = old.points()[old_shard[0]::old_shard[1]]
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputLocationError(
            f"refusing to write to {str(target)!r}: it holds an omxval map whose metadata.json "
            f"cannot be read. Nothing was changed. Choose another --out") from None

    def ident(d: dict) -> tuple:
        return tuple(sorted((k, float(v)) for k, v in d.items()))

    new = set(map(ident, designs))
    dropped = [d for d in old_designs if ident(d) not in new]
    if dropped:
        d = dropped[0]
        raise OutputLocationError(
            f"refusing to write to {str(target)!r}: it holds another map ({old.x} × {old.y}, "
            f"{len(old_designs)} points) with {len(dropped)} point(s) this map does not "
            f"contain (e.g. {', '.join(f'{k} = {v:g}' for k, v in d.items() if k in (old.x, old.y))}"
            f"); writing here would drop them. Nothing was changed. Choose another --out, or "
            f"move that map away first")


def merge_maps(out: str | Path, shards: Sequence[str | Path], *,
               progress: Callable[[str], None] | None = None) -> MapReport:
    """Join the outputs of ``omxval map --shard i/n`` runs into one map, computing nothing.

    Every shard must be an omxval map output of the same map (same grid, design, model,
    criteria and solver); together they must cover every point.

    Raises
    ------
    InputError
        A directory is not a map output, the maps differ, or points are missing.
    """
    say = sink(progress)
    if not shards:
        raise InputError("--merge needs at least one map directory")
    specs, rows = [], {}
    for d in map(Path, shards):
        marker = read_marker(d)
        if marker is None or marker.get("kind") != KIND:
            raise InputError(f"{str(d)!r} is not an omxval map output (no map marker in "
                             f"{d / 'metadata.json'})")
        meta = json.loads((d / "metadata.json").read_text())
        specs.append(meta["map"])
        rows.update(read_cache(d / POINTS_FILE))
    if any(s != specs[0] for s in specs[1:]):
        raise InputError("the directories hold different maps (grid, design, model, "
                         "criteria or solver differ); merge only shards of one map")
    spec = spec_from_dict(specs[0])
    missing = [d for d in spec.points() if spec.key(d) not in rows]
    if missing:
        first = missing[0]
        raise InputError(f"the shards cover {len(spec.points()) - len(missing)} of "
                         f"{len(spec.points())} points; missing e.g. {spec.x} = "
                         f"{first[spec.x]:g}, {spec.y} = {first[spec.y]:g}. Run the "
                         f"missing shards (or rerun them: finished points are kept)")
    with OutputDirectory(out, kind=KIND, required_bytes=REQUIRED_BYTES) as target:
        _write(target, spec, rows, (0, 1), None, {"total": 0.0})
    say(f"merged {len(shards)} map(s) into {Path(out).resolve()}")
    return MapReport(Path(out), spec, map_table(spec, rows))


def _seed_journal(target: Path, journal: _journal.Journal) -> None:
    """Carry a finished map's points at ``target`` into the journal (read, never moved)."""
    previous = target / POINTS_FILE
    marker = read_marker(target) if target.is_dir() else None
    if marker is None or marker.get("kind") != KIND or not previous.exists():
        return
    known = journal.contents.rows
    journal.extend((k, r) for k, r in _journal.read(previous).rows.items() if k not in known)


def _write(target: OutputDirectory, spec: MapSpec | ModelMapSpec, rows: dict[str, dict],
           shard: tuple[int, int], configuration: dict | None, timings: dict) -> None:
    from . import plots

    tmp = target.path
    _journal.write_rows(tmp / POINTS_FILE, ((k, rows[k]) for k in map(spec.key, spec.points())
                                            if k in rows))
    table = map_table(spec, rows)
    table.to_csv(tmp / "map.csv", index=False)
    plots.plot_validity_map(table, spec, tmp / "map.png")
    for pair in spec.pair_labels():
        plots.plot_validity_map(table, spec, tmp / f"map_{pair}.png", pair=pair)
    meta = collect(configuration or {}, timings)
    meta["map"] = spec.to_dict()
    meta["shard"] = list(shard)
    target.metadata = meta
    (tmp / "index.md").write_text(map_markdown(table, spec, shard, meta))


def map_markdown(table: pd.DataFrame, spec: MapSpec | ModelMapSpec, shard: tuple[int, int], meta: dict) -> str:
    """The map's ``index.md``: verdict first, then how to read it, the figure and the table."""
    v = verdict(table, spec)
    n, total = len(table), len(spec.points())
    c = v["counts"]
    crit = spec.criteria
    status_line = ", ".join(f"{c.get(s, 0)} {s}" for s in
                            ("valid", "breaks", "unconverged", "unstable", "failed"))
    shard_note = (f"\n**Shard {_shard_label(shard)}**: {n} of the map's {total} points. Join "
                  f"the shards with `omxval map --merge DIR ... --out DIR`.\n"
                  if shard[1] > 1 else "")
    multistable = int(table["multistable"].fillna(False).astype(bool).sum())
    judged = table[table["status"].isin(["valid", "breaks"])]
    trunc = judged["truncation dE_N"].astype(float)
    noisy = int(((trunc > judged["abs dE_N"].astype(float))
                 & (judged["abs dE_N"].astype(float) > crit.absolute_floor)).sum())
    trunc_max = f"{trunc.max():.2g}" if len(trunc) else "—"
    seconds = float(pd.to_numeric(table["seconds"], errors="coerce").sum())
    next_line = f"\n\n**Next step:** {v['advice']}." if v["advice"] else ""
    words = table["series"].dropna().astype(str) if "series" in table else pd.Series([], dtype=str)
    series_line = ("" if words.empty else
                   "\n\nThe moment expansion in the nonlinearity (no Fock space, "
                   "docs/perturbative.md), column `series`: "
                   + ", ".join(f"{int((words == w).sum())} {w}" for w in SERIES_STATUSES)
                   + " (`fails`: its s⁴ term exceeds "
                   f"{SeriesCriteria().max_ratio:.0%} of its s² term, so it gives no number; "
                   "`disagrees`: V_nonlinear − V_linearized at the converged cutoffs misses "
                   "its s²V2 + s⁴V4, so the cutoffs are short for the nonlinear correction).")
    lead = (table["leading order"].dropna().astype(str) if "leading order" in table
            else pd.Series([], dtype=str))
    leading_line = ("" if lead.empty else
                    "\n\nThe approximation error against its leading order c2·s² from "
                    "perturbation theory at the same cutoffs (docs/perturbative.md §11), column "
                    "`leading order`: "
                    + ", ".join(f"{int((lead == w).sum())} {w}" for w in LEADING_STATUSES)
                    + f" (`holds`: the Fock-space ΔE_N is c2·s² within "
                    f"{LeadingCriteria().max_deviation:.0%}, so c2·s² extrapolates it to smaller "
                    "nonlinearity; `beyond`: higher orders matter there; `c2 ratio` is their "
                    "ratio).")
    pair_figures = "".join(f"\n\n![pair {p}](map_{p}.png)" for p in spec.pair_labels())
    return f"""# Validity map: where the Gaussian E_N holds

**Verdict: {v['word']}.** Of {n} points, {v['judged']} have a converged full-quantum result; there the
Gaussian E_N is within 1 % of the `{spec.hamiltonian}` model at **{v['within_1']}** points and
within 10 % at **{v['within_10']}**. Statuses: {status_line}. {multistable} point(s) have a
multistable mean field (hatched in the figure).{series_line}{leading_line}{next_line}
{shard_note}
{markdown_table(v['ranges'])}

## How to read this map

* **Approximation error** (what the map judges): |E_N exact − E_N Gaussian| / E_N Gaussian,
  the `{spec.hamiltonian}` full-quantum model (exact up to truncation) against the Lyapunov
  solution of the linearised model. `valid`: at most {crit.relative_error:.0%} (or |ΔE_N| ≤
  {crit.absolute_floor:g}, where E_N ≈ 0); `breaks`: more.
* **Truncation error** (a numerical control, never mixed with the above): the `linearized`
  Fock model at the same cutoffs against Lyapunov. Each point's cutoffs were raised until one
  more level changed V by < {crit.V_tolerance:g} (vacuum variance ½) and E_N by <
  {crit.log_negativity_tolerance:g}. The largest truncation |ΔE_N| on this map is
  {trunc_max}; at {noisy} point(s) above the floor it exceeds the approximation error (such a
  verdict rests on numerics, not physics).
* `unconverged`: the cutoffs did not converge within the memory budget or the dimension
  limit `max_dimension` = {spec.max_dimension}, or the search's last two refinement steps
  predicted final cutoffs beyond it (the message says why and what E_N was at the last
  cutoffs): no number is given. `unstable`: the linearised dynamics has no steady state.
  `failed`: the point raised an error (its message is in `map.csv`). At a multistable point
  the comparison is on the designed branch: the displaced-frame Fock space holds the state
  near that branch (tunnelling to another branch lies far outside the cutoffs).

![validity map](map.png)

{spec.fixed_text()}; solver `{spec.method}`, memory budget
{spec.memory_budget_bytes / 2**30:.1f} GiB.{pair_figures}
Computing time of these points: {format_seconds(seconds)} (one core each).

## Points

{markdown_table(table.reindex(columns=list(spec.summary_columns())), '.3g')}

All columns: `map.csv`; provenance: `metadata.json` (omxval {meta['packages']['omxval']},
QuTiP {meta['packages']['qutip']}, commit `{meta['git_commit']}`).
"""


__all__ = ["MapReport", "write_map_report", "merge_maps", "journal_path", "map_markdown",
           "POINTS_FILE"]
