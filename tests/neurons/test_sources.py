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
