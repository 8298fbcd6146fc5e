"""One type for per-mode numbers, shared by every result of omxval.

:class:`Photons` (``ccw``, ``cw``) and :class:`PerMode` (``ccw``, ``cw``, ``mechanics``) are
named tuples that are also indexed by the mode's name, so the same code reads a linear and
a full-quantum result::

    r.photons.ccw == r.photons["ccw"] == r.photons[0]
    n_ccw, n_cw = r.photons

They are :func:`collections.namedtuple` types (``_fields``, ``_asdict()``, ``_replace()``,
equality with plain tuples), used by :attr:`linear.PointResult.photons`,
:attr:`linear.PointResult.fluctuation_quanta`, :attr:`linear.MeanField.photons` and
:attr:`fullquantum.SteadyState.photons` / ``top_populations``.

Dict methods (deprecated). ``PointResult.photons`` and ``fluctuation_quanta`` used to be
dicts; ``keys()``, ``values()``, ``items()``, ``get()`` and ``"ccw" in x`` still answer as
the dict did, with a :class:`DeprecationWarning` (use ``_fields``, the tuple itself,
``_asdict().items()`` and attribute access). With ``keys()`` present, ``dict(x)`` and
``{**x}`` also still work (and warn); ``x._asdict()`` gives the dict without a warning.
What cannot be kept: iterating gives the values (a tuple's), not the mode names, and a
per-mode tuple never equals a dict.

A leaf module: imports nothing from omxval, so :mod:`omxval.fullquantum` uses it freely.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple


def _dict_method_deprecated(name: str, instead: str) -> None:
    warnings.warn(f"per-mode values are a named tuple now, no longer a dict: {name} is "
                  f"deprecated; use {instead}", DeprecationWarning, stacklevel=3)


class ByMode:
    """Mixin for named tuples of per-mode numbers: ``x["ccw"]`` reads field ``ccw``.

    Integer and slice indices behave as for any tuple; an unknown name raises KeyError (as
    the dicts these types replace did).
    """

    __slots__ = ()
    _fields: tuple[str, ...]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                key = self._fields.index(key)
            except ValueError:
                raise KeyError(key) from None
        return super().__getitem__(key)

    def __contains__(self, item: Any) -> bool:
        if isinstance(item, str):  # a mode name: the old dict's key test (values are numbers)
            _dict_method_deprecated("'name' in x", "'name' in x._fields")
            return item in self._fields
        return super().__contains__(item)

    # --- the dict API of the former ``PointResult.photons`` / ``fluctuation_quanta`` ------
    def keys(self) -> tuple[str, ...]:
        """Deprecated: the mode names; use ``_fields``."""
        _dict_method_deprecated("keys()", "._fields")
        return self._fields

    def values(self) -> tuple:
        """Deprecated: the values; the tuple itself is them."""
        _dict_method_deprecated("values()", "the tuple itself (tuple(x))")
        return tuple(self)

    def items(self):
        """Deprecated: (name, value) pairs; use ``_asdict().items()``."""
        _dict_method_deprecated("items()", "._asdict().items()")
        return self._asdict().items()

    def get(self, key: str, default: Any = None) -> Any:
        """Deprecated: ``x[key]`` or ``default``; use ``getattr(x, key, default)``."""
        _dict_method_deprecated("get()", "getattr(x, name, default)")
        return getattr(self, key, default) if key in self._fields else default


class _PhotonFields(NamedTuple):
    ccw: float
    cw: float


class _ModeFields(NamedTuple):
    ccw: float
    cw: float
    mechanics: float


class Photons(ByMode, _PhotonFields):
    """Photon numbers of the two optical modes, ``(ccw, cw)``: a tuple with named fields,
    also indexed by name (``photons["ccw"]``)."""

    __slots__ = ()


class PerMode(ByMode, _ModeFields):
    """One number per mode, ``(ccw, cw, mechanics)``: a tuple with named fields, also
    indexed by name (``x["mechanics"]``)."""

    __slots__ = ()


__all__ = ["ByMode", "Photons", "PerMode"]
