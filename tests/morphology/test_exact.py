"""CableCells(scheme="exact"): the eigenmode propagator against the implicit Hines solver,
the analytic single compartment, chunking and checkpoints (bit for bit), changed state
between runs, and the mechanisms it refuses."""
import math

import numpy as np
import pytest

import plastisim as ps
from plastisim.morphology import Morphology
from test_cable import MEMBRANE, branched_tapered  # pytest puts this folder (no __init__.py) on sys.path


def tree_cells(net, scheme, V_init=None):
    """The branched, tapered cell (2 junctions) with a constant current at the soma (a
    mechanism: an OU current without noise), another at the last node (a tip, ``I_inj``) and
    a charge put into the soma at 5.1 ms (a synapse); V recorded at that tip, the soma and a
    junction (a branch point: no capacitance, its voltage follows from its neighbours)."""
    cell = net.add(ps.CableCells(branched_tapered(), 1, dx=3.7e-6, scheme=scheme, detector="soma", V_init=V_init,
                                 mechanisms=[("soma", ps.OUCurrent(name="drive"))], **MEMBRANE))
    cell.switch_ou("drive", slice(None), mu=0.03e-9)
    tip = cell.compartments.n - 1
    cell.state["I_inj"][tip] = -0.01e-9
    src = net.add(ps.SpikeTimes(1, [0], [5e-3]))
    net.connect(src, cell, weight=0.2e-12, delay=1e-4, port="soma")
    junction = np.flatnonzero(cell.compartments.junction)[0]
    return cell, net.record(cell, "V", [tip, cell.node("soma"), junction])


def test_exact_steps_match_the_implicit_solver_extrapolated_to_dt_0():
    """With inputs held over each step the exact scheme has no error in time: on a branched
    tree with junctions and radius jumps, with currents of a mechanism and of ``I_inj`` and a
    charge from a synapse, it agrees with backward Euler (Hines solver) at
    dt / 200 and dt / 400, Richardson-extrapolated, to 1e-10 V (measured 1.2e-12 V once the
    fast modes excited by the initial perturbation and by the charge have decayed, which
    backward Euler damps more slowly: 5 steps after each are left out), at the tip (a node only a monitor reads) and the
    soma and a junction; the initial perturbation and both currents excite fast and slow
    modes."""
    dt, duration = 1e-4, 0.02
    rng = np.random.default_rng(3)
    n_nodes = branched_tapered().discretise(dx=3.7e-6).n
    v0 = -65e-3 + 5e-3 * rng.standard_normal(n_nodes)
    net = ps.Network(dt=dt)
    _, exact = tree_cells(net, "exact", v0)
    ps.Simulator(net).run(duration)

    def implicit(sub):
        net = ps.Network(dt=dt / sub)
        _, mon = tree_cells(net, "backward-euler", v0)
        ps.Simulator(net).run(duration)
        return mon.data[sub - 1::sub]

    extrapolated = 2 * implicit(400) - implicit(200)
    assert exact.data.shape == extrapolated.shape == (200, 3)
    assert np.ptp(exact.data, axis=0).min() > 1e-3  # a response of millivolts
    assert np.diff(exact.data[:, 1]).argmax() == 50  # the charge arrives in step 51
    settled = np.r_[5:51, 56:200]
    np.testing.assert_allclose(exact.data[settled], extrapolated[settled], rtol=0, atol=1e-10)


