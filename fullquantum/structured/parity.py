"""Parity sectors: generators that commute with the total Fock parity, solved blockwise.

Π = (−1)^(n₁+…+n_M) is diagonal in the Fock basis, so truncation keeps it. In its
Hermitian form (:class:`~.terms._HermitianLiouvillian`) a generator is
L(X) = K + Kᴴ, K = Ā X + ½ Σ_g C_g X E_g. If Ā is even (ΠĀΠ = Ā) and each C_g has the
parity of its E_g, then L(ΠXΠ) = Π L(X) Π, and L maps each sector to itself
(docs/guide/fullquantum.md, "Parity sectors"):

* even: ΠXΠ = X, i.e. X = X_ee ⊕ X_oo in the basis ordered even states first;
* odd: ΠXΠ = −X, i.e. X = [[0, Y], [Yᴴ, 0]] for Hermitian X.

Every ``linearized`` model has this symmetry (a quadratic Hamiltonian in the fluctuations,
linear jump operators, Caldeira–Leggett terms bilinear in q and p); ``nonlinear`` (the
cubic term) and ``lab`` (the drive) break it. The steady state is even (ΠρΠ is a steady
state too, and it is unique), and a perturbation order of the cubic term has the parity of
its order (docs/perturbative.md Eq. P12). In a sector the preconditioner's Schur forms
are those of the blocks Ā_ee and Ā_oo (d/2 each: an eighth of the work of one d×d
decomposition each), its applications products of d/2 × d/2 blocks (the even sector two
Lyapunov solves, a quarter of the work; the odd sector one Sylvester solve, an eighth), and
GMRES's vectors half as long. The answer is the same: only exact zeros are left out.

A generator without the symmetry (``nonlinear``, ``lab``) can still be preconditioned in
the sectors (``StructuredOptions(parity="even-part")``, :class:`_EvenPartPreconditioner`):
the inverse of the Sylvester part of Ā's parity-even part Ā_e = (Ā + ΠĀΠ)/2 — for the
``nonlinear`` model, Ā without the cubic term — applied to a whole Hermitian matrix, sector
by sector. GMRES on the full system absorbs the dropped odd part (it is part of M P − I
either way); its set-up is a quarter of the full one's, each application 3/8 of the products
(about 0.6× the time), and the steps grow with the odd part's weight
(docs/guide/fullquantum.md, "Parity sectors").
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from .krylov import _fgmres
from .packing import _HermitianPacking
from .preconditioners import _PRECONDITIONER_CHECK, _SWITCH_FACTOR, _dark_shift
from .sylvester import _herm_congruence, _tri_lyapunov, _tri_sylvester
from .terms import Operator, _group_sandwich

# Power-iteration steps of the even-part preconditioner's odd weight: the number its threshold
# (driver.EVEN_PART_MAX_WEIGHT) was calibrated with. Not converged to the spectral radius:
# S_o S_e⁻¹ swaps the sectors, so its eigenvalues come in ± pairs (six steps gave 0.26 and
# 0.44 where ARPACK finds 0.35 and 0.56, cutoffs (4, 3, 5) and (6, 4, 8), G0 = 0.05).
_ODD_WEIGHT_ITERATIONS = 6
# A block counts as zero below this fraction of its operator's largest entry: the operators
# are built from ladder operators, so a block of the wrong parity is exactly zero, and
# anything above round-off means the symmetry does not hold.
_ZERO_BLOCK = 1e-13
_KEYS = ((0, 0), (0, 1), (1, 0), (1, 1))  # (row, column) blocks; 0 = even, 1 = odd


def parity_order(dims) -> tuple[np.ndarray, int]:
    """The Fock basis reordered even states first, and the number of even states.

    Parameters
    ----------
    dims : sequence of int
        Cutoffs of the modes in QuTiP's tensor order (first mode most significant).

    Returns
    -------
    perm : ndarray of int
        perm[i] is the Fock index of the i-th state of the parity-ordered basis.
    h : int
        Number of states with even n₁ + … + n_M.
    """
    n = np.indices(tuple(int(c) for c in dims)).reshape(len(dims), -1).sum(axis=0) % 2
    even, odd = np.flatnonzero(n == 0), np.flatnonzero(n == 1)
    return np.concatenate([even, odd]), int(even.size)


def _split(op: Operator, perm: np.ndarray, h: int) -> tuple[dict, int | None]:
    """The nonzero 2×2 parity blocks of ``op`` and its parity (+1, −1; None: neither).

    Sparse operators stay CSR, dense ones dense. The zero operator is even.
    """
    if sp.issparse(op):
        m = sp.csr_matrix(op)[perm][:, perm].tocsr()
        scale = float(np.abs(m.data).max()) if m.nnz else 0.0
    else:
        m = np.asarray(op)[np.ix_(perm, perm)]
        scale = float(np.abs(m).max()) if m.size else 0.0
    cut = [slice(0, h), slice(h, None)]
    blocks = {}
    for r, c in _KEYS:
        b = m[cut[r], cut[c]]
        big = (float(np.abs(b.data).max()) if b.nnz else 0.0) if sp.issparse(b) else (
            float(np.abs(b).max()) if b.size else 0.0)
        if big > _ZERO_BLOCK * scale:
            blocks[r, c] = b.tocsr() if sp.issparse(b) else np.ascontiguousarray(b)
    diagonal = any(k in blocks for k in ((0, 0), (1, 1)))
    off = any(k in blocks for k in ((0, 1), (1, 0)))
    parity = None if (diagonal and off) else (-1 if off else 1)
    return blocks, parity


class _ParityLiouvillian:
    """L(X) = K + Kᴴ, K = Ā X + ½ Σ_g C_g X E_g, on X given by its parity blocks.

    ``None`` when the generator does not commute with Π (see :meth:`build`). X is a dict
    {(r, c): block}; only the blocks a sector needs are computed.
    """

    def __init__(self, A: dict, groups: list[tuple[dict, dict]], d: int):
        self.A, self.groups, self.d = A, groups, d

    @classmethod
    def build(cls, Abar: Operator, pairs, perm: np.ndarray, h: int, d: int):
        """The sector Liouvillian of a Hermiticity-preserving generator, or None if some term
        breaks the parity symmetry."""
        A, parity = _split(Abar, perm, h)
        if parity != 1:
            return None
        groups = []
        for C, E in _group_sandwich(list(pairs), hermitian=True):
            Cb, pc = _split(C, perm, h)
            Eb, pe = _split(E, perm, h)
            if pc is None or pe is None or pc != pe:
                return None
            # Right products X E as (Eᵀ Xᵀ)ᵀ: SciPy's sparse kernels act from the left.
            ET = {k: (0.5 * b.T).tocsr() if sp.issparse(b) else np.ascontiguousarray(0.5 * b.T)
                  for k, b in Eb.items()}
            groups.append((Cb, ET))
        return cls(A, groups, d)

    def K(self, X: dict, want: tuple) -> dict:
        """The blocks ``want`` of K for X given by its nonzero blocks."""
        K: dict = {}
        Kt: dict = {}  # transposed sums of the two-sided terms (one transpose per block)
        for (r, k), a in self.A.items():
            for c in (0, 1):
                if (r, c) in want and (k, c) in X:
                    y = np.asarray(a @ X[k, c])
                    K[r, c] = y if (r, c) not in K else K[r, c] + y
        for Cb, ET in self.groups:
            CX: dict = {}
            for (r, k), cm in Cb.items():
                for c in (0, 1):
                    if (k, c) in X and any((r, c2) in want for c2 in (0, 1)):
                        y = np.asarray(cm @ X[k, c])
                        CX[r, c] = y if (r, c) not in CX else CX[r, c] + y
            for (r, k), y in CX.items():
                yt = np.ascontiguousarray(y.T)
                for (k2, c), et in ET.items():
                    if k2 == k and (r, c) in want:
                        z = np.asarray(et @ yt)
                        Kt[r, c] = z if (r, c) not in Kt else Kt[r, c] + z
        for key, z in Kt.items():
            K[key] = z.T if key not in K else K[key] + z.T
        return K

    def even(self, Xe: np.ndarray, Xo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The even blocks of L(X_ee ⊕ X_oo)."""
        K = self.K({(0, 0): Xe, (1, 1): Xo}, ((0, 0), (1, 1)))
        out = []
        for key, X in (((0, 0), Xe), ((1, 1), Xo)):
            k = K.get(key)
            out.append(np.zeros_like(X) if k is None else k + k.conj().T)
        return out[0], out[1]

    def odd(self, Y: np.ndarray) -> np.ndarray:
        """The (even, odd) block of L([[0, Y], [Yᴴ, 0]]): K_eo + K_oeᴴ."""
        K = self.K({(0, 1): Y, (1, 0): np.ascontiguousarray(Y.conj().T)}, ((0, 1), (1, 0)))
        out = np.zeros_like(Y)
        if (0, 1) in K:
            out += K[0, 1]
        if (1, 0) in K:
            out += K[1, 0].conj().T
        return out


