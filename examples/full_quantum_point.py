"""One design point in full quantum: Gaussian vs exact E_N, with the truncation check.

Run: python examples/full_quantum_point.py
"""
from omxval import compare, linear

# The reference point of docs/conventions.md §5 (units of ω_m): effective detuning 0.9,
# driven-mode coupling |G_d| = 0.25, single-photon coupling G0 = 0.05.
point = linear.design_point(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05,
                            detuning=0.9, coupling=0.25, direction="ccw", bath="brownian")

# The nonlinear Fock model (exact up to truncation) at cutoffs raised until one more level
# changes nothing, and the linearized Fock model at the same cutoffs: the truncation
# control, which must reproduce the Lyapunov solution.
c = compare.compare_point(point)
print(c)  # PointComparison(agree: ...)

en = c.linear.log_negativity_gaussian
s, control = c.steady, c.control
print(f"E_N Gaussian (Lyapunov)     {en:.6f}")
print(f"E_N exact, nonlinear model  {s.log_negativity_exact:.6f}  "
      f"approximation error {s.log_negativity_exact - en:+.1e}")
print(f"E_N exact, linearized Fock  {control.log_negativity_exact:.6f}  "
      f"truncation error    {control.log_negativity_exact - en:+.1e}")
print(f"cutoffs {s.cutoffs}; top Fock populations {max(s.top_populations):.1e}; "
      f"photons ccw {s.photons.ccw:.3f}, cw {s.photons.cw:.3f}")
# δ cannot be negative: a negative raw value (truncation error) is shown as 0 and flagged.
for name, state in (("nonlinear", s), ("linearized Fock", control)):
    print(f"non-Gaussianity, {name}: {state.non_gaussianity:.2e} nats (raw "
          f"{state.non_gaussianity_raw:+.2e}, below floor: {state.non_gaussianity_below_floor})")

# Every number side by side (a DataFrame; in a notebook `c` shows it as a table).
print(c.to_dataframe().head(4).to_string(index=False))
