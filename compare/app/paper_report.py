"""``omxval paper``: the paper's Fig. 2 and Fig. 3 as PNG + CSV + a Markdown page."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, to_hex
from matplotlib.lines import Line2D
import numpy as np
import pandas as pd

from ...errors import InputError
from ...linear import paper
from ...linear.device import PaperSetup
from ...linear.sweep import COLUMNS

from . import plots

from .metadata import collect
from .output import OutputDirectory
from ..studies.progress import sink
from .display import stderr_progress
from .markdown import markdown_table

EN, GD, NCCW, NCW = COLUMNS["E_N"], COLUMNS["G_d"], COLUMNS["N_ccw"], COLUMNS["N_cw"]
DC = "Delta_c [omega_m]"
COLORS = {"ccw": "tab:red", "rest": "k", "cw": "tab:blue"}


def _required_bytes(chi_points: int) -> float:
    """Free space the report needs: measured 11.7 MB at chi_points = 31 (the χ table grows as
    chi_points²), doubled for safety."""
    return 2 * (11.7e6 + 2e3 * chi_points**2)


# --- figures --------------------------------------------------------------------------------
# Every function draws on the Axes it is given (or a new figure's) and returns them; ``path``
# saves the figure (and closes it). Legends sit outside the data, unstable Δ_c ranges are
# marked per curve in a lane below the data, unstable map cells are hatched (compare/plots.py).
GD_LABEL = r"$|G_d|/\omega_m$"
J_LABEL = r"$J/\kappa$"
OMEGA_LABEL = r"$\Omega$ ($10^3$ rad/s)"
FIG2_LABELS = {"ccw": "CCW drive, Ω = 8e3 rad/s", "rest": "Ω = 0 (either drive)",
               "cw": "CW drive, Ω = 8e3 rad/s"}


FADED = "faded: mean field, not stable"


def _fig2_curves(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Branch 0 of each Fig. 2 curve, sorted by Δ_c, in the order ccw, rest, cw."""
    b0 = df[df["branch"] == 0]
    return {c: b0[b0["curve"] == c].sort_values(DC) for c in COLORS if (b0["curve"] == c).any()}


def _driven_photons(curve: str, g: pd.DataFrame) -> pd.Series:
    return g[NCW] if curve == "cw" else g[NCCW]


def _plot_stable_faded(ax: Axes, x: pd.Series, y: pd.Series, stable: pd.Series, **style
                       ) -> None:
    """A curve drawn solid where a stable steady state exists and faded elsewhere (a mean
    field without a stable steady state)."""
    s = stable.to_numpy(dtype=bool)
    ax.plot(x, np.where(s, y, np.nan), **style)
    near = ~s | np.r_[~s[1:], False] | np.r_[False, ~s[:-1]]  # unstable, and joined to the rest
    faded = {k: v for k, v in style.items() if k != "label"}
    ax.plot(x, np.where(near, y, np.nan), **faded, alpha=0.35)


def _lanes(curves: dict[str, pd.DataFrame], names: dict[str, str]) -> list:
    return [(g[DC].to_numpy(), g["stable"].to_numpy(), {"color": COLORS[c]}, names[c])
            for c, g in curves.items()]


