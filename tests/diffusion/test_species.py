"""Diffusing species on domains: analytic solutions, conservation, sites in rules."""
import math

import numpy as np
import pytest

import plastisim as ps
from plastisim.morphology import Morphology
from plastisim.plasticity.spine_calcium import FARADAY, SpineCalcium

D = 2.2e-10  # m^2/s (calcium, Plastic Arbor section 4)


def cable_cells(length, radius, n, tau=math.inf, dt=1e-5, **location):
    morph = Morphology.cable(length, 2 * radius, n_compartments=n)
    for name, x in location.items():
        morph.add_location(name, 0, x)
    net = ps.Network(dt=dt)
    cells = net.add(ps.CableCells(morph, Rm=np.inf, species=[ps.Species("Ca", D=D, tau=tau)]))
    return net, cells


def point_release(n, dt, tau, L=200e-6, r=0.5e-6, T=20e-3, M=1e-18):
    """Amount M released in the middle node of a cable of n (odd) nodes, after T: (numerical,
    analytic c(x, T) = M / (A sqrt(4 pi D T)) exp(-x^2 / (4 D T) - T / tau)) in mol/m^3."""
    net, cells = cable_cells(L, r, n, tau=tau, dt=dt, mid=0.5)
    mid = cells.node("mid")
    A, dx = math.pi * r * r, L / n
    cells.state["Ca"][mid] = M / (A * dx)
    ps.Simulator(net).run(T)
    x = (np.arange(n) - mid) * dx
    return cells.state["Ca"].copy(), M / (A * math.sqrt(4 * math.pi * D * T)) * np.exp(-x ** 2 / (4 * D * T) - T / tau)


@pytest.mark.parametrize("tau", [math.inf, 5e-3])
def test_point_release_spreads_as_the_analytic_gaussian(tau):
    """Within 0.2 % of the peak at dx = 0.25 um, dt = 10 us; the error is second order in dx
    (quarters when dx halves, at a small dt) and first order in dt (successive differences
    halve when dt halves)."""
    c, exact = point_release(801, 1e-5, tau)
    assert np.max(np.abs(c - exact)) < 2e-3 * exact.max()
    space = [np.max(np.abs(np.subtract(*point_release(n, 2e-6, tau)))) for n in (201, 401)]
    assert 3.5 < space[0] / space[1] < 4.5
    runs = [point_release(201, dt, tau)[0] for dt in (4e-5, 2e-5, 1e-5)]
    assert 1.8 < np.max(np.abs(runs[0] - runs[1])) / np.max(np.abs(runs[1] - runs[2])) < 2.2


def test_steady_state_with_source_and_decay_is_the_exponential_profile():
    """Constant source J at the sealed end x = 0 of a cable of length L with decay: the steady
    state is c(x) = J lambda / (D A) cosh((L - x) / lambda) / sinh(L / lambda), lambda =
    sqrt(D tau). Backward Euler reaches the discrete steady state at any step, so a
    fast-forward with 10-s steps gets there."""
    L, r, n, tau, J = 100e-6, 0.5e-6, 500, 2e-3, 1e-20
    net, cells = cable_cells(L, r, n, tau=tau, end=0.0)
    cells.release("Ca", "end", J)
    sim = ps.Simulator(net)
    sim.fast_forward(100.0, 10.0)
    lam, A, dx = math.sqrt(D * tau), math.pi * r * r, L / n
    x = (np.arange(n) + 0.5) * dx
    exact = J * lam / (D * A) * np.cosh((L - x) / lam) / np.sinh(L / lam)
    assert np.max(np.abs(cells.state["Ca"] - exact)) / exact.max() < 2e-3
    # and the amount balances the source: J = sum V c / tau
    assert cells.amount("Ca")[0] / tau == pytest.approx(J, rel=1e-9)


