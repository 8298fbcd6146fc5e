"""Gaussian E_N against the laser detuning for both drive directions (the paper's Fig. 2a).

Run: python examples/en_vs_detuning.py [figure.png]
"""
import sys

import numpy as np

from omxval import linear

setup = linear.PaperSetup()  # the paper's device in SI units (docs/conventions.md §1)
# One row per detuning, drive and mean-field branch: Ω = 8e3 rad/s, P = 20 mW, J = 0.
df = linear.paper_sweep(setup, ["ccw", "cw"], Delta_c=np.linspace(-1.0, 2.5, 3501), Omega=8e3)
df = df[df["branch"] == 0]  # a single mean-field branch at 20 mW

for direction, curve in df.groupby("direction"):
    stable = curve[curve["stable"]]  # E_N is NaN where there is no steady state
    best = stable.loc[stable["E_N gaussian"].idxmax()]
    print(f"{direction} drive: max E_N = {best['E_N gaussian']:.4f} at Delta_c = "
          f"{best['Delta_c [omega_m]']:.3f} omega_m (stable from Delta_c = "
          f"{stable['Delta_c [omega_m]'].min():.3f})")

# One operating point in full: stability, E_N, photon numbers by mode.
r = linear.analyze(setup.system(Delta_c=0.3, Omega=8e3, J=0.0, power=0.02), "ccw")
print(r)
print(f"photons: ccw {r.photons.ccw:.4g}, cw {r.photons.cw:.4g}")

if len(sys.argv) > 1:  # optional figure
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for direction, curve in df.groupby("direction"):
        ax.plot(curve["Delta_c [omega_m]"], curve["E_N gaussian"], label=f"{direction} drive")
    ax.set(xlabel="Δ_c / ω_m", ylabel="E_N")
    ax.legend()
    fig.savefig(sys.argv[1], dpi=100, bbox_inches="tight")
    print(f"figure: {sys.argv[1]}")
