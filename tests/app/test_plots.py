"""Figures: every plot function draws on the Axes it is given and returns them; integer ticks
for cutoffs; legends never cover data; unstable parameters are marked with a labelled artist;
fonts and sizes readable where the reports show them.

Inputs are small: synthetic study results, or cheap Gaussian sweeps on coarse grids.
"""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from omxval import linear  # noqa: E402
from omxval.compare.app import paper_report as pr  # noqa: E402
from omxval.compare.app import plots  # noqa: E402
from omxval.compare.studies.convergence import MODES, ConvergenceStudy  # noqa: E402
from omxval.compare.studies.fits import extrapolate_to_zero, fit_power_law  # noqa: E402
from omxval.compare.studies.linearization import LinearizationStudy  # noqa: E402
from omxval.compare.studies.maps import MapSpec  # noqa: E402
from omxval.linear import paper  # noqa: E402

from tests.conftest import reference_system  # noqa: E402

DC = "Delta_c [omega_m]"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- inputs ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def convergence() -> ConvergenceStudy:
    """A synthetic ladder: changes fall tenfold per level; a check row per mode."""
    rows = [{"stage": "start", "N_ccw": 2, "N_cw": 2, "N_m": 3}]
    cut = {"ccw": 2, "cw": 2, "mech": 3}
    col = {"ccw": "N_ccw", "cw": "N_cw", "mech": "N_m"}
    for mode in MODES:
        for k in range(3):
            cut[mode] += 1
            rows.append({"stage": f"refine {mode}", **{col[m]: cut[m] for m in MODES}})
    for mode in MODES:
        rows.append({"stage": f"check {mode}+1",
                     **{col[m]: cut[m] - 1 + (m == mode) for m in MODES}})
    steps = pd.DataFrame(rows)
    rng = np.arange(len(steps))
    for i, q in enumerate(("max abs dV", "dE_N gaussian", "dE_N exact")):
        steps[q] = 10.0 ** (-2 - (rng % 4) - i / 3)
    for m in MODES:
        steps[f"top population {m}"] = 10.0 ** (-3 - rng % 4)
    steps.loc[0, ["max abs dV", "dE_N gaussian", "dE_N exact"]] = np.nan
    chosen = tuple(cut[m] - 1 for m in MODES)
    return ConvergenceStudy(steps, chosen, "converged", ("synthetic",), (1e-4, 1e-3), None)


@pytest.fixture(scope="module")
def linearization() -> LinearizationStudy:
    """A synthetic G0 ladder with the expected scalings."""
    G0 = np.array([0.2, 0.1, 0.05, 0.025])
    t = pd.DataFrame({"G0": G0, "max abs dV": 0.05 * G0**2, "<dq>": 0.03 * G0,
                      "dE_N exact": 0.06 * G0**2, "dE_N gaussian": 0.04 * G0**2,
                      "E_N gaussian": 0.1 + 0.04 * G0**2, "E_N exact": 0.0999 + 0.06 * G0**2})
    ex = {k: (*extrapolate_to_zero(G0, t[f"E_N {k}"]), float(t[f"E_N {k}"].iloc[-1]))
          for k in ("gaussian", "exact")}
    return LinearizationStudy(t, fit_power_law(G0, t["max abs dV"]),
                              fit_power_law(G0, t["<dq>"]), ex, 0.1, "consistent", ("x",))


