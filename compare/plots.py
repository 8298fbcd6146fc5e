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


def plot_point(cmp: PointComparison, path: Path | None = None, *, axes=None):
    """|V − V_Gaussian| element by element: the judged model (approximation error) beside the
    linearized Fock control (truncation error), on one log colour scale.

    Parameters
    ----------
    cmp : PointComparison
    path : path, optional
        Save the figure there (and close it).
    axes : two matplotlib Axes, optional
        Draw on these (a new figure otherwise).

    Returns
    -------
    The two Axes.
    """
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.4), layout="constrained")
    fig = axes[0].figure
    errors = (np.abs(cmp.steady.V - cmp.linear.V), np.abs(cmp.control.V - cmp.linear.V))
    top = max(max(e.max() for e in errors), 1e-11)
    norm = LogNorm(vmin=max(top * 1e-6, 1e-14), vmax=top)
    titles = (f"approximation: {cmp.steady.model} − Gaussian",
              "truncation control: linearized Fock − Gaussian")
    for ax, err, title in zip(axes, errors, titles):
        m = ax.imshow(np.maximum(err, norm.vmin), norm=norm, cmap="magma")
        ax.set_xticks(range(6), QUADRATURES, rotation=45)
        ax.set_yticks(range(6), QUADRATURES)
        ax.set_title(title, fontsize=10)
    fig.colorbar(m, ax=list(axes), label="|ΔV| (vacuum variance = 1/2)")
    fig.suptitle(f"Design point, cutoffs {cmp.steady.cutoffs}: {cmp.verdict}")
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return axes


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


# --- validity maps -------------------------------------------------------------------------
STATUS_MARKERS = {  # status → (marker, colour, label): distinct at a glance, also in grey
    "unstable": ("x", "0.35", "unstable (no steady state)"),
    "unconverged": ("$?$", "tab:orange", "unconverged (Fock space beyond the limits)"),
    "failed": ("X", "tab:red", "failed (see map.csv)"),
}


def _is_log_axis(values: np.ndarray) -> bool:
    """Positive values spanning a decade or more, spaced more evenly in log than linearly."""
    if len(values) < 2 or np.any(values <= 0) or values.max() / values.min() < 8:
        return False
    spread = lambda v: np.ptp(np.diff(v)) / np.mean(np.diff(v))  # noqa: E731
    return len(values) == 2 or spread(np.log(values)) <= spread(values)