class _SectorSchur:
    """S⁻¹ of S(X) = Ā X + X Āᴴ in the parity sectors, from the Schur forms of Ā_ee, Ā_oo.

    Even sector: two Lyapunov equations Ā_ee X_ee + X_ee Ā_eeᴴ = Y_ee (and oo); odd sector:
    one Sylvester equation Ā_ee Y + Y Ā_ooᴴ = R. The same blocked triangular solvers and
    dark-state shift as the full Schur preconditioner (:mod:`.preconditioners`).
    """

    def __init__(self, Aee: np.ndarray, Aoo: np.ndarray, mixed: bool):
        Te, Ue = scipy.linalg.schur(Aee, output="complex", check_finite=False)
        To, Uo = scipy.linalg.schur(Aoo, output="complex", check_finite=False)
        lam = np.concatenate([np.diag(Te), np.diag(To)])
        self.shift = shift = _dark_shift(lam[:, None] + lam.conj()[None, :])
        if shift:
            Te = Te + 0.5 * shift * np.eye(Te.shape[0])
            To = To + 0.5 * shift * np.eye(To.shape[0])

        def factors(dtype):
            return tuple(np.ascontiguousarray(m, dtype=dtype) for m in
                         (Ue, Ue.conj().T, Te, Te.conj().T, Uo, Uo.conj().T, To, To.conj().T))
        self.double = factors(np.complex128)
        self.single = factors(np.complex64) if mixed else None
        self.mixed = mixed

    def _mats(self, precise: bool):
        return self.double if (precise or not self.mixed) else self.single

    def even(self, Ye: np.ndarray, Yo: np.ndarray, precise: bool = True):
        Ue, UeH, Te, TeH, Uo, UoH, To, ToH = self._mats(precise)
        out = []
        for U, UH, T, TH, Y in ((Ue, UeH, Te, TeH, Ye), (Uo, UoH, To, ToH, Yo)):
            if Y.shape[0] == 0:
                out.append(np.zeros_like(Y, dtype=np.complex128))
                continue
            C = _herm_congruence(UH, U, np.asarray(Y, dtype=U.dtype))
            _tri_lyapunov(T, TH, C)
            out.append(_herm_congruence(U, UH, C))
        return out[0], out[1]

    def odd(self, R: np.ndarray, precise: bool = True) -> np.ndarray:
        Ue, UeH, Te, TeH, Uo, UoH, To, ToH = self._mats(precise)
        C = (UeH @ np.asarray(R, dtype=Ue.dtype)) @ Uo
        _tri_sylvester(Te, TeH, To, ToH, C, "C")
        return (Ue @ C) @ UoH


