"""The status words of a computed point (one home; a leaf module, imported by the journal).

``valid`` and ``breaks`` are judged points; ``unconverged`` has no converged cutoffs,
``unstable`` no steady state; ``failed`` is an error inside the computation (or a worker
process that died): a record, never a result, so resumable runs compute it again.
"""

from __future__ import annotations

from typing import Literal

VALID, BREAKS, UNCONVERGED, UNSTABLE, FAILED = "valid", "breaks", "unconverged", "unstable", \
    "failed"
STATUSES: tuple[str, ...] = (VALID, BREAKS, UNCONVERGED, UNSTABLE, FAILED)
Status = Literal["valid", "breaks", "unconverged", "unstable", "failed"]

__all__ = ["STATUSES", "Status", "VALID", "BREAKS", "UNCONVERGED", "UNSTABLE", "FAILED"]