@pytest.fixture(scope="module")
def nonreciprocity() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gaussian curves of the reference system (the cw drive is unstable at small Δ_c) and
    full-quantum-like points near them."""
    system = reference_system(Delta_F=0.3)
    grid = np.linspace(0.3, 1.8, 61)
    curves = pd.concat([linear.sweep(system.replace(bath=b), direction=["ccw", "cw"],
                                     Delta_c=grid).query("branch == 0")
                        for b in ("brownian", "lindblad")], ignore_index=True)
    pts = curves[np.isin(curves[DC].round(6), np.round(grid[::15], 6))]
    pts = pts[["bath", "direction", DC, "stable", "E_N gaussian"]].rename(
        columns={"E_N gaussian": "E_N linear"})
    points = pts.assign(**{"E_N exact fq": pts["E_N linear"] * 1.001,
                           "E_N gaussian fq": pts["E_N linear"] * 1.0005,
                           "truncation dE_N": 1e-5})
    return curves, points


@pytest.fixture(scope="module")
def point():
    rng = np.random.default_rng(1)
    V = np.eye(6) / 2
    ns = SimpleNamespace
    return ns(linear=ns(V=V), steady=ns(V=V + 1e-4 * rng.random((6, 6)), hamiltonian="nonlinear",
                                        cutoffs=(4, 3, 5)),
              control=ns(V=V + 1e-6 * rng.random((6, 6))), verdict="agree")


@pytest.fixture(scope="module")
def validity_map() -> tuple[pd.DataFrame, MapSpec]:
    xs, ys = [0.01, 0.03, 0.1], [0.7, 0.9, 1.1]
    rows = []
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            status = "unstable" if (i, j) == (0, 0) else ("breaks" if x > 0.05 else "valid")
            rows.append({"G0": x, "detuning": y, "status": status, "multistable": (i, j) == (1, 2),
                         "rel dE_N": 0.2 * x, "E_N linear": 0.1 * y, "truncation dE_N": 1e-5})
    return pd.DataFrame(rows), MapSpec(x="G0", x_values=xs, y="detuning", y_values=ys)


@pytest.fixture(scope="module")
def setup():
    return linear.PaperSetup()


@pytest.fixture(scope="module")
def fig2(setup):
    return paper.figure2_data(setup, np.linspace(-1, 2.5, 36)), paper.figure2_numbers(setup)


@pytest.fixture(scope="module")
def fig3(setup):
    kappa = setup.kappa_si
    return paper.figure3_curves(setup, 1.8 * kappa, np.linspace(-2.5, 3.5, 41)), kappa


@pytest.fixture(scope="module")
def coupling(setup):
    return paper.coupling_map(setup, 1.8 * setup.kappa_si, np.linspace(-2.5, 3.5, 25),
                              np.linspace(0, 3e4, 5), ["ccw", "cw"])


@pytest.fixture(scope="module")
def chi(setup):
    return paper.chi_map(setup, np.linspace(0, 2.5, 4) * setup.kappa_si, np.linspace(0, 3e4, 4))


@pytest.fixture(scope="module")
def claims(setup):
    return paper.j_claims(setup, np.linspace(0, 2.5, 6))


# --- checks ----------------------------------------------------------------------------------
def _legends(fig) -> list:
    return [lg for lg in [*fig.legends, *(ax.get_legend() for ax in fig.axes)] if lg]


def assert_legends_clear(fig) -> None:
    """No legend overlaps any axes (data or colour bar), and all lie inside the figure."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = _legends(fig)
    figbox = fig.bbox
    for lg in legends:
        box = lg.get_window_extent(renderer)
        for ax in fig.axes:
            a = ax.get_window_extent(renderer)
            overlap = min(box.x1, a.x1) - max(box.x0, a.x0) > 1 and \
                min(box.y1, a.y1) - max(box.y0, a.y0) > 1
            assert not overlap, f"legend {box} covers the axes {ax.get_title()!r} {a}"
        assert box.x0 >= figbox.x0 - 1 and box.x1 <= figbox.x1 + 1, "legend cut off (x)"
        assert box.y0 >= figbox.y0 - 1 and box.y1 <= figbox.y1 + 1, "legend cut off (y)"


def assert_readable(fig) -> None:
    """≤ 1800 px wide at the reports' resolution; every visible text ≥ 8 pt."""
    assert fig.get_figwidth() * plots.DPI <= 1800
    small = [t.get_text() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and t.get_fontsize() < plots.SMALL]
    assert not small, f"texts below {plots.SMALL} pt: {small[:5]}"