def plot_figure2_entanglement(df: pd.DataFrame, *, ax: Axes | None = None,
                              legend: bool = True) -> Axes:
    """Fig. 2(a): E_N against Δ_c for the three curves, unstable ranges marked.

    Parameters
    ----------
    df : DataFrame
        :func:`paper.figure2_data` rows.
    ax : Axes, optional
        Draw here (a new figure otherwise).
    legend : bool
        Put a legend beside the axes.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = plots.new_axes(figsize=(7.5, 4.2))[0, 0]
    curves = _fig2_curves(df)
    for c, g in curves.items():
        ax.plot(g[DC], g[EN], color=COLORS[c], label=FIG2_LABELS[c])
    ax.set(xlabel=plots.DC_LABEL, ylabel=plots.EN_LABEL, title="(a) entanglement")
    plots.mark_unstable(ax, _lanes(curves, FIG2_LABELS))
    if legend:
        plots.legend_outside(ax)
    return ax


def plot_figure2_photons(df: pd.DataFrame, cross: float | None = None, *,
                         ax: Axes | None = None, legend: bool = True) -> Axes:
    """Fig. 2(b): driven-mode photon number against Δ_c (faded where the mean field has no
    stable steady state), with the N_ccw = N_cw point ``cross``.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = plots.new_axes(figsize=(7.5, 4.2))[0, 0]
    curves = _fig2_curves(df)
    for c, g in curves.items():
        _plot_stable_faded(ax, g[DC], _driven_photons(c, g) / 1e9, g["stable"],
                           color=COLORS[c], label=FIG2_LABELS[c])
    if cross is not None:
        ax.axvline(cross, color="gray", ls=":",
                   label=rf"$N_\mathrm{{ccw}} = N_\mathrm{{cw}}$ at $\Delta_c$ = {cross:.4f} "
                         r"$\omega_m$")
    if any((~g["stable"].astype(bool)).any() for g in curves.values()):
        ax.plot([], [], color="0.3", alpha=0.35, label=FADED)
    ax.set(xlabel=plots.DC_LABEL, ylabel=r"$N_j/10^9$ (driven mode)",
           title="(b) driven-mode photons")
    plots.mark_unstable(ax, _lanes(curves, FIG2_LABELS))
    if legend:
        plots.legend_outside(ax)
    return ax


