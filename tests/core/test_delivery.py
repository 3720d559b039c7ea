"""Spike delivery with delays is exact to the time step (spec section 0.4)."""
import numpy as np
import pytest

import plastisim as ps


class ArrivalRecorder(ps.Rule):
    """Test rule: store the time of the last presynaptic arrival and count arrivals."""

    synapse_state = dict(t_arrival=-1.0, arrivals=0.0, t_post=-1.0)

    def on_pre(s, k, t):
        s.t_arrival[k] = t
        s.arrivals[k] += 1.0

    def on_post(s, k, t):
        s.t_post[k] = t


def test_spikes_arrive_exactly_delay_later_for_several_delays():
    dt = 1e-4
    delays_steps = np.array([1, 2, 7, 10, 33, 150])
    net = ps.Network(dt=dt)
    pre = net.add(ps.SpikeTimes(2, [0, 1], [0.0123, 0.0200]))
    post = net.add(ps.SpikeTimes(1, [0], [0.05]))
    # every presynaptic neuron reaches the post neuron through six synapses with different delays
    pre_idx = np.repeat([0, 1], len(delays_steps))
    delays = np.tile(delays_steps, 2) * dt
    syn = net.connect(pre, post, (pre_idx, np.zeros(12, dtype=int)), delay=delays, port=None,
                      rule=ArrivalRecorder())
    ps.Simulator(net).run(0.1)
    t_spike = np.where(syn.pre == 0, 0.0123, 0.0200)
    np.testing.assert_array_equal(np.rint(syn.state["t_arrival"] / dt),
                                  np.rint((t_spike + syn.delay) / dt))
    np.testing.assert_array_equal(syn.state["arrivals"], 1.0)
    np.testing.assert_allclose(syn.state["t_post"], 0.05)


def test_delta_jump_appears_in_membrane_exactly_after_delay():
    dt, delay = 1e-4, 2.5e-3
    net = ps.Network(dt=dt)
    src = net.add(ps.SpikeTimes(1, [0], [0.01]))
    lif = net.add(ps.LIF(1, E_L=-70e-3, V_th=0.0, g_L=1e-7, C=1e-9))
    net.connect(src, lif, weight=1e-9, delay=delay, port="delta")  # dV = w / g_L = 10 mV
    mon = net.record(lif, "V")
    ps.Simulator(net).run(0.03)
    first = np.flatnonzero(mon.data[:, 0] > -69e-3)[0]
    assert first == round((0.01 + delay) / dt)
    assert abs(mon.data[first, 0] - (-70e-3 + 10e-3 * np.exp(-dt / 0.01))) < 1e-12


def test_fixed_probability_connection_count():
    # spec T14: count within 5 % of p * n_pre * n_post (s.d. 0.3 %: false failure ~ 0)
    net = ps.Network(dt=1e-4, seed=3)
    a = net.add(ps.PoissonSource(400, 1.0))
    b = net.add(ps.LIF(500))
    proj = net.connect(a, b, ps.FixedProbability(0.1), weight=1e-9)
    assert abs(proj.n_syn - 0.1 * 400 * 500) < 0.05 * 0.1 * 400 * 500


def test_fixed_probability_in_row_blocks_equals_one_dense_draw():
    # 5000 x 4000 pairs need two blocks of rows; the result must equal the single dense draw
    for autapses in (True, False):
        rng = np.random.Generator(np.random.Philox(key=[1, 5]))
        pre, post = ps.FixedProbability(0.1, autapses)(5000, 4000, rng)
        mask = np.random.Generator(np.random.Philox(key=[1, 5])).random((5000, 4000)) < 0.1
        if not autapses:
            np.fill_diagonal(mask, False)
        dense_pre, dense_post = np.nonzero(mask)
        assert np.array_equal(pre, dense_pre) and np.array_equal(post, dense_post)


class GroupArrivals(ps.Rule):
    """Test rule with only a group callback: count the spikes reaching each group."""

    group_state = dict(count=0.0)

    def on_pre_group(grp, g):
        grp.count[g] += 1.0


def test_group_callback_alone_sees_every_arrival():
    # 3 presynaptic neurons -> 4 targets with delays 1 or 2 ms: 2 groups per neuron; the target
    # is a spike source (no input port), so only the group callback consumes the arrivals
    net = ps.Network(dt=1e-4)
    pre = net.add(ps.SpikeTimes(3, [0, 0, 1, 2, 2, 2], [0.001, 0.005, 0.002, 0.001, 0.003, 0.006]))
    post = net.add(ps.SpikeTimes(4, [], []))
    delays = np.tile([1e-3, 2e-3, 1e-3, 2e-3], 3)
    proj = net.connect(pre, post, "all_to_all", delay=delays, rule=GroupArrivals())
    ps.Simulator(net).run(0.02)
    spikes_per_pre = np.array([2, 1, 3])
    np.testing.assert_array_equal(proj.group_state["count"], np.repeat(spikes_per_pre, 2))


def test_one_projection_can_drive_several_ports_with_factors():
    """port={"exc": 1.0, "inh": 0.5}: one synapse list, one weight, delivered to both ports --
    the same as two projections with weights w and 0.5 w."""
    traces = []
    for split in (False, True):
        net = ps.Network(dt=1e-4, seed=2)
        src = net.add(ps.PoissonSource(30, 40.0))
        lif = net.add(ps.LIF(4))
        pairs = (np.arange(30) % 30, np.arange(30) % 4)
        if split:
            net.connect(src, lif, pairs, weight=2e-9, port="exc")
            net.connect(src, lif, pairs, weight=1e-9, port="inh")
        else:
            net.connect(src, lif, pairs, weight=2e-9, port={"exc": 1.0, "inh": 0.5})
        mon = net.record(lif, "V", np.arange(4))
        ps.Simulator(net).run(0.3)
        traces.append(mon.data)
    assert np.ptp(traces[0]) > 1e-3 and np.array_equal(traces[0], traces[1])
    with pytest.raises(ps.ParameterError, match=r"port = 'nmda' is not an input of LIF"):
        net.connect(src, lif, pairs, port={"exc": 1.0, "nmda": 0.5})
