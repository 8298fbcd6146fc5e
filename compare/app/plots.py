"""Figures of the validation studies and the paper-device study (PNG).

Every function draws on matplotlib Axes it is given (or on a new figure's) and returns them,
so that the reports and a notebook use the same code; ``path`` saves the figure there (and
closes it). Shared rules, so that every figure reads the same way:

* legends never cover data: a panel's legend sits outside its axes (:func:`legend_outside`),
  a figure's shared legend outside every axes (:func:`figure_legend`);
* where a curve has no stable steady state, a labelled bar in the curve's colour and line
  style marks the Δ_c range in a lane reserved below the data (:func:`mark_unstable`);
  map cells without a steady state are hatched (:func:`hatch_missing`);
* integer quantities (Fock cutoffs) get integer ticks;
* fonts ≥ 8 pt at :data:`DPI`, figures ≤ 1800 px wide;
* symbols in labels are mathtext (``$E_N$``, ``$\\tilde{\\Delta}_c$``): a combining tilde or a
  literal underscore would not render as meant;
* a legend lists only what is drawn, once per figure where one suffices.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

# No backend is chosen here: a notebook keeps its own; the command line picks Agg.
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm, to_rgba
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, MaxNLocator, NullFormatter

from ...linear.sweep import COLUMNS, UNITS

from ..studies.agreement import QUADRATURES, PointComparison
from ..studies.convergence import MODES, ConvergenceStudy
from ..studies.fits import BAND_LEVEL
from ..studies.linearization import LinearizationStudy
from ..studies.paper_device import DEFAULT_G0, PRINTED_PRECISION, PointAnalysis

DPI = 110
"""Resolution of every saved PNG (the Markdown shows it at its natural width)."""
SMALL = 8
"""Smallest font size used (legends, contour labels), in points."""
DIRECTION_COLORS = {"ccw": "tab:red", "cw": "tab:blue"}
BATH_MARKERS = {"brownian": "o", "lindblad": "s"}
UNSTABLE = "no stable steady state"
"""Label stem of every artist marking unstable parameters."""

# Axis labels shared by several figures (mathtext: a literal "Δ_c" shows its underscore).
DC_LABEL = r"$\Delta_c/\omega_m$"
EN_LABEL = r"$E_N$ (ln)"
G0_LABEL = r"$G_0/\omega_m$"


# --- shared helpers ------------------------------------------------------------------------
def new_axes(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float],
             **kwargs) -> np.ndarray:
    """A new constrained-layout figure's axes, always as a 2-D array."""
    _, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, layout="constrained",
                           **kwargs)
    return axes


def finish(fig: Figure, path: str | Path | None, dpi: int = DPI) -> None:
    """Save ``fig`` to ``path`` and close it (nothing when ``path`` is None)."""
    if path is not None:
        fig.savefig(path, dpi=dpi)
        plt.close(fig)


def _unique_handles(axes: Iterable[Axes]) -> tuple[list, list[str]]:
    """Legend handles and labels of several axes, the first of each label kept."""
    seen: dict[str, object] = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab and not lab.startswith("_") and lab not in seen:
                seen[lab] = h
    return list(seen.values()), list(seen)


def legend_outside(ax: Axes, handles: Sequence | None = None, labels: Sequence[str] | None = None,
                   *, ncol: int = 1, **kwargs) -> Legend | None:
    """A legend beside ``ax`` (right of it, top-aligned), never over its data.

    Returns None when there is nothing to show.
    """
    if handles is None:
        handles, labels = _unique_handles([ax])
    if not handles:
        return None
    kwargs = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0,
              "fontsize": SMALL, **kwargs}
    return ax.legend(handles, labels, ncol=ncol, **kwargs)


def figure_legend(axes: Iterable[Axes], *, where: str = "right", ncol: int = 1,
                  handles: Sequence | None = None, labels: Sequence[str] | None = None,
                  **kwargs) -> Legend | None:
    """One legend for several panels (their labels merged), outside all of them.

    On a constrained-layout figure it is a figure legend in the margin (``where`` = "right"
    or "bottom"); otherwise it sits beside the last axes.
    """
    axes = list(np.ravel(axes))
    if handles is None:
        handles, labels = _unique_handles(axes)
    if not handles:
        return None
    fig = axes[0].figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        loc = {"right": "outside right upper", "bottom": "outside lower center"}[where]
        return fig.legend(handles, labels, loc=loc, fontsize=SMALL, ncol=ncol, **kwargs)
    return legend_outside(axes[-1], handles, labels, ncol=ncol, **kwargs)


def integer_ticks(axis) -> None:
    """Ticks at integers only on ``axis`` (e.g. ``ax.xaxis``): for Fock cutoffs."""
    axis.set_major_locator(MaxNLocator(integer=True))