def plot_figure2_contrast(df: pd.DataFrame, cross: float | None = None, *,
                          ax: Axes | None = None, legend: bool = True) -> Axes:
    """Fig. 2(c): quantum (E_N(CCW) − E_N(CW)) against classical (photon-number) contrast.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = plots.new_axes(figsize=(7.5, 4.2))[0, 0]
    curves = _fig2_curves(df)
    ccw, cw = curves["ccw"], curves["cw"]
    ax.plot(ccw[DC], ccw[EN].fillna(0).to_numpy() - cw[EN].fillna(0).to_numpy(),
            color="tab:purple",
            label=r"$E_N(\mathrm{CCW}) - E_N(\mathrm{CW})$, unstable counted as 0")
    n1, n2 = ccw[NCCW].to_numpy(), cw[NCW].to_numpy()
    ax.plot(ccw[DC], 0.15 * (n1 - n2) / (n1 + n2), color="tab:green",
            label=r"$0.15\,(N_\mathrm{ccw} - N_\mathrm{cw})/(N_\mathrm{ccw} + N_\mathrm{cw})$")
    if cross is not None:
        ax.axvline(cross, color="gray", ls=":")
    ax.axhline(0, color="k", lw=0.5)
    ax.set(xlabel=plots.DC_LABEL, ylabel="contrast",
           title="(c) quantum vs classical nonreciprocity")
    plots.mark_unstable(ax, _lanes({"ccw": ccw, "cw": cw}, FIG2_LABELS))
    if legend:
        plots.legend_outside(ax)
    return ax


def plot_figure2(df: pd.DataFrame, numbers: pd.DataFrame, path: Path | None = None, *,
                 axes=None):
    """Fig. 2 (a) E_N, (b) driven photon number, (c) contrasts, against Δ_c/ω_m.

    Parameters
    ----------
    df : DataFrame
        :func:`paper.figure2_data` rows.
    numbers : DataFrame
        :func:`paper.figure2_numbers` (for the N_ccw = N_cw point).
    path : path, optional
        Save the figure there (and close it).
    axes : three Axes, optional
        Draw on these (a new figure otherwise, with one legend below the panels).

    Returns
    -------
    The three Axes.
    """
    if axes is None:
        axes = plots.new_axes(1, 3, figsize=(14.5, 4.6), sharex=True)[0]
    cross = numbers.set_index("quantity").loc["Delta_c/omega_m where N_ccw = N_cw", "omxval"]
    plot_figure2_entanglement(df, ax=axes[0], legend=False)
    plot_figure2_photons(df, cross, ax=axes[1], legend=False)
    plot_figure2_contrast(df, cross, ax=axes[2], legend=False)
    handles, labels = plots.compact_handles(axes)
    plots.figure_legend(axes, where="bottom", ncol=3, handles=handles, labels=labels)
    fig = axes[0].figure
    fig.suptitle("Fig. 2: J = 0, P = 20 mW")
    plots.finish(fig, path)
    return axes


def _fig3_curves(df: pd.DataFrame, Omega: float, J_fig: float, kappa: float) -> list:
    """(rows, style, label, tag) of each Fig. 3 curve at rotation ``Omega`` (branch 0).

    Colour: the drive (black at Ω = 0, where either drive gives the same curve); line style:
    J (dashed J = 0, solid ``J_fig``). ``tag`` is the curve's short name beside its lane of
    unstable Δ_c (:func:`plots.mark_unstable`).
    """
    sub = df[(df["branch"] == 0) & (df["Omega [rad/s]"] == Omega)]
    jtxt = f"J = {J_fig / kappa:.2f} κ"
    out = []
    for J, ls in ((0.0, "--"), (J_fig, "-")):
        for d in (("ccw",) if Omega == 0 else ("ccw", "cw")):
            g = sub[(sub["J [1/s]"] == J) & (sub["direction"] == d)].sort_values(DC)
            jlab = "J = 0" if J == 0 else jtxt
            if Omega:
                style, label = {"color": COLORS[d], "ls": ls}, f"Ω = 2.3e4, {d} drive, {jlab}"
                tag = f"{d}, {jlab}"
            else:
                style = {"color": COLORS["rest"], "ls": ls}
                label, tag = f"Ω = 0, {jlab} (either drive)", jlab
            out.append((g, style, label, tag))
    return out


def _omega_text(Omega: float) -> str:
    """"0" or e.g. "2.3e4 rad/s"."""
    if Omega == 0:
        return "0"
    exponent = int(np.floor(np.log10(abs(Omega))))
    return f"{Omega / 10 ** exponent:.3g}e{exponent} rad/s"


def fig3_legend_handles(axes, J_fig: float, kappa: float) -> list:
    """One compact legend for Fig. 3(a–d) panels: colour = drive, line style = J, the faded
    style and the unstable lanes, each entry only where ``axes`` draw it."""
    axes = list(np.ravel(axes))
    lines = [ln for ax in axes for ln in ax.lines
             if np.isfinite(np.asarray(ln.get_ydata(), dtype=float)).any()]
    curves = [ln for ln in lines if not ln.get_label().startswith("_")]  # not the faded parts
    colours = {to_hex(ln.get_color()) for ln in curves}
    styles = {ln.get_linestyle() for ln in curves}
    omega = _omega_text(paper.OMEGA_FIG3)
    handles = [Line2D([], [], color=c, lw=2, label=label) for c, label in (
        (COLORS["rest"], "Ω = 0 (either drive)"), (COLORS["ccw"], f"Ω = {omega}, ccw drive"),
        (COLORS["cw"], f"Ω = {omega}, cw drive")) if to_hex(c) in colours]
    handles += [Line2D([], [], color="0.35", ls=ls, lw=1.5, label=label) for ls, label in (
        ("--", "J = 0"), ("-", f"J = {J_fig / kappa:.2f} κ")) if ls in styles]
    if any(ln.get_alpha() is not None for ln in lines):
        handles.append(Line2D([], [], color="0.35", alpha=0.35, lw=1.5, label=FADED))
    bars = [p for ax in axes for p in ax.patches
            if (p.get_gid() or "").startswith(plots.UNSTABLE)]
    if bars:
        hatched = "; hatched: J = 0" if any(p.get_hatch() for p in bars) else ""
        handles.append(plots.unstable_handle(
            f"bar below the data: {plots.UNSTABLE} of the curve named beside it{hatched}"))
    return handles


FIG3_LANE = 0.05
"""Height of an unstable lane in Fig. 3(a–d), as a fraction of a panel."""


def plot_figure3_panel(df: pd.DataFrame, Omega: float, quantity: str, J_fig: float,
                       kappa: float, *, ax: Axes | None = None, legend: bool = True) -> Axes:
    """One panel of Fig. 3(a–d): E_N or |G_d| against Δ_c at rotation ``Omega``, J = 0
    (dashed) and J = ``J_fig`` (solid), unstable ranges marked per curve in a lane named
    beside the axes.

    Parameters
    ----------
    df : DataFrame
        :func:`paper.figure3_curves` rows.
    Omega : float
        0 or :data:`paper.OMEGA_FIG3` [rad/s].
    quantity : {"E_N", "G_d"}
    J_fig, kappa : float
        The figure's J and κ [1/s].
    ax : Axes, optional
    legend : bool
        Put a legend (:func:`fig3_legend_handles`) beside the axes.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = plots.new_axes(figsize=(7.5, 4.2))[0, 0]
    col = {"E_N": EN, "G_d": GD}[quantity]
    curves = _fig3_curves(df, Omega, J_fig, kappa)
    for g, style, label, _ in curves:
        if quantity == "E_N":
            ax.plot(g[DC], g[col], label=label, **style)
        else:  # the mean field exists where it is unstable: faded there
            _plot_stable_faded(ax, g[DC], g[col], g["stable"], label=label, **style)
    ax.set(xlabel=plots.DC_LABEL, ylabel=plots.EN_LABEL if quantity == "E_N" else GD_LABEL,
           title=f"{'$E_N$' if quantity == 'E_N' else '$|G_d|$'}, Ω = {_omega_text(Omega)}")
    plots.mark_unstable(ax, [(g[DC].to_numpy(), g["stable"].to_numpy(), style, label)
                             for g, style, label, _ in curves],
                        beside=[tag for *_, tag in curves], height=FIG3_LANE)
    if legend:
        handles = fig3_legend_handles([ax], J_fig, kappa)  # top right: above the lanes' names
        plots.legend_outside(ax, handles, [h.get_label() for h in handles])
    return ax


