"""The result of one full-quantum solve of any model (:func:`fullquantum.solve` on a Model)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np
import qutip

from ..errors import InputError
from ..linear import ModelPoint, bipartite_log_negativity
from ..linear.table import Table
from .budget import MemoryEstimate
from .observables import bipartite_exact_log_negativity
from .options import SolveOptions
from .result import Timings

Part = str | Sequence[str]


def pair_label(pair: tuple[str, str]) -> str:
    """``"a-b"``, the column suffix of a pair of modes (as :func:`linear.modelgauss.pair_column`)."""
    return f"{pair[0]}-{pair[1]}"


@dataclass(frozen=True)
class ModelSteadyState:
    """Steady state of one full-quantum form of a model, and its observables.

    Rates in the model's unit; quadratures (x, p) per mode in mode order (docs/models.md §4);
    E_N in nats.

    Attributes
    ----------
    point : linear.ModelPoint
        The model and the mean-field branch of the displaced frame (for ``lab`` a reference).
    hamiltonian : {"linearized", "nonlinear", "lab"}
    cutoffs : tuple of int
        Fock levels kept per mode, in mode order.
    method, solver, options
        How it was solved.
    rho : Qobj
        Hermitian, unit-trace state in the form's frame (fluctuations for the displaced
        forms), Fock dims = ``cutoffs``.
    residual : float
        ‖L(ρ)‖_F.
    means, lab_means : ndarray (2n,)
        ⟨u⟩ in ρ's frame and in the lab frame (plus the mean field for displaced forms).
    V : ndarray (2n, 2n)
        Symmetrised covariance (frame independent).
    pairs : tuple of (str, str)
        The pairs of modes whose E_N is tabulated (default every pair, ``model.pairs``).
    log_negativities_exact, log_negativities_gaussian : mapping
        Pair → ln‖ρ_ab^{T_b}‖₁, and the Gaussian E_N of ``V`` for that pair.
    top_populations : mapping
        Mode name → population of its highest kept Fock level.
    truncated : bool
        Some top population exceeds ``options.truncation_tol``.
    occupations : mapping
        Mode name → ⟨o†o⟩ in ρ's frame (what the cutoffs must hold).
    quanta : mapping
        Mode name → lab-frame ⟨o†o⟩ (photons of cavities, phonons of mechanical modes).
    purity, entropy, min_eigenvalue : float
    mean_field_residual : float
        Largest dropped linear coefficient (:func:`fullquantum.modelterms.model_linear_terms`)
        for the displaced forms; NaN for ``lab``.
    memory : MemoryEstimate
    solver_info : dict
    timings : Timings
    """

    point: ModelPoint
    hamiltonian: str
    cutoffs: tuple[int, ...]
    method: str
    solver: str | None
    options: SolveOptions
    rho: qutip.Qobj
    residual: float
    means: np.ndarray
    lab_means: np.ndarray
    V: np.ndarray
    pairs: tuple[tuple[str, str], ...]
    log_negativities_exact: Mapping[tuple[str, str], float]
    log_negativities_gaussian: Mapping[tuple[str, str], float]
    top_populations: Mapping[str, float]
    truncated: bool
    occupations: Mapping[str, float]
    quanta: Mapping[str, float]
    purity: float
    entropy: float
    min_eigenvalue: float
    mean_field_residual: float
    memory: MemoryEstimate
    solver_info: dict
    timings: Timings

    def __post_init__(self) -> None:
        for name in ("means", "lab_means", "V"):
            getattr(self, name).setflags(write=False)
        for name in ("log_negativities_exact", "log_negativities_gaussian", "top_populations",
                     "occupations", "quanta"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @property
    def model(self):
        """The :class:`~omxval.linear.Model` solved."""
        return self.point.model

    @property
    def branch(self) -> int:
        return self.point.branch

    def _indices(self, part: Part, what: str) -> list[int]:
        names = [part] if isinstance(part, str) else list(part)
        model = self.point.model
        bad = [m for m in names if m not in model.mode_names]
        if bad or not names:
            raise InputError(f"{what} must name modes of the model "
                             f"({', '.join(model.mode_names)}); got {part!r}")
        return [model.index(m) for m in names]

    def exact_log_negativity(self, a: Part, b: Part) -> float:
        """ln‖ρ_AB^{T_B}‖₁ of the cut A|B, each side a mode name or a sequence of them.

        The other modes are traced out. Pairs of :attr:`pairs` come from the table.
        """
        key = (a, b) if isinstance(a, str) and isinstance(b, str) else None
        if key in self.log_negativities_exact:
            return self.log_negativities_exact[key]
        return bipartite_exact_log_negativity(self.rho, self._indices(a, "a"),
                                              self._indices(b, "b"))

    def gaussian_log_negativity(self, a: Part, b: Part) -> float:
        """The Gaussian E_N of :attr:`V` for the cut A|B (:func:`linear.bipartite_log_negativity`)."""
        return float(bipartite_log_negativity(self.V, self._indices(a, "a"),
                                              self._indices(b, "b")))

    @property
    def max_top_population(self) -> float:
        return float(max(self.top_populations.values()))

    def __repr__(self) -> str:
        ens = ", ".join(f"{pair_label(p)} {self.log_negativities_exact[p]:.5g}"
                        for p in self.pairs)
        return (f"ModelSteadyState({self.point.model.name or 'model'}, {self.hamiltonian}, "
                f"branch {self.branch}, cutoffs {self.cutoffs}: E_N exact {ens}; max top "
                f"population {self.max_top_population:.1e} "
                f"({'TRUNCATED' if self.truncated else 'not truncated'}), "
                f"{self.timings.total_s:.2f} s)")

    def to_dataframe(self) -> Table:
        """One row: ``hamiltonian``, ``branch``, ``method``, ``N_<mode>``, ``E_N exact a-b`` and
        ``E_N gaussian a-b`` per pair, ``quanta <mode>``, ``top population <mode>``,
        ``truncated``, ``purity``, ``entropy``, ``residual``, ``min eigenvalue``,
        ``mean-field residual``, ``seconds``."""
        names = self.point.model.mode_names
        row = {"hamiltonian": self.hamiltonian, "branch": self.branch, "method": self.method,
               **{f"N_{m}": n for m, n in zip(names, self.cutoffs)}}
        for p in self.pairs:
            row[f"E_N exact {pair_label(p)}"] = self.log_negativities_exact[p]
            row[f"E_N gaussian {pair_label(p)}"] = self.log_negativities_gaussian[p]
        row.update({f"quanta {m}": self.quanta[m] for m in names})
        row.update({f"top population {m}": self.top_populations[m] for m in names})
        row.update({"truncated": self.truncated, "purity": self.purity,
                    "entropy": self.entropy, "residual": self.residual,
                    "min eigenvalue": self.min_eigenvalue,
                    "mean-field residual": self.mean_field_residual,
                    "seconds": self.timings.total_s})
        return Table([row])


__all__ = ["ModelSteadyState", "pair_label"]
