"""omxval.compare — the Gaussian and full-quantum models side by side.

Each study takes an operating point (or a design) and returns a result that carries its own
verdict (``question``, ``verdict``, ``reasons``); the report writers only write. The
``omxval`` command (:mod:`omxval.compare.cli`) runs them and writes reports through
:class:`~omxval.compare.output.OutputDirectory`, which never replaces a directory omxval
did not write.

Public API (``__all__``), by question:

* one point — :func:`compare_point` → :class:`PointComparison` (with :class:`Tolerances`);
  :func:`judge_point` → :class:`PointValidity`, :func:`validity_point` (one table row),
  :class:`ValidityCriteria`, :func:`adaptive_cutoffs` → :class:`AdaptiveSolve`;
* validity maps — :class:`MapSpec`, :func:`run_map`, :func:`map_points`,
  :func:`read_cache`, :func:`write_map_report` / :func:`merge_maps` → :class:`MapReport`,
  :func:`validity_study` → :class:`ValidityStudy`;
* studies — :func:`convergence_study`, :func:`linearization_study`,
  :func:`nonreciprocity_study` and their results; :func:`gaussian_cutoffs`;
* reports — :func:`write_report`, :func:`write_paper_report`, :func:`load_config`,
  :class:`ReportConfig`, :func:`config_from_dict`, :class:`OutputDirectory`,
  :class:`OutputLocationError`; :func:`max_abs_difference`;
* the paper's own device — :func:`paper_points`, :func:`write_paper_device_report`.

Names are imported on first use, so ``import omxval.compare`` (and the command's startup)
does not load QuTiP until a computation needs it.
"""

import importlib as _importlib

#: Public name → the submodule that defines it.
_API = {
    "compare_point": "agreement", "PointComparison": "agreement", "Tolerances": "agreement",
    "judge_point": "validity", "validity_point": "validity", "ValidityCriteria": "validity",
    "PointValidity": "validity", "adaptive_cutoffs": "validity", "AdaptiveSolve": "validity",
    "MapSpec": "maps", "run_map": "maps", "map_points": "maps", "read_cache": "maps",
    "write_map_report": "map_report", "merge_maps": "map_report", "MapReport": "map_report",
    "validity_study": "map_report", "ValidityStudy": "map_report",
    "convergence_study": "convergence", "ConvergenceStudy": "convergence",
    "gaussian_cutoffs": "convergence",
    "linearization_study": "linearization", "LinearizationStudy": "linearization",
    "nonreciprocity_study": "nonreciprocity", "NonreciprocityStudy": "nonreciprocity",
    "write_report": "report", "write_paper_report": "paper_report",
    "ReportConfig": "config", "load_config": "config", "config_from_dict": "config",
    "OutputDirectory": "output", "OutputLocationError": "output",
    "max_abs_difference": "deviation",
    "paper_points": "paper_device", "write_paper_device_report": "paper_device",
}

__all__ = list(_API)


def __getattr__(name: str) -> object:
    """Import a public name, or a submodule (``compare.agreement``), on first use."""
    if name in _API:
        value = getattr(_importlib.import_module(f".{_API[name]}", __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if not name.startswith("_"):
        try:
            return _importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