def plot_figure3_curves(df: pd.DataFrame, J_fig: float, kappa: float,
                        path: Path | None = None, *, axes=None):
    """Fig. 3 (a–d): E_N and |G_d| against Δ_c at Ω = 0 and 2.3e4 rad/s, one compact
    legend below (:func:`fig3_legend_handles`).

    Parameters
    ----------
    df : DataFrame
        :func:`paper.figure3_curves` rows.
    J_fig, kappa : float
        The figure's J and κ [1/s].
    path : path, optional
        Save the figure there (and close it).
    axes : 2 × 2 Axes, optional
        Rows E_N, |G_d|; columns Ω = 0, 2.3e4 (a new figure otherwise).

    Returns
    -------
    2 × 2 array of Axes
    """
    if axes is None:
        axes = plots.new_axes(2, 2, figsize=(13.0, 8.6), sharex=True)
    axes = np.asarray(axes).reshape(2, 2)
    for col, Omega in enumerate((0.0, paper.OMEGA_FIG3)):
        for row, quantity in enumerate(("E_N", "G_d")):
            ax = axes[row, col]
            plot_figure3_panel(df, Omega, quantity, J_fig, kappa, ax=ax, legend=False)
            ax.set_title(f"({'abcd'[2 * row + col]}) {ax.get_title()}")
        if axes[0, col].get_shared_x_axes().joined(axes[0, col], axes[1, col]):
            axes[0, col].set_xlabel("")
    handles = fig3_legend_handles(axes, J_fig, kappa)
    plots.figure_legend(axes, where="bottom", ncol=4, handles=handles,
                        labels=[h.get_label() for h in handles])
    fig = axes[0, 0].figure
    fig.suptitle(f"Fig. 3(a–d): backscattering J = {J_fig / kappa:.2f} κ "
                 "(J not stated in the paper)")
    plots.finish(fig, path)
    return axes


def _map_norm(values: np.ndarray, vmin: float | None = None, vmax: float | None = None):
    finite = values[np.isfinite(values)]
    lo = vmin if vmin is not None else (finite.min() if finite.size else 0.0)
    hi = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
    return Normalize(lo, hi)


