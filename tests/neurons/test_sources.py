"""Spike sources: Poisson counts, piecewise rates, regular trains, explicit lists."""
import numpy as np
import pytest

import plastisim as ps


def run_source(source, duration, dt=1e-4):
    net = ps.Network(dt=dt, seed=2)
    net.add(source)
    mon = net.record_spikes(source)
    ps.Simulator(net).run(duration)
    return mon


def test_poisson_counts_match_rate_piecewise():
    # 1000 trains, rates 20 Hz then 5 Hz then 0 for 1 s each: expected counts 20 000 and 5 000
    # (Poisson s.d. 141 and 71); tolerance 4 s.d.
    mon = run_source(ps.PoissonSource(1000, [20.0, 5.0, 0.0], times=[0.0, 1.0, 2.0]), 3.0)
    counts = np.histogram(mon.t, [0, 1, 2, 3])[0]
    assert abs(counts[0] - 20_000) < 4 * np.sqrt(20_000)
    assert abs(counts[1] - 5_000) < 4 * np.sqrt(5_000)
    assert counts[2] == 0
    # interspike intervals of a Poisson train are exponential: CV ~ 1
    isi = np.concatenate([np.diff(mon.t[(mon.i == k) & (mon.t < 1)]) for k in range(1000)])
    assert abs(isi.std() / isi.mean() - 1) < 0.05


def test_regular_train_with_offsets_and_stop():
    dt = 1e-4
    mon = run_source(ps.RegularSource(2, 100.0, offset=[0.0, 0.0035], stop=0.05), 0.1, dt)
    for k, offset in enumerate((0.0, 0.0035)):
        expected = offset + 0.01 * np.arange(6)
        expected = expected[expected <= 0.05 + 1e-12]  # stop is inclusive
        np.testing.assert_allclose(mon.t[mon.i == k], expected, atol=dt / 2)


def test_spike_list_emitted_at_first_step_not_before_time():
    dt = 1e-4
    mon = run_source(ps.SpikeTimes(3, [2, 0, 1, 0], [0.01, 0.02, 0.00015, 0.02 + 3e-5]), 0.05, dt)
    assert list(zip(mon.i, np.rint(mon.t / dt).astype(int))) == [(1, 2), (2, 100), (0, 200), (0, 201)]


def test_two_spikes_of_one_element_in_one_step_rejected():
    net = ps.Network(dt=1e-3)
    net.add(ps.SpikeTimes(1, [0, 0], [0.0101, 0.0102]))
    with pytest.raises(ps.ParameterError, match="two spikes in one time step"):
        ps.Simulator(net)


def counting_network(rate, dt=1e-3, n=1000):
    """Neurons that only count: no leak (tau_m = 1e12 s), no threshold, 1 mV per arrival."""
    net = ps.Network(dt=dt, seed=3)
    lif = net.add(ps.LIF(n, C=1.0, g_L=1e-12, E_L=0.0, V_reset=0.0, V_th=1e9))
    inp = net.add(ps.PoissonInput(lif, rate, weight=1e-15, port="delta"))
    return net, lif, inp


def test_poisson_input_counts_are_poisson():
    # 1000 neurons x 1 s at 500 Hz: mean count 500 (s.e. 0.71, tolerance 4 s.e.), Fano factor 1
    # (s.e. 0.045, tolerance 0.2); per step (dt = 1 ms, lambda = 0.5) P(0) = e^-0.5 and
    # P(>= 2) = 1 - 1.5 e^-0.5 (50 x 1000 samples, s.e. <= 0.0022, tolerance 0.01)
    net, lif, _ = counting_network(500.0)
    mon = net.record(lif, "V", indices=np.arange(50))
    ps.Simulator(net).run(1.0)
    counts = lif.state["V"] / 1e-3
    np.testing.assert_allclose(counts, np.rint(counts), atol=1e-6)
    assert abs(counts.mean() - 500) < 4 * np.sqrt(500 / 1000)
    assert abs(counts.var() / counts.mean() - 1) < 0.2
    per_step = np.rint(np.diff(mon.data, axis=0, prepend=0.0) / 1e-3)
    assert abs(np.mean(per_step == 0) - np.exp(-0.5)) < 0.01
    assert abs(np.mean(per_step >= 2) - (1 - 1.5 * np.exp(-0.5))) < 0.01


