"""The paper's own device, answered in seconds: shipped rows, or a run beside the report.

The paper-device study (:mod:`omxval.compare.studies.paper_device`) costs hours of CPU, so
omxval ships the rows it measured as package data (``data/paper_device.jsonl``, journal
lines exactly as ``omxval paper-device`` writes them, and ``data/paper_device.json``, the
versions, criteria and command that made them), and the c2 computed directly by perturbation
theory (``data/paper_device_c2.json``, written by ``omxval paper-device --direct``). ``omxval report`` leads with the verdict
they give. Rows of a run of ``omxval paper-device`` beside the report
(``<reports>/paper_device.cache.jsonl``) replace the shipped ones, point by point.

This module is the one reader of that package data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from ... import linear
from ..studies.paper_device import (DeviceCriteria, DirectCoefficient, PointAnalysis,
                                    analyse_point, device_verdicts, direct_table,
                                    paper_points, rows_table)
from . import journal as _journal

ROWS_FILE = "paper_device.jsonl"
PROVENANCE_FILE = "paper_device.json"
DIRECT_FILE = "paper_device_c2.json"
#: The command that recomputes the shipped rows (docs/paper_device.md §6).
RECOMPUTE = "omxval paper-device --map parallel --num-cpus 2"
#: The command that recomputes the shipped direct c2 (docs/perturbative.md §11).
RECOMPUTE_DIRECT = "omxval paper-device --direct-only --map parallel --num-cpus 2"


@dataclass(frozen=True)
class ShippedRows:
    """The paper-device rows that ship with omxval.

    Attributes
    ----------
    rows : dict
        Journal key → row (:mod:`omxval.compare.app.journal`), failed rows excluded.
    provenance : dict
        ``omxval`` (the version whose keys the rows carry), ``packages``, ``created_utc``,
        ``git_commit``, ``command``, ``criteria`` (:class:`DeviceCriteria` fields),
        ``G0`` (the ladder), ``points`` and ``machine``.
    """

    rows: dict[str, dict]
    provenance: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The omxval version that computed the rows (part of every row's key)."""
        return self.provenance["omxval"]

    @property
    def criteria(self) -> DeviceCriteria:
        """The convergence criteria the rows were computed with."""
        return DeviceCriteria(**self.provenance["criteria"])

    @property
    def ladder(self) -> tuple[float, ...]:
        """The G0 ladder (units of ω_m)."""
        return tuple(float(g) for g in self.provenance["G0"])


def shipped_direct() -> tuple[dict[str, DirectCoefficient], dict]:
    """The direct c2 shipped in the package, by point name, and their provenance
    (``command``, ``git_commit``, ``machine``, ``created_utc``, ``packages``)."""
    data = resources.files(__package__).joinpath("data", DIRECT_FILE)
    content = json.loads(data.read_text("utf-8"))
    return ({name: DirectCoefficient.from_dict(d) for name, d in content["points"].items()},
            content["provenance"])


def shipped_rows() -> ShippedRows:
    """The rows shipped in the package (``omxval.compare.app/data``)."""
    data = resources.files(__package__).joinpath("data")
    rows = _journal.parse(data.joinpath(ROWS_FILE).read_bytes()).done
    return ShippedRows(rows, json.loads(data.joinpath(PROVENANCE_FILE).read_text("utf-8")))


@dataclass(frozen=True)
class DeviceAnswer:
    """The paper-device verdicts and where their rows came from.

    Attributes
    ----------
    analyses : tuple of PointAnalysis
        One per operating point of the study, in its order.
    verdicts : DataFrame
        :func:`~omxval.compare.studies.paper_device.device_verdicts` plus ``source``.
    sources : dict
        Point name → ``"shipped"`` or the path of the cache whose rows were used.
    shipped : ShippedRows
    """

    analyses: tuple[PointAnalysis, ...]
    verdicts: pd.DataFrame
    sources: dict[str, str]
    shipped: ShippedRows


def device_answer(cache: str | Path | None = None,
                  setup: linear.PaperSetup | None = None) -> DeviceAnswer:
    """The paper's verdict from the shipped rows, each point's rows replaced by those of
    ``cache`` (a paper-device journal, e.g. ``reports/paper_device.cache.jsonl``) where it
    holds any for that point, computed by this version with the default criteria.

    Reads files only; computes no full-quantum state (about 2 s: the operating points come
    from the linear model at the paper's parameters).
    """
    shipped = shipped_rows()
    pts = paper_points(setup or linear.PaperSetup())
    theirs = rows_table(pts, shipped.ladder, shipped.rows, shipped.criteria, shipped.version)
    local = pd.DataFrame()
    if cache is not None and Path(cache).is_file():
        done = _journal.read(cache).done
        ladder = sorted({float(r["G0"]) for r in done.values() if "G0" in r})
        if ladder:
            local = rows_table(pts, ladder, done, DeviceCriteria())
    direct, _ = shipped_direct()
    if cache is not None and Path(cache).is_file():
        direct.update(direct_table(pts, _journal.read(cache).done))
    analyses, sources = [], {}
    for p in pts:
        mine = local[local["point"] == p.name] if len(local) else local
        if len(mine):
            rows, sources[p.name] = mine, str(cache)
        else:
            rows, sources[p.name] = theirs[theirs["point"] == p.name], "shipped"
        analyses.append(analyse_point(p, rows, direct.get(p.name)))
    ladder = tuple(sorted(set(shipped.ladder)
                          | ({float(g) for g in local["G0"]} if len(local) else set())))
    verdicts = device_verdicts(analyses, ladder)
    verdicts["source"] = [sources[a.point.name] for a in analyses]
    return DeviceAnswer(tuple(analyses), verdicts, sources, shipped)


__all__ = ["ShippedRows", "DeviceAnswer", "shipped_rows", "shipped_direct", "device_answer",
           "RECOMPUTE", "RECOMPUTE_DIRECT"]