def marked_unstable(ax, name: str = "") -> list[tuple[float, float]]:
    """x extents of the bars marking unstable parameters on ``ax`` (of curve ``name``)."""
    return [(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches
            if (p.get_gid() or "").startswith(f"{plots.UNSTABLE}: {name}")]


def assert_covers(spans: list[tuple[float, float]], x: np.ndarray) -> None:
    for xi in x:
        assert any(a - 1e-9 <= xi <= b + 1e-9 for a, b in spans), f"unstable x = {xi} unmarked"


def unstable_x(df: pd.DataFrame) -> np.ndarray:
    return df.loc[~df["stable"].astype(bool), DC].to_numpy()


def fresh_ax():
    return plots.new_axes(figsize=(7.0, 4.0))[0, 0]


# --- (a) each function draws on the Axes it is given and returns them ----------------------
def test_panel_functions_draw_on_the_given_axes(convergence, linearization, nonreciprocity,
                                                validity_map, fig2, fig3, coupling, chi, claims):
    curves, points = nonreciprocity
    df2, num2 = fig2
    df3, kappa = fig3
    cross = num2.set_index("quantity").loc["Delta_c/omega_m where N_ccw = N_cw", "omxval"]
    table, spec = validity_map
    calls = [
        lambda ax: plots.plot_convergence_panel(convergence, "cw", ax=ax),
        lambda ax: plots.plot_linearization_deviation(linearization, ax=ax),
        lambda ax: plots.plot_nonreciprocity_bath(curves, points, "brownian", ax=ax),
        lambda ax: plots.plot_nonreciprocity_error(points, curves, ax=ax),
        lambda ax: plots.plot_nonreciprocity_bath_difference(curves, points, ax=ax),
        lambda ax: plots.plot_map_panel(table, spec.x, spec.y, "E_N linear", ax=ax),
        lambda ax: pr.plot_figure2_entanglement(df2, ax=ax),
        lambda ax: pr.plot_figure2_photons(df2, cross, ax=ax),
        lambda ax: pr.plot_figure2_contrast(df2, cross, ax=ax),
        lambda ax: pr.plot_figure3_panel(df3, paper.OMEGA_FIG3, "E_N", 1.8 * kappa, kappa, ax=ax),
        lambda ax: pr.plot_coupling_panel(coupling, "cw", ax=ax),
        lambda ax: pr.plot_chi_panel(chi, "ccw", ax=ax),
        lambda ax: pr.plot_claim_panel(claims, "chi", ax=ax),
    ]
    for call in calls:
        ax = fresh_ax()
        assert call(ax) is ax
        assert ax.has_data()
        assert_legends_clear(ax.figure)
        plt.close(ax.figure)


def test_figure_functions_draw_on_given_axes_and_keep_legends_off_the_data(
        tmp_path, convergence, linearization, nonreciprocity, point, fig2, fig3, coupling, chi,
        claims):
    curves, points = nonreciprocity
    df3, kappa = fig3
    cases = [
        (3, lambda axes, path: plots.plot_convergence(convergence, path, axes=axes)),
        (3, lambda axes, path: plots.plot_linearization(linearization, path, axes=axes)),
        (4, lambda axes, path: plots.plot_nonreciprocity(curves, points, path, axes=axes)),
        (2, lambda axes, path: plots.plot_point(point, path, axes=axes)),
        (3, lambda axes, path: pr.plot_figure2(*fig2, path, axes=axes)),
        (4, lambda axes, path: pr.plot_figure3_curves(df3, 1.8 * kappa, kappa, path, axes=axes)),
        (2, lambda axes, path: pr.plot_coupling_map(coupling, 1.8 * kappa, kappa, path,
                                                    axes=axes)),
        (2, lambda axes, path: pr.plot_chi_map(chi, path, axes=axes)),
        (2, lambda axes, path: pr.plot_claims(claims, path, axes=axes)),
    ]
    for i, (n, call) in enumerate(cases):
        given = list(plots.new_axes(1, n, figsize=(4.0 * n, 4.0))[0])
        returned = call(given, None)
        assert [a for a in np.ravel(returned)] == given
        assert all(ax.has_data() for ax in given)
        plt.close(given[0].figure)
        # on their own figure: (c) legends off the data, readable where the reports show it
        fig = np.ravel(call(None, None))[0].figure
        assert _legends(fig) or i == 3, "a figure without a legend"  # point.png: heat maps
        assert_legends_clear(fig)
        assert_readable(fig)
        plt.close(fig)
    for i in (0, 4):  # saved and closed (one study figure, one paper figure)
        path = tmp_path / f"{i}.png"
        fig_axes = cases[i][1](None, path)
        assert path.stat().st_size > 10_000
        assert not plt.fignum_exists(np.ravel(fig_axes)[0].figure.number)


# --- (b) integer ticks for cutoffs -----------------------------------------------------------
def test_cutoff_axes_have_integer_ticks(convergence):
    axes = plots.plot_convergence(convergence)
    axes[0].figure.canvas.draw()
    for ax in axes:
        loc = ax.xaxis.get_major_locator()
        assert isinstance(loc, matplotlib.ticker.MaxNLocator)
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert ticks and all(float(t).is_integer() for t in ticks)


def test_log_axis_of_a_ladder_has_no_colliding_labels(linearization):
    ax = plots.plot_linearization_deviation(linearization)
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    labels = [t for t in ax.get_xticklabels() + ax.get_xminorticklabels()
              if t.get_visible() and t.get_text()]
    boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
    assert len(boxes) >= 2
    assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:])), "tick labels overlap"