def test_one_compartment_is_the_analytic_lif():
    """One compartment, constant current, reset of the cell: V(t) = E + I R (1 - e^(-t/tau))
    at every step to 1e-12 V, and spikes at the first step whose end lies past the analytic
    crossing t* = -tau ln(1 - (V_th - E) / (I R)), then every t* + t_ref (rounded to steps)."""
    C, R, E, I, dt = 200e-12, 100e6, -65e-3, 0.15e-9, 1e-4  # tau 20 ms, I R = 15 mV
    morph = Morphology.cable(20e-6, 20e-6)
    area = math.pi * 20e-6 * 20e-6
    net = ps.Network(dt=dt)
    cell = net.add(ps.CableCells(morph, 1, n_per_branch=1, Cm=C / area, Rm=R * area, E_m=E, detector="x0",
                                 V_th=-55e-3, V_reset=E, t_ref=2e-3, scheme="exact"))
    cell.inject("x0", I)
    mon, spikes = net.record(cell, "V", [0]), net.record_spikes(cell)
    ps.Simulator(net).run(0.1)
    tau, t_star = R * C, -R * C * math.log(1 - 10e-3 / (I * R))
    first = math.ceil(t_star / dt)  # steps up to the first spike (its index + 1)
    t = np.arange(1, first) * dt
    np.testing.assert_allclose(mon.data[:first - 1, 0], E + I * R * (1 - np.exp(-t / tau)), rtol=0, atol=1e-12)
    period = first + round(2e-3 / dt)  # the cell restarts from E after the refractory steps
    np.testing.assert_allclose(spikes.t, (first - 1 + period * np.arange(len(spikes.t))) * dt, atol=1e-12)
    assert len(spikes.t) == 0.1 // (period * dt)


def spiking_network(chunk_steps=10_000):
    """Tree cells (exact scheme, cell reset) driven by spike trains through charges at a site
    and an exponential current at the soma, plus OU noise; V recorded at a tip."""
    net = ps.Network(dt=1e-4, seed=5)
    cells = net.add(ps.CableCells(branched_tapered(), 6, dx=5e-6, detector="soma", V_th=-60e-3,
                                  V_reset=-70e-3, t_ref=2e-3, scheme="exact", **MEMBRANE,
                                  mechanisms=[("soma", ps.ExpCurrent(name="syn", tau=3e-3)),
                                              ("soma", ps.OUCurrent(name="noise"))]))
    cells.switch_ou("noise", slice(None), mu=0.02e-9, sigma=0.01e-9)
    src = net.add(ps.PoissonSource(4, 200.0))
    net.connect(src, cells, "all_to_all", weight=0.05e-12, port="soma")
    net.connect(src, cells, "all_to_all", weight=0.01e-9, port="syn")
    tip = cells.compartments.n - 1
    mon = net.record(cells, "V", cells.domain.index(tip, np.arange(6)))
    return net, cells, mon, net.record_spikes(cells), ps.Simulator(net, chunk_steps=chunk_steps)


def test_chunks_and_checkpoints_give_the_same_numbers_bit_for_bit(tmp_path):
    """During a run V is computed only where it is read (here the soma and a monitored tip)
    and everywhere at the end of each chunk; the numbers do not depend on where chunks end,
    and a run resumed from a checkpoint in a new network continues bit for bit."""
    net, cells, mon, spikes, sim = spiking_network()
    sim.run(0.3)
    assert 20 < len(spikes.t) and np.ptp(mon.data) > 5e-3
    other = spiking_network(chunk_steps=37)
    other[4].run(0.3)
    for a, b in zip((cells.state["V"], cells.state["amplitude"], mon.data, spikes.t), (other[1].state["V"],
                    other[1].state["amplitude"], other[2].data, other[3].t)):
        np.testing.assert_array_equal(a, b)
    first = spiking_network()
    first[4].run(0.17)
    first[4].save_checkpoint(tmp_path / "cp.h5")
    resumed = spiking_network()
    resumed[4].load_checkpoint(tmp_path / "cp.h5")
    resumed[4].run(0.13)
    np.testing.assert_array_equal(resumed[1].state["V"], cells.state["V"])
    np.testing.assert_array_equal(resumed[3].t, spikes.t)


