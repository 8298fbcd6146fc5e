"""Deprecated path: moved to :mod:`omxval.compare.studies.paper_device` (see :mod:`omxval.compare._moved`)."""

from ._moved import moved

__getattr__, __dir__ = moved(__name__, "omxval.compare.studies.paper_device",
    {'write_paper_device_report': 'omxval.compare.app.paper_device_report',
     'default_cache': 'omxval.compare.app.paper_device_report',
     'REQUIRED_BYTES': 'omxval.compare.app.paper_device_report',
     'ASSUMPTIONS': 'omxval.compare.app.paper_device_report',
     'run_rows': 'omxval.compare.app.runs',
     'plot_device': 'omxval.compare.app.plots'})