# --- (c) legends never cover data (see also the figure functions above) --------------------
def test_validity_map_keeps_its_legend_off_the_data(validity_map):
    fig = plots.plot_validity_map(*validity_map)
    assert_legends_clear(fig)
    assert_readable(fig)


def test_legend_outside_also_without_constrained_layout(nonreciprocity):
    curves, points = nonreciprocity
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    plots.plot_nonreciprocity(curves, points, axes=axes.ravel())
    fig.subplots_adjust(right=0.7)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (lg,) = _legends(fig)
    box = lg.get_window_extent(renderer)
    for ax in fig.axes:
        a = ax.get_window_extent(renderer)
        assert box.x0 >= a.x1 - 1 or box.y0 >= a.y1 - 1 or box.y1 <= a.y0 + 1


# --- (d) unstable parameters are marked with a labelled artist ------------------------------
def test_unstable_ranges_are_marked_on_curves(nonreciprocity, fig2, fig3):
    curves, points = nonreciprocity
    ax = plots.plot_nonreciprocity_bath(curves, points, "brownian", ax=fresh_ax())
    for d in ("ccw", "cw"):
        g = curves[(curves["bath"] == "brownian") & (curves["direction"] == d)]
        labelled = [p for p in ax.patches if p.get_label() == f"{plots.UNSTABLE}: {d} drive"]
        assert len(labelled) == (len(unstable_x(g)) > 0)
        assert_covers(marked_unstable(ax, f"{d} drive"), unstable_x(g))
    assert marked_unstable(ax), "the test input should have an unstable range"
    # the bars lie below every data point
    lowest = min(np.nanmin(line.get_ydata()) for line in ax.lines if len(line.get_ydata()) > 2)
    to_data = ax.transData.inverted().transform
    bar_top = max(to_data(ax.get_xaxis_transform().transform((0, p.get_y() + p.get_height())))[1]
                  for p in ax.patches if p.get_gid())
    assert bar_top < lowest

    df2, _ = fig2
    ax = pr.plot_figure2_entanglement(df2, ax=fresh_ax())
    for curve, g in df2[df2["branch"] == 0].groupby("curve"):
        name = pr.FIG2_LABELS[curve]
        assert [p.get_label() for p in ax.patches].count(f"{plots.UNSTABLE}: {name}") == \
            (len(unstable_x(g)) > 0)
        assert_covers(marked_unstable(ax, name), unstable_x(g))

    df3, kappa = fig3
    ax = pr.plot_figure3_panel(df3, paper.OMEGA_FIG3, "E_N", 1.8 * kappa, kappa, ax=fresh_ax())
    labelled = [p for p in ax.patches if p.get_label().startswith(plots.UNSTABLE)]
    assert len(labelled) >= 2
    looks = {(p.get_edgecolor(), p.get_hatch()) for p in labelled}
    assert len(looks) == len(labelled), "two curves' unstable ranges look alike"