def _edges(values: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around sorted grid values (geometric midpoints on a log axis)."""
    v = np.log(values) if log else values.astype(float)
    if len(v) == 1:
        half = 0.1 * abs(v[0]) if (log or v[0] != 0) else 0.5
        e = np.array([v[0] - half, v[0] + half])
    else:
        mid = (v[1:] + v[:-1]) / 2
        e = np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])
    return np.exp(e) if log else e


AXIS_LABELS = {"G0": "G0 / ω_m", "coupling": "|G_d| / ω_m", "detuning": "Δ̃_c / ω_m",
               "kappa": "κ / ω_m", "J": "J / ω_m", "Delta_F": "Δ_F / ω_m",
               "gamma_m": "γ_m / ω_m", "n_m": "n_m (thermal phonons)"}


def plot_map_panel(table: pd.DataFrame, x: str, y: str, column: str, *, ax=None,
                   norm=None, cmap: str = "viridis", label: str | None = None,
                   contours: tuple[float, ...] = (),
                   statuses: tuple[str, ...] = ("valid", "breaks")):
    """One heat map of ``column`` over the (x, y) grid of a validity-map table.

    Only points whose status is in ``statuses`` are coloured; the others are left blank and
    marked with :data:`STATUS_MARKERS`; multistable cells are hatched. ``contours`` are
    drawn as labelled lines (e.g. 0.01 and 0.1 of the relative error).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a new figure's if ``ax`` is None).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 4.4))
    xs, ys = np.unique(table[x].astype(float)), np.unique(table[y].astype(float))
    logx, logy = _is_log_axis(xs), _is_log_axis(ys)
    Z = np.full((len(ys), len(xs)), np.nan)
    for _, r in table.iterrows():
        val = pd.to_numeric(r.get(column), errors="coerce")
        if r["status"] in statuses and np.isfinite(val):
            Z[np.searchsorted(ys, r[y]), np.searchsorted(xs, r[x])] = val
    ax.set_facecolor("white")
    ex, ey = _edges(xs, logx), _edges(ys, logy)
    mesh = ax.pcolormesh(ex, ey, np.ma.masked_invalid(Z), norm=norm, cmap=cmap,
                         shading="flat")
    plt.colorbar(mesh, ax=ax, label=label or column)
    if contours and np.isfinite(Z).sum() >= 4 and len(xs) > 1 and len(ys) > 1:
        from matplotlib import patheffects

        cs = ax.contour(xs, ys, np.ma.masked_invalid(Z), levels=sorted(contours),
                        colors="black", linewidths=1.5, linestyles=["--", "-"][:len(contours)])
        cs.set(path_effects=[patheffects.withStroke(linewidth=3.5, foreground="white")])
        ax.clabel(cs, fmt=lambda v: f"{v:.0%}", fontsize=8)
    multi = table[table["multistable"].fillna(False).astype(bool)]
    for _, r in multi.iterrows():  # hatched cells: visible over any colour, under markers
        i, j = np.searchsorted(xs, r[x]), np.searchsorted(ys, r[y])
        ax.add_patch(plt.Rectangle((ex[i], ey[j]), ex[i + 1] - ex[i], ey[j + 1] - ey[j],
                                   fill=False, hatch="///", edgecolor="0.45", lw=0, zorder=2))
    for status, (marker, color, _) in STATUS_MARKERS.items():
        sel = table[table["status"] == status]
        ax.scatter(sel[x], sel[y], marker=marker, s=90, color=color, zorder=3)
    ax.set(xscale="log" if logx else "linear", yscale="log" if logy else "linear",
           xlabel=AXIS_LABELS.get(x, x), ylabel=AXIS_LABELS.get(y, y))
    return ax


def plot_validity_map(table: pd.DataFrame, spec, path: Path | None = None):
    """The map's figure: approximation error, Gaussian E_N and the truncation control.

    Parameters
    ----------
    table : DataFrame
        ``map.csv``'s rows (:func:`~omxval.compare.map_report.map_table`).
    spec : MapSpec
    path : path, optional
        Where to save the PNG (the figure is closed then); otherwise it is returned.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    from matplotlib.lines import Line2D

    t = table.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        t["truncation rel"] = t["truncation dE_N"].astype(float) / t["E_N linear"].astype(float)
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.0), layout="constrained")
    rel = t.loc[t["status"].isin(["valid", "breaks"]), "rel dE_N"].astype(float)
    rel = rel[np.isfinite(rel) & (rel > 0)]
    lo = min(rel.min(), 1e-3) if len(rel) else 1e-4
    hi = max(rel.max(), 0.2) if len(rel) else 1.0
    plot_map_panel(t, spec.x, spec.y, "rel dE_N", ax=axes[0], norm=LogNorm(lo, hi),
                   cmap="magma_r", label="|ΔE_N| / E_N (approximation)", contours=(0.01, 0.1))
    axes[0].set_title(f"(a) approximation error: {spec.model} vs Gaussian")
    plot_map_panel(t, spec.x, spec.y, "E_N linear", ax=axes[1], cmap="viridis",
                   label="E_N Gaussian (ln)",
                   statuses=("valid", "breaks", "unconverged", "failed"))
    axes[1].set_title("(b) Gaussian E_N (Lyapunov)")
    tr = t["truncation rel"][np.isfinite(t["truncation rel"]) & (t["truncation rel"] > 0)]
    plot_map_panel(t, spec.x, spec.y, "truncation rel",
                   ax=axes[2], norm=LogNorm(min(tr.min(), lo) if len(tr) else lo, hi),
                   cmap="magma_r", label="|ΔE_N| / E_N (truncation control)")
    axes[2].set_title("(c) truncation control: linearized Fock vs Lyapunov")
    from matplotlib.patches import Patch

    handles = [Line2D([], [], color="black", ls="--", lw=1.5, label="1 % contour"),
               Line2D([], [], color="black", ls="-", lw=1.5, label="10 % contour"),
               Patch(facecolor="white", edgecolor="0.45", hatch="///",
                     label="multistable mean field")]
    handles += [Line2D([], [], marker=m, ls="", color=c, markersize=9, label=lab)
                for m, c, lab in STATUS_MARKERS.values()]
    fig.legend(handles=handles, loc="outside lower center", ncol=6, fontsize=9)
    fig.suptitle(f"Where the Gaussian E_N holds ({spec.direction} drive, {spec.bath} bath; "
                 f"blank: no converged number)")
    if path is None:
        return fig
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None
