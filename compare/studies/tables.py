"""Tables of results for notebooks (HTML, short reprs); the reports' Markdown tables are
:mod:`omxval.compare.app.markdown`'s."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import ClassVar, Literal

import pandas as pd


def html_table(title: str, reasons: Sequence[str], table: pd.DataFrame,
               max_rows: int = 40) -> str:
    """A result for a notebook's ``_repr_html_``: a bold title, its reasons, an HTML table.

    Parameters
    ----------
    title : str
        One line, e.g. the question and the verdict.
    reasons : sequence of str
        Listed under the title (none: no list).
    table : DataFrame
        Rendered without its index, floats to 4 significant digits, NaN as an em dash;
        longer tables are cut in the middle by pandas.
    max_rows : int
        Rows shown at most.
    """
    items = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    return (f"<p><b>{html.escape(title)}</b></p>" + (f"<ul>{items}</ul>" if items else "")
            + table.to_html(index=False, max_rows=max_rows, na_rep="—",
                            float_format=lambda v: format(v, ".4g")))


class TabulatedResult:
    """Notebook display of a study result: ``question: verdict``, its reasons and its main
    table (the dataclass field named by ``_table``), and that table as a DataFrame."""

    _table: ClassVar[str]

    def _repr_html_(self) -> str:
        return html_table(f"{self.question}: {self.verdict}", self.reasons,
                          getattr(self, self._table))

    def to_dataframe(self) -> pd.DataFrame:
        """The result's main table (a copy; see the class's attributes)."""
        return getattr(self, self._table).copy()


def clip(text: str, width: int, keep: Literal["start", "end"] = "start") -> str:
    """``text`` cut to at most ``width`` characters with an ellipsis, keeping its ``start``
    (messages) or its ``end`` (paths)."""
    if len(text) <= width:
        return text
    return text[:width - 1] + "…" if keep == "start" else "…" + text[-(width - 1):]


def status_counts(statuses: pd.Series) -> str:
    """``"6 valid, 2 unstable"``: how many rows have each status, most common first."""
    counts = statuses.value_counts()
    return ", ".join(f"{n} {s}" for s, n in counts.items()) or "no points"
