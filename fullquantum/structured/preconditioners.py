"""Preconditioners of the bordered system: X = S⁻¹(Y) for S(X) = Ā X + X B̄.

S is the Sylvester (no-jump) part of the generator. Two exact inverses: by complex Schur
forms (unitary, so backward stable in single precision) and by eigendecompositions (faster
in double precision, unstable in single at large d); ``"auto"`` takes the first kind that
passes an accuracy check on a random matrix.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from .accelerator import to_host
from .sylvester import _herm_congruence, _tri_lyapunov, _tri_sylvester
from .terms import Operator, _rmul

# Accuracy a preconditioner must reach on a random test matrix (relative residual of S) for
# "auto" to accept it: far below what changes GMRES's iteration count.
_PRECONDITIONER_CHECK = 1e-3
# "auto" takes the first of these that passes the accuracy check.
_AUTO_ORDER = ("schur-mixed", "schur-double", "eig-double")
# With a mixed-precision preconditioner, GMRES switches to double-precision products once
# the relative residual falls below this factor times the measured single-precision error of
# the preconditioner. Measured: the (backward-stable) Schur one in single precision, error
# ≈1e-6, converged to 1e-11 as fast as in double (d = 576, 1120), so it switches only for
# tighter tolerances; the eigenvector one's errors slowed convergence below ≈1e-3 × error.
_SWITCH_FACTOR = {"schur-mixed": 1e-5, "eig-mixed": 1e-3}


class _EigPreconditioner:
    """S⁻¹(Y) = V_A [(V_A⁻¹ Y V_B) ⊘ (λ_A,i + λ_B,j)] V_B⁻¹ with B̄ = V_B Λ_B V_B⁻¹.

    In the Hermitian mode B̄ = Āᴴ, so V_B = V_A⁻ᴴ and V_B⁻¹ = V_Aᴴ: one eigendecomposition.
    With ``mixed`` the four products are done in single precision (half the time) until the
    caller asks for ``precise`` ones: single-precision round-off, amplified by the condition
    number of V_A, makes the preconditioner slightly nonlinear, which FGMRES tolerates but
    which slows convergence once the residual nears that round-off level.
    """

    def __init__(self, A: np.ndarray, B: np.ndarray | None, mixed: bool, xp=np):
        lam_a, va = scipy.linalg.eig(A, check_finite=False)
        va_inv = scipy.linalg.inv(va, check_finite=False)
        if B is None:  # B̄ = Āᴴ
            lam_b = lam_a.conj()
            vb, vb_inv = va_inv.conj().T, va.conj().T
        else:
            lam_b, vb = scipy.linalg.eig(B, check_finite=False)
            vb_inv = scipy.linalg.inv(vb, check_finite=False)
        den = lam_a[:, None] + lam_b[None, :]
        self.shift = _dark_shift(den)  # see _dark_shift
        den = den + self.shift
        mats = (va_inv, vb, va, vb_inv, 1.0 / den)
        # On the array module xp (NumPy, or CuPy for the GPU path: .accelerator); the
        # decomposition above is always SciPy's.
        self.xp = xp
        self.double = tuple(xp.ascontiguousarray(xp.asarray(m, dtype=np.complex128))
                            for m in mats)
        self.single = (tuple(xp.ascontiguousarray(xp.asarray(m, dtype=np.complex64))
                             for m in mats) if mixed else None)
        self.mixed = mixed

    def __call__(self, Y: np.ndarray, precise: bool = True) -> np.ndarray:
        xp = self.xp
        mats = self.double if (precise or not self.mixed) else self.single
        left_in, right_in, left_out, right_out, den_inv = mats
        Y = xp.asarray(Y, dtype=left_in.dtype)
        buf = left_in @ Y
        Z = buf @ right_in
        Z *= den_inv
        xp.matmul(left_out, Z, out=buf)
        return to_host(xp.matmul(buf, right_out, out=Z))


class _SchurPreconditioner:
    """S⁻¹ by complex Schur forms Ā = U T Uᴴ (and B̄ = U_B T_B U_Bᴴ) and a blocked solver.

    S(X) = Y becomes T X̃ + X̃ op(T_B) = Uᴴ Y U_B with X = U X̃ U_Bᴴ. U is unitary, so unlike
    the eigenvector basis it amplifies no round-off: in single precision the backward error
    stays ≈1e-6 at every d measured, which is what makes single precision usable at large d.
    In the Hermitian mode B̄ = Āᴴ, U_B = U and the Lyapunov solver halves the work.
    """

    def __init__(self, A: np.ndarray, B: np.ndarray | None, mixed: bool):
        T, U = scipy.linalg.schur(A, output="complex", check_finite=False)
        self.hermitian = B is None
        if self.hermitian:
            TB, UB = T, U
        else:
            TB, UB = scipy.linalg.schur(B, output="complex", check_finite=False)
        diag_b = np.diag(TB).conj() if self.hermitian else np.diag(TB)
        den = np.diag(T)[:, None] + diag_b[None, :]
        self.shift = shift = _dark_shift(den)
        if shift:
            T = T + 0.5 * shift * np.eye(T.shape[0])
            TB = T if self.hermitian else TB + 0.5 * shift * np.eye(TB.shape[0])
        self.double = self._factors(U, T, UB, TB, np.complex128)
        self.single = self._factors(U, T, UB, TB, np.complex64) if mixed else None
        self.mixed = mixed

    def _factors(self, U, T, UB, TB, dtype) -> tuple:
        """(U, Uᴴ, T, Tᴴ, U_B, U_Bᴴ, T_B, T_Bᴴ) as contiguous arrays, shared if B̄ = Āᴴ."""
        U, UH, T, TH = (np.ascontiguousarray(m, dtype=dtype)
                        for m in (U, U.conj().T, T, T.conj().T))
        if self.hermitian:
            return U, UH, T, TH, U, UH, T, TH
        UB, UBH, TB, TBH = (np.ascontiguousarray(m, dtype=dtype)
                            for m in (UB, UB.conj().T, TB, TB.conj().T))
        return U, UH, T, TH, UB, UBH, TB, TBH

    def __call__(self, Y: np.ndarray, precise: bool = True) -> np.ndarray:
        mats = self.double if (precise or not self.mixed) else self.single
        U, UH, T, TH, UB, UBH, TB, TBH = mats
        Y = np.asarray(Y, dtype=U.dtype)
        if self.hermitian:  # Y and X Hermitian: both congruences by _herm_congruence
            C = _herm_congruence(UH, U, Y)
            _tri_lyapunov(T, TH, C)
            return _herm_congruence(U, UH, C)
        C = (UH @ Y) @ UB
        _tri_sylvester(T, TH, TB, TBH, C, "N")
        return (U @ C) @ UBH


def _dark_shift(den: np.ndarray) -> float:
    """Shift σ ≤ 0 (S becomes S + σ·id) if some λ_i + λ̄_j vanishes, else 0.

    A dark state of the no-jump evolution (e.g. the vacuum when all jumps annihilate it)
    makes S singular while the bordered M is not; a small uniform damping keeps S⁻¹
    bounded, and GMRES absorbs the perturbation (it is part of M P − I either way).
    """
    mag = np.abs(den)
    if mag.min() >= 1e-10 * mag.max():
        return 0.0
    return -1e-3 * float(np.median(mag))


def _check_preconditioner(P, A: Operator, B: Operator, hermitian: bool, d: int,
                          precise: bool = True) -> float:
    """‖S_σ(P(Y)) − Y‖_F / ‖Y‖_F for a fixed random Y (Hermitian in the Hermitian mode).

    S_σ = S + σ·id with the dark-state shift σ of the preconditioner (usually 0).
    """
    rng = np.random.default_rng(12345)
    Y = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
    if hermitian:
        Y = Y + Y.conj().T
    X = np.asarray(P(Y, precise), dtype=np.complex128)
    SX = np.asarray(A @ X) + _rmul(X, B) + P.shift * X  # P inverts the shifted S
    return float(np.linalg.norm(SX - Y) / np.linalg.norm(Y))


def _build_preconditioner(choice: str, A_dense: np.ndarray, B_dense: np.ndarray | None,
                          A_op: Operator, B_op: Operator, hermitian: bool, d: int, xp=np):
    """The first preconditioner of the requested kind(s) that passes the accuracy check.

    ``xp`` is the array module its products run on (CuPy: the eigenbasis kinds only, "auto"
    meaning "eig-double"). Returns the preconditioner, its kind and the relative residual
    below which its double-precision products are used (1.0: always double).
    """
    on_gpu = xp is not np
    kinds = ((["eig-double"] if on_gpu else list(_AUTO_ORDER)) if choice == "auto"
             else [choice])
    errors = []
    for kind in kinds:
        mixed = kind.endswith("-mixed")
        try:
            if kind.startswith("schur"):
                P = _SchurPreconditioner(A_dense, B_dense, mixed)
            else:
                P = _EigPreconditioner(A_dense, B_dense, mixed, xp)
        except (np.linalg.LinAlgError, ValueError) as exc:
            errors.append(f"{kind}: {exc}")
            continue
        err = _check_preconditioner(P, A_op, B_op, hermitian, d, precise=not mixed)
        if err <= _PRECONDITIONER_CHECK or choice != "auto":
            return P, kind, (_SWITCH_FACTOR[kind] * err if mixed else 1.0)
        errors.append(f"{kind}: relative error {err:.1e}")
    raise RuntimeError("no usable preconditioner: " + "; ".join(errors))
