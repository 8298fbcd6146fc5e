"""Markdown for the reports: tables, a point comparison, the verdict definitions.

The studies return results; this module (application layer) turns them into text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..studies.agreement import PointComparison
from ..studies.verdicts import VERDICTS


def markdown_table(df: pd.DataFrame, floatfmt: str = ".4g") -> str:
    """A GitHub-flavoured Markdown table; non-finite floats print as an em dash."""
    def fmt(v) -> str:
        if isinstance(v, (float, np.floating)):
            return format(v, floatfmt) if np.isfinite(v) else "—"
        return str(v).replace("|", "\\|")  # a bare pipe would split the cell

    lines = ["| " + " | ".join(str(c).replace("|", "\\|") for c in df.columns) + " |",
             "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def point_markdown(comparison: PointComparison) -> str:
    """A point comparison in Markdown: verdict first, then the summary and the element
    tables."""
    c = comparison
    head = f"**Verdict: {c.verdict}** — " + "; ".join(c.reasons)
    if c.steady is None:
        return head + "\n"
    s = c.steady
    meta = (f"hamiltonian `{s.hamiltonian}` (control: `linearized` at the same cutoffs), bath "
            f"`{s.bath}`, drive `{s.direction}`, cutoffs {s.cutoffs}"
            f"{' (converged for this point)' if c.cutoffs_converged else ''}, method "
            f"`{s.method}`")
    return (f"{head}\n\n{meta}\n\n{markdown_table(c.summary)}\n\n"
            f"Covariance matrix elements (order of docs/conventions.md §2):\n\n"
            f"{markdown_table(c.elements)}\n")


def how_to_read() -> str:
    """Markdown definitions of every verdict, for reports and docs."""
    rows = ["| verdict | meaning | fails the run by default | next step |", "|---|---|---|---|"]
    rows += [f"| **{v.word}** | {v.meaning} | {'yes' if v.fails else 'no'} | "
             f"{v.next_step or '—'} |" for v in VERDICTS.values()]
    return "\n".join(rows)


__all__ = ["markdown_table", "point_markdown", "how_to_read"]