def test_state_set_between_runs_is_taken_up():
    """V set from Python between runs becomes the amplitudes of the kept modes: a uniform
    offset of an unbranched cable with one membrane time constant is its slowest mode and
    decays as dV e^(-t/tau) exactly; a current injected between runs at a node that had none
    acts from the next step (charge Q += I dt per step without leak)."""
    net = ps.Network(dt=1e-4)
    cell = net.add(ps.CableCells(Morphology.cable(200e-6, 2e-6), 1, n_per_branch=20, scheme="exact", **MEMBRANE))
    mon = net.record(cell, "V", [cell.node("x1")])
    sim = ps.Simulator(net)
    sim.run(1e-3)
    cell.state["V"][:] += 10e-3
    sim.run(0.02)
    t = np.arange(1, 201) * 1e-4
    np.testing.assert_allclose(mon.data[10:, 0], -65e-3 + 10e-3 * np.exp(-t / 0.04), rtol=0, atol=1e-12)

    net = ps.Network(dt=1e-4)
    cell = net.add(ps.CableCells(Morphology.cable(200e-6, 2e-6), 1, n_per_branch=20, Rm=np.inf, scheme="exact",
                                 Cm=0.01, Ra=1.0))
    sim = ps.Simulator(net)
    sim.run(1e-3)
    q0 = cell.charge()[0]
    cell.state["I_inj"][7] = 0.2e-9
    sim.run(0.01)
    assert cell.charge()[0] - q0 == pytest.approx(0.2e-9 * 0.01, rel=1e-9)


class SetsV(ps.Mechanism):
    state_variables = dict(x=0.0)

    def advance(s, p, i, v, node, dt):
        node.V[i] = -70e-3


class SetsCurrent(ps.Mechanism):
    def advance(s, p, i, v, node, dt):
        node.I_inj[i] = 1e-12


class OhmicCurrent(ps.Mechanism):
    """A leak written as a current source: it depends on v, so it is a conductance."""

    parameters = dict(g=1e-9, E=-70e-3)
    point = True

    def conductance(s, p, i, v):
        return 0.0, p.g * (p.E - v)


@pytest.mark.parametrize("mechanism, match", [
    (ps.ThresholdReset(), "adds a conductance"),
    (ps.HH(), "adds a conductance"),
    (OhmicCurrent(), "depends on v"),
    (SetsV(), "sets node.V"),
    (SetsCurrent(), "sets node.I_inj"),
])
def test_mechanisms_the_exact_scheme_cannot_take_are_refused(mechanism, match):
    where = "x0" if mechanism.point else "all"
    with pytest.raises(ps.ParameterError, match=match) as err:
        ps.CableCells(Morphology.cable(1e-4, 1e-6), 1, scheme="exact", mechanisms=[(where, mechanism)])
    assert "\n" not in str(err.value)


class ReadsSiteV(ps.Rule):
    """Records the voltage of its node when a spike arrives."""

    synapse_state = dict(v=0.0)

    def on_pre(s, site, k):
        s.v[k] = site.V[k]


class SetsSiteV(ps.Rule):
    def on_pre(s, site, k):
        site.V[k] = 0.0


def test_a_rule_that_reads_site_V_sees_the_voltage_of_its_node():
    """V is computed every step in every node when a rule reads ``site.V``: at each arrival
    the rule sees the tip's voltage after the previous step, as a monitor records it."""
    def run(rule, monitor):
        net = ps.Network(dt=1e-4)
        cell = net.add(ps.CableCells(branched_tapered(), 1, dx=3.7e-6, detector="soma", scheme="exact", **MEMBRANE))
        cell.inject("soma", 0.05e-9)
        src = net.add(ps.SpikeTimes(1, [0, 0, 0], [2e-3, 7e-3, 13e-3]))
        tip = cell.compartments.n - 1
        syn = net.connect(src, cell, weight=0.1e-12, delay=1e-4, port="soma", site=[tip], rule=rule)
        mon = net.record(cell, "V", [tip]) if monitor else None
        sim = ps.Simulator(net)
        values = []
        for stop in (2.5e-3, 7.5e-3, 13.5e-3):
            sim.run(stop - sim.t)
            values.append(syn.state["v"][0] if rule else None)
        return values, mon

    seen, _ = run(ReadsSiteV(), monitor=False)
    _, mon = run(None, monitor=True)
    # delivered at the start of steps 21, 71, 131: V after steps 20, 70, 130
    np.testing.assert_array_equal(seen, mon.data[[20, 70, 130], 0])
    assert len(set(seen)) == 3
    with pytest.raises(ps.ParameterError, match="sets site.V"):
        run(SetsSiteV(), monitor=False)


