"""Old module paths of :mod:`omxval.compare` (before the studies/application split).

``omxval.compare.maps``, ``omxval.compare.report`` … keep working: each is a small module
whose names are looked up, on first use, in the module that holds them now, with a
``DeprecationWarning`` that names the new place.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping


def moved(old: str, new: str, elsewhere: Mapping[str, str] | None = None
          ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the old module ``old``.

    Parameters
    ----------
    old : str
        The old module's name.
    new : str
        The module that holds its names now.
    elsewhere : mapping, optional
        Names that went to another module: name → that module.
    """
    elsewhere = dict(elsewhere or {})

    def __getattr__(name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        target = elsewhere.get(name, new)
        try:
            value = getattr(importlib.import_module(target), name)
        except AttributeError:
            raise AttributeError(f"module {old!r} has no attribute {name!r} (it moved to "
                                 f"{new!r})") from None
        warnings.warn(f"{old}.{name} moved to {target}.{name}; import it from there (or "
                      f"from omxval.compare where it is public)", DeprecationWarning,
                      stacklevel=2)
        return value

    def __dir__() -> list[str]:
        return sorted(set(dir(importlib.import_module(new))) | set(elsewhere))

    return __getattr__, __dir__