def unstable_spans(x: np.ndarray, stable: np.ndarray) -> list[tuple[float, float]]:
    """Contiguous x intervals where ``stable`` is False.

    ``x`` is sorted; an interval's edges lie half-way between the last stable and the first
    unstable sample (at the end of the grid: the last sample).
    """
    x = np.asarray(x, dtype=float)
    bad = ~np.asarray(stable, dtype=bool)
    spans = []
    i, n = 0, len(x)
    while i < n:
        if not bad[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and bad[j + 1]:
            j += 1
        lo = x[i] if i == 0 else (x[i - 1] + x[i]) / 2
        hi = x[j] if j == n - 1 else (x[j] + x[j + 1]) / 2
        spans.append((float(lo), float(hi)))
        i = j + 1
    return spans


LANE_HEIGHT, LANE_GAP = 0.035, 0.012


def mark_unstable(ax: Axes, lanes: Sequence[tuple[np.ndarray, np.ndarray, dict, str]], *,
                  beside: Sequence[str] | None = None, height: float = LANE_HEIGHT
                  ) -> list[Rectangle]:
    """Mark where each curve has no stable steady state, in lanes below the data.

    Call it after the data are drawn. The y range is extended downwards to make room for
    one lane per entry of ``lanes`` (the data keep their place above it; tick labels stay
    on the data's range); in lane k each unstable Δ_c interval of curve k is a bar in the
    curve's colour and line style, labelled ``"no stable steady state: <curve>"``.

    Parameters
    ----------
    ax : Axes
    lanes : sequence of (x, stable, style, name)
        Sorted x samples, their stability flags, the curve's style (``color``,
        ``ls``/``linestyle``) and its name in the label. Entries without an unstable
        sample get no lane.
    beside : sequence of str, optional
        One short name per entry of ``lanes``, written in the curve's colour just right of
        the axes level with its lane: the lanes read without a legend entry each (the
        figure's legend then needs one entry, :func:`unstable_handle`).
    height : float
        Height of a lane, as a fraction of the axes.

    Returns
    -------
    list of Rectangle
        The bars drawn (the first of each curve carries the label; every bar carries it as
        its ``gid``).
    """
    tags = list(beside) if beside is not None else [None] * len(lanes)
    spans = [(unstable_spans(x, s), style, name, tag)
             for (x, s, style, name), tag in zip(lanes, tags)]
    spans = [entry for entry in spans if entry[0]]
    if not spans:
        return []
    lo, hi = ax.dataLim.intervaly if ax.dataLim.height > 0 else ax.get_ylim()
    lo, hi = (lo, hi) if np.isfinite([lo, hi]).all() and hi > lo else (0.0, 1.0)
    pad = 0.04 * (hi - lo)
    band = len(spans) * (height + LANE_GAP) + LANE_GAP  # axes fraction of the lanes
    total = (hi - lo + 2 * pad) / (1 - band)
    ticks = [t for t in ax.get_yticks() if lo - pad <= t <= hi + pad]
    ax.set_ylim(hi + pad - total, hi + pad)
    if ticks:
        ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.axhline(hi + pad - total * (1 - band), color="0.75", lw=0.6, zorder=1)
    bars = []
    for k, (intervals, style, name, tag) in enumerate(spans):
        y0 = band - (k + 1) * (height + LANE_GAP)
        color = style.get("color", "0.3")
        ls = style.get("ls", style.get("linestyle", "-"))
        solid = ls in ("-", "solid")
        for i, (a, b) in enumerate(intervals):
            bar = Rectangle((a, y0), b - a, height, transform=ax.get_xaxis_transform(),
                            facecolor=to_rgba(color, 0.35 if solid else 0.12), edgecolor=color,
                            lw=1.2, linestyle=ls, hatch=None if solid else "////",
                            label=f"{UNSTABLE}: {name}" if i == 0 else "_nolegend_", zorder=2,
                            gid=f"{UNSTABLE}: {name}")
            ax.add_patch(bar)
            bars.append(bar)
        if tag:
            ax.text(1.01, y0 + height / 2, tag, transform=ax.transAxes, color=color,
                    fontsize=SMALL, ha="left", va="center", gid=f"{UNSTABLE} lane: {name}")
    return bars


def compact_handles(axes: Iterable[Axes]) -> tuple[list, list[str]]:
    """Legend entries of several panels (:func:`_unique_handles`) with the lane bars of
    :func:`mark_unstable` — one entry per curve, in the curve's colour and line style —
    replaced by a single :func:`unstable_handle` (only where a bar is drawn)."""
    handles, labels = _unique_handles(axes)
    bars = [h for h, lab in zip(handles, labels) if lab.startswith(f"{UNSTABLE}: ")]
    keep = [(h, lab) for h, lab in zip(handles, labels) if not lab.startswith(f"{UNSTABLE}: ")]
    if bars:
        keep.append((unstable_handle(hatched=any(b.get_hatch() for b in bars)), ""))
    return [h for h, _ in keep], [h.get_label() for h, _ in keep]


def unstable_handle(label: str | None = None, *, hatched: bool = False) -> Patch:
    """One legend entry standing for every lane bar of :func:`mark_unstable` (``hatched``:
    some bars are, those of dashed curves)."""
    if label is None:
        label = (f"bar below the data: {UNSTABLE} (in the curve's colour"
                 f"{'; hatched: dashed curve' if hatched else ''})")
    return Patch(facecolor=to_rgba("0.5", 0.35), edgecolor="0.3", lw=1.2, label=label)


def hatch_missing(ax: Axes, label: str | None = f"{UNSTABLE} (hatched)") -> Rectangle:
    """Hatch the background of ``ax``: blank (NaN) cells of a map drawn over it show it.

    ``label`` names it in legends (None: unlabelled).
    """
    label = "_nolegend_" if label is None else label
    bg = Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor="0.93", edgecolor="0.55",
                   hatch="///", lw=0, zorder=-1, label=label)
    ax.add_patch(bg)
    return bg


# --- design point --------------------------------------------------------------------------
def _quadrature_label(name: str) -> str:
    """"X_ccw" → "$X_\\mathrm{ccw}$", "q" → "$q$" (mathtext)."""
    base, _, sub = name.partition("_")
    return rf"${base}_\mathrm{{{sub}}}$" if sub else f"${base}$"


def plot_point(cmp: PointComparison, path: Path | None = None, *, axes=None):
    """|V − V_Gaussian| element by element: the judged model (approximation error) beside the
    linearized Fock control (truncation error), on one log colour scale.

    Parameters
    ----------
    cmp : PointComparison
        A comparison with a full-quantum solve (``cmp.steady`` not None).
    path : path, optional
        Save the figure there (and close it).
    axes : two matplotlib Axes, optional
        Draw on these (a new figure otherwise).

    Returns
    -------
    The two Axes.
    """
    if axes is None:
        axes = new_axes(1, 2, figsize=(10.5, 4.4))[0]
    fig = axes[0].figure
    errors = (np.abs(cmp.steady.V - cmp.linear.V), np.abs(cmp.control.V - cmp.linear.V))
    top = max(max(e.max() for e in errors), 1e-11)
    norm = LogNorm(vmin=max(top * 1e-6, 1e-14), vmax=top)
    titles = (f"approximation: {cmp.steady.hamiltonian} − Gaussian",
              "truncation control: linearized Fock − Gaussian")
    names = [_quadrature_label(q) for q in QUADRATURES]
    for ax, err, title in zip(axes, errors, titles):
        m = ax.imshow(np.maximum(err, norm.vmin), norm=norm, cmap="magma")
        ax.set_xticks(range(6), names, rotation=45)
        ax.set_yticks(range(6), names)
        ax.set_title(title, fontsize=10)
    fig.colorbar(m, ax=list(axes), label=r"$|\Delta V|$ (vacuum variance = 1/2)")
    fig.suptitle(f"Design point, cutoffs {cmp.steady.cutoffs}: {cmp.verdict}")
    finish(fig, path)
    return axes


# --- truncation convergence ----------------------------------------------------------------
CUTOFF_COLUMNS = {"ccw": "N_ccw", "cw": "N_cw", "mech": "N_m"}
CHANGES = (("max abs dV", "o", "tab:blue", r"$\max|\Delta V|$"),
           ("dE_N gaussian", "s", "tab:orange", r"$|\Delta E_N|$ Gaussian"),
           ("dE_N exact", "^", "tab:green", r"$|\Delta E_N|$ exact"))
CUTOFF_SYMBOLS = {"N_ccw": r"$N_\mathrm{ccw}$", "N_cw": r"$N_\mathrm{cw}$", "N_m": r"$N_m$"}