def plot_coupling_panel(df: pd.DataFrame, direction: str, *, ax: Axes | None = None,
                        norm: Normalize | None = None, colorbar: bool = True,
                        legend: bool = True) -> Axes:
    """Fig. 3(e) for one drive: |G_d| over (Δ_c, Ω); unstable cells hatched.

    Parameters
    ----------
    df : DataFrame
        :func:`paper.coupling_map` rows (both directions allowed).
    direction : {"ccw", "cw"}
    ax : Axes, optional
    norm : Normalize, optional
        Colour scale (to share one between panels).
    colorbar : bool
        Draw a colour bar beside the axes.
    legend : bool
        Put a legend (the hatch) beside the axes.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = plots.new_axes(figsize=(7.0, 4.2))[0, 0]
    g = df[(df["branch"] == 0) & (df["direction"] == direction)]
    piv = g.assign(G=g[GD].where(g["stable"])).pivot_table(
        index="Omega [rad/s]", columns=DC, values="G", dropna=False)
    values = piv.to_numpy()
    plots.hatch_missing(ax, f"{plots.UNSTABLE} (hatched)" if np.isnan(values).any() else None)
    m = ax.pcolormesh(piv.columns, piv.index / 1e3, values, shading="auto",
                      norm=norm or _map_norm(values))
    if colorbar:
        ax.figure.colorbar(m, ax=ax, label=GD_LABEL)
    ax.set(xlabel=plots.DC_LABEL, ylabel=OMEGA_LABEL, title=f"{direction} drive")
    if legend:
        plots.legend_outside(ax)
    return ax


def plot_coupling_map(df: pd.DataFrame, J_fig: float, kappa: float,
                      path: Path | None = None, *, axes=None):
    """Fig. 3(e): |G_d| over (Δ_c, Ω) for both drives on one colour scale, unstable cells
    hatched.

    Parameters
    ----------
    df : DataFrame
        :func:`paper.coupling_map` rows for both directions.
    J_fig, kappa : float
        The map's J and κ [1/s] (for the title).
    path : path, optional
        Save the figure there (and close it).
    axes : two Axes, optional
        (ccw, cw); a new figure otherwise.

    Returns
    -------
    The two Axes.
    """
    if axes is None:
        axes = plots.new_axes(1, 2, figsize=(12.0, 4.6), sharey=True)[0]
    b0 = df[df["branch"] == 0]
    norm = _map_norm(b0[GD].where(b0["stable"]).to_numpy(dtype=float))
    for ax, d, letter in zip(axes, ("ccw", "cw"), "ef"):
        plot_coupling_panel(df, d, ax=ax, norm=norm, colorbar=False, legend=False)
        ax.set_title(f"(e) {ax.get_title()}")
    fig = axes[0].figure
    fig.colorbar(ScalarMappable(norm, "viridis"), ax=list(axes), label=GD_LABEL)
    plots.figure_legend(axes, where="bottom")
    fig.suptitle(f"Fig. 3(e): effective coupling, J = {J_fig / kappa:.2f} κ")
    plots.finish(fig, path)
    return axes


def plot_chi_panel(df: pd.DataFrame, direction: str, *, ax: Axes | None = None,
                   colorbar: bool = True, legend: bool = True) -> Axes:
    """Fig. 3(f) for one drive: revival factor χ(J, Ω) (Eq. 14), with the χ = 0.991
    contour; cells without any stable steady state hatched.

    Parameters
    ----------
    df : DataFrame
        :func:`paper.chi_map` rows.
    direction : {"ccw", "cw"}
    ax : Axes, optional
    colorbar : bool
        Draw a colour bar beside the axes.
    legend : bool
        Put a legend beside the axes.

    Returns
    -------
    Axes
    """
    from matplotlib import patheffects

    if ax is None:
        ax = plots.new_axes(figsize=(7.0, 4.2))[0, 0]
    g = df[df["direction"] == direction]
    piv = g.pivot_table(index="Omega [rad/s]", columns="J/kappa", values="chi", dropna=False)
    values = piv.to_numpy()
    plots.hatch_missing(ax, f"{plots.UNSTABLE} (hatched)" if np.isnan(values).any() else None)
    m = ax.pcolormesh(piv.columns, piv.index / 1e3, values, shading="auto", vmin=0, vmax=1)
    stroke = [patheffects.withStroke(linewidth=3, foreground="k")]
    drawn = False
    if len(piv.columns) > 1 and len(piv.index) > 1:
        cs = ax.contour(piv.columns, piv.index / 1e3, values, levels=[paper.PAPER_CHI],
                        colors="w", linewidths=1.5)
        cs.set(path_effects=stroke)
        drawn = any(len(path.vertices) for path in cs.get_paths())
    if drawn:  # the legend entry only where the contour is on the map
        ax.plot([], [], color="w", lw=1.5, path_effects=stroke,
                label=rf"$\chi$ = {paper.PAPER_CHI} (the paper's value)")
    if colorbar:
        ax.figure.colorbar(m, ax=ax, label=r"$\chi$")
    ax.set(xlabel=J_LABEL, ylabel=OMEGA_LABEL, title=rf"$\chi$, {direction} drive")
    if legend:
        plots.legend_outside(ax)
    return ax


def plot_chi_map(df: pd.DataFrame, path: Path | None = None, *, axes=None):
    """Fig. 3(f): revival factor χ(J, Ω) (Eq. 14) for both drive directions.

    Parameters
    ----------
    df : DataFrame
        :func:`paper.chi_map` rows.
    path : path, optional
        Save the figure there (and close it).
    axes : two Axes, optional
        (ccw, cw); a new figure otherwise.

    Returns
    -------
    The two Axes.
    """
    if axes is None:
        axes = plots.new_axes(1, 2, figsize=(12.0, 4.6), sharey=True)[0]
    for ax, d in zip(axes, ("ccw", "cw")):
        plot_chi_panel(df, d, ax=ax, colorbar=False, legend=False)
        ax.set_title(f"(f) {ax.get_title()}")
    fig = axes[0].figure
    fig.colorbar(ScalarMappable(Normalize(0, 1), "viridis"), ax=list(axes), label=r"$\chi$")
    plots.figure_legend(axes, where="bottom")
    fig.suptitle(r"Fig. 3(f): revival factor $\chi = \max E_N(\Omega, J)\,/\,\max E_N(0, 0)$")
    plots.finish(fig, path)
    return axes


CLAIMS = {"enhancement": ("enhancement", paper.PAPER_ENHANCEMENT, (2.45, 2.55),
                          r"$\max E_N(\Omega = 2.3\times10^4)\,/\,\max E_N(\Omega = 0)$",
                          "enhancement by rotation", "paper: ~2.5×", "tab:olive"),
          "chi": ("chi", paper.PAPER_CHI, (0.9905, 0.9915),
                  r"$\chi$ at $\Omega = 2.3\times10^4$ rad/s",
                  r"revival factor $\chi$ (Eq. 14)", r"paper: $\chi$ = 0.991", "tab:purple")}
"""claim → (column stem, the paper's value, its printed-precision band, y label, title,
legend label, the band's colour: each claim's band its own)."""
MIN_BAND = 0.025
"""Least drawn height of a claim's band, as a fraction of the panel's y range: a band of
the printed precision (±0.0005 on a 0.35 range) would be a hairline."""


def plot_claim_panel(claims: pd.DataFrame, claim: str, *, J_fig_over_kappa: float | None = None,
                     ax: Axes | None = None, legend: bool = True) -> Axes:
    """One Fig. 3 claim against J/κ for both drives, the paper's value as a band of its
    printed precision (in the claim's own colour, with the value as a line; a band
    narrower than :data:`MIN_BAND` of the panel is drawn at that height, and its label
    says so).

    Parameters
    ----------
    claims : DataFrame
        :func:`paper.j_claims` rows.
    claim : {"enhancement", "chi"}
    J_fig_over_kappa : float, optional
        The J/κ at which Fig. 3(a–e) is drawn (a vertical line).
    ax : Axes, optional
    legend : bool
        Put a legend beside the axes.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = plots.new_axes(figsize=(7.0, 4.0))[0, 0]
    stem, value, (lo, hi), ylabel, title, label, colour = CLAIMS[claim]
    for d in ("ccw", "cw"):
        ax.plot(claims["J/kappa"], claims[f"{stem} {d}"], color=COLORS[d], label=f"{d} drive")
    if J_fig_over_kappa is not None:
        ax.axvline(J_fig_over_kappa, color="k", lw=0.8, ls="--",
                   label=f"J of Fig. 3(a–e): {J_fig_over_kappa:.2f} κ")
    ymin, ymax = ax.get_ylim()
    ymin, ymax = min(ymin, lo), max(ymax, hi)
    half = (hi - lo) / 2
    text = f"{label} ± {half:.2g} (printed precision)"
    least = MIN_BAND * (ymax - ymin) / 2
    if half < least:  # a hairline: drawn wider, and said so
        lo, hi = value - least, value + least
        text = f"{label} ± {half:.2g} (printed precision; band drawn wider)"
    ax.axhspan(lo, hi, facecolor=colour, alpha=0.3, edgecolor=colour, lw=0.8, label=text,
               zorder=1)
    ax.axhline(value, color=colour, lw=1.2, zorder=1)
    ax.set(xlabel=J_LABEL, ylabel=ylabel, title=title)
    if legend:
        plots.legend_outside(ax)
    return ax