def test_unstable_map_cells_are_hatched_and_labelled(coupling, validity_map):
    ax = pr.plot_coupling_panel(coupling, "ccw", ax=fresh_ax())
    assert (~coupling["stable"]).any()
    hatched = [p for p in ax.patches if p.get_hatch() and
               p.get_label().startswith(plots.UNSTABLE)]
    assert len(hatched) == 1
    legend = ax.get_legend()
    assert legend and any(t.get_text().startswith(plots.UNSTABLE) for t in legend.get_texts())

    table, spec = validity_map
    fig = plots.plot_validity_map(table, spec)
    texts = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
    assert any(t.startswith("unstable") for t in texts)


def test_unstable_spans_edges_lie_between_samples():
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    stable = np.array([False, False, True, True, False, True])
    assert plots.unstable_spans(x, stable) == [(0.0, 1.5), (3.5, 4.5)]
    assert plots.unstable_spans(x, ~np.zeros(6, bool)) == []
    assert plots.unstable_spans(x, np.zeros(6, bool)) == [(0.0, 5.0)]


def test_axis_labels_are_mathtext_and_the_effective_detuning_keeps_its_tilde():
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    for key, label in plots.AXIS_LABELS.items():
        for part in label.split("$")[1::2]:  # every math part parses
            parser.parse(f"${part}$")
    # Δ̃ with a combining tilde renders as a bare Δ: the effective detuning would read as the
    # bare one.
    assert r"$\tilde{\Delta}_c" in plots.AXIS_LABELS["detuning"]
    assert "\u0303" not in "".join(plots.AXIS_LABELS.values())


# --- (e) figures fit for a talk: labels render, legends list what is drawn ------------------
def _shown_texts(fig) -> list[str]:
    """Every visible text a reader sees: titles, axis and colour-bar labels, tick labels,
    legend entries, annotations."""
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    return [t for t in texts if not t.startswith("_")]


def assert_symbols_render(fig) -> None:
    """No combining tilde (lost by the fonts: Δ̃ reads as Δ), no literal underscore outside
    mathtext (a subscript meant, shown as "E_N"), and every math part parses."""
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    for text in _shown_texts(fig):
        assert "\u0303" not in text, f"combining tilde in {text!r}"
        assert text.count("$") % 2 == 0, f"unbalanced $ in {text!r}"
        parts = text.split("$")
        plain, math = parts[0::2], parts[1::2]
        assert not any("_" in p for p in plain), f"underscore outside mathtext: {text!r}"
        for m in math:
            parser.parse(f"${m}$")


def _legend_labels(fig) -> list[str]:
    return [t.get_text() for lg in _legends(fig) for t in lg.get_texts()]


def _device_analyses(with_fit: bool = True):
    """Synthetic PointAnalysis objects (one with 6 converged rows, one with 2: no fit)."""
    from types import SimpleNamespace as ns

    from omxval.compare.studies.paper_device import DEFAULT_G0, analyse_point

    def point(name, label, c2, n_ok):
        rows = []
        for k, g in enumerate(DEFAULT_G0):
            if k >= n_ok:
                rows.append({"status": "unconverged", "G0": g})
                continue
            e = c2 * g**2 * (1 + 0.02 * (-1) ** k)
            rows.append({"status": "converged", "G0": g, "approximation error": -e,
                         "approximation error (c+1)": -1.01 * e,
                         "truncation error": 1e-8 * (k + 1)})
        return analyse_point(ns(name=name, label=label, G0=7.2e-6, log_negativity=0.1476),
                             pd.DataFrame(rows))

    return [point("fig2-ccw", "Fig. 2 optimum, CCW drive", 0.1, 6 if with_fit else 2),
            point("fig3-ccw", "Fig. 3 optimum, CCW drive", 0.3, 2)]


