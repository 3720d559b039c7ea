"""CableCells: charge conservation, convergence against the analytic cable, sites, mixing with
point neurons through projections."""
import numpy as np
import pytest

import plastisim as ps
from plastisim.analysis.cable import sealed_cable
from plastisim.morphology import Morphology

MEMBRANE = dict(Cm=0.01, Rm=4.0, Ra=1.0, E_m=-65e-3)


def branched_tapered():
    """Soma, a tapered dendrite that branches into three children of different radii, one of
    which branches again; radii jump between segments; region changes soma -> dend."""
    parent = [-1, 0, 1, 2, 2, 2, 5, 6, 6]
    length = np.array([12, 20, 25, 40, 30, 15, 10, 25, 35]) * 1e-6
    r0 = np.array([6, 2, 1.5, 0.8, 1.0, 1.2, 0.6, 0.5, 0.4]) * 1e-6
    r1 = np.array([6, 1.6, 1.0, 0.5, 0.7, 0.9, 0.6, 0.3, 0.2]) * 1e-6
    region = ["soma"] + ["dend"] * 8
    morph = Morphology.from_segments(parent, length, r0, r1, region=region)
    morph.add_location("soma", 0, 0.5)
    return morph


@pytest.mark.parametrize("scheme", ["backward-euler", "crank-nicolson", "exact"])
def test_charge_conserved_without_leak(scheme):
    morph = branched_tapered()
    comp = morph.discretise(dx=3.7e-6)
    assert comp.junction.sum() == 2
    rng = np.random.default_rng(1)
    v0 = -65e-3 + 20e-3 * rng.standard_normal(comp.n)
    net = ps.Network(dt=25e-6)
    cell = net.add(ps.CableCells(comp, 1, Cm={"soma": 0.01, "dend": 0.02}, Rm=np.inf,
                                 Ra={"soma": 0.7, "dend": 1.5}, V_init=v0, scheme=scheme))
    q0 = cell.charge()[0]
    sim = ps.Simulator(net)
    sim.run(2e-3)
    assert abs(cell.charge()[0] - q0) <= 1e-9 * abs(q0)
    sim.run(0.2)  # relaxes to the uniform potential with the same charge
    v = cell.state["V"][~comp.junction]
    v_uniform = q0 / cell.cap.sum()
    assert abs(cell.charge()[0] - q0) <= 1e-9 * abs(q0)
    if scheme != "crank-nicolson":
        np.testing.assert_allclose(v, v_uniform, atol=1e-9)
    else:  # Crank-Nicolson damps the stiff modes of small compartments slowly (|factor| -> 1)
        assert np.max(np.abs(v - v_uniform)) < 1e-4 * np.max(np.abs(v0 - v_uniform))
    # injected current: Q(t) = Q0 + I t exactly (no leak), wherever it enters
    cell.inject("soma", 0.2e-9)
    before = cell.charge()[0]
    sim.run(0.01)
    assert cell.charge()[0] - before == pytest.approx(0.2e-9 * 0.01, rel=1e-9)


def cable_run(n, dt, scheme, duration=0.05):
    L, d = 1e-3, 1e-6
    net = ps.Network(dt=dt)
    cell = net.add(ps.CableCells(Morphology.cable(L, d), 1, n_per_branch=n, scheme=scheme, **MEMBRANE))
    cell.inject("x0", 0.1e-9)
    mon = net.record(cell, "V", [cell.node("x0"), cell.node("x1")])
    ps.Simulator(net).run(duration)
    t = (np.arange(len(mon.t)) + 1) * dt
    exact = sealed_cable(cell.compartments.distance[[0, -1]], t, L, d, 0.1e-9, 4.0, 1.0, 0.01, -65e-3)
    return np.sqrt(np.mean((mon.data - exact) ** 2, axis=0))


def test_analytic_series_limits():
    L, d = 1e-3, 1e-6
    v = sealed_cable([0.0, L / 2, L], [0.0, 10.0], L, d, 0.1e-9, 4.0, 1.0, 0.01, -65e-3)
    np.testing.assert_allclose(v[0], -65e-3, atol=1e-12)  # at rest at t = 0
    r_a, lam = 4 / (np.pi * d * d), 1e-3
    steady = -65e-3 + 0.1e-9 * r_a * lam * np.cosh((L - np.array([0, L / 2, L])) / lam) / np.sinh(1.0)
    np.testing.assert_allclose(v[1], steady, rtol=1e-12)
    # total membrane charge grows as the injected minus the leaked charge: dQ/dt at t -> 0 = I0
    t = np.array([1e-7, 2e-7])
    x = np.linspace(0, L, 20001)
    q = np.trapezoid(sealed_cable(x, t, L, d, 0.1e-9, 4.0, 1.0, 0.01, 0.0), x, axis=1) * 0.01 * np.pi * d
    assert (q[1] - q[0]) / 1e-7 == pytest.approx(0.1e-9, rel=1e-2)