def plot_convergence_panel(study: ConvergenceStudy, mode: str, *, ax: Axes | None = None,
                           legend: bool = True) -> Axes:
    """Change per refinement of one mode's cutoff, with the tolerances.

    The refinement ladder (the other cutoffs fixed) is drawn as lines; the final check
    (every other cutoff at its chosen value, this one + 1) as open markers; the chosen
    cutoff as a grey vertical line. Integer ticks on the cutoff axis.

    Parameters
    ----------
    study : ConvergenceStudy
    mode : {"ccw", "cw", "mech"}
    ax : Axes, optional
        Draw here (a new figure otherwise).
    legend : bool
        Put a legend beside the axes.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = new_axes(figsize=(6.5, 4.0))[0, 0]
    col = CUTOFF_COLUMNS[mode]
    tol_V, tol_EN = study.tolerances
    steps = study.steps
    ladder = steps[steps["stage"] == f"refine {mode}"]
    check = steps[steps["stage"] == f"check {mode}+1"]
    floor = 1e-16
    for q, marker, color, label in CHANGES:
        ax.semilogy(ladder[col], np.maximum(ladder[q], floor), marker=marker, color=color,
                    ls="-", label=label)
        ax.semilogy(check[col], np.maximum(check[q], floor), marker=marker, color=color,
                    ls="", mfc="none", ms=9, mew=1.5)
    top = f"top population {mode}"
    ax.semilogy(ladder[col], np.maximum(ladder[top], floor), color="k", ls="--", marker="x",
                label="top Fock population of the mode")
    ax.axhline(tol_V, color="tab:blue", ls=":", lw=1.2, label=f"$V$ tolerance {tol_V:.0e}")
    ax.axhline(tol_EN, color="tab:orange", ls=":", lw=1.2,
               label=f"$E_N$ tolerance {tol_EN:.0e}")
    chosen = study.chosen[MODES.index(mode)]
    ax.axvline(chosen, color="0.5", lw=1.0, label="chosen cutoff")
    ax.plot([], [], ls="", marker="o", mfc="none", mec="0.3", ms=9,
            label="final check (all cutoffs at chosen, this one + 1)")
    xs = pd.concat([ladder[col], check[col], pd.Series([chosen])]).astype(int)
    ax.set_xlim(xs.min() - 0.5, xs.max() + 0.5)
    integer_ticks(ax.xaxis)
    ax.set(xlabel=f"{CUTOFF_SYMBOLS.get(col, col)} (Fock levels of {mode})",
           title=f"refining {mode}")
    ax.set_ylabel("change against one level fewer")
    if legend:
        legend_outside(ax)
    return ax


def plot_convergence(study: ConvergenceStudy, path: Path | None = None, *, axes=None):
    """Truncation convergence: one panel per mode (:func:`plot_convergence_panel`) and one
    legend for all of them.

    Parameters
    ----------
    study : ConvergenceStudy
    path : path, optional
        Save the figure there (and close it).
    axes : three Axes, optional
        Draw on these (a new figure otherwise; sharing the y axis).

    Returns
    -------
    The three Axes.
    """
    if axes is None:
        axes = new_axes(1, 3, figsize=(14.5, 4.0), sharey=True)[0]
    for ax, mode in zip(axes, MODES):
        plot_convergence_panel(study, mode, ax=ax, legend=False)
        if ax is not axes[0]:
            ax.set_ylabel("")
    figure_legend(axes)
    fig = axes[0].figure
    fig.suptitle(f"Truncation convergence: chosen cutoffs {study.chosen} — {study.verdict}")
    finish(fig, path)
    return axes


# --- linearization -------------------------------------------------------------------------
def _g0_ticks(ax: Axes, values) -> None:
    """Log x axis labelled at the ladder's own G0 values (no colliding minor labels)."""
    values = sorted(set(float(v) for v in values))
    ax.xaxis.set_major_locator(FixedLocator(values))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot_linearization_deviation(study: LinearizationStudy, *, ax: Axes | None = None,
                                 legend: bool = True) -> Axes:
    """Deviation of the nonlinear model from the linearised one against G0 (log–log), with
    the fitted power laws.

    Parameters
    ----------
    study : LinearizationStudy
    ax : Axes, optional
    legend : bool
        Put a legend beside the axes.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = new_axes(figsize=(7.5, 4.2))[0, 0]
    t = study.table
    g = np.geomspace(t["G0"].min(), t["G0"].max(), 50)
    for y, fit, label, color in ((t["max abs dV"], study.V_fit,
                                  r"$\max|V_\mathrm{nl} - V_\mathrm{lin}|$", "tab:blue"),
                                 (np.abs(t["<dq>"]), study.dq_fit, r"$|\langle\delta q\rangle|$",
                                  "tab:orange")):
        ax.loglog(t["G0"], y, "o", color=color,
                  label=f"{label}: slope {fit.exponent:.3f} ± {fit.exponent_stderr:.3f}")
        ax.loglog(g, fit(g), ":", color=color, lw=1)
    for col, marker, color in (("dE_N exact", "^", "tab:green"),
                               ("dE_N gaussian", "v", "tab:purple")):
        ax.loglog(t["G0"], np.abs(t[col]), marker, color=color,
                  label=rf"$|\Delta E_N|$ {col.split()[-1]}")
    ax.plot([], [], "k:", lw=1, label="power-law fit")
    _g0_ticks(ax, t["G0"])
    ax.set(xlabel=G0_LABEL, ylabel="nonlinear − linearised (same cutoffs)",
           title=r"(a) deviation at fixed ($\tilde{\Delta}_c$, $|G_d|$)")
    if legend:
        legend_outside(ax)
    return ax


def plot_linearization_limit(study: LinearizationStudy, *, axes=None, legend: bool = True):
    """E_N of the nonlinear model against G0² and its extrapolation to G0 → 0 (top), and
    its difference from the Lyapunov E_N (bottom).

    Parameters
    ----------
    study : LinearizationStudy
    axes : two Axes, optional
        (values, difference), sharing x (a new figure otherwise).
    legend : bool
        Put a legend beside the axes.

    Returns
    -------
    The two Axes.
    """
    if axes is None:
        axes = new_axes(2, 1, figsize=(7.5, 5.5), sharex=True,
                        gridspec_kw={"height_ratios": (3, 2)})[:, 0]
    top, diff = axes
    t = study.table
    E_lyap = study.linear_log_negativity
    u = np.linspace(0, t["G0"].max() ** 2, 50)
    for kind, col, color in (("gaussian", "E_N gaussian", "tab:blue"),
                             ("exact", "E_N exact", "tab:green")):
        c0, err, target = study.E_N_extrapolated[kind]
        coef = np.polyfit(t["G0"] ** 2, t[col], 1)
        for ax, shift in ((top, 0.0), (diff, E_lyap)):
            ax.plot(t["G0"] ** 2, t[col] - shift, "o", color=color,
                    label=f"$E_N$ {kind} of the nonlinear model")
            ax.plot(u, np.polyval(coef, u) - shift, ":", color=color)
            ax.errorbar([0], [c0 - shift], [err], fmt="D", color=color, mfc="none",
                        label=rf"$G_0 \to 0$, {kind}: {c0:.5f} ± {err:.1e}")
            ax.plot([0], [target - shift], "_", color=color, ms=18, mew=2,
                    label=f"linearised Fock model, {kind}: {target:.5f}")
    top.axhline(E_lyap, color="k", lw=0.8, label=f"Lyapunov (Gaussian) $E_N$ {E_lyap:.5f}")
    diff.axhline(0, color="k", lw=0.8)
    top.set(ylabel=EN_LABEL, title=r"(b) extrapolation to $G_0 \to 0$")
    diff.set(xlabel=r"$G_0^2/\omega_m^2$", ylabel=r"$E_N - E_N^\mathrm{Lyapunov}$")
    diff.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
    if legend:
        handles, labels = _unique_handles([top])
        order = sorted(range(len(labels)), key=lambda i: ("Lyapunov" in labels[i],
                                                          "exact" in labels[i]))
        legend_outside(top, [handles[i] for i in order], [labels[i] for i in order])
    return axes


def plot_linearization(study: LinearizationStudy, path: Path | None = None, *, axes=None):
    """Deviation from the linearised model against G0 (log–log) beside the G0 → 0 limit of
    E_N and its difference from the Lyapunov value.

    Parameters
    ----------
    study : LinearizationStudy
    path : path, optional
        Save the figure there (and close it).
    axes : three Axes, optional
        (deviation, E_N, E_N − Lyapunov); a new figure otherwise.

    Returns
    -------
    The three Axes.
    """
    if axes is None:
        fig = plt.figure(figsize=(14.5, 5.4), layout="constrained")
        grid = fig.add_gridspec(2, 2, height_ratios=(3, 2))
        a = fig.add_subplot(grid[:, 0])
        b = fig.add_subplot(grid[0, 1])
        axes = [a, b, fig.add_subplot(grid[1, 1], sharex=b)]
        b.tick_params(labelbottom=False)
    plot_linearization_deviation(study, ax=axes[0])
    plot_linearization_limit(study, axes=axes[1:])
    fig = axes[0].figure
    fig.suptitle(f"Approach to the linearised limit: {study.verdict}")
    finish(fig, path)
    return axes


# --- nonreciprocity ------------------------------------------------------------------------
DC = UNITS["Delta_c"]
EN = COLUMNS["E_N"]


def _curve(curves: pd.DataFrame, bath: str, direction: str) -> pd.DataFrame:
    return curves[(curves["bath"] == bath) & (curves["direction"] == direction)].sort_values(DC)


def _directions(curves: pd.DataFrame) -> list[str]:
    present = set(curves["direction"])
    return [d for d in DIRECTION_COLORS if d in present]


def plot_nonreciprocity_bath(curves: pd.DataFrame, points: pd.DataFrame, bath: str, *,
                             ax: Axes | None = None, legend: bool = True) -> Axes:
    """E_N against Δ_c for one bath: Gaussian curves and full-quantum points, both drives;
    where a drive has no stable steady state a bar marks it below the data.

    Parameters
    ----------
    curves, points : DataFrame
        :attr:`NonreciprocityStudy.curves` and ``.points``.
    bath : str
    ax : Axes, optional
    legend : bool
        Put a legend beside the axes.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = new_axes(figsize=(7.5, 4.2))[0, 0]
    lanes = []
    for d in _directions(curves):
        color = DIRECTION_COLORS[d]
        c = _curve(curves, bath, d)
        if c.empty:
            continue
        ax.plot(c[DC], c[EN], color=color, label=f"{d} drive, Gaussian")
        lanes.append((c[DC].to_numpy(), c["stable"].to_numpy(), {"color": color}, f"{d} drive"))
        p = points[(points["bath"] == bath) & (points["direction"] == d)]
        if "E_N exact fq" in p:
            ax.plot(p[DC], p["E_N exact fq"], "o", color=color, mfc="none", ms=7,
                    label=f"{d} drive, full quantum (exact $E_N$)")
            ax.plot(p[DC], p["E_N gaussian fq"], "x", color=color,
                    label=f"{d} drive, full quantum (Gaussian $E_N$ of its $V$)")
    ax.set(xlabel=DC_LABEL, ylabel=EN_LABEL, title=f"{bath} bath")
    mark_unstable(ax, lanes)
    if legend:
        legend_outside(ax)
    return ax