def test_every_figure_renders_its_symbols(convergence, linearization, nonreciprocity, point,
                                          validity_map, fig2, fig3, coupling, chi, claims):
    curves, points = nonreciprocity
    df3, kappa = fig3
    figures = [
        np.ravel(plots.plot_convergence(convergence))[0].figure,
        np.ravel(plots.plot_linearization(linearization))[0].figure,
        np.ravel(plots.plot_nonreciprocity(curves, points))[0].figure,
        np.ravel(plots.plot_point(point))[0].figure,
        plots.plot_validity_map(*validity_map),
        plots.plot_device(_device_analyses()),
        np.ravel(pr.plot_figure2(*fig2))[0].figure,
        np.ravel(pr.plot_figure3_curves(df3, 1.8 * kappa, kappa))[0].figure,
        np.ravel(pr.plot_coupling_map(coupling, 1.8 * kappa, kappa))[0].figure,
        np.ravel(pr.plot_chi_map(chi))[0].figure,
        np.ravel(pr.plot_claims(claims, J_fig_over_kappa=1.8))[0].figure,
    ]
    for fig in figures:
        assert_symbols_render(fig)
        plt.close(fig)


def test_map_labels_the_effective_detuning_with_a_tilde(validity_map):
    fig = plots.plot_validity_map(*validity_map)
    maps = [ax for ax in fig.axes if ax.get_title()]  # not the colour bars
    assert len(maps) == 3
    for ax in maps:
        assert ax.get_ylabel().startswith(r"$\tilde{\Delta}_c/\omega_m$")


def _drawn_map_labels(fig) -> set[str]:
    """Labels of what the map panels draw, found independently of the legend code."""
    from matplotlib.collections import PathCollection
    from matplotlib.contour import ContourSet

    labels = set()
    for ax in fig.axes:
        for c in ax.collections:
            if isinstance(c, ContourSet):
                labels |= {f"{lev:.0%}".replace("%", " %") + " contour"
                           for lev, path in zip(c.levels, c.get_paths()) if len(path.vertices)}
            elif isinstance(c, PathCollection) and len(c.get_offsets()):
                labels.add(c.get_label())
        labels |= {p.get_label() for p in ax.patches
                   if p.get_hatch() and not p.get_label().startswith("_")}
    return labels


def test_map_legend_lists_exactly_what_is_drawn(validity_map):
    table, spec = validity_map  # statuses valid/breaks/unstable, one multistable cell
    fig = plots.plot_validity_map(table, spec)
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert len(labels) == len(set(labels))
    assert set(labels) == _drawn_map_labels(fig)
    # rel dE_N spans 0.2 %–2 %: the 1 % contour is drawn, the 10 % one is not
    assert "1 % contour" in labels and "10 % contour" not in labels
    assert plots.MULTISTABLE in labels and plots.STATUS_MARKERS["unstable"][2] in labels
    for status in ("unconverged", "failed"):  # no such point: no marker, no entry
        assert plots.STATUS_MARKERS[status][2] not in labels

    # another table: an unconverged point, no unstable one, no multistable cell
    t = table.assign(multistable=False)
    t.loc[t["status"] == "unstable", "status"] = "unconverged"
    fig = plots.plot_validity_map(t, spec)
    labels = set(_legend_labels(fig))
    assert labels == _drawn_map_labels(fig)
    assert plots.STATUS_MARKERS["unconverged"][2] in labels
    assert plots.STATUS_MARKERS["unstable"][2] not in labels and plots.MULTISTABLE not in labels