def _split_blocks(R: np.ndarray, perm: np.ndarray, h: int, dtype=np.complex128
                  ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The even blocks (R_ee, R_oo) and the odd block R_eo of R (Fock order), as copies in
    ``dtype``."""
    P = np.asarray(R, dtype=dtype)[np.ix_(perm, perm)]
    return (P[:h, :h].copy(), P[h:, h:].copy()), P[:h, h:].copy()


def _join_blocks(even: tuple[np.ndarray, np.ndarray] | None, odd: np.ndarray | None,
                 inverse: np.ndarray, h: int, dtype=np.complex128) -> np.ndarray:
    """The Hermitian d×d matrix (Fock order) of its parity blocks (None: zero), ``inverse``
    the inverse of the parity order."""
    d = inverse.size
    P = np.zeros((d, d), dtype=dtype)
    if even is not None:
        P[:h, :h], P[h:, h:] = even
    if odd is not None:
        P[:h, h:] = odd
        P[h:, :h] = odd.conj().T
    return P[np.ix_(inverse, inverse)]


def _check_sector_schur(pre: _SectorSchur, Aee: np.ndarray, Aoo: np.ndarray,
                        precise: bool) -> float:
    """‖S_σ(P(Y)) − Y‖_F / ‖Y‖_F on a fixed random even-sector Y (cf.
    ``preconditioners._check_preconditioner``)."""
    rng = np.random.default_rng(12345)
    num = den = 0.0
    Ys = []
    for A in (Aee, Aoo):
        n = A.shape[0]
        Y = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
        Ys.append(Y + Y.conj().T)
    Xs = pre.even(Ys[0], Ys[1], precise)
    for A, X, Y in zip((Aee, Aoo), Xs, Ys):
        X = np.asarray(X, dtype=np.complex128)
        num += np.linalg.norm(A @ X + X @ A.conj().T + pre.shift * X - Y) ** 2
        den += np.linalg.norm(Y) ** 2
    return float(np.sqrt(num / den))


def _sector_schur(Abar: Operator, perm: np.ndarray, h: int, choice: str
                  ) -> tuple[_SectorSchur, str, float]:
    """The Schur forms of Ā's diagonal parity blocks Ā_ee, Ā_oo, its kind and the relative
    residual below which its double-precision products are used (1.0: always double).

    Ā's off-diagonal blocks (its parity-odd part) are not read: zero for a symmetric
    generator, dropped by the even-part preconditioner. "auto" takes schur-mixed if it passes
    the accuracy check, else schur-double.
    """
    dense = Abar.toarray() if sp.issparse(Abar) else np.asarray(Abar)
    dense = dense[np.ix_(perm, perm)]
    Aee, Aoo = dense[:h, :h], dense[h:, h:]
    kinds = ["schur-mixed", "schur-double"] if choice == "auto" else [choice]
    errors = []
    for kind in kinds:
        mixed = kind == "schur-mixed"
        pre = _SectorSchur(Aee, Aoo, mixed)
        err = _check_sector_schur(pre, Aee, Aoo, precise=not mixed)
        if err <= _PRECONDITIONER_CHECK or choice != "auto":
            break
        errors.append(f"{kind}: relative error {err:.1e}")
    else:
        raise RuntimeError("no usable preconditioner: " + "; ".join(errors))
    return pre, kind, (_SWITCH_FACTOR[kind] * err if mixed else 1.0)


class _EvenPartPreconditioner:
    """S_e⁻¹ on a whole Hermitian d×d matrix (Fock order), S_e(X) = Ā_e X + X Ā_eᴴ with
    Ā_e = (Ā + ΠĀΠ)/2 the parity-even part of Ā.

    S_e maps each parity block of X to itself: the diagonal blocks (ee, oo) by the two
    Lyapunov equations of :meth:`_SectorSchur.even`, the (even, odd) block by the Sylvester
    equation of :meth:`_SectorSchur.odd` (the (odd, even) block is its conjugate
    transpose). Called like the full preconditioners (``P(Y, precise)``); ``kind`` names
    the Schur kind, ``switch`` its mixed-precision switch, ``shift`` its dark-state shift.
    """

    def __init__(self, Abar: Operator, perm: np.ndarray, h: int, choice: str):
        self.perm, self.h = perm, h
        self.inverse = np.argsort(perm)
        self.pre, self.kind, self.switch = _sector_schur(Abar, self.perm, self.h, choice)
        self.mixed, self.shift = self.pre.mixed, self.pre.shift

    def odd_weight(self, Abar: Operator, iterations: int = _ODD_WEIGHT_ITERATIONS,
                   stop_above: float = np.inf) -> float:
        """A heuristic weight of X ↦ S_o(S_e⁻¹(X)), the part of S that this preconditioner
        drops relative to the part it inverts: ``iterations`` power-iteration steps.

        S_o(X) = Ā_o X + X Ā_oᴴ with Ā_o = (Ā − ΠĀΠ)/2. The preconditioned operator is
        (S_e + S_o + J) S_e⁻¹ = I + S_o S_e⁻¹ + J S_e⁻¹ against I + J S⁻¹ for the exact S:
        the larger this weight, the more GMRES steps (measured: 0.04 → 1.02× the steps of
        the full preconditioner, 0.22 → 1.1×, 0.45 → 1.25–1.4×, 0.57 → 1.5×, 0.75 → 2×,
        0.9 → 2.1×; docs/guide/fullquantum.md). 0 for a parity-symmetric Ā. Not the
        spectral radius: the operator swaps the parity sectors, its eigenvalues come in ±
        pairs, and the steps do not converge to one eigenvector (they underestimate it;
        see _ODD_WEIGHT_ITERATIONS) — a fixed rule, the one the threshold was calibrated
        with. From a fixed random Hermitian start, in the preconditioner's first precision;
        returns the first step's value above ``stop_above`` if one exceeds it (the choice
        in ``driver`` asks every step to stay below its threshold).
        """
        d = self.perm.size
        sign = np.ones(d)
        sign[self.perm[self.h:]] = -1.0
        if sp.issparse(Abar):
            Pi = sp.diags(sign)
            odd = (0.5 * (Abar - Pi @ Abar @ Pi)).tocsr()
        else:
            A = np.asarray(Abar)
            odd = 0.5 * (A - sign[:, None] * A * sign[None, :])
        rng = np.random.default_rng(12345)
        Y = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
        Y += Y.conj().T
        Y /= np.linalg.norm(Y)
        weight = 0.0
        for _ in range(iterations):
            K = np.asarray(odd @ np.asarray(self(Y, precise=not self.mixed),
                                            dtype=np.complex128))
            W = K + K.conj().T  # S_o(Z) for Hermitian Z: Z Ā_oᴴ = (Ā_o Z)ᴴ
            weight = float(np.linalg.norm(W))
            if weight == 0.0 or weight > stop_above:
                break
            Y = W / weight
        return weight

    def __call__(self, Y: np.ndarray, precise: bool = True) -> np.ndarray:
        dtype = np.complex128 if precise or not self.mixed else np.complex64
        (Ye, Yo), Yeo = _split_blocks(Y, self.perm, self.h, dtype)
        return _join_blocks(self.pre.even(Ye, Yo, precise), self.pre.odd(Yeo, precise),
                            self.inverse, self.h, dtype)


def even_part_preconditioner(Abar: Operator, dims, d: int, choice: str
                             ) -> _EvenPartPreconditioner | None:
    """The even-part preconditioner of a Hermitian-mode generator (see the module
    docstring), or None when every Fock state has the same parity (a single mode of
    cutoff 1: no sectors).

    Parameters
    ----------
    Abar : Operator
        Ā of the Hermitian form L(X) = K + Kᴴ.
    dims : sequence of int
        The modes' cutoffs.
    d : int
        Hilbert-space dimension.
    choice : {"auto", "schur-mixed", "schur-double"}
        Schur kind ("auto": mixed if it passes the accuracy check).
    """
    perm, h = parity_order(dims)
    if h == 0 or h == d:
        return None
    return _EvenPartPreconditioner(Abar, perm, h, choice)


class _EvenSector:
    """The bordered system M(X) = L(X) + tr(X)·I/d on X = X_ee ⊕ X_oo (packed as the two
    blocks' Hermitian packings)."""

    def __init__(self, liou: _ParityLiouvillian, pre: _SectorSchur, h: int, d: int):
        self.liou, self.pre, self.h, self.d = liou, pre, h, d
        self.pe, self.po = _HermitianPacking(h), _HermitianPacking(d - h)

    def pack(self, blocks) -> np.ndarray:
        return np.concatenate([self.pe.pack(blocks[0]), self.po.pack(blocks[1])])

    def unpack(self, v: np.ndarray, dtype=np.complex128):
        n = self.h * self.h
        return self.pe.unpack(v[:n], dtype), self.po.unpack(v[n:], dtype)

    def matvec(self, v: np.ndarray) -> np.ndarray:
        Xe, Xo = self.unpack(v)
        Le, Lo = self.liou.even(Xe, Xo)
        tr = (np.trace(Xe) + np.trace(Xo)) / self.d
        Le[np.diag_indices_from(Le)] += tr
        Lo[np.diag_indices_from(Lo)] += tr
        return self.pack((Le, Lo))

    def precond(self, v: np.ndarray, precise: bool) -> np.ndarray:
        dtype = np.complex128 if precise or not self.pre.mixed else np.complex64
        Ye, Yo = self.unpack(v, dtype)
        return self.pack(self.pre.even(Ye, Yo, precise))


class _OddSector:
    """L on X = [[0, Y], [Yᴴ, 0]] (tr X = 0, so M = L), packed as Y's real and imaginary
    parts (‖X‖_F = √2·‖Y‖_F: a uniform scale, so relative residuals are those of X)."""

    def __init__(self, liou: _ParityLiouvillian, pre: _SectorSchur, h: int, d: int):
        self.liou, self.pre, self.shape = liou, pre, (h, d - h)

    def pack(self, Y: np.ndarray) -> np.ndarray:
        Y = np.ascontiguousarray(Y, dtype=np.complex128)
        return Y.ravel().view(np.float64).copy()

    def unpack(self, v: np.ndarray, dtype=np.complex128) -> np.ndarray:
        fdt = np.float32 if dtype == np.complex64 else np.float64
        return np.ascontiguousarray(v, dtype=fdt).view(dtype).reshape(self.shape).copy()

    def matvec(self, v: np.ndarray) -> np.ndarray:
        return self.pack(self.liou.odd(self.unpack(v)))

    def precond(self, v: np.ndarray, precise: bool) -> np.ndarray:
        dtype = np.complex128 if precise or not self.pre.mixed else np.complex64
        return self.pack(self.pre.odd(self.unpack(v, dtype), precise))


class _ParitySolver:
    """Both sectors of one generator, sharing the Schur forms; solves M(X) = R for any
    Hermitian R by splitting it into its even and odd parts."""

    def __init__(self, liou: _ParityLiouvillian, Abar: Operator, perm: np.ndarray, h: int,
                 d: int, choice: str):
        self.perm, self.h, self.d = perm, h, d
        self.inverse = np.argsort(perm)
        pre, self.kind, self.switch = _sector_schur(Abar, perm, h, choice)
        self.even = _EvenSector(liou, pre, h, d)
        self.odd = _OddSector(liou, pre, h, d)

    def split(self, R: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        """The even blocks (R_ee, R_oo) and the odd block R_eo of R (Fock order)."""
        return _split_blocks(R, self.perm, self.h)

    def join(self, even: tuple[np.ndarray, np.ndarray] | None, odd: np.ndarray | None
             ) -> np.ndarray:
        """The d×d matrix (Fock order) of sector blocks (None: that sector is zero)."""
        return _join_blocks(even, odd, self.inverse, self.h)

    def solve(self, rhs: np.ndarray, x0: np.ndarray | None, tol: float, restart: int,
              maxiter: int) -> tuple[np.ndarray, int, float, bool]:
        """X with M(X) = rhs, sector by sector; relative residual against ‖rhs‖_F.

        A sector whose part of rhs is below ``0.1·tol·‖rhs‖`` is left at zero (its share of
        the residual is then below a tenth of the tolerance); the others are solved to
        their own relative tolerance, scaled so that the total meets ``tol``.
        """
        (Re, Ro), Reo = self.split(rhs)
        parts = {"even": float(np.sqrt(np.linalg.norm(Re) ** 2 + np.linalg.norm(Ro) ** 2)),
                 "odd": float(np.sqrt(2.0) * np.linalg.norm(Reo))}
        total = float(np.hypot(parts["even"], parts["odd"]))
        guess = self.split(x0) if x0 is not None else None
        solution: dict = {"even": None, "odd": None}
        its, residual2, converged = 0, 0.0, True
        active = [name for name in ("even", "odd")
                  if total > 0.0 and parts[name] > 0.1 * tol * total]
        for name in ("even", "odd"):
            if name not in active:
                residual2 += parts[name] ** 2
        # Each active sector gets an equal share of the absolute tolerance tol·‖rhs‖_F.
        share = tol * total / np.sqrt(max(len(active), 1))
        for name, sector, b_blocks in (("even", self.even, (Re, Ro)), ("odd", self.odd, Reo)):
            if name not in active:
                continue
            sector_tol = share / parts[name]
            b = sector.pack(b_blocks)
            x0v = None if guess is None else sector.pack(guess[0] if name == "even"
                                                           else guess[1])
            precond = self._precond(sector, parts[name] / total)
            x, n_it, relres, ok = _fgmres(sector.matvec, precond, b, x0v,
                                          min(sector_tol, 0.5), restart, maxiter - its)
            its += n_it
            converged &= ok
            residual2 += (relres * parts[name]) ** 2
            solution[name] = sector.unpack(x)
        relres = float(np.sqrt(residual2) / total) if total else 0.0
        return self.join(solution["even"], solution["odd"]), its, relres, converged and (
            relres <= tol)

    def _precond(self, sector, weight: float):
        """The sector's preconditioner, precise once the residual relative to the whole rhs
        (the sector's times its weight) falls below the mixed-precision switch."""
        switch = self.switch

        def apply(v: np.ndarray, relres: float) -> np.ndarray:
            return sector.precond(v, relres * weight <= switch)
        return apply


def parity_solver(Abar: Operator, pairs, dims, d: int, choice: str) -> _ParitySolver | None:
    """The parity-sector solver of a Hermiticity-preserving generator, or None when some
    term breaks the symmetry (then the full d×d solve is used).

    Parameters
    ----------
    Abar : Operator
        Ā of the Hermitian form L(X) = K + Kᴴ.
    pairs : list of (Operator, Operator)
        The sandwich terms (C_k, D_k).
    dims : sequence of int
        The modes' cutoffs.
    d : int
        Hilbert-space dimension.
    choice : {"auto", "schur-mixed", "schur-double"}
        Preconditioner kind ("auto": mixed if it passes the accuracy check).
    """
    perm, h = parity_order(dims)
    if h == 0 or h == d:
        return None
    liou = _ParityLiouvillian.build(Abar, pairs, perm, h, d)
    if liou is None:
        return None
    return _ParitySolver(liou, Abar, perm, h, d, choice)


__all__ = ["even_part_preconditioner", "parity_order", "parity_solver"]