def plot_claims(claims: pd.DataFrame, path: Path | None = None, *,
                J_fig_over_kappa: float | None = None, axes=None):
    """The two Fig. 3 claims against J/κ, with the paper's values.

    Parameters
    ----------
    claims : DataFrame
        :func:`paper.j_claims` rows.
    path : path, optional
        Save the figure there (and close it).
    J_fig_over_kappa : float, optional
        The J/κ at which Fig. 3(a–e) is drawn (a vertical line).
    axes : two Axes, optional
        (enhancement, χ); a new figure otherwise.

    Returns
    -------
    The two Axes.
    """
    if axes is None:
        axes = plots.new_axes(1, 2, figsize=(12.5, 4.2))[0]
    for ax, claim, letter in zip(axes, ("enhancement", "chi"), "ab"):
        plot_claim_panel(claims, claim, J_fig_over_kappa=J_fig_over_kappa, ax=ax, legend=False)
        ax.set_title(f"({letter}) {ax.get_title()}")
    plots.figure_legend(axes, where="bottom", ncol=3)
    fig = axes[0].figure
    fig.suptitle("Fig. 3 claims against the backscattering J")
    plots.finish(fig, path)
    return axes


def write_paper_report(out: str | Path = "reports/paper", *, setup: PaperSetup | None = None,
                       J_fig_over_kappa: float = 1.8, chi_points: int = 31,
                       progress: Callable[[str], None] | None = stderr_progress) -> Path:
    """Compute and write the paper reproduction to ``out`` (atomically).

    Parameters
    ----------
    out : path
        Output directory; replaced as a whole only when everything has been written.
    setup : PaperSetup
        Device (default: the paper's set).
    J_fig_over_kappa : float
        Backscattering J/κ used to draw Fig. 3(a–e); the paper does not state it. The
        default 1.8 lies where the "≈2.5×" claim holds for the CW drive (1.67–1.82); the
        CCW drive meets it at 1.89–2.18 (the report lists both intervals).
    chi_points : int
        Grid size per axis of the χ(J, Ω) map (J/κ ∈ [0, 2.5], Ω ∈ [0, 3e4] rad/s).
    progress : callable or None
        Receives one-line progress messages (default: stderr).

    Returns
    -------
    Path
        The report directory.
    """
    setup = setup or PaperSetup()
    if not 0 <= J_fig_over_kappa <= 10:
        raise InputError(f"J_fig_over_kappa must lie in [0, 10]; got {J_fig_over_kappa!r}")
    if not 3 <= int(chi_points) <= 201:
        raise InputError(f"chi_points must lie in [3, 201]; got {chi_points!r}")
    say = sink(progress)
    kappa = setup.kappa_si
    J_fig = J_fig_over_kappa * kappa
    n = int(chi_points)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    def step(name: str, fn, *args, **kw):
        say(f"{name} ...")
        t = time.perf_counter()
        value = fn(*args, **kw)
        timings[name] = time.perf_counter() - t
        say(f"{name}: {timings[name]:.2f} s")
        return value

    # The output location is checked (and staged) before any computation.
    with OutputDirectory(out, kind="paper", required_bytes=_required_bytes(n)) as target:
        grid = np.linspace(-1.0, 2.5, 701)
        fig2 = step("Fig. 2 curves", paper.figure2_data, setup, grid)
        num2 = step("Fig. 2 numbers", paper.figure2_numbers, setup)
        fig3 = step("Fig. 3(a-d) curves", paper.figure3_curves, setup, J_fig,
                    np.linspace(-2.5, 3.5, 601))
        cmap = step("Fig. 3(e) coupling map", paper.coupling_map, setup, J_fig,
                    np.linspace(-2.5, 3.5, 241), np.linspace(0, 3e4, 61), ["ccw", "cw"])
        chi = step(f"Fig. 3(f) chi map {n}x{n} x 2 directions", paper.chi_map, setup,
                   np.linspace(0, 2.5, n) * kappa, np.linspace(0, 3e4, n), progress=say)
        claims = step("Fig. 3 claims against J", paper.j_claims, setup, np.linspace(0, 2.5, 251))
        intervals = paper.claim_intervals(claims)

        say("writing figures and tables ...")
        tmp = target.path
        plot_figure2(fig2, num2, tmp / "fig2.png")
        plot_figure3_curves(fig3, J_fig, kappa, tmp / "fig3_a-d.png")
        plot_coupling_map(cmap, J_fig, kappa, tmp / "fig3_e.png")
        plot_chi_map(chi, tmp / "fig3_f.png")
        plot_claims(claims, tmp / "fig3_claims.png", J_fig_over_kappa=J_fig_over_kappa)
        for name, df in (("fig2", fig2), ("fig2_numbers", num2), ("fig3_a-d", fig3),
                         ("fig3_e", cmap), ("fig3_f_chi", chi), ("fig3_claims", claims),
                         ("fig3_claim_intervals", intervals)):
            df.to_csv(tmp / f"{name}.csv", index=False)
        total = time.perf_counter() - t0
        (tmp / "index.md").write_text(_markdown(setup, num2, chi, claims, intervals,
                                                J_fig_over_kappa, timings, total))
        configuration = {"setup": dataclasses.asdict(setup), "J_fig_over_kappa": J_fig_over_kappa,
                         "chi_points": n}
        target.metadata = collect(configuration, {**timings, "total": total})
    say(f"wrote {Path(out).resolve()}")
    return Path(out)