def test_map_contour_labels_sit_on_a_background_above_their_lines(validity_map):
    from matplotlib.colors import to_rgba
    from matplotlib.contour import ContourSet

    fig = plots.plot_validity_map(*validity_map)
    fig.canvas.draw()
    ax = fig.axes[0]
    (cs,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert cs.labelTexts, "the drawn contour is labelled"
    for text in cs.labelTexts:
        box = text.get_bbox_patch()
        assert box is not None and to_rgba(box.get_facecolor())[:3] == (1.0, 1.0, 1.0)
        assert text.get_zorder() > cs.get_zorder()  # the label above its line
        assert text.get_rotation() == 0 and text.get_fontsize() >= plots.SMALL


def test_map_titles_stay_above_their_own_axes(validity_map):
    """A title wider than its map spills over the colour bar beside it."""
    fig = plots.plot_validity_map(*validity_map)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    maps = [ax for ax in fig.axes if ax.get_title()]
    assert len(maps) == 3
    for ax in maps:
        a, t = ax.get_window_extent(renderer), ax.title.get_window_extent(renderer)
        assert a.x0 - 1 <= t.x0 and t.x1 <= a.x1 + 1, ax.get_title()
    sup = fig._suptitle.get_window_extent(renderer)
    assert all(sup.y0 >= ax.title.get_window_extent(renderer).y1 - 1 for ax in maps)


def test_figure3_has_one_compact_legend_and_named_readable_lanes(fig3):
    df3, kappa = fig3
    axes = pr.plot_figure3_curves(df3, 1.8 * kappa, kappa)
    fig = axes[0, 0].figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (legend,) = _legends(fig)
    labels = [t.get_text() for t in legend.get_texts()]
    assert len(labels) <= 8 and len(labels) == len(set(labels))
    assert not any(lab.startswith(f"{plots.UNSTABLE}:") for lab in labels)
    assert "J = 0" in labels and "J = 1.80 κ" in labels
    assert sum(lab.startswith("bar below the data") for lab in labels) == 1
    for ax in np.ravel(axes):
        bars = [p for p in ax.patches if (p.get_gid() or "").startswith(plots.UNSTABLE)]
        names = {p.get_gid() for p in bars}
        tags = [t for t in ax.texts if (t.get_gid() or "").startswith(f"{plots.UNSTABLE} lane")]
        assert len(tags) == len(names) >= 2, "every lane is named beside the axes"
        a = ax.get_window_extent(renderer)
        boxes = sorted((t.get_window_extent(renderer) for t in tags), key=lambda b: b.y0)
        assert all(b.x0 >= a.x1 for b in boxes), "lane names lie outside the data"
        assert all(lo.y1 <= hi.y0 + 1 for lo, hi in zip(boxes, boxes[1:])), "names overlap"
        assert min(p.get_window_extent(renderer).height for p in bars) >= 12, "bars too thin"
    assert_legends_clear(fig)


def test_figure3_legend_lists_only_what_is_drawn(fig3):
    df3, kappa = fig3
    ccw_only = df3[df3["direction"] == "ccw"]
    axes = pr.plot_figure3_curves(ccw_only, 1.8 * kappa, kappa)
    labels = _legend_labels(axes[0, 0].figure)
    assert not any("cw drive" in lab and "ccw" not in lab for lab in labels)
    assert any("ccw drive" in lab for lab in labels)
    # one panel alone, all stable: no bar and no faded entry
    stable = df3.assign(stable=True)
    ax = pr.plot_figure3_panel(stable, 0.0, "G_d", 1.8 * kappa, kappa, ax=fresh_ax())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Ω = 0 (either drive)", "J = 0", "J = 1.80 κ"]


def test_claim_bands_are_distinct_labelled_and_visible(claims):
    from matplotlib.colors import to_rgba

    axes = pr.plot_claims(claims, J_fig_over_kappa=1.8)
    fig = axes[0].figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    bands = []
    for ax in axes:
        (band,) = [p for p in ax.patches if p.get_label().startswith("paper")]
        bands.append(band)
        h = band.get_window_extent(renderer).height
        assert h >= pr.MIN_BAND * ax.get_window_extent(renderer).height - 0.5 and h >= 3
    assert bands[0].get_label() != bands[1].get_label()
    assert to_rgba(bands[0].get_facecolor()) != to_rgba(bands[1].get_facecolor())
    (legend,) = _legends(fig)
    entries = {t.get_text(): to_rgba(h.get_facecolor())
               for t, h in zip(legend.get_texts(), legend.legend_handles)
               if t.get_text().startswith("paper")}
    assert set(entries) == {b.get_label() for b in bands}
    assert len(set(entries.values())) == 2
    assert "drawn wider" in bands[1].get_label()  # χ's ±0.0005 would be a hairline
    assert "drawn wider" not in bands[0].get_label()


def test_device_figure_has_one_legend_of_what_is_drawn_and_fitted_limits(tmp_path):
    analyses = _device_analyses()
    fig = plots.plot_device(analyses)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = _legends(fig)
    assert len(legends) == 1
    labels = _legend_labels(fig)
    assert len(labels) == len(set(labels))
    assert {a.point.label for a in analyses} <= set(labels)  # both have converged rows
    assert "prediction (power law)" in labels
    assert_legends_clear(fig)
    assert_readable(fig)
    # no empty band between the panels and the legend
    box = legends[0].get_window_extent(renderer)
    bottom = min(ax.get_tightbbox(renderer).y0 for ax in fig.axes)
    assert bottom - box.y1 < 30
    # limits fitted: every drawn positive value inside, at most a decade of margin
    for ax in fig.axes:
        ys = np.concatenate([np.asarray(ln.get_ydata(), float) for ln in ax.lines
                             if ln.get_transform() == ax.transData])  # not the axvline
        ys = ys[np.isfinite(ys) & (ys > 0)]
        lo, hi = ax.get_ylim()
        assert lo <= ys.min() and ys.max() <= hi
        assert np.log10(ys.min() / lo) < 1 and np.log10(hi / ys.max()) < 1
    plt.close(fig)

    # without any fit: no fit, band or prediction entry, and the file is written
    fig = plots.plot_device(_device_analyses(with_fit=False))
    labels = _legend_labels(fig)
    assert not any("fit" in lab or "prediction" in lab or "band" in lab for lab in labels)
    assert len(_legends(fig)) == 1
    assert any(t.get_text().startswith("no extrapolation yet") for t in fig.axes[1].texts)
    plt.close(fig)
    path = tmp_path / "approximation_error.png"
    assert plots.plot_device(analyses, path) is None and path.stat().st_size > 10_000


def test_device_figure_draws_the_direct_route_without_rows():
    """A direct c2 alone (omxval paper-device --direct-only): |c2|·G0² on both panels and its
    prediction at the paper's G0 as a star, no 'nothing yet' notes, one legend."""
    from omxval.compare.studies.paper_device import DirectCoefficient, analyse_point

    analyses = []
    for a in _device_analyses():
        d = DirectCoefficient(a.point.name, -0.06, 1e-3, (13, 3, 19), "converged", 1.0, 6)
        analyses.append(analyse_point(a.point, a.rows.iloc[0:0], d))
    fig = plots.plot_device(analyses)
    labels = _legend_labels(fig)
    assert "prediction (perturbation theory)" in labels
    assert any("perturbation theory (no fit)" in lab for lab in labels)
    assert {a.point.label for a in analyses} <= set(labels)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert not any(t.startswith(("no converged row", "no extrapolation")) for t in texts)
    right = fig.axes[1]
    dashed = [ln for ln in right.lines if ln.get_linestyle() == "--"
              and ln.get_transform() == right.transData]
    assert len(dashed) == len(analyses)
    x, y = dashed[0].get_xdata(), dashed[0].get_ydata()
    assert np.allclose(y, 0.06 * np.asarray(x) ** 2, rtol=1e-12)
    assert_readable(fig)
    plt.close(fig)
