"""Izhikevich (2003) and Izhikevich (2007) models against independent NumPy forward-Euler
references at the same dt, published firing patterns, rheobase, and a rule reading ``post.u``."""
import numpy as np
import pytest

import plastisim as ps
from plastisim.neurons.izhikevich import PRESETS

KINDS = ["RS", "IB", "CH", "FS", "LTS"]


def euler_2003(a, b, c, d, I, dt, T, v_peak=30e-3):
    """Forward Euler of the 2003 model (SI units); spike times of every neuron (s)."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    v = c.copy()
    u = b * v
    spikes = [[] for _ in v]
    for n in range(int(round(T / dt))):
        v, u = v + dt * (4e4 * v * v + 5e3 * v + 140.0 - u + I), u + dt * a * (b * v - u)
        for i in np.nonzero(v >= v_peak)[0]:
            spikes[i].append(n * dt)
        fired = v >= v_peak
        v = np.where(fired, c, v)
        u = np.where(fired, u + d, u)
    return [np.array(s) for s in spikes]


@pytest.fixture(scope="module")
def patterns():
    """The five published types under the standard step I = 10 from t = 0, dt = 0.01 ms."""
    dt, T = 1e-5, 0.4
    net = ps.Network(dt=dt)
    pops = [net.add(ps.Izhikevich.preset(k, 1, name=k, I_ext=10.0)) for k in KINDS]
    mons = [net.record_spikes(p) for p in pops]
    ps.Simulator(net).run(T)
    ref = euler_2003(*(np.array([PRESETS[k][x] for k in KINDS]) for x in "abcd"), 10.0, dt, T)
    return dt, {k: m.t for k, m in zip(KINDS, mons)}, dict(zip(KINDS, ref))


def test_2003_spike_times_match_numpy_euler(patterns):
    # same scheme at the same dt: identical steps (tolerance 1e-9 s << dt)
    dt, sim, ref = patterns
    for k in KINDS:
        assert len(sim[k]) == len(ref[k]) > 5, k
        np.testing.assert_allclose(sim[k], ref[k], atol=1e-9, err_msg=k)


def test_2003_firing_patterns(patterns):
    _, sim, _ = patterns
    isi = {k: np.diff(sim[k]) * 1e3 for k in KINDS}  # ms
    # RS: regular spiking with adaptation (ISIs never shrink by > 0.1 %, last >> first)
    assert np.all(np.diff(isi["RS"]) > -1e-3 * isi["RS"][1:]) and isi["RS"][-1] > 1.5 * isi["RS"][0]
    # IB: initial burst (first ISI < 5 ms), then regular single spikes (ISIs > 20 ms, constant)
    assert isi["IB"][0] < 5 and np.all(isi["IB"][1:] > 20)
    assert np.ptp(isi["IB"][3:]) < 0.05 * isi["IB"][-1]
    # CH: repeated bursts: >= 4 bursts of >= 3 spikes at < 10 ms, separated by > 30 ms
    long_gaps = np.nonzero(isi["CH"] > 30)[0]
    assert len(long_gaps) >= 4
    bursts = np.diff(np.concatenate([[-1], long_gaps]))  # spikes per burst
    assert np.all(bursts >= 3) and np.all(isi["CH"][isi["CH"] < 30] < 10)
    # FS: fast (> 100 Hz) with no adaptation in the steady state (ISIs constant to 5 %)
    assert 1e3 / isi["FS"].mean() > 100
    assert np.ptp(isi["FS"][5:]) < 0.05 * isi["FS"][5:].mean()
    # LTS: high initial frequency (first ISI < 10 ms, > 100 Hz) with adaptation afterwards
    assert isi["LTS"][0] < 10 and isi["LTS"][-1] > 3 * isi["LTS"][0]


def test_2003_current_port_is_a_one_step_pulse():
    # one weight w reaching the port at step n raises v by exactly w dt relative to no input
    dt, w = 1e-4, 50.0
    runs = []
    for weight in (0.0, w):
        net = ps.Network(dt=dt)
        src = net.add(ps.SpikeTimes(1, [0], [0.005]))
        izh = net.add(ps.Izhikevich.preset("RS", 1))
        net.connect(src, izh, weight=weight, port="current")
        mon = net.record(izh, "v")
        ps.Simulator(net).run(0.0062)
        runs.append(mon.data[:, 0])
    jump = np.nonzero(runs[1] != runs[0])[0][0]
    assert jump == round(0.0051 / dt)  # arrival one step (the delay) after the spike
    assert abs(runs[1][jump] - runs[0][jump] - w * dt) < 1e-15


RS_2007 = dict(C=100e-12, k=0.7e-6, v_r=-60e-3, v_t=-40e-3, v_peak=35e-3, a=30.0, b=-2e-9,
               c=-50e-3, d=100e-12)


def euler_2007(I, dt, T, C, k, v_r, v_t, v_peak, a, b, c, d):
    v, u, spikes = v_r, 0.0, []
    for n in range(int(round(T / dt))):
        v, u = v + dt * (k * (v - v_r) * (v - v_t) - u + I) / C, u + dt * a * (b * (v - v_r) - u)
        if v >= v_peak:
            spikes.append(n * dt)
            v, u = c, u + d
    return np.array(spikes)


def test_2007_defaults_are_the_book_rs_cell():
    assert ps.Izhikevich2007.parameters == dict(ps.Izhikevich2007.parameters, **RS_2007)


@pytest.mark.parametrize("I", [100e-12, 150e-12])
def test_2007_spike_times_match_numpy_euler(I):
    dt, T = 2e-5, 0.5
    net = ps.Network(dt=dt)
    izh = net.add(ps.Izhikevich2007(1, I_ext=I))
    mon = net.record_spikes(izh)
    ps.Simulator(net).run(T)
    ref = euler_2007(I, dt, T, **RS_2007)
    assert len(ref) > 5 and len(mon.t) == len(ref)
    np.testing.assert_allclose(mon.t, ref, atol=1e-9)
    isi = np.diff(mon.t)
    assert isi[-1] > isi[0]  # RS adapts


def test_2007_rheobase_is_the_saddle_node_current():
    # equilibria of the 2-D system: k x^2 + (k (v_r - v_t) - b) x + I = 0, x = v - v_r; they
    # merge at I_rh = (k (v_r - v_t) - b)^2 / (4 k) = 51.43 pA for the RS cell
    p = RS_2007
    I_rh = (p["k"] * (p["v_r"] - p["v_t"]) - p["b"]) ** 2 / (4 * p["k"])
    assert abs(I_rh - 51.4286e-12) < 1e-15
    net = ps.Network(dt=1e-4)
    izh = net.add(ps.Izhikevich2007(2, I_ext=np.array([0.98, 1.02]) * I_rh))
    mon = net.record_spikes(izh)
    ps.Simulator(net).run(3.0)
    counts = np.bincount(mon.i, minlength=2)
    assert counts[0] == 0 and counts[1] > 0


class ReadU(ps.Rule):
    """Copies the postsynaptic recovery variable into the synapse at every step."""

    synapse_state = dict(u_seen=0.0, v_seen=0.0)

    def on_step(s, k, j):
        s.u_seen[k] = post.u[j]
        s.v_seen[k] = post.v[j]


def test_rule_reads_izhikevich_state():
    net = ps.Network(dt=1e-4)
    src = net.add(ps.SpikeTimes(1, [0], [0.5]))
    izh = net.add(ps.Izhikevich.preset("CH", 3, I_ext=np.array([0.0, 5.0, 10.0])))
    syn = net.connect(src, izh, ([0, 0, 0], [0, 1, 2]), weight=0.0, port="current", rule=ReadU())
    ps.Simulator(net).run(0.0537)
    np.testing.assert_array_equal(syn.state["u_seen"], izh.state["u"])
    np.testing.assert_array_equal(syn.state["v_seen"], izh.state["v"])
    assert len(set(izh.state["u"])) == 3
