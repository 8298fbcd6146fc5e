"""Deprecated path: moved to :mod:`omxval.compare.studies.maps` (see :mod:`omxval.compare._moved`)."""

from ._moved import moved

__getattr__, __dir__ = moved(__name__, "omxval.compare.studies.maps",
    {'run_map': 'omxval.compare.app.runs',
     'read_cache': 'omxval.compare.app.runs'})
