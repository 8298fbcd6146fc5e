"""Master-equation generators in the form L(ρ) = Aρ + ρB + Σ_k C_k ρ D_k.

Every generator of omxval — Hamiltonian part, Lindblad dissipators and the Brownian
(Caldeira–Leggett) mechanical bath of docs/conventions.md §5 — is kept in this one form. The
QuTiP Liouvillian (``superoperator``) and the structured steady-state solver are both built
from it, so the two cannot disagree about the physics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import qutip


@dataclass(frozen=True)
class Generator:
    """L(ρ) = left·ρ + ρ·right + Σ_k C_k ρ D_k, with operators as QuTiP ``Qobj``.

    Attributes
    ----------
    left, right : Qobj
        A and B (d×d operators on the system's Hilbert space).
    sandwich : tuple of (Qobj, Qobj)
        The pairs (C_k, D_k).
    """

    left: qutip.Qobj
    right: qutip.Qobj
    sandwich: tuple[tuple[qutip.Qobj, qutip.Qobj], ...] = ()

    def __add__(self, other: "Generator") -> "Generator":
        return Generator(self.left + other.left, self.right + other.right,
                         self.sandwich + other.sandwich)

    @property
    def dims(self) -> list:
        """QuTiP dims of the operators."""
        return self.left.dims

    @property
    def hilbert_dim(self) -> int:
        """Hilbert-space dimension d (the density matrix is d×d)."""
        return self.left.shape[0]

    def superoperator(self) -> qutip.Qobj:
        """The Liouvillian as a QuTiP super-operator (spre/spost/sprepost of the terms)."""
        L = qutip.spre(self.left) + qutip.spost(self.right)
        for C, D in self.sandwich:
            L = L + qutip.sprepost(C, D)
        return L

    def apply(self, rho: np.ndarray) -> np.ndarray:
        """L(ρ) for a dense d×d array, by sparse × dense products only (no d²×d² matrix,
        O(nnz·d): dense operators made this diagnostic 8 % of a d = 1120 solve)."""
        rho = np.asarray(rho)
        out = _sparse(self.left) @ rho + (_sparse(self.right).T @ rho.T).T
        for C, D in self.sandwich:
            out += _sparse(C) @ (_sparse(D).T @ rho.T).T
        return out


def _sparse(op: qutip.Qobj):
    """The operator's matrix as a SciPy CSR matrix."""
    return op.to("csr").data.as_scipy()


def hamiltonian(H: qutip.Qobj) -> Generator:
    """−i[H, ρ] = (−iH)ρ + ρ(iH)."""
    return Generator(-1j * H, 1j * H)


def dissipator(c: qutip.Qobj, rate: float = 1.0) -> Generator:
    """rate·D[c]ρ = rate·(cρc† − ½c†cρ − ½ρc†c)."""
    cdc = c.dag() * c
    return Generator(-0.5 * rate * cdc, -0.5 * rate * cdc, ((rate * c, c.dag()),))


def caldeira_leggett(q: qutip.Qobj, p: qutip.Qobj, gamma: float, n_th: float) -> Generator:
    """Brownian mechanical bath of docs/conventions.md §5 (not of Lindblad form).

    L_m ρ = −(iγ/2)[q, {p, ρ}] − (γ(2n+1)/2)[q, [q, ρ]]; expanded,
    [q, {p, ρ}] = qpρ + qρp − pρq − ρpq and [q, [q, ρ]] = q²ρ − 2qρq + ρq².
    It gives d⟨p⟩/dt ∋ −γ⟨p⟩ and p-diffusion γ(2n+1), as the paper's Eq. 3–4.
    """
    s = gamma * (2.0 * n_th + 1.0) / 2.0
    q2 = q * q
    left = -0.5j * gamma * (q * p) - s * q2
    right = 0.5j * gamma * (p * q) - s * q2
    return Generator(left, right, ((-0.5j * gamma * q, p), (0.5j * gamma * p, q),
                                   (2.0 * s * q, q)))
