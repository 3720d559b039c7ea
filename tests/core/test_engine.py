"""Engine features: user neuron models, signals, reductions, regular callbacks, protocols,
helper functions, error locations and debug mode, each against an independent computation."""
import numpy as np
import pytest

import plastisim as ps

DT = 1e-4
GAIN = 2.0  # module-level constant used inside a callback


def scaled(x):
    """Module-level helper function used inside a callback."""
    return GAIN * x


class Probe(ps.NeuronModel):
    """Never spikes; x[j] := value of signal ``level`` (per neuron or global) each step."""

    parameters = dict(per_neuron=0.0)
    state_variables = dict(x=0.0, y=0.0)

    def update(s, p, j):
        s.x[j] = sig.level[j] if p.per_neuron > 0.0 else 0.0

    def threshold(s, p, j):
        return False

    def reset(s, p, j):
        s.y[j] = 0.0


class GlobalProbe(Probe):
    def update(s, p, j):
        s.x[j] = sig.level


class QuadraticIF(ps.NeuronModel):
    """tau dv/dt = v^2 + I, spike at v >= v_peak, reset v = v_reset (dimensionless v)."""

    parameters = dict(tau=10e-3, v_peak=10.0, v_reset=-1.0)
    state_variables = dict(v=-1.0, I=0.5)
    ports = dict(current="v")

    def update(s, p, j, dt):
        dv = (s.v[j] * s.v[j] + s.I[j]) / p.tau
        s.v[j] += dt * dv

    def threshold(s, p, j):
        return s.v[j] >= p.v_peak

    def reset(s, p, j):
        s.v[j] = p.v_reset


def test_user_neuron_model_matches_numpy_euler():
    net = ps.Network(dt=DT)
    pop = net.add(QuadraticIF(3, I=np.array([0.5, 1.0, 2.0])))
    mon = net.record(pop, "v", indices=[0, 1, 2])
    spk = net.record_spikes(pop)
    ps.Simulator(net).run(0.2)
    v, I = np.full(3, -1.0), np.array([0.5, 1.0, 2.0])
    trace, spikes = [], []
    for n in range(2000):
        v = v + DT * (v * v + I) / 10e-3
        fired = v >= 10.0
        spikes += [(n, j) for j in np.flatnonzero(fired)]
        v[fired] = -1.0
        trace.append(v.copy())
    np.testing.assert_allclose(mon.data, np.array(trace), rtol=1e-12, atol=1e-12)
    assert list(zip(np.rint(spk.t / DT).astype(int), spk.i)) == spikes and len(spikes) > 10


def test_neuron_model_errors_name_model_callback_and_line():
    class Broken(QuadraticIF):
        def update(s, p, j):
            s.v[j] = s.unknown[j]

    with pytest.raises(ps.ParameterError, match=r"Broken.update: unknown name s.unknown; .*test_engine.py, line \d+"):
        ps.Simulator(_single(Broken(2)))

    class Untyped(QuadraticIF):
        def update(s, p, j):
            s.v[j] = s.v[j] + "text"

    with pytest.raises(ps.ParameterError, match=r"Untyped.update \(.*test_engine.py, line \d+\) cannot be compiled"):
        ps.Simulator(_single(Untyped(2)))


def _single(pop):
    net = ps.Network(dt=DT)
    net.add(pop)
    return net


def test_signals_timed_array_schedule_and_concentration_match_numpy():
    net = ps.Network(dt=DT)
    table = np.linspace(0.0, 1.0, 11)
    kinds = {"timed": ps.TimedArray("level", table, dt=1e-3),
             "schedule": ps.Schedule("level", [2e-3, 5e-3], [3.0, -1.0], initial=0.5)}
    t = np.arange(100) * DT
    expected = {"timed": table[np.minimum((t / 1e-3 + 1e-9).astype(int), 10)],
                "schedule": np.where(t < 2e-3 - 1e-12, 0.5, np.where(t < 5e-3 - 1e-12, 3.0, -1.0))}
    for kind, signal in kinds.items():
        net = ps.Network(dt=DT)
        net.add(signal)
        mon = net.record(net.add(GlobalProbe(1)), "x")
        ps.Simulator(net).run(100 * DT)
        np.testing.assert_array_equal(mon.data[:, 0], expected[kind], err_msg=kind)


