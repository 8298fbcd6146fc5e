"""Your own system: from a model file to a validity verdict (a few seconds a point).

Run: python examples/your_own_system.py MODEL.toml OUT [--s S ...] [--set PATH=VALUE ...]
e.g. python examples/your_own_system.py examples/models/vitali2007.toml vitali --s 100 5600
"""
import argparse

from omxval import Model, compare, linear

ap = argparse.ArgumentParser()
ap.add_argument("model")
ap.add_argument("out")
ap.add_argument("--s", type=float, nargs="+", default=[100.0, 5600.0])
ap.add_argument("--set", nargs="*", default=[], metavar="PATH=VALUE")
args = ap.parse_args()

model = Model.from_toml(args.model)  # bad files: an InputError naming the table and key
model = model.with_parameters({k: float(v) for k, v in (kv.split("=") for kv in args.set)})
print(model.name, "| modes", ", ".join(model.mode_names))
r = linear.analyze(model)  # the Gaussian framework at s = 1 (branch 0)
print("Gaussian E_N:", ", ".join(f"{a}-{b} {e:.4f}" for (a, b), e in r.log_negativities.items()))

# The ladder (docs/models.md M7): model.scaled(s) keeps the Gaussian model and multiplies the
# neglected −g0·δa†δa·δq by s. Each point: cutoffs converged there, the linearized Fock model
# against Lyapunov (truncation) and the nonlinear one against it (approximation).
y = model.parameter_names()[0]  # a one-value second axis: the model's own first parameter
spec = compare.ModelMapSpec(model, x="s", x_values=args.s, y=y,
                            y_values=[model.parameter(y)], source=args.model)
report = compare.write_map_report(args.out, spec, engine="serial")
print(report)
cols = ["s", "status", "worst pair", "E_N linear", "E_N exact", "rel dE_N", "truncation dE_N"]
print(report.to_dataframe()[cols].to_string(index=False))
print(report.verdict()["ranges"].to_string(index=False))