def plot_nonreciprocity_error(points: pd.DataFrame, curves: pd.DataFrame | None = None, *,
                              ax: Axes | None = None, legend: bool = True) -> Axes:
    """Full quantum − Gaussian E_N at each point (both baths), with the truncation control
    as error bars (|E_N| of the linearized Fock model − Lyapunov at the same cutoffs).

    Parameters
    ----------
    points : DataFrame
        :attr:`NonreciprocityStudy.points`.
    curves : DataFrame, optional
        :attr:`NonreciprocityStudy.curves`: marks where a drive has no stable steady state
        (in either bath) below the data.
    ax : Axes, optional
    legend : bool
        Put a legend beside the axes.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = new_axes(figsize=(7.5, 4.2))[0, 0]
    if "E_N exact fq" in points:
        for (bath, d), p in points.groupby(["bath", "direction"], sort=False):
            p = p.dropna(subset=["E_N exact fq"])
            if p.empty:
                continue
            trunc = p["truncation dE_N"] if "truncation dE_N" in p else None
            ax.errorbar(p[DC], p["E_N exact fq"] - p["E_N linear"], yerr=trunc,
                        fmt=BATH_MARKERS.get(bath, "D"), color=DIRECTION_COLORS.get(d, "k"),
                        mfc="none", ms=7, capsize=3, label=f"{d} drive, {bath} bath")
    ax.axhline(0, color="k", lw=0.6)
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
    ax.set(xlabel=DC_LABEL,
           ylabel=r"$E_N^\mathrm{exact}$ (full quantum) $-$ $E_N^\mathrm{Gaussian}$",
           title="full quantum − Gaussian (bars: truncation control)")
    if curves is not None:
        lanes = []
        for d in _directions(curves):
            c = curves[curves["direction"] == d].groupby(DC)["stable"].all()
            lanes.append((c.index.to_numpy(), c.to_numpy(), {"color": DIRECTION_COLORS[d]},
                          f"{d} drive"))
        mark_unstable(ax, lanes)
    if legend:
        legend_outside(ax)
    return ax


def plot_nonreciprocity_bath_difference(curves: pd.DataFrame, points: pd.DataFrame,
                                        baths: tuple[str, str] = ("brownian", "lindblad"), *,
                                        ax: Axes | None = None, legend: bool = True) -> Axes:
    """E_N(first bath) − E_N(second bath) against Δ_c: Gaussian curves and full-quantum
    points; bars below the data where either bath has no stable steady state.

    Returns
    -------
    Axes
    """
    if ax is None:
        ax = new_axes(figsize=(7.5, 4.2))[0, 0]
    b1, b2 = baths
    lanes = []
    for d in _directions(curves):
        color = DIRECTION_COLORS[d]
        c1, c2 = _curve(curves, b1, d), _curve(curves, b2, d)
        if c1.empty or c2.empty:
            continue
        both = c1[[DC, EN, "stable"]].merge(c2[[DC, EN, "stable"]], on=DC, suffixes=("1", "2"))
        ax.plot(both[DC], both[f"{EN}1"] - both[f"{EN}2"], color=color,
                label=f"{d} drive, Gaussian")
        lanes.append((both[DC].to_numpy(), (both["stable1"] & both["stable2"]).to_numpy(),
                      {"color": color}, f"{d} drive"))
        if "E_N exact fq" in points:
            p = points[points["direction"] == d]
            pp = p[p["bath"] == b1][[DC, "E_N exact fq"]].merge(
                p[p["bath"] == b2][[DC, "E_N exact fq"]], on=DC, suffixes=("1", "2"))
            ax.plot(pp[DC], pp["E_N exact fq1"] - pp["E_N exact fq2"], "o", color=color,
                    mfc="none", ms=7, label=f"{d} drive, full quantum (exact $E_N$)")
    ax.axhline(0, color="k", lw=0.6)
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
    ax.set(xlabel=DC_LABEL, ylabel=rf"$E_N^\mathrm{{{b1}}} - E_N^\mathrm{{{b2}}}$",
           title=f"{b1} − {b2} bath")
    mark_unstable(ax, lanes)
    if legend:
        legend_outside(ax)
    return ax


def plot_nonreciprocity(curves: pd.DataFrame, points: pd.DataFrame, path: Path | None = None,
                        *, axes=None):
    """Nonreciprocity figure: E_N against Δ_c per bath (top), full quantum − Gaussian and
    the difference between the baths (bottom), one legend for all.

    Parameters
    ----------
    curves, points : DataFrame
        :attr:`NonreciprocityStudy.curves` and ``.points``.
    path : path, optional
        Save the figure there (and close it).
    axes : Axes, optional
        One per bath, then the error panel, then (with two baths) the bath difference
        (a new 2 × 2 figure otherwise).

    Returns
    -------
    list of Axes
    """
    baths = list(dict.fromkeys(curves["bath"]))
    n = len(baths) + 1 + (len(baths) == 2)
    if axes is None:
        rows = -(-n // 2)
        grid = new_axes(rows, 2, figsize=(13.5, 3.8 * rows + 0.2))
        axes = list(grid.ravel())[:n]
        for extra in list(grid.ravel())[n:]:
            extra.set_visible(False)
    axes = list(axes)
    for ax, bath in zip(axes, baths):
        plot_nonreciprocity_bath(curves, points, bath, ax=ax, legend=False)
    plot_nonreciprocity_error(points, curves, ax=axes[len(baths)], legend=False)
    if len(baths) == 2:
        plot_nonreciprocity_bath_difference(curves, points, tuple(baths), ax=axes[-1],
                                            legend=False)
    axes[len(baths)].set_xlim(axes[0].get_xlim())  # the same Δ_c scale in every panel
    for ax, letter in zip(axes, "abcd"):
        ax.set_title(f"({letter}) {ax.get_title()}")
    figure_legend(axes)
    fig = axes[0].figure
    fig.suptitle("Nonreciprocal entanglement: same laser, opposite directions")
    finish(fig, path)
    return axes


# --- validity maps -------------------------------------------------------------------------
STATUS_MARKERS = {  # status → (marker, colour, label): distinct at a glance, also in grey
    "unstable": ("x", "0.35", "unstable (no steady state)"),
    "unconverged": ("$?$", "tab:orange", "unconverged (Fock space beyond the limits)"),
    "failed": ("X", "tab:red", "failed (see map.csv)"),
}
MULTISTABLE = "multistable mean field"
"""Label of the hatch marking map cells whose mean field has several stable branches."""
CONTOUR_STYLES = ("--", "-", ":", "-.")
"""Line style of a map's contours, lowest level first."""


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


