"""Copy the finished rows of an ``omxval paper-device`` run into the package data.

Run it with the Python of the environment that computed the rows, so that the provenance
names that environment's versions::

    /path/to/env/bin/python tools/ship_paper_device.py reports/paper_device.cache.jsonl \
        --commit <git commit of the computing checkout> --machine "<cores, CPU>"

It writes ``compare/app/data/paper_device.jsonl`` (the journal lines of the default ladder's
rows, failed rows left out, nothing recomputed or edited) and ``paper_device.json`` (the
provenance). Rows not in the cache are simply absent; the report names them.

With ``--direct`` it ships instead the c2 computed directly (``omxval paper-device
--direct-only``, docs/perturbative.md §13) that the cache holds: ``paper_device_c2.json``,
``{"provenance": {...}, "points": {name: DirectCoefficient fields}}``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import platform
import sys
from importlib import metadata
from pathlib import Path

from omxval import __version__, linear
from omxval.compare.app import journal
from omxval.compare.app.device_answer import (DIRECT_FILE, PROVENANCE_FILE, RECOMPUTE,
                                              RECOMPUTE_DIRECT, ROWS_FILE)
from omxval.compare.studies.paper_device import (DEFAULT_G0, POINT_NAMES, DeviceCriteria,
                                                 direct_table, paper_points, row_tasks)

DATA = Path(__file__).resolve().parents[1] / "compare" / "app" / "data"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cache", type=Path)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--machine", default=platform.processor() or platform.machine())
    ap.add_argument("--direct", action="store_true", help="ship the direct c2 instead")
    args = ap.parse_args()
    crit = DeviceCriteria()
    done = journal.read(args.cache).done
    pts = paper_points(linear.PaperSetup())
    if args.direct:
        return _ship_direct(pts, done, args)
    keep = [(t[0], done[t[0]]) for t in row_tasks(pts, DEFAULT_G0, crit) if t[0] in done]
    DATA.mkdir(parents=True, exist_ok=True)
    journal.write_rows(DATA / ROWS_FILE, keep)
    provenance = {
        "omxval": __version__,
        "packages": {n: metadata.version(n) for n in ("qutip", "numpy", "scipy")},
        "python": sys.version.split()[0],
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": args.commit, "machine": args.machine, "command": RECOMPUTE,
        "criteria": dataclasses.asdict(crit), "G0": list(DEFAULT_G0),
        "points": list(POINT_NAMES),
        "rows": {name: sum(r["point"] == name for _, r in keep) for name in POINT_NAMES},
    }
    (DATA / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2) + "\n")
    print(f"{len(keep)} rows -> {DATA / ROWS_FILE}; "
          + ", ".join(f"{k} {v}" for k, v in provenance["rows"].items()))
    return 0


def _ship_direct(pts, done: dict, args: argparse.Namespace) -> int:
    direct = direct_table(pts, done)
    provenance = {
        "omxval": __version__,
        "packages": {n: metadata.version(n) for n in ("qutip", "numpy", "scipy")},
        "python": sys.version.split()[0],
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": args.commit, "machine": args.machine, "command": RECOMPUTE_DIRECT}
    content = {"provenance": provenance,
               "points": {name: d.to_dict() for name, d in direct.items()}}
    (DATA / DIRECT_FILE).write_text(json.dumps(content, indent=2) + "\n")
    print(f"{len(direct)} direct c2 -> {DATA / DIRECT_FILE}: "
          + ", ".join(f"{k} {d.c2:.5f}" for k, d in direct.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
