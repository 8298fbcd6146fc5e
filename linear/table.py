"""The DataFrame every omxval result table is: a :class:`pandas.DataFrame` that still
answers the column names of earlier versions, with a DeprecationWarning.

The linear model's tables (:func:`linear.sweep`, :meth:`linear.PointResult.to_dataframe`)
and :meth:`fullquantum.SteadyState.to_dataframe` use one set of names for the same
quantity: ``"E_N gaussian"`` (the Gaussian E_N of V, natural log), ``"photons ccw"`` and
``"photons cw"``. The former linear names (:data:`RENAMED_COLUMNS`) are mapped to them by
``df[name]``, ``df[[...]]``, ``df.get(name)``, ``df.loc[rows, name]``, ``df[name] = ...``,
``name in df`` and, on a row (``df.iloc[i]``, ``df.loc[i]``, ``iterrows``), ``row[name]``,
each with a :class:`DeprecationWarning`; other pandas methods that take column names
(``sort_values``, ``groupby``, ``query``, ``rename`` …) know only the new names. A column
that really carries an old name (a table renamed back by hand) is read as it is, unwarned.

Operations that pandas builds through its constructors (selection, ``assign``, ``copy``,
``concat`` of Tables …) return a :class:`Table` again, and its columns and rows are
:class:`TableSeries`. A leaf module.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
from pandas.core.indexing import _LocIndexer

# Former column name → current one.
RENAMED_COLUMNS: dict[str, str] = {
    "E_N [ln]": "E_N gaussian",
    "N_ccw [photons]": "photons ccw",
    "N_cw [photons]": "photons cw",
}


def _current_name(labels: pd.Index, key: Any, stacklevel: int) -> Any:
    """``key`` with a former column name that ``labels`` lacks replaced by the current one
    (with a DeprecationWarning attributed to ``stacklevel`` frames up: the user's line)."""
    if isinstance(key, str):
        new = RENAMED_COLUMNS.get(key)
        if new is None or key in labels or new not in labels:
            return key
        warnings.warn(f"column {key!r} is now called {new!r}; the old name is deprecated",
                      DeprecationWarning, stacklevel=stacklevel)
        return new
    if isinstance(key, list) and any(isinstance(k, str) and k in RENAMED_COLUMNS
                                     for k in key):
        names = []
        for k in key:  # a loop, not a comprehension: one frame more on every Python
            names.append(_current_name(labels, k, stacklevel + 1))
        return names
    return key


class TableSeries(pd.Series):
    """A column or a row of a :class:`Table`; a row (labelled by column names) still
    answers the former names, with a DeprecationWarning."""

    _metadata: list[str] = []

    @property
    def _constructor(self):
        return TableSeries

    @property
    def _constructor_expanddim(self):
        return Table

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(_current_name(self.index, key, 3))

    def __contains__(self, key: Any) -> bool:
        return super().__contains__(_current_name(self.index, key, 3))

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(_current_name(self.index, key, 3), default)


class Table(pd.DataFrame):
    """A DataFrame whose former column names (:data:`RENAMED_COLUMNS`) still work, with a
    DeprecationWarning (see the module's docstring for where)."""

    _metadata: list[str] = []

    @property
    def _constructor(self):
        return Table

    @property
    def _constructor_sliced(self):
        return TableSeries

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(_current_name(self.columns, key, 3))

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(_current_name(self.columns, key, 3), value)

    def __contains__(self, key: Any) -> bool:
        return super().__contains__(_current_name(self.columns, key, 3))

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(_current_name(self.columns, key, 3), default)

    @property
    def loc(self) -> _LocIndexer:
        return _RenamingLoc("loc", self)


class _RenamingLoc(_LocIndexer):
    """``.loc`` whose column labels may be former names."""

    def _columns(self, key: Any) -> Any:
        if isinstance(key, tuple) and len(key) == 2:
            return key[0], _current_name(self.obj.columns, key[1], 4)
        return key

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self._columns(key))

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(self._columns(key), value)


__all__ = ["Table", "TableSeries", "RENAMED_COLUMNS"]
