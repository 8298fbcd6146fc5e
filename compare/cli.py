"""Deprecated path: moved to :mod:`omxval.compare.app.cli` (see :mod:`omxval.compare._moved`)."""

from ._moved import moved

__getattr__, __dir__ = moved(__name__, "omxval.compare.app.cli")
