"""Figures of the validation studies (PNG, matplotlib Agg)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

from ..linear.sweep import COLUMNS, UNITS  # noqa: E402

from .agreement import QUADRATURES, PointComparison  # noqa: E402
from .convergence import MODES, ConvergenceStudy  # noqa: E402
from .linearization import LinearizationStudy  # noqa: E402

DIRECTION_COLORS = {"ccw": "tab:red", "cw": "tab:blue"}


def plot_point(cmp: PointComparison, path: Path) -> None:
    """|V_fq − V_lin| element by element (log colour scale)."""
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    err = np.abs(cmp.steady.V - cmp.linear.V)
    m = ax.imshow(np.maximum(err, 1e-16), norm=LogNorm(vmin=1e-12, vmax=max(err.max(), 1e-11)),
                  cmap="magma")
    ax.set_xticks(range(6), QUADRATURES, rotation=45)
    ax.set_yticks(range(6), QUADRATURES)
    fig.colorbar(m, ax=ax, label="|V_fq − V_lin|")
    ax.set_title(f"{cmp.steady.model}, cutoffs {cmp.steady.cutoffs}: {cmp.verdict}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_convergence(study: ConvergenceStudy, path: Path) -> None:
    """Change per refinement against each mode's cutoff, with the tolerances."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), sharey=True)
    col = {"ccw": "N_ccw", "cw": "N_cw", "mech": "N_m"}
    tol_V, tol_EN = study.tolerances
    for ax, mode in zip(axes, MODES):
        g = study.steps[study.steps["stage"].isin([f"refine {mode}", f"check {mode}+1"])]
        x = g[col[mode]]
        for q, marker in (("max abs dV", "o"), ("dE_N gaussian", "s"), ("dE_N exact", "^")):
            ax.semilogy(x, np.maximum(g[q], 1e-16), marker=marker, ls="-", label=q)
        ax.semilogy(x, np.maximum(g[f"top population {mode}"], 1e-16), "k--", marker="x",
                    label=f"top population ({mode})")
        ax.axhline(tol_V, color="tab:blue", ls=":", lw=1, label="V tolerance")
        ax.axhline(tol_EN, color="tab:orange", ls=":", lw=1, label="E_N tolerance")
        ax.axvline(study.chosen[MODES.index(mode)], color="gray", lw=0.8)
        ax.set(xlabel=f"{col[mode]} (cutoff of {mode})", title=f"refining {mode}")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("change against the previous cutoff")
    fig.suptitle(f"Truncation convergence: chosen cutoffs {study.chosen} (grey) — {study.verdict}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_linearization(study: LinearizationStudy, path: Path) -> None:
    """Deviation from the linearised model against G0 (log–log) and the G0 → 0 limit of E_N."""
    t = study.table
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    g = np.geomspace(t["G0"].min(), t["G0"].max(), 50)
    for y, fit, label in ((t["max abs dV"], study.V_fit, "max|V_nl − V_lin|"),
                          (np.abs(t["<dq>"]), study.dq_fit, "|⟨δq⟩|")):
        axes[0].loglog(t["G0"], y, "o", label=f"{label}: slope {fit.exponent:.3f} ± "
                       f"{fit.exponent_stderr:.3f}")
        axes[0].loglog(g, fit(g), "k:", lw=1)
    axes[0].loglog(t["G0"], np.abs(t["dE_N exact"]), "^", label="|ΔE_N exact|")
    axes[0].set(xlabel="G0 / ω_m", ylabel="deviation from the linearised model",
                title="fixed (Δ̃_c, |G_d|): nonlinear vs linearised")
    axes[0].legend(fontsize=8)
    u = np.linspace(0, t["G0"].max() ** 2, 50)
    for kind, col, color in (("gaussian", "E_N gaussian", "tab:blue"),
                             ("exact", "E_N exact", "tab:green")):
        c0, err, target = study.E_N_extrapolated[kind]
        coef = np.polyfit(t["G0"] ** 2, t[col], 1)
        axes[1].plot(t["G0"] ** 2, t[col], "o", color=color, label=f"E_N {kind} (nonlinear)")
        axes[1].plot(u, np.polyval(coef, u), ":", color=color)
        axes[1].errorbar([0], [c0], [err], fmt="D", color=color, mfc="none",
                         label=f"G0→0: {c0:.5f} ± {err:.1e} (linearised {target:.5f})")
    axes[1].axhline(study.linear_log_negativity, color="k", lw=0.8,
                    label=f"Lyapunov E_N {study.linear_log_negativity:.5f}")
    axes[1].set(xlabel="G0² / ω_m²", ylabel="E_N (ln)", title="extrapolation to G0 → 0")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_nonreciprocity(curves: pd.DataFrame, points: pd.DataFrame, path: Path) -> None:
    """E_N against Δ_c per bath: Gaussian curves, full-quantum points, both drives."""
    baths = list(dict.fromkeys(points["bath"]))
    fig, axes = plt.subplots(1, len(baths), figsize=(5.5 * len(baths), 4.2), squeeze=False)
    dc = UNITS["Delta_c"]
    for ax, bath in zip(axes[0], baths):
        for d, color in DIRECTION_COLORS.items():
            c = curves[(curves["bath"] == bath) & (curves["direction"] == d)].sort_values(dc)
            if c.empty:
                continue
            ax.plot(c[dc], c[COLUMNS["E_N"]], color=color, label=f"{d} drive, Gaussian")
            p = points[(points["bath"] == bath) & (points["direction"] == d)]
            if "E_N exact fq" in p:
                ax.plot(p[dc], p["E_N exact fq"], "o", color=color, mfc="none",
                        label=f"{d} drive, full quantum (exact E_N)")
                ax.plot(p[dc], p["E_N gaussian fq"], "x", color=color,
                        label=f"{d} drive, full quantum (Gaussian E_N of V)")
        ax.set(xlabel="Δ_c / ω_m", ylabel="E_N (ln)", title=f"{bath} bath")
        ax.legend(fontsize=7)
    fig.suptitle("Nonreciprocal entanglement: same laser, opposite directions")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
