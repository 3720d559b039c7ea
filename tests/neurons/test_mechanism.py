"""Membrane mechanisms on multi-compartment cells: Hodgkin-Huxley in one compartment against
an independent ODE solution, Rallpack 3 against NEURON, painting on regions, bad input."""
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import plastisim as ps
from plastisim.models import get
from plastisim.models.base import make_params
from plastisim.models.rallpack3 import crossings

DATA = Path(__file__).parent.parent / "data"


def hh_ode(t, y, I_density):
    """Hodgkin-Huxley with leak, SI: C_m dv/dt = -i_ion + I; written out independently."""
    v, m, h, n = y
    u = v * 1e3 + 65.0  # mV above rest
    am = 0.1 * (25.0 - u) / (math.exp((25.0 - u) / 10.0) - 1.0) * 1e3
    bm = 4.0 * math.exp(-u / 18.0) * 1e3
    ah = 0.07 * math.exp(-u / 20.0) * 1e3
    bh = 1.0 / (math.exp((30.0 - u) / 10.0) + 1.0) * 1e3
    an = 0.01 * (10.0 - u) / (math.exp((10.0 - u) / 10.0) - 1.0) * 1e3
    bn = 0.125 * math.exp(-u / 80.0) * 1e3
    i_ion = 1200.0 * m ** 3 * h * (v - 0.05) + 360.0 * n ** 4 * (v + 0.077) + 0.25 * (v + 0.065)
    return [(-i_ion + I_density) / 0.01, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n]


def test_one_compartment_hodgkin_huxley_matches_the_ode_solution():
    """A single compartment (sealed cylinder, 20 um x 20 um) with HH and a 150-pA step (12 uA/cm^2): spike
    times of the staggered implicit scheme at dt = 2 us within 0.05 ms of an accurate ODE
    solution (rtol 1e-9) over 50 ms, and the error shrinks with dt."""
    morph = ps.Morphology.cable(20e-6, 20e-6)
    area = math.pi * 20e-6 * 20e-6
    I = 150e-12
    hh = ps.HH()
    y0 = [-65e-3, hh.initial["m"], hh.initial["h"], hh.initial["n"]]
    ode = solve_ivp(hh_ode, (0, 0.05), y0, args=(I / area,), rtol=1e-9, atol=1e-12, max_step=1e-5, dense_output=True)
    t = np.arange(0, 0.05, 1e-6)
    ref = crossings(t, ode.sol(t)[0])
    assert len(ref) >= 3
    errors = []
    for dt in (4e-6, 2e-6):
        net = ps.Network(dt=dt)
        cell = net.add(ps.CableCells(morph, Cm=0.01, Rm=4.0, Ra=1.0, E_m=-65e-3, mechanisms=[("all", ps.HH())]))
        cell.inject("root", I)
        mon = net.record(cell, "V")
        ps.Simulator(net).run(0.05)
        tt = np.concatenate(([0.0], (np.arange(len(mon.t)) + 1) * dt))
        spikes = crossings(tt, np.concatenate(([-65e-3], mon.data[:, 0])))
        assert len(spikes) == len(ref)
        errors.append(np.max(np.abs(spikes - ref)))
    assert errors[1] < 5e-5 and errors[1] < 0.7 * errors[0]


def test_rallpack3_spike_times_match_neuron():
    """Spike times at both ends against NEURON at dt = 1 us (backward Euler, rate tables off;
    tests/data/rallpack3_neuron.npz from benchmarks/rallpack3_reference.py): same number of
    spikes, and with Crank-Nicolson at 10 us every spike within 0.1 ms (measured 0.043 ms; the
    18th spike comes after 250 ms)."""
    ref = np.load(DATA / "rallpack3_neuron.npz")
    model = get("rallpack3")
    s = model.run(make_params(model.Params, {"scheme": "crank-nicolson", "dt": "10us"}))["summary"]
    for key in ("x0", "x1"):
        ours, theirs = s[f"spike_times_{key}"], ref[f"spike_times_{key}"]
        assert len(ours) == len(theirs) >= 17
        assert np.max(np.abs(ours - theirs)) < 0.1e-3