def test_cell_reset_holds_every_node_at_V_reset():
    """A multi-compartment cell with uniform C_m R_m and E_m: after each spike every node,
    junctions included, stays at V_reset for t_ref (to 1e-12 V)."""
    net = ps.Network(dt=1e-4)
    cell = net.add(ps.CableCells(branched_tapered(), 1, dx=3.7e-6, detector="soma", V_th=-60e-3, V_reset=-70e-3,
                                 t_ref=1e-3, scheme="exact", **MEMBRANE))
    cell.inject("soma", 0.2e-9)
    mon, spikes = net.record(cell, "V", np.arange(cell.n_nodes)), net.record_spikes(cell)
    ps.Simulator(net).run(0.05)
    assert len(spikes.t) >= 3
    for t in spikes.t[:-1]:  # the spike's step and the 10 clamped steps after it
        step = round(t / 1e-4)
        np.testing.assert_allclose(mon.data[step:step + 11], -70e-3, rtol=0, atol=1e-12)
        assert mon.data[step + 11].max() > -70e-3 + 1e-6


def test_fast_forward_leaves_the_cable_unchanged_and_charges_from_python_arrive():
    """The cable does not advance in a fast-forward (V and amplitudes unchanged); a charge
    set in ``in_<location>`` from Python between runs enters at the next step (Q += q, no
    leak)."""
    net = ps.Network(dt=1e-4)
    cell = net.add(ps.CableCells(branched_tapered(), 2, dx=5e-6, Rm=np.inf, Cm=0.01, Ra=1.0, scheme="exact"))
    cell.inject("soma", 0.1e-9, cells=[0])
    sim = ps.Simulator(net)
    sim.run(2e-3)
    V, amplitude = cell.state["V"].copy(), cell.state["amplitude"].copy()
    sim.fast_forward(1.0, 0.1)
    np.testing.assert_array_equal(cell.state["V"], V)
    np.testing.assert_array_equal(cell.state["amplitude"], amplitude)
    q0 = cell.charge()
    cell.state["in_soma"][1] = 3e-12
    sim.run(1e-4)
    np.testing.assert_allclose(cell.charge() - q0, [0.1e-9 * 1e-4, 3e-12], rtol=1e-9)


class ChargesSoma(ps.Rule):
    """Puts a charge (C) into the soma of its postsynaptic cell at each arrival."""

    parameters = dict(q=0.2e-12)

    def on_pre(s, p, post, j, k):
        post.in_soma[j] += p.q


def test_a_charge_written_by_a_rule_arrives_like_one_through_the_port():
    """A site fed only by a rule (``post.in_soma[j] += q``) is read every step: the cells
    respond bit for bit as to the same charge delivered through the port, in chunks of 7
    steps or one chunk."""
    def run(through_rule, chunk_steps):
        net = ps.Network(dt=1e-4)
        cells = net.add(ps.CableCells(branched_tapered(), 2, dx=5e-6, detector="soma", V_th=-64e-3, V_reset=-66e-3,
                                      scheme="exact", mechanisms=[("soma", ps.ExpCurrent(name="syn"))], **MEMBRANE))
        src = net.add(ps.SpikeTimes(2, [0, 1, 0, 1], [1e-3, 2e-3, 3.05e-3, 4e-3]))
        if through_rule:
            net.connect(src, cells, "one_to_one", weight=0.0, port="syn", rule=ChargesSoma())
        else:
            net.connect(src, cells, "one_to_one", weight=0.2e-12, port="soma")
        mon, spikes = net.record(cells, "V", cells.node("soma", [0, 1])), net.record_spikes(cells)
        ps.Simulator(net, chunk_steps=chunk_steps).run(0.01)
        return mon.data, spikes.t

    by_port = run(False, 10_000)
    assert np.ptp(by_port[0]) > 1e-3
    for chunk_steps in (7, 10_000):
        by_rule = run(True, chunk_steps)
        np.testing.assert_array_equal(by_rule[0], by_port[0])
        np.testing.assert_array_equal(by_rule[1], by_port[1])