def test_poisson_input_rate_changes_and_fast_forward():
    rate = np.where(np.arange(1000) < 500, 200.0, 0.0)  # per-neuron rates; half silent
    net, lif, inp = counting_network(rate)
    sim = ps.Simulator(net)
    sim.run(0.5)
    assert np.all(lif.state["V"][500:] == 0)
    assert abs(lif.state["V"][:500].mean() / 1e-3 - 100) < 4 * np.sqrt(100 / 500)
    # a fast-forward skips input (no backlog afterwards); a new rate holds from now on
    lif.state["V"][:] = 0.0
    sim.fast_forward(10.0, dt_ff=1.0)
    inp.set_rate(50.0, slice(500, None))
    sim.run(0.2)
    counts = lif.state["V"] / 1e-3
    assert abs(counts[:500].mean() - 40) < 4 * np.sqrt(40 / 500)
    assert abs(counts[500:].mean() - 10) < 4 * np.sqrt(10 / 500)


def test_poisson_input_errors_name_the_parameter():
    net = ps.Network()
    lif = net.add(ps.LIF(3))
    with pytest.raises(ps.ParameterError, match="port = 'soma' is not an input"):
        ps.PoissonInput(lif, 10.0, 1e-9, port="soma")
    with pytest.raises(ps.ParameterError, match="rate must be finite and >= 0 Hz"):
        ps.PoissonInput(lif, -1.0, 1e-9, port="delta")
    with pytest.raises(ps.ParameterError, match="must be a Population, a Signal or an input"):
        ps.Network().add(ps.PoissonInput(lif, 1.0, 1e-9, port="delta"))


class Counter(ps.NeuronModel):
    """Two ports that only count what arrives."""

    state_variables = dict(a=0.0, b=0.0)
    ports = dict(a="a", b="b")

    def update(s, p, d, j, dt):
        s.a[j] += 0.0

    def threshold(s, p, j):
        return False

    def reset(s, p, j):
        s.a[j] += 0.0


def test_bernoulli_poisson_input_is_a_bernoulli_train_on_two_ports():
    # 2000 elements x 1000 steps, rate dt = 0.3: at most one event per step with P = 0.3 (every
    # step, also the first: 2000 samples, s.e. 0.010, tolerance 0.04), independent steps (lag-1
    # correlation of 50 x 1000 steps, s.e. 0.0045, tolerance 0.02), counts Binomial(1000, 0.3):
    # mean 300 (s.e. 0.32, tolerance 2), Fano factor 0.7 (Poisson: 1; s.e. 0.022, tolerance
    # 0.1); port b gets twice the events of port a, the same events
    net = ps.Network(dt=1e-3, seed=5)
    cells = net.add(Counter(2000))
    train = net.add(ps.PoissonInput(cells, 300.0, weight=1.0, port={"a": 1.0, "b": 2.0}, bernoulli=True))
    mon = net.record(cells, "a", indices=np.arange(2000))
    ps.Simulator(net).run(1.0)
    with pytest.raises(ps.ParameterError, match="rate must be <= 1/dt = 1000.0 Hz with bernoulli=True"):
        train.set_rate(1500.0)
    a, b = cells.state["a"], cells.state["b"]
    np.testing.assert_array_equal(b, 2 * a)
    per_step = np.diff(mon.data, axis=0, prepend=0.0)
    assert set(np.unique(per_step)) == {0.0, 1.0}
    assert abs(per_step[0].mean() - 0.3) < 0.04 and abs(per_step.mean() - 0.3) < 0.005
    x = per_step[:, :50] - per_step[:, :50].mean()
    assert abs(np.mean(x[1:] * x[:-1]) / x.var()) < 0.02
    assert abs(a.mean() - 300) < 2 and abs(a.var() / a.mean() - 0.7) < 0.1
    with pytest.raises(ps.ParameterError, match="rate must be <= 1/dt = 1000.0 Hz with bernoulli=True"):
        net.add(ps.PoissonInput(cells, 1500.0, weight=1.0, port="a", bernoulli=True))
        ps.Simulator(net)