def test_second_order_in_compartment_length():
    # Crank-Nicolson with a small step: spatial error dominates; far end (smooth) node
    errors = [cable_run(n, 5e-6, "crank-nicolson", 0.03)[1] for n in (20, 40, 80)]
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((ratios > 3.5) & (ratios < 4.5)), (errors, ratios)


def test_first_order_in_dt_for_backward_euler():
    errors = [cable_run(100, dt, "backward-euler")[1] for dt in (200e-6, 100e-6, 50e-6)]
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((ratios > 1.7) & (ratios < 2.3)), (errors, ratios)
    cn = cable_run(100, 100e-6, "crank-nicolson")[1]
    assert cn < errors[1] / 5  # Crank-Nicolson much more accurate at the same step


def test_cells_are_independent_in_flat_arrays():
    morph = Morphology.tree(4, 20e-6, 4e-6)
    net = ps.Network(dt=50e-6)
    cells = net.add(ps.CableCells(morph, 3, n_per_branch=2, **MEMBRANE))
    cells.inject("tip", 0.05e-9, cells=[1])
    ps.Simulator(net).run(0.01)
    single_net = ps.Network(dt=50e-6)
    single = single_net.add(ps.CableCells(morph, 1, n_per_branch=2, **MEMBRANE)).inject("tip", 0.05e-9)
    ps.Simulator(single_net).run(0.01)
    V = cells.per_cell(cells.state["V"])
    np.testing.assert_array_equal(V[1], single.state["V"])
    np.testing.assert_allclose(V[[0, 2]], -65e-3, atol=1e-15)


def test_interleaved_layout_indices():
    """Node k of cell c is the global node k * n + c; sites, per_cell and painted mechanism
    nodes agree with it."""
    morph = branched_tapered()
    cells = ps.CableCells(morph, 4, n_per_branch=2, mechanisms=[("dend", ps.HH())], **MEMBRANE)
    comp, n = cells.compartments, cells.n
    soma = comp.node("soma")
    np.testing.assert_array_equal(cells.node("soma", slice(None)), soma * n + np.arange(n))
    marker = np.arange(cells.n_nodes, dtype=float)
    np.testing.assert_array_equal(cells.per_cell(marker)[2], np.arange(comp.n) * n + 2)
    np.testing.assert_array_equal(cells.per_cell(cells.domain.area)[3], comp.area)
    local = np.flatnonzero(comp.region_mask("dend") & ~comp.junction)
    np.testing.assert_array_equal(cells.mechanisms[0][1], (local[:, None] * n + np.arange(n)).reshape(-1))
    parent = cells.parent
    np.testing.assert_array_equal(parent[parent >= 0] % n, np.flatnonzero(parent >= 0) % n)


def test_cells_with_and_without_active_mechanisms_match_single_cells_bitwise():
    """Cells whose mechanisms add a conductance in a step are solved in full, the others
    through the factorised matrix, or all cells in full when many are active: every cell gives
    the same voltages to the last bit as when it is simulated alone."""
    morph = branched_tapered()
    currents = np.linspace(0.0, 0.4e-9, 10)
    mech = lambda: [("all", ps.ThresholdReset(V_th=-55e-3, V_reset=-70e-3, t_ref=1e-3))]

    def run(n, I):
        net = ps.Network(dt=50e-6)
        cells = net.add(ps.CableCells(morph, n, dx=10e-6, mechanisms=mech(), **MEMBRANE))
        cells.state["I_inj"][cells.node("soma", slice(None))] = I
        mon = net.record(cells, "ThresholdReset_refr", np.arange(len(cells.state["ThresholdReset_refr"])))
        ps.Simulator(net).run(0.03)
        return cells, mon

    cells, mon = run(len(currents), currents)
    refractory = mon.data.reshape(len(mon.data), -1, cells.n) > 0.5  # (steps, instances, cells)
    active = refractory.any(axis=1).sum(axis=1)
    assert np.any((active > 0) & (active < 0.25 * len(currents))) and np.any(active >= 0.25 * len(currents))
    for c in (0, 3, 9):
        single, _ = run(1, currents[c])
        np.testing.assert_array_equal(cells.per_cell(cells.state["V"])[c], single.state["V"])


def test_site_mechanisms_and_cell_reset_match_single_cells_bitwise():
    """With mechanisms only at one site and a reset of the whole cell, a population reads and
    clears the mechanisms' G and GE only in that node's row and in the clamped cells: every
    cell still gives the voltages it has alone (the single cell takes the dense path), to the
    last bit, through steps with a few clamped cells (factorised path) and with many (all cells
    in full)."""
    morph = branched_tapered()
    currents = np.linspace(0.0, 0.1e-9, 40)  # 38 cells fire; 1-9 clamped in most steps, >= 10 in some

    def run(n, I):
        net = ps.Network(dt=50e-6)
        cells = net.add(ps.CableCells(morph, n, dx=10e-6, detector="soma", V_th=-55e-3, V_reset=-70e-3,
                                      t_ref=1e-3, mechanisms=[("soma", ps.ExpCurrent(tau=2e-3))], **MEMBRANE))
        cells.state["I_inj"][cells.node("soma", slice(None))] = I
        cells.state["ExpCurrent_I"][:] = 0.1e-9
        spikes = net.record_spikes(cells)
        ps.Simulator(net).run(0.1)
        return cells, spikes

    cells, spikes = run(len(currents), currents)
    assert 0 < len(cells._scratch["rows"]) < cells.compartments.n
    assert len(set(spikes.i.tolist())) >= 30
    for c in (0, 10, 25, 39):
        single, _ = run(1, currents[c])
        np.testing.assert_array_equal(cells.per_cell(cells.state["V"])[c], single.state["V"])


