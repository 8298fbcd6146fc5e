"""Preset models (docs/models.md §5): ``from omxval import presets``.

* :func:`spinning_resonator` — Jiao et al., PRL 125, 143605 (2020): modes ccw, cw, m.
* :func:`vitali2007` — one cavity and one mirror, Vitali et al., PRL 98, 030405 (2007).
* :func:`electro_optomechanics` — an optical and a microwave cavity on one mechanical
  mode, in the range of Barzanjeh et al., PRA 84, 042342 (2011).

Each returns a :class:`omxval.Model`; the home of these functions is
:mod:`omxval.linear.presets`, with :func:`design_model` (effective detuning and |G| of a
single-drive model).
"""

from .linear.presets import (design_model, electro_optomechanics, spinning_resonator,
                             thermal_occupation, vitali2007)

__all__ = ["spinning_resonator", "vitali2007", "electro_optomechanics", "design_model",
           "thermal_occupation"]
