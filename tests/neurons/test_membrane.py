"""Generic membrane mechanisms on compartmental cells: exponential synaptic current, OU
current, threshold/reset (one compartment against the point-neuron solutions)."""
import math

import numpy as np
import pytest

import plastisim as ps

C, R, E_L = 1e-9, 10e6, -65e-3  # the LIF of the STC models (spec 5.2)
SIDE = 20e-6  # a 20 um x 20 um cylinder: one compartment
AREA = math.pi * SIDE * SIDE


def one_compartment(net, n=1, mechanisms=(), **kw):
    morph = ps.Morphology.cable(SIDE, SIDE)
    return net.add(ps.CableCells(morph, n=n, Cm=C / AREA, Rm=R * AREA, Ra=1.0, E_m=E_L, mechanisms=mechanisms, **kw))


def test_exp_current_psp_matches_the_point_neuron():
    """One event of w = h0 / R into an exponential current (tau_s = 5 ms) of a compartment with
    tau_m = 10 ms: V - E_L = R w (e^(-t/tau_m) - e^(-t/tau_s)), peak h0 / 4 at t = tau_m ln 2;
    within 0.5 % of the peak at dt = 10 us (backward Euler: first order in dt)."""
    h0 = 4.20075e-3
    net = ps.Network(dt=1e-5)
    cell = one_compartment(net, mechanisms=[("root", ps.ExpCurrent(name="syn"))])
    src = net.add(ps.SpikeTimes(1, [0], [1e-3 - 1e-5]))
    net.connect(src, cell, weight=h0 / R, port="syn")
    mon = net.record(cell, "V")
    ps.Simulator(net).run(0.05)
    t = (np.arange(len(mon.t)) + 1) * 1e-5 - 1e-3
    exact = np.where(t > 0, h0 * (np.exp(-t / 10e-3) - np.exp(-t / 5e-3)), 0.0)
    assert np.max(np.abs(mon.data[:, 0] - E_L - exact)) < 0.005 * h0 / 4
    assert mon.data[:, 0].max() - E_L == pytest.approx(h0 / 4, rel=5e-3)


RESETS = {"compartment": dict(mechanisms=[("all", ps.ThresholdReset())]),
          "cell": dict(V_reset=-70e-3, t_ref=2e-3)}


@pytest.mark.parametrize("reset", list(RESETS))
def test_threshold_reset_rate_matches_the_lif_interval(reset):
    """Constant current I into LIF (V_th -55, V_reset -70 mV, t_ref 2 ms): interval t_ref + dt +
    tau ln((R I - (V_reset - E_L)) / (R I - (V_th - E_L))) (the clamp ends one step after t_ref),
    within 1 % at dt = 10 us; and at saturating drive T / (t_ref + dt) spikes (spec 0.5). Per
    compartment (ThresholdReset) and for the whole cell at its detector (V_reset, t_ref)."""
    for I, dt in ((2e-9, 1e-5), (1e-6, 2e-4)):
        net = ps.Network(dt=dt)
        cell = one_compartment(net, V_th=-55e-3, **RESETS[reset])
        cell.inject("root", I)
        spikes = net.record_spikes(cell)
        ps.Simulator(net).run(1.0)
        if I < 1e-6:
            isi = 2e-3 + dt + R * C * math.log((R * I + 5e-3) / (R * I - 10e-3))
            assert np.mean(np.diff(spikes.t)) == pytest.approx(isi, rel=0.01)
        else:
            assert abs(len(spikes.t) - 1.0 / (2e-3 + dt)) <= 1


def test_ou_current_has_the_stationary_mean_and_deviation():
    """2000 independent OU currents (mu 0.15 nA, sigma 0.5 nA, tau 5 ms) after 50 ms: mean and
    s.d. within 3 standard errors; off again: I = 0 and frozen."""
    net = ps.Network(dt=2e-4, seed=5)
    cells = one_compartment(net, n=2000, mechanisms=[("root", ps.OUCurrent(name="bg"))])
    cells.switch_ou("bg", np.arange(2000), mu=0.15e-9, sigma=0.5e-9)
    sim = ps.Simulator(net)
    sim.run(0.05)
    I = cells.state["bg_I"]
    assert abs(I.mean() - 0.15e-9) < 3 * 0.5e-9 / math.sqrt(2000)
    assert abs(I.std() - 0.5e-9) < 3 * 0.5e-9 / math.sqrt(2 * 2000)
    cells.switch_ou("bg", slice(None))
    sim.run(0.01)
    assert np.all(cells.state["bg_I"] == 0.0)


def test_cell_reset_and_compartment_reset_agree_in_a_compact_cell():
    """The STC network's small cell with extended dendrites (48 compartments, length constant
    ~300 um vs 48 um of cable, spec 7.2), driven at the soma centre: the two reset options give
    the same spike count and spike times within 0.1 ms over 1 s; every node is at V_reset
    right after a cell reset."""
    from plastisim.models import stc_network_morpho as morpho
    from plastisim.models.base import make_params
    p = make_params(morpho.Params, {"dendrites": "extended"})
    trains = {}
    for reset in ("compartment", "cell"):
        net = ps.Network(dt=1e-4)
        cell = net.add(morpho.cells(morpho.dataclasses.replace(p, reset=reset), 1, "cell", plastic=False))
        cell.inject("soma_centre", 2e-9)
        spikes = net.record_spikes(cell)
        sim = ps.Simulator(net)
        sim.run(1.0)
        trains[reset] = spikes.t
        if reset == "cell":
            count = len(spikes.t)
            while len(spikes.t) == count:
                sim.run(1e-4)
            assert np.all(cell.state["V"] == -70e-3) and cell.state["refractory"][0] == 20
    assert len(trains["cell"]) == len(trains["compartment"]) > 20
    assert np.max(np.abs(trains["cell"] - trains["compartment"])) < 1e-4


def test_point_mechanisms_need_a_location_and_ports_are_their_names():
    net = ps.Network()
    with pytest.raises(ps.ParameterError, match=r"syn: 'axon' is neither a location \['root', 'x0', 'x1'\] nor a region"):
        one_compartment(net, mechanisms=[("axon", ps.ExpCurrent(name="syn"))])
    with pytest.raises(ps.ParameterError, match=r"ThresholdReset: density mechanisms are painted on a region; 'x1' is a location"):
        one_compartment(net, mechanisms=[("x1", ps.ThresholdReset())])
    cell = one_compartment(net, mechanisms=[("x1", ps.ExpCurrent(name="syn"))])
    assert "syn" in cell.ports and cell.port_target("syn") == "syn_I" and cell.port_location("syn") == "x1"
    with pytest.raises(ps.ParameterError, match=r"syn.tau = 0.0 is outside the allowed range \(0.0, inf\)"):
        ps.ExpCurrent(name="syn", tau=0.0)