# Mathtext: a combining tilde (Δ̃) is lost by the fonts, so the effective detuning would
# read as the bare one; \tilde renders.
AXIS_LABELS = {"G0": r"$G_0/\omega_m$", "coupling": r"$|G_d|/\omega_m$",
               "detuning": r"$\tilde{\Delta}_c/\omega_m$ (effective detuning)",
               "kappa": r"$\kappa/\omega_m$", "J": r"$J/\omega_m$",
               "Delta_F": r"$\Delta_F/\omega_m$", "gamma_m": r"$\gamma_m/\omega_m$",
               "n_m": r"$n_m$ (thermal phonons)", "s": r"nonlinearity scale $s$ (g0 × s, drive ÷ s)"}


def _contour_label(level: float) -> str:
    return f"{level:.0%}".replace("%", " %")


def plot_map_panel(table: pd.DataFrame, x: str, y: str, column: str, *, ax=None,
                   norm=None, cmap: str = "viridis", label: str | None = None,
                   contours: tuple[float, ...] = (),
                   statuses: tuple[str, ...] = ("valid", "breaks")):
    """One heat map of ``column`` over the (x, y) grid of a validity-map table.

    Only points whose status is in ``statuses`` are coloured; the others are left blank and
    marked with :data:`STATUS_MARKERS` (a status without a point draws nothing);
    multistable cells are hatched. ``contours`` are drawn as lines (styles
    :data:`CONTOUR_STYLES`, lowest level first) labelled on a white background, so that no
    line crosses its label. Every artist drawn that a legend should show carries its label
    (:func:`map_legend_handles` collects them).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a new figure's if ``ax`` is None).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 4.4), layout="constrained")
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
    ax.figure.colorbar(mesh, ax=ax, label=label or column, pad=0.02)
    levels = sorted(contours)
    if levels and np.isfinite(Z).sum() >= 4 and len(xs) > 1 and len(ys) > 1:
        from matplotlib import patheffects

        cs = ax.contour(xs, ys, np.ma.masked_invalid(Z), levels=levels, colors="black",
                        linewidths=1.5, linestyles=list(CONTOUR_STYLES[:len(levels)]))
        cs.set(path_effects=[patheffects.withStroke(linewidth=3.5, foreground="white")],
               gid="map contours")
        # The line cut under each label, the label upright on a white box above every line:
        # readable whatever the line's direction and the colour below.
        for text in ax.clabel(cs, fmt=_contour_label, fontsize=SMALL, inline=True,
                              inline_spacing=6, zorder=4):
            text.set(rotation=0, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                       "edgecolor": "none", "alpha": 0.9})
    multi = table[table["multistable"].fillna(False).astype(bool)]
    for k, (_, r) in enumerate(multi.iterrows()):  # hatched: visible over any colour
        i, j = np.searchsorted(xs, r[x]), np.searchsorted(ys, r[y])
        ax.add_patch(plt.Rectangle((ex[i], ey[j]), ex[i + 1] - ex[i], ey[j + 1] - ey[j],
                                   fill=False, hatch="///", edgecolor="0.45", lw=0, zorder=2,
                                   label=MULTISTABLE if k == 0 else "_nolegend_"))
    for status, (marker, color, name) in STATUS_MARKERS.items():
        sel = table[table["status"] == status]
        if len(sel):
            ax.scatter(sel[x], sel[y], marker=marker, s=90, color=color, zorder=3, label=name)
    ax.set(xscale="log" if logx else "linear", yscale="log" if logy else "linear",
           xlabel=AXIS_LABELS.get(x, x), ylabel=AXIS_LABELS.get(y, y))
    return ax


def map_legend_handles(axes: Iterable[Axes]) -> tuple[list, list[str]]:
    """Legend entries of map panels (:func:`plot_map_panel`): each contour level drawn on
    some panel, then the labelled artists drawn (hatch, status markers), each label once.

    A contour level outside the data, a status without a point or a map without multistable
    cells has no entry.
    """
    axes = list(np.ravel(axes))
    drawn: dict[float, str] = {}
    for ax in axes:
        for cs in ax.collections:
            if isinstance(cs, ContourSet):
                for level, path, ls in zip(cs.levels, cs.get_paths(), cs.linestyles):
                    if len(path.vertices):
                        drawn.setdefault(float(level), ls)
    handles = [Line2D([], [], color="black", ls=ls, lw=1.5, label=f"{_contour_label(v)} contour")
               for v, ls in sorted(drawn.items())]
    labels = [h.get_label() for h in handles]
    more, more_labels = _unique_handles(axes)
    return handles + more, labels + more_labels


def plot_validity_map(table: pd.DataFrame, spec, path: Path | None = None,
                      pair: str | None = None):
    """The map's figure: approximation error, Gaussian E_N and the truncation control.

    One legend below the panels lists what is drawn on them (:func:`map_legend_handles`).

    Parameters
    ----------
    table : DataFrame
        ``map.csv``'s rows (:func:`~omxval.compare.studies.maps.map_table`).
    spec : MapSpec or ModelMapSpec
    path : path, optional
        Where to save the PNG (the figure is closed then); otherwise it is returned.
    pair : str, optional
        A model's pair of modes (``"a-b"``): its own columns are drawn (default: each row's
        worst judged pair, or the spinning resonator's judged pair).

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    t = table.copy()
    if pair is not None:
        for col in ("E_N linear", "E_N exact", "abs dE_N", "rel dE_N", "truncation dE_N"):
            t[col] = t.get(f"{col} {pair}", np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        t["truncation rel"] = t["truncation dE_N"].astype(float) / t["E_N linear"].astype(float)
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.2), layout="constrained")
    fig.get_layout_engine().set(w_pad=0.06, wspace=0.04)
    rel = t.loc[t["status"].isin(["valid", "breaks"]), "rel dE_N"].astype(float)
    rel = rel[np.isfinite(rel) & (rel > 0)]
    lo = min(rel.min(), 1e-3) if len(rel) else 1e-4
    hi = max(rel.max(), 0.2) if len(rel) else 1.0
    rel_label = r"$|\Delta E_N|\,/\,E_N$"
    plot_map_panel(t, spec.x, spec.y, "rel dE_N", ax=axes[0], norm=LogNorm(lo, hi),
                   cmap="magma_r", label=f"{rel_label} (approximation)", contours=(0.01, 0.1))
    axes[0].set_title(f"(a) approximation error\n{spec.hamiltonian} vs Gaussian")
    plot_map_panel(t, spec.x, spec.y, "E_N linear", ax=axes[1], cmap="viridis",
                   label=r"$E_N$ Gaussian (ln)",
                   statuses=("valid", "breaks", "unconverged", "failed"))
    worst = pair is None and "worst pair" in t  # the judged pair may change across the map
    axes[1].set_title("(b) Gaussian $E_N$ of the worst judged pair\n(Lyapunov; per pair: "
                      "map_<a>-<b>.png)" if worst else "(b) Gaussian $E_N$\n(Lyapunov)")
    tr = t["truncation rel"][np.isfinite(t["truncation rel"]) & (t["truncation rel"] > 0)]
    plot_map_panel(t, spec.x, spec.y, "truncation rel",
                   ax=axes[2], norm=LogNorm(min(tr.min(), lo) if len(tr) else lo, hi),
                   cmap="magma_r", label=f"{rel_label} (truncation)")
    axes[2].set_title("(c) truncation control\nlinearized Fock vs Lyapunov")
    handles, labels = map_legend_handles(axes)
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=min(len(handles), 6),
                   fontsize=9)
    which = f", pair {pair}" if pair else (", worst judged pair" if "worst pair" in t else "")
    fig.suptitle(f"Where the Gaussian $E_N$ holds ({spec.title}{which}; "
                 f"blank: no converged number)")
    if path is None:
        return fig
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


