"""``omxval paper``: the paper's Fig. 2 and Fig. 3 as PNG + CSV + a Markdown page."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..errors import InputError
from ..linear import paper  # noqa: E402
from ..linear.parameters import PaperSetup  # noqa: E402
from ..linear.sweep import COLUMNS  # noqa: E402

from .metadata import collect  # noqa: E402
from .output import OutputDirectory  # noqa: E402
from .progress import sink, stderr_progress  # noqa: E402
from .tables import markdown_table  # noqa: E402

EN, GD, NCCW, NCW = COLUMNS["E_N"], COLUMNS["G_d"], COLUMNS["N_ccw"], COLUMNS["N_cw"]
DC = "Delta_c [omega_m]"
COLORS = {"ccw": "tab:red", "rest": "k", "cw": "tab:blue"}


def _required_bytes(chi_points: int) -> float:
    """Free space the report needs: measured 11.7 MB at chi_points = 31 (the χ table grows as
    chi_points²), doubled for safety."""
    return 2 * (11.7e6 + 2e3 * chi_points**2)


def _unstable_spans(x: np.ndarray, stable: np.ndarray) -> list[tuple[float, float]]:
    """Contiguous Δ_c intervals where branch 0 is unstable."""
    spans, start = [], None
    for xi, s in zip(x, stable):
        if not s and start is None:
            start = xi
        if s and start is not None:
            spans.append((start, xi))
            start = None
    if start is not None:
        spans.append((start, x[-1]))
    return spans


def _shade(ax, df: pd.DataFrame, color: str, label: str | None) -> None:
    for i, (a, b) in enumerate(_unstable_spans(df[DC].to_numpy(), df["stable"].to_numpy())):
        ax.axvspan(a, b, color=color, alpha=0.08, lw=0, label=label if i == 0 else None)


def plot_figure2(df: pd.DataFrame, numbers: pd.DataFrame, path: Path) -> None:
    """Fig. 2 (a) E_N, (b) driven photon number, (c) contrasts, against Δ_c/ω_m."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    b0 = df[df["branch"] == 0]
    labels = {"ccw": "CCW drive, Ω = 8e3 rad/s", "rest": "Ω = 0", "cw": "CW drive, Ω = 8e3 rad/s"}
    curves = {c: g.sort_values(DC) for c, g in b0.groupby("curve")}
    for c, g in curves.items():
        axes[0].plot(g[DC], g[EN], color=COLORS[c], label=labels[c])
        _shade(axes[0], g, COLORS[c], f"unstable ({c})")
        n_d = g[NCCW] if c in ("ccw", "rest") else g[NCW]
        axes[1].plot(g[DC], n_d / 1e9, color=COLORS[c], label=labels[c])
    cross = numbers.set_index("quantity").loc["Delta_c/omega_m where N_ccw = N_cw", "omxval"]
    axes[1].axvline(cross, color="gray", ls=":", label=f"N_ccw = N_cw at {cross:.4f}")
    ccw, cw = curves["ccw"], curves["cw"]
    axes[2].plot(ccw[DC], ccw[EN].fillna(0) - cw[EN].fillna(0).to_numpy(), color="tab:purple",
                 label="E_N(CCW) − E_N(CW)  (unstable → 0)")
    n1, n2 = ccw[NCCW].to_numpy(), cw[NCW].to_numpy()
    axes[2].plot(ccw[DC], 0.15 * (n1 - n2) / (n1 + n2), color="tab:green",
                 label="0.15·(N_ccw − N_cw)/(N_ccw + N_cw)")
    axes[2].axvline(cross, color="gray", ls=":")
    axes[2].axhline(0, color="k", lw=0.5)
    for ax, title, ylabel in zip(axes, ("(a) entanglement", "(b) driven-mode photons",
                                        "(c) quantum vs classical nonreciprocity"),
                                 ("E_N (ln)", "N_j / 1e9", "contrast")):
        ax.set(xlabel="Δ_c / ω_m", ylabel=ylabel, title=title)
        ax.legend(fontsize=7)
    fig.suptitle("Fig. 2: J = 0, P = 20 mW (shaded: no stable steady state)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_figure3_curves(df: pd.DataFrame, J_fig: float, kappa: float, path: Path) -> None:
    """Fig. 3 (a–d): E_N and |G_d| against Δ_c at Ω = 0 and 2.3e4 rad/s."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    b0 = df[df["branch"] == 0]
    jtxt = f"J = {J_fig / kappa:.2f} κ"
    for col, Omega in enumerate((0.0, paper.OMEGA_FIG3)):
        sub = b0[b0["Omega [rad/s]"] == Omega]
        for J, ls in ((0.0, "--"), (J_fig, "-")):
            for d in (("ccw",) if Omega == 0 else ("ccw", "cw")):
                g = sub[(sub["J [1/s]"] == J) & (sub["direction"] == d)].sort_values(DC)
                lab = f"{d} drive, {'J = 0' if J == 0 else jtxt}" if Omega else \
                    ("J = 0" if J == 0 else jtxt) + " (either drive)"
                color = COLORS[d] if Omega else ("gray" if J == 0 else "k")
                axes[0, col].plot(g[DC], g[EN], ls=ls, color=color, label=lab)
                axes[1, col].plot(g[DC], g[GD], ls=ls, color=color, label=lab)
                if J:
                    _shade(axes[0, col], g, color, None)
        axes[0, col].set(title=f"({'ab'[col]}) E_N, Ω = {Omega:g} rad/s", ylabel="E_N (ln)")
        axes[1, col].set(title=f"({'cd'[col]}) |G_d|, Ω = {Omega:g} rad/s", ylabel="|G_d| / ω_m",
                         xlabel="Δ_c / ω_m")
        for ax in axes[:, col]:
            ax.legend(fontsize=7)
    fig.suptitle(f"Fig. 3(a–d): backscattering {jtxt} (J not stated in the paper; "
                 "shaded: unstable)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_coupling_map(df: pd.DataFrame, J_fig: float, kappa: float, path: Path) -> None:
    """Fig. 3(e): |G_d| over (Δ_c, Ω), NaN (white) where unstable."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (d, g) in zip(axes, df[df["branch"] == 0].groupby("direction")):
        piv = g.assign(G=g[GD].where(g["stable"])).pivot_table(
            index="Omega [rad/s]", columns=DC, values="G", dropna=False)
        m = ax.pcolormesh(piv.columns, piv.index / 1e3, piv.to_numpy(), shading="auto")
        fig.colorbar(m, ax=ax, label="|G_d| / ω_m")
        ax.set(xlabel="Δ_c / ω_m", ylabel="Ω (1e3 rad/s)", title=f"(e) {d} drive")
    fig.suptitle(f"Fig. 3(e): effective coupling, J = {J_fig / kappa:.2f} κ (white: unstable)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_chi_map(df: pd.DataFrame, path: Path) -> None:
    """Fig. 3(f): revival factor χ(J, Ω) (Eq. 14) for both drive directions."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (d, g) in zip(axes, df.groupby("direction")):
        piv = g.pivot_table(index="Omega [rad/s]", columns="J/kappa", values="chi", dropna=False)
        m = ax.pcolormesh(piv.columns, piv.index / 1e3, piv.to_numpy(), shading="auto",
                          vmin=0, vmax=1)
        ax.contour(piv.columns, piv.index / 1e3, piv.to_numpy(), levels=[0.991], colors="w")
        fig.colorbar(m, ax=ax, label="χ")
        ax.set(xlabel="J / κ", ylabel="Ω (1e3 rad/s)", title=f"(f) χ, {d} drive (white: χ = 0.991)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_claims(claims: pd.DataFrame, path: Path) -> None:
    """The two Fig. 3 claims against J/κ, with the paper's values."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for d in ("ccw", "cw"):
        axes[0].plot(claims["J/kappa"], claims[f"enhancement {d}"], color=COLORS[d], label=d)
        axes[1].plot(claims["J/kappa"], claims[f"chi {d}"], color=COLORS[d], label=d)
    axes[0].axhline(paper.PAPER_ENHANCEMENT, color="gray", ls=":", label="paper: ~2.5×")
    axes[1].axhline(paper.PAPER_CHI, color="gray", ls=":", label="paper: 0.991")
    axes[0].set(xlabel="J / κ", ylabel="max E_N(Ω = 2.3e4) / max E_N(Ω = 0)",
                title="enhancement by rotation")
    axes[1].set(xlabel="J / κ", ylabel="χ at Ω = 2.3e4 rad/s", title="revival factor χ (Eq. 14)")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


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
        default 1.8 lies in the interval where the "≈2.5×" claim holds.
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
        plot_claims(claims, tmp / "fig3_claims.png")
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
(`stable = False`) and shaded or white in the figures, never E_N = 0.

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