def test_mechanisms_are_painted_on_their_region_only():
    morph = ps.Morphology.from_segments([-1, 0], [20e-6, 200e-6], [10e-6, 0.5e-6], region=["soma", "dend"])
    net = ps.Network(dt=25e-6)
    cell = net.add(ps.CableCells(morph, n=2, n_per_branch=[1, 20], mechanisms=[("soma", ps.HH())],
                                 V_th=0.0, detector="root"))
    cell.inject("root", 0.3e-9)
    spikes = net.record_spikes(cell)
    ps.Simulator(net).run(0.05)
    assert cell.state["HH_m"].shape == (2,)  # one soma compartment per cell
    assert len(spikes.t) >= 4 and set(spikes.i) == {0, 1}
    with pytest.raises(ps.ParameterError, match=r"HH: 'apical' is neither a location \['root'\] nor a region \['soma', 'dend'\]"):
        ps.CableCells(morph, mechanisms=[("apical", ps.HH())])
    with pytest.raises(ps.ParameterError, match=r"HH: unknown parameter\(s\) \['gbar_Ca'\]"):
        ps.HH(gbar_Ca=1.0)
    with pytest.raises(ps.ParameterError, match=r"HH.gbar_Na = nan is outside the allowed range"):
        ps.HH(gbar_Na=float("nan"))


def _count(k):
    """k, by recursion (a recursive helper: compiled as a function, not inlined)."""
    if k == 0:
        return 0.0
    return 1.0 + _count(k - 1)


class _Probe(ps.Mechanism):
    """A leak g (S/m^2) at E (V) through ``conductance``; ``advance`` keeps the voltage it is
    given and counts steps (through a recursive helper)."""
    parameters = dict(g=2.0, E=-80e-3, depth=3.0)
    state_variables = dict(v_seen=0.0, steps=0.0)

    def conductance(s, p, i, v):
        return p.g, p.g * p.E

    def advance(s, p, i, v, dt):
        s.v_seen[i] = v
        s.steps[i] += _count(int(p.depth)) / p.depth


@pytest.mark.parametrize("morph", [ps.Morphology.cable(200e-6, 1e-6, n_compartments=20),  # nodes 0..59
                                   ps.Morphology.tree(3, 100e-6, 1e-6, n_compartments=4)],  # junctions skipped
                         ids=["consecutive", "gathered"])
def test_mechanism_loops_address_their_nodes(morph):
    """A mechanism leak on 'all' equals the same leak folded into R_m and E_m (to round-off),
    and advance sees every node's new voltage, whether the loop indexes consecutive nodes
    directly or gathers them (junction nodes of a tree are not painted)."""
    Rm, Em, n = 4.0, -65e-3, 3
    g, E = 1.0 / Rm + 2.0, (Em / Rm + 2.0 * -80e-3) / (1.0 / Rm + 2.0)
    voltages = []
    for mechanisms, rm, em in (([("all", _Probe())], Rm, Em), ([], 1.0 / g, E)):
        net = ps.Network(dt=25e-6)
        cell = net.add(ps.CableCells(morph, n=n, Rm=rm, E_m=em, V_init=Em, mechanisms=mechanisms))
        cell.inject("root", 0.05e-9, cells=[0])
        ps.Simulator(net).run(5e-3)
        voltages.append(cell.state["V"].copy())
        if mechanisms:
            nodes = cell.mechanisms[0][1]
            contiguous = np.array_equal(nodes, np.arange(nodes[0], nodes[0] + len(nodes)))
            assert contiguous == (morph.n_branches == 1)
            np.testing.assert_array_equal(cell.state["_Probe_v_seen"], cell.state["V"][nodes])
            np.testing.assert_array_equal(cell.state["_Probe_steps"], 200.0)
    assert np.max(np.abs(voltages[0] - voltages[1])) < 1e-12
    assert np.ptp(voltages[0]) > 1e-3  # the current spreads: the comparison is not trivial
