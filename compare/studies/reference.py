"""The reference design of docs/conventions.md §5 (units of ω_m): one home for its values.

The default of ``[design]`` in the configuration, of the maps' fixed keys and of the
examples: κ = 0.2, J = 0.1, Δ_F = 0.1, γ_m = 5e-3, n_m = 0.2, G0 = 0.05, effective detuning
Δ̃_c = 0.9 and driven-mode coupling |G_d| = 0.25, CCW drive, Brownian mechanical bath.
"""

from __future__ import annotations

from types import MappingProxyType

#: Design keys of :func:`omxval.linear.design_point` at the reference point (read-only).
REFERENCE_DESIGN = MappingProxyType({
    "kappa": 0.2, "J": 0.1, "Delta_F": 0.1, "gamma_m": 5e-3, "n_m": 0.2, "G0": 0.05,
    "detuning": 0.9, "coupling": 0.25})
REFERENCE_DIRECTION = "ccw"
REFERENCE_BATH = "brownian"

__all__ = ["REFERENCE_DESIGN", "REFERENCE_DIRECTION", "REFERENCE_BATH"]
