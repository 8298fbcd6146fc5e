"""Deprecated path: moved to :mod:`omxval.compare.studies.agreement` (see :mod:`omxval.compare._moved`)."""

from ._moved import moved

__getattr__, __dir__ = moved(__name__, "omxval.compare.studies.agreement")
