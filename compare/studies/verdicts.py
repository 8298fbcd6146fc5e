"""Every verdict word omxval prints, defined once: what it means, whether it fails a run,
and what to do next.

The report's "How to read this report" section, ``docs/verdicts.md`` (checked against this
table by the tests), the ``--fail-on`` option and the exit code all read :data:`VERDICTS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...errors import InputError


@dataclass(frozen=True)
class Verdict:
    """One verdict word.

    Attributes
    ----------
    word : str
    meaning : str
        What it says, with the numbers it rests on named.
    fails : bool
        Whether it fails a run by default (exit code 1; see ``--fail-on``).
    next_step : str
        What to do when it is not a pass ("" for a pass).
    """

    word: str
    meaning: str
    fails: bool
    next_step: str = ""


VERDICTS: dict[str, Verdict] = {v.word: v for v in (
    Verdict("agree", "the full-quantum and Gaussian results agree within the stated "
                     "tolerances (max|ΔV| against the vacuum variance 1/2; |ΔE_N| in ln units, "
                     "or relative to E_N)", False),
    Verdict("disagree", "they differ by more than the tolerances at cutoffs that are "
                        "converged (or fixed and not truncated): the difference is physics "
                        "(the approximation) or a tolerance set tighter than it", True,
            "read the approximation and truncation lines of the evidence: if the truncation "
            "control is small, the Gaussian model is off by the approximation error shown; "
            "lower G0 or |G_d|, or accept a looser tolerance"),
    Verdict("truncated", "fixed cutoffs leave more than the truncation tolerance in a top "
                         "Fock level: the full-quantum numbers are not trustworthy", True,
            "remove the fixed cutoffs ([point] cutoffs = []) to converge them per point, or "
            "raise them"),
    Verdict("unconverged", "the cutoffs of some point did not converge within the memory "
                           "budget or max_dimension: no full-quantum number is given there",
            True, "raise [solver] max_dimension or memory_budget_bytes (the message names "
                  "the cutoffs reached), or move the point away from an instability edge"),
    Verdict("failed", "some map points raised an error (or lost their worker process) and "
                      "no point is unconverged or breaks: those points have no number",
            True, "read their messages in map.csv; a rerun with the same --out computes the "
                  "failed points again"),
    Verdict("incomplete", "a study that rests on several rows has too few of them (fewer "
                          "than 3 converged rows for a fit): the rows named are not computed "
                          "yet, so no prediction is made", False,
            "compute the missing rows: omxval paper-device --points <point> (resumable; a "
            "killed run keeps every finished row)"),
    Verdict("unstable", "the linearised dynamics has no steady state (or every point is "
                        "unstable): there is nothing to compare", False,
            "choose a stable design (red detuning, |G_d| below the fold); the paper's own "
            "curves end there too"),
    Verdict("converged", "raising every cutoff once more changed V and E_N by less than "
                         "half the tolerance (a refinement can dismiss convergence, never "
                         "prove it)", False),
    Verdict("marginal", "converged, but the last refinement used more than half the "
                        "tolerance: the next level might still matter", False,
            "raise [converge] max_cutoffs, or accept an error up to the tolerance"),
    Verdict("not converged", "a cutoff reached its maximum while still changing, or the "
                             "final check (every cutoff + 1) changed something beyond "
                             "tolerance", True,
            "raise [converge] max_cutoffs (and the memory budget if needed)"),
    Verdict("consistent", "on the G0 ladder max|V_nl − V_lin| falls as G0² and ⟨δq⟩ as G0, "
                          "and E_N extrapolates to the Gaussian value as G0 → 0: the nonlinear "
                          "model approaches the linearised one as theory says", False),
    Verdict("inconsistent", "the exponents or the G0 → 0 limit do not match the linearised "
                            "model", True,
            "check the cutoffs of the ladder ([linearization] cutoffs) and the smallest "
            "G0 (deviations below the solver tolerance cannot show a power law)"),
    Verdict("holds", "on the validity map every point with converged cutoffs is valid "
                     "(relative |ΔE_N| within the criterion, default 1 %)", False),
    Verdict("partial", "on the validity map the Gaussian E_N holds at some points and breaks "
                       "at others: the map and its table say where", False,
            "read the map: use the Gaussian model only inside the 1 % (or 10 %) contour"),
    Verdict("breaks", "the Gaussian E_N misses the full-quantum E_N by more than the "
                      "criterion at every converged point", True,
            "the linearisation does not hold here: use the full-quantum model, or lower G0"),
)}

#: Verdicts that fail a run by default.
DEFAULT_FAIL_ON: tuple[str, ...] = tuple(w for w, v in VERDICTS.items() if v.fails)


def check_fail_on(words: Iterable[str]) -> tuple[str, ...]:
    """Validate a ``--fail-on`` list (verdict words, or "none")."""
    words = tuple(w.strip() for w in words if w.strip())
    if not words:
        raise InputError(f"--fail-on needs verdicts ({', '.join(VERDICTS)}) or 'none'; got "
                         f"nothing")
    if words == ("none",):
        return ()
    unknown = [w for w in words if w not in VERDICTS]
    if unknown:
        raise InputError(f"--fail-on: unknown verdict(s) {unknown}; valid: "
                         f"{', '.join(VERDICTS)} (or 'none')")
    return words


def next_step(word: str) -> str:
    """What to do after ``word`` ("" for a pass)."""
    return VERDICTS[word].next_step if word in VERDICTS else ""


__all__ = ["Verdict", "VERDICTS", "DEFAULT_FAIL_ON", "check_fail_on", "next_step"]
