"""Markdown tables for the reports."""

from __future__ import annotations

import numpy as np
import pandas as pd


def markdown_table(df: pd.DataFrame, floatfmt: str = ".4g") -> str:
    """A GitHub-flavoured Markdown table; non-finite floats print as an em dash."""
    def fmt(v) -> str:
        if isinstance(v, (float, np.floating)):
            return format(v, floatfmt) if np.isfinite(v) else "—"
        return str(v).replace("|", "\\|")  # a bare pipe would split the cell

    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)
