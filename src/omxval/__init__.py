"""omxval — cross-validation of the Gaussian and full-quantum models of the spinning
whispering-gallery optomechanical resonator of Jiao et al., PRL 125, 143605 (2020).

Subpackages (``from omxval import linear, fullquantum, perturbative, compare``):

* :mod:`omxval.linear` — the Gaussian (linearised) model: parameters, every mean-field
  branch, stability, drift and diffusion, the Lyapunov covariance, log-negativity, sweeps.
* :mod:`omxval.fullquantum` — the same system as a QuTiP master equation on a truncated Fock
  space (models ``linearized``, ``nonlinear``, ``lab``; both mechanical baths).
* :mod:`omxval.perturbative` — the steady-state moments of any model as exact power series
  in the nonlinearity (V = V0 + s²V2 + s⁴V4), no Fock space (docs/perturbative.md).
* :mod:`omxval.compare` — the two side by side, the studies, reports and the ``omxval``
  command.
* :class:`omxval.Model` — any optomechanical model (named modes and couplings, TOML model
  files; docs/models.md); :mod:`omxval.presets` — the spinning resonator, Vitali et al.
  2007 and electro-optomechanics as Models.

Conventions (units of ω_m inside, the quadrature ordering, the paper's unstated choices):
``docs/conventions.md``. Every exception omxval raises on purpose derives from
:class:`omxval.OmxvalError`.
"""

from __future__ import annotations

import importlib
from importlib import metadata as _metadata

try:
    __version__: str = _metadata.version("omxval")
except _metadata.PackageNotFoundError:  # pragma: no cover - imported from an unpacked tree
    __version__ = "0+unknown"

from .errors import OmxvalError  # noqa: E402

_SUBPACKAGES = ("linear", "fullquantum", "perturbative", "compare", "presets")


def __getattr__(name: str):
    # Subpackages load on first use: ``import omxval`` stays light (no QuTiP, no matplotlib).
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "Model":  # the user's model description (docs/models.md), home omxval.linear
        return importlib.import_module(f"{__name__}.linear").Model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBPACKAGES, "Model"])


__all__ = ["__version__", "OmxvalError", "Model", *_SUBPACKAGES]
