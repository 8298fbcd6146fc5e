"""Resumable runs: a study's rows computed into a journal (:mod:`.journal`).

The studies compute rows and hand each to a callback
(:func:`~omxval.compare.studies.maps.map_rows`,
:func:`~omxval.compare.studies.paper_device.device_rows`); here each finished row is
appended to the journal at once, so a run killed at any moment loses only the rows in
flight, a rerun computes only what is missing, and rows that failed are computed again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ..studies.maps import MapSpec, check_engine, check_shard, map_rows
from ..studies.paper_device import (DeviceCriteria, DirectCoefficient, PaperPoint,
                                    device_rows, direct_coefficients, direct_key, direct_table,
                                    row_tasks, rows_table)
from . import journal as _journal


def read_cache(paths: str | Path | Sequence[str | Path]) -> dict[str, dict]:
    """Rows of one or more journals (cache files) by key, failed rows included; lines that
    do not parse (a line cut by a kill, bytes that are not UTF-8) are skipped
    (:func:`omxval.compare.app.journal.read`)."""
    return _journal.read(paths).rows


def _announce(journal: _journal.Journal, keys: Sequence[str],
              say: Callable[[str], None]) -> set[str]:
    """Report what the journal holds for ``keys``; the keys that need no computing."""
    contents = journal.contents
    if contents.skipped:
        say(f"{contents.skipped} unreadable line(s) in the journal {journal.path} skipped")
    retried = sum(k in contents.failed for k in keys)
    if retried:
        say(f"{retried} point(s) that failed in an earlier run are computed again")
    return set(contents.done)


def run_map(spec: MapSpec, cache: str | Path | _journal.Journal, *, engine: str = "serial",
            num_cpus: int | None = None, shard: tuple[int, int] = (0, 1),
            progress: Callable[[str], None] | None = None,
            allow_large: bool = False) -> pd.DataFrame:
    """Compute the map's missing points into the journal ``cache`` and return its table.

    Parameters
    ----------
    spec : MapSpec
    cache : path or Journal
        The journal (created, and locked while the map runs): finished rows there are
        reused, failed ones computed again. An open
        :class:`~omxval.compare.app.journal.Journal` is used as it is.
    engine, num_cpus, shard, progress, allow_large
        As for :func:`~omxval.compare.studies.maps.map_rows`.

    Returns
    -------
    DataFrame
        One row per point of this shard that is in the journal, in grid order.

    Raises
    ------
    InputError
        As :func:`~omxval.compare.studies.maps.map_rows`, before the journal is opened.
    OutputLocationError
        The journal is a symbolic link, not a regular file, or held by another run.
    """
    check_engine(engine)
    i, n = check_shard(shard)
    spec.check_grid(allow_large=allow_large)
    if not isinstance(cache, _journal.Journal):
        with _journal.Journal(cache) as journal:
            return run_map(spec, journal, engine=engine, num_cpus=num_cpus, shard=shard,
                           progress=progress, allow_large=allow_large)
    keys = [spec.key(d) for d in spec.points()[i::n]]
    done = _announce(cache, keys, progress or (lambda message: None))
    map_rows(spec, on_row=cache.append, skip=done, engine=engine, num_cpus=num_cpus,
             shard=shard, progress=progress, allow_large=allow_large)
    rows = cache.contents.rows
    return pd.DataFrame([rows[k] for k in keys if k in rows])


def run_rows(points: Sequence[PaperPoint], G0: Sequence[float], cache: str | Path, *,
             engine: str = "serial", num_cpus: int | None = None,
             criteria: DeviceCriteria | None = None,
             progress: Callable[[str], None] | None = None,
             compute: bool = True) -> pd.DataFrame:
    """Compute the missing (point, G0) rows of the paper-device study into ``cache``.

    Parameters
    ----------
    points : sequence of PaperPoint
    G0 : sequence of float
        The ladder (units of ω_m).
    cache : path
        The journal (created if absent and locked while rows are computed).
    engine, num_cpus, criteria, progress
        As for :func:`~omxval.compare.studies.paper_device.device_rows`.
    compute : bool
        False: compute nothing and create no file; return the rows already in the journal
        (a report from a partial or sharded run).

    Returns
    -------
    DataFrame
        One row per (point, G0) present, points in the given order, G0 increasing.
    """
    check_engine(engine)
    crit = criteria or DeviceCriteria()
    if not compute:
        return rows_table(points, G0, _journal.read(cache).done, crit)
    with _journal.Journal(cache) as journal:
        keys = [t[0] for t in row_tasks(points, G0, crit)]
        done = _announce(journal, keys, progress or (lambda message: None))
        device_rows(points, G0, on_row=journal.append, skip=done, criteria=crit,
                    engine=engine, num_cpus=num_cpus, progress=progress)
        return rows_table(points, G0, journal.contents.rows, crit)


def run_direct(points: Sequence[PaperPoint], cache: str | Path, *, engine: str = "serial",
               num_cpus: int | None = None, rtol: float = 0.02, max_steps: int = 6,
               progress: Callable[[str], None] | None = None
               ) -> dict[str, DirectCoefficient]:
    """Compute the missing direct c2 of the paper-device points into the journal ``cache``
    (the ladder's journal: the keys differ) and return every one it holds.

    Parameters
    ----------
    points : sequence of PaperPoint
    cache : path
        The journal (created if absent and locked while points are computed).
    engine, num_cpus, rtol, max_steps, progress
        As for :func:`~omxval.compare.studies.paper_device.direct_coefficients`.

    Returns
    -------
    dict
        Point name → :class:`~omxval.compare.studies.paper_device.DirectCoefficient`.
    """
    check_engine(engine)
    with _journal.Journal(cache) as journal:
        keys = [direct_key(p, rtol, max_steps) for p in points]
        done = _announce(journal, keys, progress or (lambda message: None))
        direct_coefficients(points, on_result=journal.append, skip=done, rtol=rtol,
                            max_steps=max_steps, engine=engine, num_cpus=num_cpus,
                            progress=progress)
        return direct_table(points, journal.contents.rows, rtol, max_steps)


__all__ = ["run_map", "run_rows", "run_direct", "read_cache"]
