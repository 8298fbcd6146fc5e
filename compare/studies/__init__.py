"""omxval.compare.studies — the studies: physics and verdicts, no files.

Each study takes an operating point, a design or a map and returns a result with its own
verdict. Nothing here writes files, Markdown or figures, prints, or imports matplotlib or
:mod:`omxval.compare.app`; progress goes through a callback, the finished rows of long runs
to an ``on_row`` callback (the application journals them).

Modules, one concept each: :mod:`.agreement` (one point, linear vs full quantum),
:mod:`.validity` (the two errors at a point, adaptive cutoffs), :mod:`.convergence`,
:mod:`.linearization`, :mod:`.nonreciprocity`, :mod:`.maps` (grids of points, the map
engines, the map verdict), :mod:`.paper_device` (the paper's own device), :mod:`.fits`,
:mod:`.deviation`, :mod:`.verdicts` (the verdict words), :mod:`.status` (the status words),
:mod:`.reference` (the reference design), :mod:`.pool` (worker processes),
:mod:`.progress` (progress messages with an ETA), :mod:`.tables` (notebook tables);
the third framework beside a judged point: :mod:`.series` (the moment expansion of V) and
:mod:`.leading` (c2·s² of perturbation theory against the Fock-space ΔE_N).
"""