# --- the paper's own device (omxval paper-device) ------------------------------------------
DEVICE_COLORS = {"fig2-ccw": "tab:red", "fig2-rest": "k", "fig2-cw": "tab:blue",
                 "fig3-ccw": "tab:green"}


def _device_styles() -> dict[str, object]:
    """Quantity → its legend entry (black: the colour is the operating point's)."""
    _K = dict(color="k", ls="none")
    return {
        "approx": Line2D([], [], marker="o", **_K, label="|approximation error|, cutoffs c"),
        "raised": Line2D([], [], marker="o", mfc="none", ms=10, **_K, label="same at c + 1"),
        "truncation": Line2D([], [], marker="x", mew=1.5, **_K, label="|truncation error| (c)"),
        "fit": Line2D([], [], color="k", lw=1, label=r"power-law fit $a\,G_0^p$"),
        "leading": Line2D([], [], color="k", ls=":", lw=1.6,
                          label=r"leading order $c_2 G_0^2 + c_4 G_0^4$"),
        "band": Patch(facecolor="k", alpha=0.1, lw=0, label=f"{BAND_LEVEL:.0%} band of the fit"),
        "power_law": Line2D([], [], marker="s", **_K, label="prediction (power law)"),
        "leading_order": Line2D([], [], marker="D", **_K, label="prediction (leading order)"),
        "direct": Line2D([], [], color="k", ls="--", lw=1.2,
                         label=r"$|c_2|\,G_0^2$, $c_2$ by perturbation theory (no fit)"),
        "direct_point": Line2D([], [], marker="*", ms=9, **_K,
                               label="prediction (perturbation theory)"),
    }


def _log_limits(values: Iterable[float], margin: float = 1.6) -> tuple[float, float] | None:
    """Log-axis limits around the positive finite ``values``, ``margin``-fold beyond them."""
    v = np.asarray([x for x in values if np.isfinite(x) and x > 0], dtype=float)
    return (v.min() / margin, v.max() * margin) if v.size else None