def _markdown(setup: PaperSetup, num2: pd.DataFrame, chi: pd.DataFrame, claims: pd.DataFrame,
              intervals: pd.DataFrame, J_fig: float, timings: dict, total: float) -> str:
    num2 = num2.assign(difference=num2["omxval"] - num2["reference"])
    best = chi.loc[chi.groupby("direction")["chi"].idxmax()]
    sel = claims[np.isclose(claims["J/kappa"] % 0.25, 0) | np.isclose(claims["J/kappa"] % 0.25, 0.25)]
    timing_rows = pd.DataFrame({"step": list(timings), "seconds": list(timings.values())})
    return f"""# Reproduction of Jiao et al., PRL 125, 143605 (2020)

Generated by `omxval paper` (Gaussian model, `linear/`). Conventions: `docs/conventions.md`
(ω_m = {setup.omega_m_si:.4g} s⁻¹ and γ_m = {setup.gamma_m_si:.4g} s⁻¹ read as angular rates;
κ/ω_m = {setup.kappa_si / setup.omega_m_si:.4f}, G0 = {setup.G0_si:.1f} s⁻¹,
n_m = {setup.n_m:.2f}, bath = {setup.bath}). E_N is the natural-log logarithmic negativity
between the driven optical mode and the mechanics. Unstable parameters (drift matrix with an
eigenvalue of non-negative real part) have no steady state: they are NaN in the CSV files
(`stable = False`) and marked in the figures — a bar per curve below the data ("no stable
steady state", hatched for a dashed curve), hatched cells in a map — never E_N = 0.

## Fig. 2 (J = 0, P = 20 mW, Ω = 8e3 rad/s)

![Fig. 2](fig2.png)

{markdown_table(num2)}

Reference values: the paper's Fig. 2 as pinned in docs/conventions.md §6 (the stability edges,
where branch 0 of the mean field loses stability, are stated only there).
Data: `fig2.csv`, `fig2_numbers.csv`.

## Fig. 3 (backscattering)

The paper never states the J of Fig. 3. Its two claims are met at different J, so the figure
is drawn at **J = {J_fig:.2f} κ** and both claims are reported against J below rather than
pretending one J satisfies both.

![Fig. 3 a-d](fig3_a-d.png)
![Fig. 3 e](fig3_e.png)
![Fig. 3 f](fig3_f.png)

Largest χ on the map (χ = 1 at J = 0 by definition, since J = 0 only shifts the peak):

{markdown_table(best[["direction", "J/kappa", "Omega [rad/s]", "chi"]])}

### The two claims against J

![claims](fig3_claims.png)

Enhancement = max E_N(Ω = 2.3e4, J) / max E_N(Ω = 0, J); χ = max E_N(Ω = 2.3e4, J) /
max E_N(Ω = 0, J = 0); each maximum over Δ_c.

{markdown_table(intervals)}

{markdown_table(sel[["J/kappa", "enhancement ccw", "enhancement cw", "chi ccw", "chi cw"]])}

Data: `fig3_a-d.csv`, `fig3_e.csv`, `fig3_f_chi.csv`, `fig3_claims.csv`,
`fig3_claim_intervals.csv`.

## Timings

{markdown_table(timing_rows, ".3g")}

Total {total:.1f} s.
"""
