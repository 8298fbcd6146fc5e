"""omxval.compare — the Gaussian and full-quantum models side by side.

Two layers, visible in the layout (data flows one way, studies → application):

* :mod:`omxval.compare.studies` — the studies: each takes an operating point (or a design,
  or a map) and returns a result that carries its own verdict (``question``, ``verdict``,
  ``reasons``). No files, no Markdown, no matplotlib, no printing: progress goes through a
  callback, finished rows of long runs to an ``on_row`` callback.
* :mod:`omxval.compare.app` — the application: the ``omxval`` command, the configuration,
  the journal of resumable runs, the report writers, the figures, output directories that
  never replace a directory omxval did not write, provenance and the progress display.

Public API (``__all__``), by question:

* one point — :func:`compare_point` → :class:`PointComparison` (with :class:`Tolerances`);
  :func:`judge_point` → :class:`PointValidity`, :func:`validity_point` (one table row),
  :class:`ValidityCriteria`, :func:`adaptive_cutoffs` → :class:`AdaptiveSolve`;
* validity maps — :class:`MapSpec`, :func:`map_rows`, :func:`map_points`,
  :func:`validity_study` → :class:`ValidityStudy`; resumable: :func:`run_map`,
  :func:`read_cache`, :func:`write_map_report` / :func:`merge_maps` → :class:`MapReport`;
* studies — :func:`convergence_study`, :func:`linearization_study`,
  :func:`nonreciprocity_study` and their results; :func:`gaussian_cutoffs`;
* reports — :func:`write_report`, :func:`write_paper_report`, :func:`load_config`,
  :class:`ReportConfig`, :func:`config_from_dict`, :class:`OutputDirectory`,
  :class:`OutputLocationError`; :func:`max_abs_difference`;
* the paper's own device — :func:`paper_points`, :func:`write_paper_device_report`,
  :func:`direct_coefficient` → :class:`DirectCoefficient` (c2 without the ladder);
* the third framework at a judged point — :func:`series_check` → :class:`SeriesCheck` (the
  moment expansion of V), :func:`leading_check` → :class:`LeadingCheck` (c2·s² against the
  Fock-space ΔE_N);
* any model (docs/models.md §7–8) — :func:`judge_model_point` → :class:`ModelPointValidity`,
  :func:`model_convergence_study` → :class:`ModelConvergence`, :class:`ModelMapSpec` (maps
  over any two parameters or s), :func:`device_study` → :class:`DeviceStudy` ("my device").

Names are imported on first use, so ``import omxval.compare`` (and the command's startup)
does not load QuTiP until a computation needs it. The modules of the flat layout before the
split (``omxval.compare.maps``, ``.report`` …) keep working with a ``DeprecationWarning``.
"""

import importlib as _importlib

#: Public name → the submodule that defines it.
_API = {
    "compare_point": "studies.agreement", "PointComparison": "studies.agreement",
    "Tolerances": "studies.agreement",
    "judge_point": "studies.validity", "validity_point": "studies.validity",
    "ValidityCriteria": "studies.validity", "PointValidity": "studies.validity",
    "adaptive_cutoffs": "studies.search", "AdaptiveSolve": "studies.search",
    "judge_model_point": "studies.modelvalidity",
    "ModelPointValidity": "studies.modelvalidity",
    "model_convergence_study": "studies.modelvalidity",
    "ModelConvergence": "studies.modelvalidity",
    "ModelMapSpec": "studies.modelmaps",
    "device_study": "studies.device", "DeviceStudy": "studies.device",
    "MapSpec": "studies.maps", "map_points": "studies.maps", "map_rows": "studies.maps",
    "validity_study": "studies.maps", "ValidityStudy": "studies.maps",
    "run_map": "app.runs", "read_cache": "app.runs",
    "write_map_report": "app.map_report", "merge_maps": "app.map_report",
    "MapReport": "app.map_report",
    "convergence_study": "studies.convergence", "ConvergenceStudy": "studies.convergence",
    "gaussian_cutoffs": "studies.convergence",
    "linearization_study": "studies.linearization",
    "LinearizationStudy": "studies.linearization",
    "nonreciprocity_study": "studies.nonreciprocity",
    "NonreciprocityStudy": "studies.nonreciprocity",
    "write_report": "app.report", "write_paper_report": "app.paper_report",
    "ReportConfig": "app.config", "load_config": "app.config",
    "config_from_dict": "app.config",
    "OutputDirectory": "app.output", "OutputLocationError": "app.output",
    "max_abs_difference": "studies.deviation",
    "paper_points": "studies.paper_device",
    "direct_coefficient": "studies.paper_device",
    "DirectCoefficient": "studies.paper_device",
    "series_check": "studies.series", "SeriesCheck": "studies.series",
    "SeriesCriteria": "studies.series",
    "leading_check": "studies.leading", "LeadingCheck": "studies.leading",
    "LeadingCriteria": "studies.leading",
    "write_paper_device_report": "app.paper_device_report",
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