def test_concentration_global_and_per_target():
    times = np.array([1.0, 3.0, 3.0, 7.5]) * 1e-3
    index = np.array([0, 0, 1, 1])
    amount, tau = 0.7, 4e-3
    steps = np.ceil(times / DT - 1e-6).astype(int)

    def expected(mask):
        """c(t_n) = sum over spikes in steps m < n of amount e^(-(n - 1 - m) dt / tau)."""
        n = np.arange(120)[:, None]
        m = steps[mask][None, :]
        return np.sum(np.where(m < n, amount * np.exp(-(n - 1 - m) * DT / tau), 0.0), axis=1)

    net = ps.Network(dt=DT)
    src = net.add(ps.SpikeTimes(2, index, times))
    net.add(ps.Concentration("level", src, amount, tau))
    mon = net.record(net.add(GlobalProbe(1)), "x")
    ps.Simulator(net).run(120 * DT)
    np.testing.assert_allclose(mon.data[:, 0], expected(index >= 0), rtol=1e-12, atol=1e-15)

    net = ps.Network(dt=DT)
    src = net.add(ps.SpikeTimes(2, index, times))
    probe = net.add(Probe(2, per_neuron=1.0))
    net.add(ps.Concentration("level", src, amount, tau, target=probe, connect="one_to_one"))
    mon = net.record(probe, "x", indices=[0, 1])
    ps.Simulator(net).run(120 * DT)
    for j in (0, 1):
        np.testing.assert_allclose(mon.data[:, j], expected(index == j), rtol=1e-12, atol=1e-15)


class Normalised(ps.Rule):
    """Pre spikes add to w; every millisecond each neuron's weights are scaled to sum to
    ``total``; n.seen keeps the sum the synapses saw (reductions, regular callbacks, helpers,
    module constants, signals)."""

    parameters = dict(total=1.0)
    neuron_state = dict(w_sum=0.0, seen=0.0, ticks=0.0, period=0.0)
    pre_neuron_state = dict(out_sum=0.0)
    neuron_sums = dict(w_sum="w")
    pre_sums = dict(out_sum="w")
    regular_period = 1e-3

    def on_pre(s, p, k):
        s.w[k] += scaled(0.01) * sig.gain

    def on_neuron_step(n, j):
        n.seen[j] = n.w_sum[j]

    def on_regular(s, p, n, k, j):
        s.w[k] *= p.total / n.w_sum[j]

    def on_neuron_regular(n, j, dt):
        n.ticks[j] += 1.0
        n.period[j] = dt


def _normalised_net(order):
    net = ps.Network(dt=DT, seed=4)
    src = net.add(ps.PoissonSource(30, 200.0))
    post = net.add(ps.LIF(4, name="post"))
    net.add(ps.Schedule("gain", [0.0], [1.0]))
    pre_idx, post_idx = np.meshgrid(np.arange(30), np.arange(4), indexing="ij")
    pairs = (pre_idx.ravel()[order], post_idx.ravel()[order])
    w = 0.01 + 0.001 * (pairs[0] + 30 * pairs[1])
    proj = net.connect(src, post, pairs, weight=w, port="delta", rule=Normalised())
    return net, proj


