"""Deprecated path: moved to :mod:`omxval.compare.app.map_report` (see :mod:`omxval.compare._moved`)."""

from ._moved import moved

__getattr__, __dir__ = moved(__name__, "omxval.compare.app.map_report",
    {'verdict': 'omxval.compare.studies.maps',
     'map_table': 'omxval.compare.studies.maps',
     'validity_study': 'omxval.compare.studies.maps',
     'ValidityStudy': 'omxval.compare.studies.maps',
     'COLUMNS': 'omxval.compare.studies.maps'})