def test_synapse_at_site_and_spikes_at_location_drive_a_point_neuron():
    morph = Morphology.cable(300e-6, 2e-6, region="dend")
    morph.add_location("soma", 0, 0.0)
    morph.add_location("tip", 0, 1.0)
    net = ps.Network(dt=25e-6)
    src = net.add(ps.SpikeTimes(1, [0, 0, 0], [5e-3, 40e-3, 80e-3]))
    cable = net.add(ps.CableCells(morph, 2, n_per_branch=30, Rm=1.0, detector="tip", V_th=-55e-3,
                                  Cm=0.01, Ra=1.0, E_m=-65e-3))
    lif = net.add(ps.LIF(2, C=1e-9, g_L=1e-7))
    q = 1e-12  # 1 pC: 1 pC / total capacitance 18.8 pF = 53 mV once spread
    syn = net.connect(src, cable, ([0, 0], [0, 1]), weight=[q, 0.2 * q], port="soma")
    net.connect(cable, lif, "one_to_one", weight=2e-9, port="delta")  # 20 mV jump
    v_soma = net.record(cable, "V", [cable.node("soma", 0)])
    sp_cable, sp_lif = net.record_spikes(cable), net.record_spikes(lif)
    sim = ps.Simulator(net)
    sim.run(5e-3)  # the source spikes in step 200, the charge arrives in step 201 (delay dt)
    before = cable.charge()
    sim.run(0.05e-3)
    # the charge arrived in the soma compartment and leaked for (at most) two steps
    gained = cable.charge() - before
    np.testing.assert_allclose(gained, [q, 0.2 * q], rtol=2 * 25e-6 / 10e-3)
    sim.run(0.12 - sim.t)
    # cell 0 (1 pC) crosses -55 mV at the tip after each input, cell 1 (0.2 pC) never does
    assert list(sp_cable.i) == [0, 0, 0]
    delays = sp_cable.t - np.array([5e-3, 40e-3, 80e-3])
    assert np.all(delays > 0.1e-3) and np.all(delays < 3e-3)
    np.testing.assert_allclose(delays, delays[0], atol=1e-12)  # same response each time
    assert v_soma.data.max() > -55e-3
    # the LIF driven by cell 0 fires one dt after each cable spike; the other never
    assert list(sp_lif.i) == [0, 0, 0]
    np.testing.assert_allclose(sp_lif.t - sp_cable.t, 25e-6, atol=1e-12)
    assert syn.w.tolist() == [q, 0.2 * q]


@pytest.mark.parametrize("kwargs, match", [
    (dict(scheme="euler"), "scheme"),
    (dict(Rm=-1.0), "Rm"),
    (dict(Ra={"axon": 1.0}), "region"),
    (dict(detector="nowhere"), "detector"),
    (dict(V_init=np.zeros(3)), "V_init"),
    (dict(n=0), "CableCells size n = 0 is outside the allowed range"),
])
def test_bad_parameters_are_one_line_errors(kwargs, match):
    morph = Morphology.cable(1e-4, 1e-6)
    kwargs = dict(dict(n=1), **kwargs)
    with pytest.raises(ps.ParameterError, match=match) as err:
        ps.CableCells(morph, n_per_branch=5, **kwargs)
    assert "\n" not in str(err.value)


def test_unknown_port_and_missing_envelope_signal():
    net = ps.Network(dt=1e-4)
    src = net.add(ps.SpikeTimes(1, [0], [1e-3]))
    cable = net.add(ps.CableCells(Morphology.cable(1e-4, 1e-6), 1, envelope="stim"))
    with pytest.raises(ps.ParameterError, match="port = 'exc'"):
        net.connect(src, cable, weight=1e-12, port="exc")
    with pytest.raises(ps.ParameterError, match="stim"):
        ps.Simulator(net)


def test_step_current_through_envelope_signal():
    net = ps.Network(dt=1e-4)
    net.add(ps.Schedule("stim", [0.01, 0.03], [1.0, 0.0]))
    cable = net.add(ps.CableCells(Morphology.cable(1e-4, 1e-6), 1, Rm=np.inf, envelope="stim"))
    cable.inject("x0", 1e-12)
    sim = ps.Simulator(net)
    q0 = cable.charge()[0]
    sim.run(0.05)
    assert cable.charge()[0] - q0 == pytest.approx(1e-12 * 0.02, rel=1e-6)