def test_reductions_and_regular_callbacks():
    order = np.arange(120)
    net, proj = _normalised_net(order)
    sim = ps.Simulator(net)
    sim.run(0.0105)
    sums = np.bincount(proj.post, proj.w, minlength=4)
    np.testing.assert_allclose(proj.neuron_state["seen"], sums, rtol=1e-14)  # sum seen in the step
    np.testing.assert_allclose(proj.pre_neuron_state["out_sum"], np.bincount(proj.pre, proj.w, minlength=30),
                               rtol=1e-14)
    assert np.all(proj.neuron_state["ticks"] == 105 // 10)
    np.testing.assert_allclose(proj.neuron_state["period"], 1e-3)
    sim.run(0.0095)  # ends on a normalisation step: every neuron's weights sum to total
    np.testing.assert_allclose(np.bincount(proj.post, proj.w, minlength=4), 1.0, rtol=1e-12)
    # the same synapses given in another order: the same weights per (pre, post) pair
    net2, proj2 = _normalised_net(np.random.default_rng(0).permutation(120))
    ps.Simulator(net2).run(0.02)
    key = lambda p: np.lexsort((p.post, p.pre))
    np.testing.assert_allclose(proj2.w[key(proj2)], proj.w[key(proj)], rtol=1e-12)


def test_rule_callback_may_not_use_an_undefined_index():
    class GroupWithNeuron(ps.Rule):
        group_state = dict(x=0.0)

        def on_pre_group(grp, g, j):
            grp.x[g] += j

    net = ps.Network()
    src = net.add(ps.PoissonSource(2, 10.0))
    net.connect(src, net.add(ps.LIF(2)), "one_to_one", rule=GroupWithNeuron())
    with pytest.raises(ps.ParameterError, match=r"GroupWithNeuron.on_pre_group: index 'j' is not defined"):
        ps.Simulator(net)


def test_rule_reads_presynaptic_state():
    class CopyPre(ps.Rule):
        synapse_state = dict(v_pre=0.0)

        def on_pre(s, pre, k, i):
            s.v_pre[k] = pre.V[i]

    net = ps.Network(dt=DT)
    a = net.add(ps.LIF(3, I_ext=[5e-9, 6e-9, 7e-9], V_reset=[-70e-3, -71e-3, -72e-3][0], name="a"))
    proj = net.connect(a, net.add(ps.LIF(3, name="b")), "one_to_one", port="delta", rule=CopyPre())
    ps.Simulator(net).run(0.01)
    # a spike arrives one step later, before a's next update: V of a is still V_reset
    np.testing.assert_array_equal(proj.state["v_pre"], a.params["V_reset"])


def test_rule_writing_a_port_variable_keeps_it_compiled_in():
    # regression: conductances were compiled out when only a rule wrote them
    class Excite(ps.Rule):
        def on_pre(post, j):
            post.g_e[j] += 1e-8

    net = ps.Network(dt=DT)
    src = net.add(ps.RegularSource(1, 100.0))
    lif = net.add(ps.LIF(1))
    net.connect(src, lif, "one_to_one", weight=0.0, port="delta", rule=Excite())
    mon = net.record(lif, "V")
    ps.Simulator(net).run(0.02)
    assert mon.data.max() > lif.params["E_L"] + 1e-3


def test_protocol_actions_fast_forward_and_resume_mid_protocol(tmp_path):
    def build():
        net = ps.Network(dt=DT, seed=3)
        lif = net.add(ps.LIF(5, sigma=1e-2, name="lif"))
        spikes = net.record_spikes(lif)
        proto = ps.Protocol(duration=0.6)
        proto.set(0.1, lif, "I_ext", 2e-9)
        proto.call(0.2, lif.switch_ou, "stim", slice(None), mu=0.5e-9, sigma=0.2e-9)
        proto.set(0.25, lif, "I_ext", 0.0)
        proto.fast_forward(0.3, 0.5, 0.05)
        proto.call(0.5, lif.switch_ou, "stim", slice(None))
        return net, lif, spikes, proto

    net, lif, spikes, proto = build()
    sim = ps.Simulator(net)
    sim.run_protocol(proto)
    assert sim.t == pytest.approx(0.6)
    t = spikes.t
    assert not np.any(t < 0.1) and np.any(t < 0.25)  # I_ext on at 0.1 s, off at 0.25 s
    assert not np.any((t > 0.3) & (t < 0.5))  # fast-forward: no spikes
    net2, _, spikes2, proto2 = build()
    sim2 = ps.Simulator(net2)
    sim2.run_protocol(proto2, until=0.22)
    sim2.save_checkpoint(tmp_path / "mid.h5")
    net3, _, spikes3, proto3 = build()
    sim3 = ps.Simulator(net3)
    sim3.load_checkpoint(tmp_path / "mid.h5")
    sim3.run_protocol(proto3)
    np.testing.assert_array_equal(spikes3.t, t)
    np.testing.assert_array_equal(spikes3.i, spikes.i)


def test_protocol_refuses_an_action_inside_a_fast_forward():
    net = ps.Network(dt=DT)
    lif = net.add(ps.LIF(1))
    proto = ps.Protocol(duration=1.0).fast_forward(0.2, 0.8, 0.1).set(0.5, lif, "I_ext", 1e-9)
    with pytest.raises(ps.ParameterError, match="inside the fast-forward phase"):
        ps.Simulator(net).run_protocol(proto)


def test_debug_mode_reports_an_index_out_of_range_with_the_time():
    class Overreach(ps.Rule):
        neuron_state = dict(x=0.0)

        def on_pre(n, k, j):
            n.x[j + 1000] += 1.0

    net = ps.Network(dt=DT)
    src = net.add(ps.SpikeTimes(1, [0], [2.5e-3]))
    net.connect(src, net.add(ps.LIF(2)), "all_to_all", rule=Overreach(), port="delta")
    sim = ps.Simulator(net, debug=True)
    with pytest.raises(ps.SimulationError, match=r"index out of range .* at t = 0.0026 s \(step 26\)"):
        sim.run(0.01)


def test_division_by_zero_in_a_rule_is_reported_like_a_nan():
    class Divide(ps.Rule):
        def on_pre(s, k):
            s.w[k] = 1.0 / (s.w[k] - s.w[k])

    net = ps.Network(dt=DT)
    src = net.add(ps.SpikeTimes(1, [0], [2.5e-3]))
    net.connect(src, net.add(ps.LIF(1)), "all_to_all", rule=Divide(), port="delta", weight=1e-12)
    with pytest.raises(ps.SimulationError, match=r"non-finite value in projections/.*/synapse/w, element 0, at t = 0.0026 s"):
        ps.Simulator(net).run(0.01)


def test_random_streams_are_keyed_by_names_not_positions():
    def trace(extra_first):
        net = ps.Network(dt=DT, seed=9)
        if extra_first:
            net.add(ps.PoissonSource(7, 30.0, name="other"))
        lif = net.add(ps.LIF(4, sigma=5e-3, name="noisy"))
        src = net.add(ps.PoissonSource(10, 50.0, name="drive"))
        net.connect(src, lif, ps.FixedProbability(0.5), weight=1e-10, port="delta", name="drive->noisy")
        mon = net.record(lif, "V", indices=[0, 1, 2, 3])
        ps.Simulator(net).run(0.05)
        return mon.data

    np.testing.assert_array_equal(trace(False), trace(True))


def test_sources_skip_events_during_fast_forward_and_rate_monitor_keeps_the_gap():
    net = ps.Network(dt=1e-3)
    times = np.arange(0.0, 0.2, 0.01)
    lst = net.add(ps.SpikeTimes(1, np.zeros(len(times), dtype=int), times, name="list"))
    reg = net.add(ps.RegularSource(1, 100.0, name="regular"))
    spk = {pop.name: net.record_spikes(pop) for pop in (lst, reg)}
    rate = net.record_rate(reg)
    sim = ps.Simulator(net)
    sim.run(0.02)
    sim.fast_forward(0.1, 0.01)
    sim.run(0.03)
    for name, mon in spk.items():
        steps = np.rint(mon.t / 1e-3).astype(int)
        assert len(np.unique(steps)) == len(steps), name  # never two spikes of one element per step
        np.testing.assert_allclose(mon.t, [0.0, 0.01, 0.12, 0.13, 0.14], atol=1e-9, err_msg=name)
    assert rate.t[-1] == pytest.approx(0.149) and len(rate.t) == 50
    np.testing.assert_allclose(rate.t[rate.rate > 0], [0.0, 0.01, 0.12, 0.13, 0.14], atol=1e-9)


class SynthesisSignal(ps.Rule):
    """Like STC's protein-synthesis signal: every synapse adds to a per-neuron sum each step,
    the neuron-level callback consumes it (and counts its calls)."""

    neuron_state = dict(S=0.0, total=0.0, calls=0.0)

    def on_pre(s, k):
        s.w[k] += 1e-12

    def on_step(s, n, k, j):
        n.S[j] += s.w[k]

    def on_neuron_step(n, j):
        n.total[j] = n.S[j]
        n.S[j] = 0.0
        n.calls[j] += 1.0


def test_projections_with_the_same_rule_share_neuron_level_state():
    # two input pathways onto the same neurons: the per-neuron sum covers the synapses of both
    # projections, and the neuron-level callback runs once per neuron and step
    net = ps.Network(dt=DT, seed=2)
    post = net.add(ps.LIF(3, name="post"))
    a, b = net.add(ps.PoissonSource(5, 50.0, name="a")), net.add(ps.PoissonSource(4, 50.0, name="b"))
    pa = net.connect(a, post, "all_to_all", weight=1e-10, port="delta", rule=SynthesisSignal())
    pb = net.connect(b, post, "all_to_all", weight=3e-10, port="delta", rule=SynthesisSignal())
    ps.Simulator(net).run(0.05)
    assert pb.neuron_state is pa.neuron_state
    total = np.bincount(pa.post, pa.w, minlength=3) + np.bincount(pb.post, pb.w, minlength=3)
    np.testing.assert_allclose(pa.neuron_state["total"], total, rtol=1e-12)
    np.testing.assert_array_equal(pa.neuron_state["calls"], 500)
