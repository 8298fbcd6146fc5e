"""omxval.Model and the Gaussian framework for any model, against independent truths."""

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
from scipy.optimize import brentq

from omxval import Model, linear, presets
from omxval.errors import InputError
from omxval.compare.app.cli import main
from omxval.linear import Cavity, Hopping, Mechanical, ModelPoint, RadiationPressure

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "models"
REF = dict(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05)


def _ref_point(direction="ccw", bath="brownian"):
    return linear.design_point(**REF, detuning=0.9, coupling=0.25, direction=direction,
                               bath=bath)


# --- the spinning-resonator preset equals today's numbers ------------------------------
@pytest.mark.parametrize("direction", ["ccw", "cw"])
@pytest.mark.parametrize("bath", ["brownian", "lindblad"])
def test_preset_equals_spinning_resonator_at_design_point(direction, bath):
    pt = _ref_point(direction, bath)
    r = linear.analyze(pt)
    m = linear.analyze(presets.spinning_resonator(pt), branch=pt.branch)
    np.testing.assert_allclose(m.V, r.V, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.A, r.A, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.D, r.D, rtol=0, atol=1e-15)
    assert m.log_negativity(direction, "m") == pytest.approx(r.log_negativity_gaussian, abs=1e-12)
    assert m.log_negativity("m", direction) == m.log_negativity(direction, "m")
    assert m.photons[direction] == pytest.approx(r.photons[direction], rel=1e-12)