def branched_tree():
    """A soma, a tapered dendrite branching into three children of different radii (one of
    which branches again), radii jumping between segments, two regions with different D."""
    parent = [-1, 0, 1, 2, 2, 2, 5, 6, 6]
    length = np.array([12, 20, 25, 40, 30, 15, 10, 25, 35]) * 1e-6
    r0 = np.array([6, 2, 1.5, 0.8, 1.0, 1.2, 0.6, 0.5, 0.4]) * 1e-6
    r1 = np.array([6, 1.6, 1.0, 0.5, 0.7, 0.9, 0.6, 0.3, 0.2]) * 1e-6
    return Morphology.from_segments(parent, length, r0, r1, region=["soma"] + ["dend"] * 8)


def test_amount_is_conserved_on_a_branched_tree_with_radius_changes():
    comp = branched_tree().discretise(dx=3.7e-6)
    assert comp.junction.sum() == 2
    net = ps.Network(dt=1e-4)
    cells = net.add(ps.CableCells(comp, n=3, Rm=np.inf,
                                  species=[ps.Species("P", D={"soma": 1e-11, "dend": 3e-10})]))
    rng = np.random.default_rng(4)
    cells.state["P"][:] = rng.uniform(0.0, 1e-3, cells.n_nodes)
    before = cells.amount("P")
    sim = ps.Simulator(net)
    sim.run(0.05)
    assert np.allclose(cells.amount("P"), before, rtol=1e-9, atol=0)
    sim.fast_forward(500.0, 50.0)  # long implicit steps: still conserved, and uniform at the end
    assert np.allclose(cells.amount("P"), before, rtol=1e-9, atol=0)
    real = ~comp.junction
    c = cells.per_cell(cells.state["P"])[:, real]
    assert np.allclose(c, (before / comp.volume.sum())[:, None], rtol=1e-6)


def test_rules_write_and_read_the_node_of_their_site():
    """Influx written through site.Ca_in (SpineCalcium with fixed weights) reaches the node of
    the synapse's location, and the total amount equals the charge carried by Ca2+:
    w gamma I0 tau_I / (z F) per spike (no decay, no other source)."""
    morph = Morphology.cable(20e-6, 1e-6, n_compartments=20)
    morph.add_location("tip", 0, 1.0)
    net = ps.Network(dt=1e-5)
    cells = net.add(ps.CableCells(morph, n=2, Rm=np.inf, species=[ps.Species("Ca", D=D)]))
    src = net.add(ps.SpikeTimes(2, [0, 0, 1], [1e-3, 5e-3, 2e-3]))
    rule = SpineCalcium(I0=4e-12, tau_I=1e-3, gamma=0.11, gamma_p=0.0, gamma_d=0.0)
    net.connect(src, cells, "one_to_one", weight=[0.5, 1.0], port=None, site="tip", rule=rule)
    ps.Simulator(net).run(0.2)
    expected = np.array([2 * 0.5, 1.0]) * 0.11 * 4e-12 * 1e-3 / (2 * FARADAY)
    assert np.allclose(cells.amount("Ca"), expected, rtol=1e-9)
    c = cells.per_cell(cells.state["Ca"])
    assert np.all(c[:, -1] == c.max(axis=1)) and np.all(c[:, -1] > c[:, 0])


