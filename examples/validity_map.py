"""A tiny validity map: where does the Gaussian E_N hold? (2 × 2 points, a few seconds)

Run: python examples/validity_map.py [OUT]   (the map is written to OUT, default
validity_map_example/; a rerun resumes or replaces it)
"""
import sys
from pathlib import Path

from omxval import compare

# Two design keys on the axes (docs/conventions.md §5, units of ω_m); every other key keeps
# the reference point's value. At each point the nonlinear Fock model runs at cutoffs
# converged for that point and is judged against the Gaussian (Lyapunov) E_N.
spec = compare.MapSpec(x="G0", x_values=[0.02, 0.2], y="detuning", y_values=[0.9, 1.1])

out = Path(sys.argv[1] if len(sys.argv) > 1 else "validity_map_example")
# Writes map.csv, map.png, index.md and points.jsonl; a rerun would resume.
report = compare.write_map_report(out, spec, engine="serial")
print(report)  # MapReport(G0 × detuning, 4 of 4 points: ...)
print("files:", ", ".join(sorted(p.name for p in report.path.iterdir())))

table = report.to_dataframe()
print(table[["G0", "detuning", "status", "E_N linear", "E_N exact", "rel dE_N",
             "truncation dE_N", "N_ccw", "N_cw", "N_m"]].to_string(index=False))
# The verdict per row of the map: the x values where the Gaussian E_N holds to 1 % / 10 %.
print(report.verdict()["ranges"].to_string(index=False))
