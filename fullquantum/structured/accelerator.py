"""Where the structured solver's dense work runs: the CPU (NumPy) or a CUDA GPU (CuPy).

The GPU path is optional (``pip install 'omxval[gpu]'``: CuPy from the package registry) and
chosen explicitly (``StructuredOptions(device="gpu")``); the CPU stays the default. On the
GPU the preconditioner is the eigenbasis one (:class:`~.preconditioners._EigPreconditioner`):
its application is four dense d×d products and an elementwise division, all on the GPU,
while the Schur one needs LAPACK's triangular solver, which CuPy lacks. The decomposition is
made once on the CPU (SciPy), the sparse generator is applied on the CPU, and each GMRES
step moves one d×d matrix each way.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import numpy as np

from ...errors import InputError

#: Devices of :class:`~.options.StructuredOptions`.
DEVICES: tuple[str, ...] = ("cpu", "gpu")

_REMEDY = "install CuPy for your CUDA version (pip install 'omxval[gpu]'), or use device='cpu'"


def array_module(device: str) -> ModuleType:
    """NumPy for ``"cpu"``; CuPy for ``"gpu"`` once a CUDA device is found.

    Raises
    ------
    InputError
        ``"gpu"`` without CuPy or without a CUDA device, naming the remedy (before any work).
    """
    if device == "cpu":
        return np
    try:
        cupy = importlib.import_module("cupy")
    except ImportError:
        raise InputError(f"device='gpu' needs CuPy, which is not installed: {_REMEDY}") from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # noqa: BLE001 - CUDA reports a missing driver in many ways
        raise InputError(f"device='gpu': CuPy finds no CUDA device ({exc}); {_REMEDY}") from None
    if count < 1:
        raise InputError(f"device='gpu': CuPy finds no CUDA device; {_REMEDY}")
    return cupy


def to_host(x) -> np.ndarray:
    """A NumPy array of ``x`` (a CuPy array is copied from the device)."""
    return x.get() if hasattr(x, "get") and not isinstance(x, np.ndarray) else np.asarray(x)


def describe(device: str) -> str:
    """``"cpu"``, or ``"gpu: <name>"`` of the current CUDA device (after :func:`array_module`)."""
    if device == "cpu":
        return "cpu"
    cupy = importlib.import_module("cupy")
    props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = props["name"]
    return f"gpu: {name.decode() if isinstance(name, bytes) else name}"


def accelerator_info() -> dict | None:
    """CuPy's version and the CUDA devices it sees, or None (for a report's provenance)."""
    try:
        cupy = importlib.import_module("cupy")
        count = cupy.cuda.runtime.getDeviceCount()
        names = []
        for i in range(count):
            name = cupy.cuda.runtime.getDeviceProperties(i)["name"]
            names.append(name.decode() if isinstance(name, bytes) else str(name))
        return {"cupy": cupy.__version__, "devices": names}
    except Exception:  # noqa: BLE001 - no CuPy or no driver: nothing to report
        return None


__all__ = ["DEVICES", "array_module", "to_host", "describe", "accelerator_info"]
