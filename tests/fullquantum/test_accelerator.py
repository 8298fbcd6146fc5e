"""The structured solver's device option: the CPU by default, the GPU only when asked for.

Where CuPy and a CUDA device exist, the GPU path must give the CPU path's state; elsewhere
asking for it is refused before any work, naming the remedy.
"""

import numpy as np
import pytest

from omxval import fullquantum
from omxval.errors import InputError
from omxval.fullquantum.structured import StructuredOptions, steadystate_structured
from omxval.fullquantum.structured.accelerator import accelerator_info, array_module
from omxval.fullquantum.structured.preconditioners import _EigPreconditioner
from tests.conftest import reference_point

GPU = accelerator_info() is not None and bool(accelerator_info()["devices"])


def small_generator():
    from omxval.fullquantum.models import generator_for
    return generator_for(reference_point(), cutoffs=(4, 3, 6), hamiltonian="nonlinear")


def test_cpu_is_the_default_and_is_reported():
    opts = StructuredOptions()
    assert opts.device == "cpu"
    res = steadystate_structured(small_generator(), options=opts)
    assert res.device == "cpu"
    state = fullquantum.solve(reference_point(), cutoffs=(4, 3, 6), hamiltonian="nonlinear")
    assert state.solver_info["device"] == "cpu"


def test_device_choices_are_checked_when_built():
    with pytest.raises(InputError, match="device must be one of"):
        StructuredOptions(device="tpu")
    with pytest.raises(InputError, match="eigenbasis preconditioner"):
        StructuredOptions(device="gpu", preconditioner="schur-mixed")


@pytest.mark.skipif(GPU, reason="a CUDA device is present: the GPU path is tested below")
def test_gpu_without_cupy_or_device_is_refused_before_work():
    with pytest.raises(InputError, match="omxval\\[gpu\\]"):
        steadystate_structured(small_generator(), options=StructuredOptions(device="gpu"))


def test_eig_preconditioner_is_the_same_on_any_array_module():
    """The GPU path's preconditioner is the eigenbasis one written against an array module;
    on NumPy it is the CPU one, and it inverts S(X) = ĀX + XĀᴴ."""
    rng = np.random.default_rng(3)
    d = 30
    A = -np.diag(rng.uniform(0.5, 2.0, d)) + 0.1 * (rng.standard_normal((d, d))
                                                     + 1j * rng.standard_normal((d, d)))
    Y = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
    X = _EigPreconditioner(A, None, False, array_module("cpu"))(Y)
    assert isinstance(X, np.ndarray)
    assert np.allclose(A @ X + X @ A.conj().T, Y, atol=1e-10)


@pytest.mark.skipif(not GPU, reason="no CuPy with a CUDA device here")
def test_gpu_path_equals_cpu_path():
    g = small_generator()
    cpu = steadystate_structured(g, options=StructuredOptions(preconditioner="eig-double"))
    gpu = steadystate_structured(g, options=StructuredOptions(device="gpu"))
    assert gpu.device.startswith("gpu")
    diff = cpu.rho - gpu.rho
    assert 0.5 * np.abs(np.linalg.eigvalsh(0.5 * (diff + diff.conj().T))).sum() <= 1e-10


def test_device_options_translate_and_check_before_work():
    """One translation of a configuration's or a map's device into solve options."""
    assert fullquantum.device_options("cpu") == {}
    with pytest.raises(InputError, match="solver.device must be one of"):
        fullquantum.device_options("tpu", name="solver.device")
    with pytest.raises(InputError, match="needs method 'structured'"):
        fullquantum.device_options("gpu", "direct")
    if GPU:
        opts = fullquantum.device_options("gpu")["structured"]
        assert opts.device == "gpu"
    else:
        with pytest.raises(InputError, match="omxval\\[gpu\\]"):
            fullquantum.device_options("gpu")


def test_configuration_and_maps_carry_the_device_outside_the_cache_key():
    from omxval.compare.app.config import ReportConfig, SolverConfig
    from omxval.compare.studies.maps import MapSpec

    assert "structured" not in SolverConfig().options()
    spec = MapSpec(x="G0", x_values=(0.1,), y="coupling", y_values=(0.2,))
    assert spec.device == "cpu" and MapSpec.from_dict(spec.to_dict()) == spec
    point = spec.points()[0]
    # The key is the same whatever the device: a run resumed on a GPU reuses the CPU rows.
    assert "device" not in spec._settings
    assert ReportConfig().map_spec().device == "cpu"
    if not GPU:
        with pytest.raises(InputError, match="solver.device: .*omxval\\[gpu\\]"):
            SolverConfig(device="gpu")
        with pytest.raises(InputError, match="map.device"):
            MapSpec(x="G0", x_values=(0.1,), y="coupling", y_values=(0.2,), device="gpu")
    assert spec.key(point) == MapSpec(x="G0", x_values=(0.1,), y="coupling",
                                      y_values=(0.2,)).key(point)