def plot_device(analyses: Sequence[PointAnalysis], path: Path | None = None):
    """|approximation error| against G0 (log–log) for each operating point.

    Left: the measured rows (at the converged cutoffs c and at c + 1), the truncation errors
    and the fits over the ladder. Right: the fits extrapolated to the paper's G0 with the
    power law's band and both predictions there (dodged sideways when points overlap).
    Where a point has a direct c2 (perturbation theory, no fit), |c2|·G0² is drawn dashed
    on both panels and its prediction at the paper's G0 as a star with its band.
    Colour: operating point; marker and line style: quantity. One legend below both panels
    lists the operating points and quantities actually drawn; each panel's limits fit its
    data.

    Parameters
    ----------
    analyses : sequence of PointAnalysis
    path : path, optional
        Save the figure there (and close it); otherwise it is returned.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.6), layout="constrained",
                             gridspec_kw={"width_ratios": [1, 1.25]})
    left, right = axes
    G0_paper = min(a.point.G0 for a in analyses)
    drawn: dict[str, None] = {}  # quantities drawn, in order
    points: list[Line2D] = []
    xs = {"left": [], "right": [G0_paper]}
    ys = {"left": [], "right": [PRINTED_PRECISION]}

    def draw(ax, x, y, *args, side, kind, **kw):
        x, y = np.asarray(x, dtype=float), np.abs(np.asarray(y, dtype=float))
        keep = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
        if keep.any():
            ax.loglog(x[keep], y[keep], *args, **kw)
            xs[side].extend(x[keep])
            ys[side].extend(y[keep])
            drawn[kind] = None

    ok_g0 = [g for a in analyses for g in a.converged["G0"].dropna()]
    lo_g, hi_g = _log_limits(ok_g0, 1.25) or (min(DEFAULT_G0) / 1.25, max(DEFAULT_G0) * 1.25)
    for i, a in enumerate(analyses):
        col = DEVICE_COLORS.get(a.point.name, "gray")
        ok = a.converged
        d = a.direct if a.direct is not None and a.direct.usable else None
        if d is not None:  # c2·G0² over the ladder and down to the paper's G0, and its point
            points.append(Line2D([], [], color=col, lw=6, label=a.point.label))
            for ax, side, g in ((left, "left", np.geomspace(lo_g, hi_g, 20)),
                                (right, "right", np.geomspace(G0_paper / 2, hi_g, 50))):
                draw(ax, g, [d.prediction(v).value for v in g], "--", color=col, lw=1.2,
                     side=side, kind="direct")
            pred, x = d.prediction(a.point.G0), a.point.G0 / 1.18 ** (i + 1)
            right.errorbar([x], [pred.value], yerr=[[pred.value - pred.low],
                                                    [pred.high - pred.value]],
                           fmt="*", color=col, ms=10, capsize=3, lw=1)
            xs["right"].append(x)
            ys["right"].extend([pred.value, pred.low, pred.high])
            drawn["direct_point"] = None
        if ok.empty:  # no converged row yet (e.g. --cached-only on an empty cache)
            continue
        if d is None:
            points.append(Line2D([], [], color=col, lw=6, label=a.point.label))
        for ax, side in ((left, "left"), (right, "right")):
            draw(ax, ok["G0"], ok["approximation error"], "o", color=col, ms=6, side=side,
                 kind="approx")
        draw(left, ok["G0"], ok["approximation error (c+1)"], "o", mfc="none", color=col,
             ms=11, side="left", kind="raised")
        draw(left, ok["G0"], ok["truncation error"], "x", color=col, ms=8, mew=1.5,
             side="left", kind="truncation")
        if a.fit is None:
            continue
        for ax, side, g in ((left, "left", np.geomspace(lo_g, hi_g, 50)),
                            (right, "right", np.geomspace(G0_paper / 2, hi_g, 200))):
            draw(ax, g, [a.fit.predict(v).value for v in g], "-", color=col, lw=1, side=side,
                 kind="fit")
            draw(ax, g, [a.leading.predict(v).value for v in g], ":", color=col, lw=1.6,
                 side=side, kind="leading")
            if ax is right:
                band = np.array([[a.fit.predict(v).low, a.fit.predict(v).high] for v in g])
                if np.isfinite(band).all() and (band > 0).all():
                    ax.fill_between(g, band[:, 0], band[:, 1], color=col, alpha=0.1, lw=0)
                    ys["right"].extend(band.ravel())
                    drawn["band"] = None
        dodge = 1.18 ** i
        for pred, marker, shift, kind in ((a.power_law, "s", 1.0, "power_law"),
                                          (a.leading_order, "D", 1.08, "leading_order")):
            x = a.point.G0 * dodge * shift
            low = max(pred.low, pred.value * 1e-3)  # a band reaching zero, drawn cut
            yerr = np.nan_to_num([[pred.value - low], [pred.high - pred.value]])
            right.errorbar([x], [pred.value], yerr=yerr, fmt=marker, color=col, ms=6,
                           capsize=3, lw=1)
            xs["right"].append(x)
            ys["right"].extend([pred.value, low, pred.high])
            drawn[kind] = None
    right.axvline(G0_paper, color="gray", ls="--", lw=1)
    # The two notes apart (bottom; below the line, left): the extrapolation runs from the
    # bottom left to the top right.
    right.annotate(f"paper's $G_0$ = {G0_paper:.2g} $\\omega_m$", (G0_paper, 0.03),
                   xycoords=("data", "axes fraction"), xytext=(4, 0),
                   textcoords="offset points", color="gray", fontsize=SMALL, va="bottom")
    right.axhline(PRINTED_PRECISION, color="gray", ls="-.", lw=1)
    right.annotate(r"half a unit of the printed $E_N$'s 4th decimal",
                   (0.1, PRINTED_PRECISION), xycoords=("axes fraction", "data"),
                   xytext=(0, -3), textcoords="offset points", color="gray", fontsize=SMALL,
                   va="top")
    for ax, side in ((left, "left"), (right, "right")):
        if (lim := _log_limits(xs[side], 1.25)) is not None:
            ax.set_xlim(*lim)
        if (lim := _log_limits(ys[side], 2.0)) is not None:
            ax.set_ylim(*lim)
        ax.grid(True, which="major", alpha=0.3)
    if not any(k in drawn for k in ("approx", "direct")):
        left.text(0.5, 0.5, "no converged row yet", transform=left.transAxes, ha="center",
                  va="center", color="gray")
    if "fit" not in drawn and "direct" not in drawn:  # say why the panel is empty
        lo, hi = np.log(right.get_ylim())
        line = (np.log(PRINTED_PRECISION) - lo) / (hi - lo)
        right.text(0.4, 0.25 if line > 0.5 else 0.75,
                   "no extrapolation yet:\na fit needs 3 converged rows of a point",
                   transform=right.transAxes, ha="center", va="center", color="gray")
    left.set(xlabel=G0_LABEL, ylabel=r"$|\Delta E_N|$ (ln)",
             title="measured on the ladder (full quantum, converged cutoffs)")
    right.set(xlabel=G0_LABEL, ylabel=r"$|$approximation error of $E_N|$ (ln)",
              title="extrapolation to the paper's $G_0$" if "direct" not in drawn else
              r"at the paper's $G_0$: fits extrapolated, $c_2 G_0^2$ computed")
    styles = _device_styles()
    handles = points + [styles[k] for k in styles if k in drawn]
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=SMALL,
                   frameon=False)
    fig.suptitle(r"Approximation error of the Gaussian $E_N$ (nonlinear − linearized Fock "
                 r"model at equal cutoffs) at the paper's ($\tilde{\Delta}_c$, $|G_d|$), "
                 r"against $G_0$")
    if path is None:
        return fig
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None


# --- any model (omxval point|converge|linearization --model FILE) -------------------------
def plot_model_point(result, path: Path | None = None):
    """Per judged pair of modes: both errors of the Gaussian E_N, relative to it, on a log
    axis — the approximation error (judged form vs Gaussian) and the truncation control
    (linearized Fock vs Lyapunov) — with the criterion of a ``valid`` pair.

    Parameters
    ----------
    result : ModelPointValidity
        A judged point with a state (:func:`~omxval.compare.studies.modelvalidity.judge_model_point`).
    path : path, optional
        Where to save the PNG (the figure is closed then); otherwise it is returned.
    """
    t = result.table()
    en = t["E_N gaussian"].astype(float).where(lambda v: v > 0)
    approx = np.abs(t["approximation dE_N"].astype(float)) / en
    trunc = np.abs(t["truncation dE_N"].astype(float)) / en
    fig, ax = plt.subplots(figsize=(3.6 + 1.1 * len(t), 4.6), layout="constrained")
    x = np.arange(len(t))
    ax.semilogy(x - 0.08, approx, "o", color="tab:red", ms=9,
                label=f"approximation: {result.state.hamiltonian} − Gaussian")
    ax.semilogy(x + 0.08, trunc, "x", color="0.35", ms=9, mew=2,
                label="truncation: linearized Fock − Lyapunov")
    crit = result.criteria.relative_error
    ax.axhline(crit, color="k", ls="--", lw=1, label=f"criterion {crit:.0%}")
    for k, (_, r) in enumerate(t.iterrows()):
        ax.annotate(f"E_N = {r['E_N gaussian']:.3g}", (k, crit), xytext=(0, 5),
                    textcoords="offset points", ha="center", va="bottom", fontsize=SMALL)
    ax.set_xticks(x, t["pair"])
    ax.set_xlim(-0.6, len(t) - 0.4)
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, max(hi, 4 * crit))
    ax.set(ylabel=r"$|\Delta E_N|\,/\,E_N$ (Gaussian)", xlabel="pair of modes",
           title=f"{result.point.model.name or 'model'}\nboth errors per pair — {result.verdict}")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", fontsize=SMALL,
               ncol=2)
    return _finish(fig, path)


def plot_model_ladder(study: LinearizationStudy, path: Path | None = None):
    """The s ladder of a model: max|ΔV| and each pair's |ΔE_N| (nonlinear − linearized Fock,
    same cutoffs) against s on log axes, with the expected s² slope through the last point."""
    t = study.table
    fig, ax = plt.subplots(figsize=(6.2, 4.4), layout="constrained")
    s = t["s"].astype(float)
    ax.loglog(s, t["max abs dV"], "ko-", label=r"max$|\Delta V|$")
    for col in [c for c in t.columns if c.startswith("dE_N exact ")]:
        ax.loglog(s, np.abs(t[col].astype(float)), "o--",
                  label=rf"$|\Delta E_N|$ {col.removeprefix('dE_N exact ')}")
    ref = float(t["max abs dV"].iloc[-1]) * (s / s.iloc[-1]) ** 2
    ax.loglog(s, ref, color="0.6", lw=3, alpha=0.5, label=r"$\propto s^2$")
    ax.xaxis.set_major_locator(FixedLocator(sorted(s)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")
    ax.set(xlabel=r"nonlinearity scale $s$ (g0 × s, drive ÷ s)",
           ylabel="nonlinear − linearized Fock (same cutoffs)",
           title=f"approach to the linearised limit — {study.verdict}")
    ax.legend(fontsize=SMALL)
    return _finish(fig, path)


def plot_model_convergence(study, path: Path | None = None):
    """The cutoff search of a model's linearized Fock model: each pair's E_N at every solve
    against the Hilbert-space dimension, the Lyapunov value dashed."""
    steps, control = study.steps, study.control
    fig, ax = plt.subplots(figsize=(6.2, 4.4), layout="constrained")
    for _, r in control.iterrows():
        col = f"E_N exact {r['pair']}"
        line, = ax.plot(steps["d"], steps[col], "o", label=f"{r['pair']} (Fock)")
        ax.axhline(r["E_N Lyapunov"], color=line.get_color(), ls="--", lw=1)
    ax.set(xscale="log", xlabel="Hilbert-space dimension d of the solve", ylabel=EN_LABEL,
           title=f"cutoff search, chosen {study.chosen} — {study.verdict}")
    ax.legend(fontsize=SMALL, title="dashed: Lyapunov", title_fontsize=SMALL)
    return _finish(fig, path)


def _finish(fig: Figure, path: Path | None):
    if path is None:
        return fig
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return None


def plot_device_ladder(study, path: Path | None = None):
    """My device: each judged pair's |approximation error| on the s ladder (filled: cutoffs
    c; open: c + 1), the fit c2·s² + c4·s⁴ extended to the real device s = 1 with its band,
    and the verdict's limit there."""
    from ..studies.fits import fit_leading_order

    rows = study.rows
    ok = rows[rows["status"] == "converged"] if "status" in rows else rows.iloc[0:0]
    fig, ax = plt.subplots(figsize=(6.8, 4.6), layout="constrained")
    for k, p in enumerate(study.predictions):
        lab = f"{p.pair[0]}-{p.pair[1]}"
        color = f"C{k}"
        if len(ok) and f"dE_N {lab}" in ok:
            s = ok["s"].astype(float)
            ax.loglog(s, np.abs(ok[f"dE_N {lab}"].astype(float)), "o", color=color,
                      label=f"{lab}: |ΔE_N|, cutoffs c")
            ax.loglog(s, np.abs(ok[f"dE_N {lab} (c+1)"].astype(float)), "o", mfc="none",
                      ms=10, color=color, label=f"{lab}: same at c + 1")
        if p.prediction is not None:
            fit = fit_leading_order(ok["s"].astype(float), ok[f"dE_N {lab}"].astype(float))
            grid = np.geomspace(1.0, float(ok["s"].max()), 100)
            ax.loglog(grid, np.abs(fit.c2 * grid**2 + fit.c4 * grid**4), "-", color=color,
                      lw=1, label=rf"{lab}: fit $c_2 s^2 + c_4 s^4$")
            ax.errorbar([1.0], [abs(p.prediction.value)], yerr=[[0], [p.bound - abs(p.prediction.value)]]
                        if np.isfinite(p.bound) else None, fmt="*", ms=12, color=color)
            limit = max(study.criteria_limits[k], 1e-300)
            ax.hlines(limit, 0.6, 1.6, color=color, ls=":", lw=1.5,
                      label=f"{lab}: limit at s = 1 ({limit:.2g})")
    ax.axvline(1.0, color="0.5", lw=0.8)
    ax.set(xlabel=r"nonlinearity scale $s$ ($s = 1$: the real device, ★ the prediction)",
           ylabel=r"$|E_N^{\rm nonlinear} - E_N^{\rm linearized\ Fock}|$",
           title=f"{study.point.model.name or 'model'} — {study.verdict}")
    ax.legend(fontsize=SMALL, loc="upper left")
    return _finish(fig, path)