@pytest.mark.parametrize("direction", ["ccw", "cw"])
def test_preset_sweep_equals_paper_sweep_every_branch(direction):
    """The paper's device at 50 mW (three branches over part of the range): every branch,
    its stability and E_N, from the model sweep against linear.sweep."""
    setup = linear.PaperSetup()
    s = setup.system(Delta_c=0.0, Omega=8e3, J=0.0, power=0.05)
    grid = np.linspace(-0.5, 2.5, 301)
    today = linear.sweep(s, direction, Delta_c=grid)
    model = presets.spinning_resonator(s, direction)
    mine = linear.sweep(model, {"modes.ccw.detuning": grid + s.Delta_F,
                                "modes.cw.detuning": grid - s.Delta_F}, grid=False)
    assert today["n_branches"].max() == 3  # the test covers multistability
    assert len(mine) == len(today)
    np.testing.assert_array_equal(mine["n_branches"], today["n_branches"])
    np.testing.assert_array_equal(mine["branch"], today["branch"])
    np.testing.assert_array_equal(mine["stable"], today["stable"])
    np.testing.assert_allclose(mine[f"E_N gaussian {direction}-m"], today["E_N gaussian"],
                               rtol=1e-9, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(mine["photons ccw"], today["photons ccw"], rtol=1e-9)


def test_design_model_reproduces_design_point():
    pt = _ref_point()
    effective = presets.spinning_resonator(pt).with_parameters(
        {"modes.ccw.detuning": 0.9 + 0.1, "modes.cw.detuning": 0.9 - 0.1})
    dp = linear.design_model(effective, coupling=0.25)
    assert dp.branch == pt.branch
    np.testing.assert_allclose(linear.analyze(dp).V, linear.analyze(pt).V, atol=1e-12)
    assert dp.model.mode("ccw").drive == pytest.approx(pt.system.eps, rel=1e-12)


# --- model files ------------------------------------------------------------------------
HAND_TOML = """
name = "by hand"
unit = "mechanical frequency"
[modes.ccw]
kind = "cavity"
detuning = 1.1
kappa = 0.2
drive = 3.5
[modes.cw]
kind = "cavity"
detuning = 0.9
kappa = 0.2
[modes.m]
kind = "mechanical"
frequency = 1.0
gamma = 5e-3
thermal = 0.2
bath = "brownian"
[[couplings]]
kind = "radiation-pressure"
cavity = "ccw"
mechanical = "m"
g0 = 0.05
[[couplings]]
kind = "radiation-pressure"
cavity = "cw"
mechanical = "m"
g0 = 0.05
[[couplings]]
kind = "hopping"
modes = ["ccw", "cw"]
J = 0.1
"""


def test_hand_written_toml_equals_preset(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(HAND_TOML)
    hand = Model.from_toml(path)
    system = linear.System(kappa=0.2, J=0.1, Delta_c=1.0, Delta_F=0.1, gamma_m=5e-3,
                           n_m=0.2, G0=0.05, eps=3.5)
    preset = presets.spinning_resonator(system, "ccw")
    assert hand.modes == preset.modes and hand.couplings == preset.couplings
    np.testing.assert_allclose(linear.analyze(hand).V, linear.analyze(system, "ccw").V,
                               atol=1e-12)


@pytest.mark.parametrize("name", ["spinning_resonator", "vitali2007", "electro_optomechanics"])
def test_to_toml_loads_back_equal_and_examples_are_the_presets(tmp_path, name):
    if name == "spinning_resonator":
        model = presets.spinning_resonator(_ref_point())
    else:
        model = getattr(presets, name)()
    path = tmp_path / "m.toml"
    path.write_text(model.to_toml())
    assert Model.from_toml(path) == model
    assert Model.from_dict(model.to_dict()) == model
    assert Model.from_toml(EXAMPLES / f"{name}.toml") == model


# --- analytic truths ------------------------------------------------------------------
def test_single_thermal_cavity_is_thermal_state():
    m = Model([Cavity("a", detuning=0.7, kappa=0.3, thermal=2.5)])
    r = linear.analyze(m)
    assert r.stable and m.pairs == ()
    np.testing.assert_allclose(r.V, (2.5 + 0.5) * np.eye(2), atol=1e-13)


def test_thermal_mechanics_both_baths():
    for bath in ("brownian", "lindblad"):
        r = linear.analyze(Model([Mechanical("b", 1.3, 0.01, 4.0, bath)]))
        # Brownian: V = diag(n + 1/2, n + 1/2) exactly at ω ≠ 0 (its q–p noise asymmetry
        # averages out: V_qq = V_pp = γ(2n+1)/(2γ)); Lindblad: thermal state.
        np.testing.assert_allclose(r.V, 4.5 * np.eye(2), rtol=1e-12, atol=1e-14)


def test_zero_g0_is_a_product_state():
    m = presets.electro_optomechanics().with_parameters(
        {"couplings.0.g0": 0.0, "couplings.1.g0": 0.0})
    r = linear.analyze(m)
    assert r.stable  # each mode damped by its own bath
    assert all(v == 0.0 for v in r.log_negativities.values())
    off = r.V.copy()
    for k in range(3):
        off[2 * k:2 * k + 2, 2 * k:2 * k + 2] = 0
    assert np.all(off == 0)


@pytest.mark.parametrize("J", [0.05, 0.3, 1.7])
def test_beam_splitter_closed_form(J):
    """Two undriven cavities, equal κ, resonant, thermal n1 and n2, hopping J: populations
    N1 − N2 = (n1 − n2) κ²/(κ² + J²), N1 + N2 = n1 + n2, ⟨a1†a2⟩ = i J (N2 − N1)/(2κ)."""
    kappa, n1, n2 = 0.4, 3.0, 0.5
    m = Model([Cavity("a", 0.0, kappa, thermal=n1), Cavity("c", 0.0, kappa, thermal=n2)],
              [Hopping(("a", "c"), J)])
    r = linear.analyze(m)
    diff = (n1 - n2) * kappa**2 / (kappa**2 + J**2)
    N1, N2 = (n1 + n2 + diff) / 2, (n1 + n2 - diff) / 2
    c = J * (N2 - N1) / (2 * kappa)
    expected = np.array([[N1 + .5, 0, 0, c], [0, N1 + .5, -c, 0],
                         [0, -c, N2 + .5, 0], [c, 0, 0, N2 + .5]])
    np.testing.assert_allclose(r.V, expected, atol=1e-12)
    assert r.log_negativity("a", "c") == 0.0  # a passive beam splitter never entangles


def test_lyapunov_residual_and_physicality_on_every_preset():
    for model in (presets.vitali2007(), presets.electro_optomechanics(),
                  _four_mode_model()):
        for r in linear.modelgauss.analyze_branches(model):
            if r.stable:
                assert np.max(np.abs(r.A @ r.V + r.V @ r.A.T + r.D)) < 1e-9 * np.max(np.abs(r.V))
                assert linear.is_physical(r.V)


# --- every branch: polynomial roots against brute-force bracketing ----------------------
def _h(model, q):
    """q − χ Σ_c g0_c |α_c(q)|² for one mechanical mode (Brownian χ = 1/ω, Lindblad
    ω/(ω² + γ²/4)), with α from a direct linear solve: an independent self-consistency."""
    cav = model.cavities
    mech = model.mechanical_modes[0]
    g = {c.name: 0.0 for c in cav}
    for c in model.couplings:
        if c.kind == "radiation-pressure":
            g[c.cavity] += c.g0
    M = np.diag([c.kappa + 1j * (c.detuning - g[c.name] * q) for c in cav]).astype(complex)
    names = [c.name for c in cav]
    for c in model.couplings:
        if c.kind == "hopping":
            i, j = names.index(c.modes[0]), names.index(c.modes[1])
            M[i, j] += 1j * c.J
            M[j, i] += 1j * c.J
    a = np.linalg.solve(M, np.array([c.drive for c in cav], complex))
    w, gm = mech.frequency, mech.gamma
    chi = 1 / w if mech.bath == "brownian" else w / (w**2 + gm**2 / 4)
    return q - chi * sum(g[n] * abs(a[k]) ** 2 for k, n in enumerate(names))


def _random_model(rng):
    nc = int(rng.integers(1, 4))
    cav = [Cavity(f"c{k}", float(rng.uniform(-1, 3)), float(rng.uniform(0.05, 0.5)),
                  float(rng.uniform(0, 3)) if k == 0 or rng.random() < 0.5 else 0.0)
           for k in range(nc)]
    mech = Mechanical("m", float(rng.uniform(0.5, 2)), float(rng.uniform(1e-3, 0.1)),
                      0.0, str(rng.choice(["brownian", "lindblad"])))
    couplings = [RadiationPressure(c.name, "m", float(rng.uniform(0.02, 0.3)))
                 for c in cav if rng.random() < 0.8] or [RadiationPressure("c0", "m", 0.1)]
    couplings += [Hopping((cav[i].name, cav[i + 1].name), float(rng.uniform(0, 0.5)))
                  for i in range(nc - 1)]
    return Model(cav + [mech], couplings)


def test_branches_match_brute_force_bracketing():
    rng = np.random.default_rng(7)
    multistable = 0
    for _ in range(40):
        model = _random_model(rng)
        found = sorted(s.positions["m"][0] for s in linear.steady_states(model))
        assert all(s.complete for s in linear.steady_states(model))
        kmin = min(c.kappa for c in model.cavities)
        top = 2 * sum(c.g0 for c in model.couplings if c.kind == "radiation-pressure") * \
            sum(c.drive for c in model.cavities) ** 2 / kmin**2 / min(
                model.mechanical_modes[0].frequency, 1.0) + 1.0
        q = np.linspace(-1e-9, top, 200001)
        h = np.array([_h(model, x) for x in q[::50]])  # coarse first: cheap
        q = q[::50]
        roots = [brentq(lambda x: _h(model, x), q[i], q[i + 1], xtol=1e-14)
                 for i in np.nonzero(np.sign(h[:-1]) != np.sign(h[1:]))[0]]
        assert len(found) >= len(roots)
        for x in roots:
            assert min(abs(np.array(found) - x)) < 1e-7 * (1 + abs(x))
        for x in found:  # every branch is a root of the independent self-consistency
            assert abs(_h(model, x)) < 1e-8 * (1 + abs(x))
        multistable += len(found) > 1
    assert multistable >= 3  # the random set exercises several branches


# --- symmetries -------------------------------------------------------------------------
def test_reordering_modes_permutes_V_and_keeps_every_E_N():
    m = presets.electro_optomechanics()
    rev = Model(tuple(reversed(m.modes)), m.couplings, m.name, m.unit)
    a, b = linear.analyze(m), linear.analyze(rev)
    for (x, y), en in a.log_negativities.items():
        assert b.log_negativity(x, y) == pytest.approx(en, abs=1e-12)
    perm = [4, 5, 2, 3, 0, 1]
    np.testing.assert_allclose(b.V, a.V[np.ix_(perm, perm)], atol=1e-9 * np.abs(a.V).max())
    assert max(a.log_negativities.values()) > 0.1  # something to be invariant


@pytest.mark.parametrize("s", [1e-3, 0.1, 7.0, 250.0])
def test_the_ladder_leaves_the_gaussian_model_unchanged(s):
    for model in (presets.spinning_resonator(_ref_point()), presets.electro_optomechanics(),
                  presets.vitali2007()):
        a, b = linear.analyze(model), linear.analyze(model.scaled(s))
        assert b.point.n_branches == a.point.n_branches
        np.testing.assert_allclose(b.V, a.V, rtol=1e-12, atol=0)
        assert model.scaled(1.0) == model


# --- several mechanical modes -----------------------------------------------------------
def _four_mode_model():
    return Model([Cavity("a", 1.0, 0.2, 2.0), Cavity("c", 0.8, 0.3, 1.0),
                  Mechanical("b1", 1.0, 0.01, 0.5), Mechanical("b2", 1.3, 0.02, 0.5, "lindblad")],
                 [RadiationPressure("a", "b1", 0.04), RadiationPressure("c", "b2", 0.05),
                  RadiationPressure("a", "b2", 0.01), Hopping(("a", "c"), 0.1),
                  Hopping(("b1", "b2"), 0.05)], name="two cavities, two mirrors")


def test_several_mechanical_modes_newton_branches_are_self_consistent():
    m = _four_mode_model()
    states = linear.steady_states(m)
    assert states and not states[0].complete
    G = np.zeros((2, 2))
    G[0, 0], G[1, 1], G[0, 1] = 0.04, 0.05, 0.01
    for s in states:
        q = np.array([s.positions["b1"][0], s.positions["b2"][0]])
        np.testing.assert_allclose([s.shifts["a"], s.shifts["c"]], G @ q, rtol=1e-9)
        # mechanics: stationary means of q̇, ṗ with the radiation-pressure force (Eq. M4)
        F = G.T @ np.array([s.photons["a"], s.photons["c"]])
        (q1, p1), (q2, p2) = s.positions["b1"], s.positions["b2"]
        np.testing.assert_allclose([1.0 * p1 + 0.05 * p2, -1.0 * q1 - 0.05 * q2 - 0.01 * p1 + F[0],
                                    1.3 * p2 + 0.05 * p1 - 0.01 * q2,
                                    -1.3 * q2 - 0.05 * q1 - 0.01 * p2 + F[1]],
                                   0, atol=1e-9 * (1 + np.abs(F).max()))


def test_drift_is_the_hamiltonian_one_for_four_modes():
    """A − (damping) = Ω·H_quadratic for the linearised Hamiltonian, built here by hand
    from Eq. M1 (its Hessian in the quadratures): u̇ = Ω ∂H/∂u."""
    m = _four_mode_model()
    r = linear.analyze(m)
    mf = r.mean_field
    H = np.zeros((8, 8))
    Dt = {k: m.mode(k).detuning - mf.shifts[k] for k in ("a", "c")}
    for k, name in enumerate(["a", "c"]):
        H[2 * k, 2 * k] = H[2 * k + 1, 2 * k + 1] = Dt[name]
    H[0, 2] = H[2, 0] = H[1, 3] = H[3, 1] = 0.1  # J (x x' + y y')
    H[4, 4] = H[5, 5] = 1.0
    H[6, 6] = H[7, 7] = 1.3
    H[4, 6] = H[6, 4] = H[5, 7] = H[7, 5] = 0.05
    for cav, k, mech, km, g0 in (("a", 0, "b1", 2, 0.04), ("c", 1, "b2", 3, 0.05),
                                 ("a", 0, "b2", 3, 0.01)):
        G = np.sqrt(2) * g0 * mf.amplitudes[cav]
        # −g0 δ(a†a) δq = −(Re G x + Im G y) q
        H[2 * k, 2 * km] = H[2 * km, 2 * k] = -G.real
        H[2 * k + 1, 2 * km] = H[2 * km, 2 * k + 1] = -G.imag
    Om = linear.symplectic_form(4)
    damping = np.diag([-0.2, -0.2, -0.3, -0.3, 0, -0.01, -0.01, -0.01])
    np.testing.assert_allclose(r.A, Om @ H + damping, atol=1e-12)
    assert r.stable


# --- sweeps -----------------------------------------------------------------------------
def test_sweep_rows_equal_single_point_analysis():
    m = presets.electro_optomechanics()
    df = linear.sweep(m, {"modes.o.detuning": [-0.2, -0.18], "couplings.1.g0": [1e-6, 1.1e-6]})
    assert set(df["modes.o.detuning"]) == {-0.2, -0.18}
    row = df[(df["modes.o.detuning"] == -0.2) & (df["couplings.1.g0"] == 1.1e-6)
             & (df["branch"] == 0)].iloc[0]
    r = linear.analyze(m.with_parameters({"modes.o.detuning": -0.2, "couplings.1.g0": 1.1e-6}))
    assert row["stable"] and r.stable
    assert row["E_N gaussian o-w"] == pytest.approx(r.log_negativity("o", "w"), rel=1e-10)


def test_sweep_and_parameters_refuse_bad_paths_and_values():
    m = presets.vitali2007()
    with pytest.raises(InputError, match="modes.a.kapa"):
        linear.sweep(m, {"modes.a.kapa": [1.0]})
    with pytest.raises(InputError, match=r"modes.a.kappa.*\(0, "):
        linear.sweep(m, {"modes.a.kappa": [0.1, -1.0]})
    with pytest.raises(InputError, match="couplings.3"):
        m.parameter("couplings.3.g0")
    with pytest.raises(InputError, match="s must lie"):
        m.scaled(0.0)


# --- bad models: one clear line, exit 2 ---------------------------------------------------
BAD = {
    "unknown key": ('[modes.a]\nkind = "cavity"\ndetuning = 1\nkappa = 0.1\nkapa = 1\n',
                    "modes.a (cavity): unknown key 'kapa'"),
    "missing key": ('[modes.a]\nkind = "cavity"\ndetuning = 1\n',
                    "modes.a (cavity): missing key 'kappa'"),
    "bad kind": ('[modes.a]\nkind = "laser"\n', "modes.a.kind must be one of"),
    "bad range": ('[modes.b]\nkind = "mechanical"\nfrequency = 0\ngamma = 1\n',
                  "modes.b.frequency must lie in (0"),
    "absent mode": ('[modes.a]\nkind = "cavity"\ndetuning = 1\nkappa = 0.1\n'
                    '[[couplings]]\nkind = "radiation-pressure"\ncavity = "a"\n'
                    'mechanical = "b"\ng0 = 0.1\n', "mechanical 'b' is not a mode"),
    "two cavities": ('[modes.a]\nkind = "cavity"\ndetuning = 1\nkappa = 0.1\n'
                     '[modes.c]\nkind = "cavity"\ndetuning = 1\nkappa = 0.1\n'
                     '[[couplings]]\nkind = "radiation-pressure"\ncavity = "a"\n'
                     'mechanical = "c"\ng0 = 0.1\n', "needs cavity = a cavity mode and "
                                                     "mechanical = a mechanical mode"),
    "frames": ('[modes.a]\nkind = "cavity"\ndetuning = 1\nkappa = 0.1\nframe = "x"\n'
               '[modes.c]\nkind = "cavity"\ndetuning = 1\nkappa = 0.1\nframe = "y"\n'
               '[[couplings]]\nkind = "hopping"\nmodes = ["a", "c"]\nJ = 0.1\n',
               "different drive frames"),
    "not toml": ("[modes.a\n", "not a TOML file"),
    "no modes": ("name = 'x'\n", "model: missing key 'modes'"),
    "bool": ('[modes.a]\nkind = "cavity"\ndetuning = true\nkappa = 0.1\n',
             "modes.a.detuning must be a real number"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_model_file_is_one_line_and_exit_2(tmp_path, case):
    text, message = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["model", str(path)])
    assert code == 2
    assert out.getvalue() == ""
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and str(path) in lines[0]


def test_missing_model_file_is_exit_2(tmp_path):
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        assert main(["model", str(tmp_path / "nope.toml")]) == 2
    assert "cannot read the model file" in err.getvalue()


@pytest.mark.parametrize("name", ["spinning_resonator", "vitali2007", "electro_optomechanics",
                                  "two_cavities_two_mirrors"])
def test_omxval_model_runs_on_every_shipped_file(name):
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["model", str(EXAMPLES / f"{name}.toml")]) == 0
    text = out.getvalue()
    model = Model.from_toml(EXAMPLES / f"{name}.toml")
    results = linear.modelgauss.analyze_branches(model)
    for r in results:
        assert f"branch {r.branch}: {'stable' if r.stable else 'UNSTABLE'}" in text
        if r.stable:
            for (a, b), en in r.log_negativities.items():
                assert f"E_N({a}, {b}) = {en:.6f}" in text
    assert any(r.stable for r in results)


def test_model_point_refuses_bad_branch_and_model_api_errors():
    m = presets.vitali2007()
    with pytest.raises(InputError, match=r"branch must be in \[0, 2\]"):
        ModelPoint(m, 3)
    with pytest.raises(InputError, match="no pair"):
        linear.analyze(m).log_negativity("a", "a")
    with pytest.raises(InputError, match="direction"):
        linear.analyze(m, "ccw")
    with pytest.raises(InputError, match="used twice"):
        Model([Cavity("a", 1, 1), Mechanical("a", 1, 1)])
    with pytest.raises(InputError, match="itself"):
        Model([Cavity("a", 1, 1)], [Hopping(("a", "a"), 1.0)])


def test_batched_lyapunov_matches_scipy_on_four_modes():
    m = _four_mode_model()
    df = linear.sweep(m, {"modes.a.detuning": np.linspace(0.5, 1.5, 7)})
    for _, row in df[df["stable"]].iterrows():
        r = linear.analyze(m.with_parameters({"modes.a.detuning": row["modes.a.detuning"]}),
                           branch=int(row["branch"]))
        V = scipy.linalg.solve_continuous_lyapunov(r.A, -r.D)
        np.testing.assert_allclose(r.V, V, atol=1e-10 * np.abs(V).max())
        assert row["E_N gaussian a-b1"] == pytest.approx(r.log_negativity("a", "b1"), abs=1e-12)


def test_preset_numbers_stated_in_docs():
    """docs/models.md §5: the two cavities of the electro-optomechanical preset are entangled
    (E_N ≈ 0.12); Vitali's stable branch reaches E_N ≈ 0.30 at the edge of bistability."""
    r = linear.analyze(presets.electro_optomechanics())
    assert r.stable and r.log_negativity("o", "w") == pytest.approx(0.121, abs=0.001)
    assert r.log_negativity("w", "m") == 0.0  # the red-sideband swap alone entangles nothing
    df = linear.sweep(presets.vitali2007(), {"modes.a.detuning": np.linspace(2.0, 3.0, 101)})
    best = df[df["stable"]].sort_values("E_N gaussian a-b").iloc[-1]
    assert best["E_N gaussian a-b"] == pytest.approx(0.30, abs=0.01)
    assert best["modes.a.detuning"] == pytest.approx(2.26, abs=0.02)
    assert best["n_branches"] == 3