def test_fields_step_conserves_influx_and_keeps_time_across_fast_forward():
    """With ``fields_dt`` = 10 steps the species advance every 10th step: influx written at
    every step is all there at a field step (conservation), exact decay covers the whole time
    also when a fast-forward starts between two field steps (c0 e^(-T/tau) to round-off,
    whatever the run is split into), and a point release agrees with the every-step solution
    to the first-order error of the longer step."""
    morph = Morphology.cable(20e-6, 1e-6, n_compartments=20)
    morph.add_location("tip", 0, 1.0)
    runs = {}
    for fields_dt in (None, 1e-4):
        net = ps.Network(dt=1e-5)
        cells = net.add(ps.CableCells(morph, n=2, Rm=np.inf, fields_dt=fields_dt,
                                      species=[ps.Species("Ca", D=D), ps.Species("X", D=D, tau=0.05, initial=1.0)]))
        src = net.add(ps.SpikeTimes(2, [0, 0, 1], [1e-3, 5e-3, 2e-3]))
        rule = SpineCalcium(I0=4e-12, tau_I=1e-3, gamma=0.11, gamma_p=0.0, gamma_d=0.0)
        net.connect(src, cells, "one_to_one", weight=[0.5, 1.0], port=None, site="tip", rule=rule)
        sim = ps.Simulator(net)
        sim.run(0.02)
        expected = np.array([2 * 0.5, 1.0]) * 0.11 * 4e-12 * 1e-3 / (2 * FARADAY)
        assert np.allclose(cells.amount("Ca"), expected, rtol=1e-9)
        runs[fields_dt] = cells.state["Ca"].copy()
        sim.run(3e-5)  # 3 steps past a field step, then a fast-forward, then 2 + 5 steps
        sim.fast_forward(0.1, 0.01)
        every, forwarded = (1 if fields_dt is None else 10), sim.step
        for _ in range(2):  # 2 steps after the fast-forward, and at the next field step
            sim.run(2e-5 if sim.step == forwarded else 5e-5)
            done = max(forwarded, sim.step // every * every)
            assert cells.state["fields_step"][0] == done
            assert np.allclose(cells.state["X"], math.exp(-done * net.dt / 0.05), rtol=1e-12, atol=0)
    assert np.max(np.abs(runs[1e-4] - runs[None])) < 0.02 * runs[None].max()


class ReadsSite(ps.Rule):
    parameters = dict(a=1e-9)

    def on_step(s, p, site, k):
        s.w[k] += p.a * (site.V[k] + 0.07)


class ReadsPost(ps.Rule):
    parameters = dict(a=1e-9)

    def on_step(s, p, post, k, j):
        s.w[k] += p.a * (post.V[j] + 0.07)


def test_site_of_a_point_neuron_is_the_neuron():
    weights = []
    for rule in (ReadsSite(), ReadsPost()):
        net = ps.Network(dt=1e-4, seed=3)
        src = net.add(ps.PoissonSource(20, 50.0))
        lif = net.add(ps.LIF(5, I_ext=np.linspace(0, 3e-10, 5)))
        proj = net.connect(src, lif, ps.FixedProbability(0.5), weight=1e-9, port="exc", rule=rule)
        ps.Simulator(net).run(0.2)
        weights.append(proj.w.copy())
    assert np.array_equal(weights[0], weights[1]) and np.ptp(weights[0]) > 0


def test_bad_sites_and_species_are_refused():
    morph = Morphology.cable(20e-6, 1e-6, n_compartments=4)
    net = ps.Network()
    cells = net.add(ps.CableCells(morph, species=[ps.Species("Ca", D=D)]))
    src = net.add(ps.SpikeTimes(1, [0], [1e-3]))
    with pytest.raises(ps.ParameterError, match=r"site of CableCells: 'tip' is neither a location \['root', 'x0', 'x1'\] nor a region \['dend'\]"):
        net.connect(src, cells, port=None, site="tip")
    lif = net.add(ps.LIF(1))
    with pytest.raises(ps.ParameterError, match=r"site = 'root': LIF has one node per neuron \(no sites\)"):
        net.connect(src, lif, site="root")
    net.connect(src, cells, port=None, rule=SpineCalcium())
    with pytest.raises(ps.ParameterError, match=r"SpineCalcium on .* uses site.X: connect with site=LOCATION or REGION"):
        ps.Simulator(net).run(1e-3)
    with pytest.raises(ps.ParameterError, match=r"D = 0.0 is outside the allowed range \(0.0, inf\)"):
        ps.CableCells(morph, species=[ps.Species("Ca", D=0.0)])
    with pytest.raises(ps.ParameterError, match=r"species name = '2x' must be an identifier"):
        ps.Species("2x", D=D)
    with pytest.raises(ps.ParameterError, match=r"species 'K' is not on CableCells"):
        cells.release("K", "root", 1e-20)
