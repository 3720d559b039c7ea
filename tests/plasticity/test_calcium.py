"""Graupner-Brunel rule: calcium closed form, exact (event-driven) vs Euler-Maruyama schemes."""
import numpy as np
import pytest

import plastisim as ps
from plastisim.plasticity.calcium import CalciumGB, CalciumGBEuler

LAG, N_PAIRS = 10e-3, 10


def pairing_network(dt, trials, w0, seed=1, **params):
    """Both schemes on the same spike trains: 10 pairs at 1 Hz, post 10 ms after pre."""
    net = ps.Network(dt=dt, seed=seed)
    pre = net.add(ps.RegularSource(1, 1.0, offset=0.1, stop=0.1 + N_PAIRS - 0.5))
    post = net.add(ps.RegularSource(1, 1.0, offset=0.1 + LAG, stop=0.1 + N_PAIRS - 0.5))
    pairs = (np.zeros(trials, dtype=int), np.zeros(trials, dtype=int))
    exact = net.connect(pre, post, pairs, weight=w0, delay=dt, port=None, rule=CalciumGB(**params))
    euler = net.connect(pre, post, pairs, weight=w0, delay=dt, port=None, rule=CalciumGBEuler(**params))
    return net, exact, euler


def test_calcium_trace_matches_closed_form():
    dt = 1e-4
    net, exact, euler = pairing_network(dt, 1, 0.5, sigma=0.0)
    c = net.record(euler, "c")
    ps.Simulator(net).run(2.0)
    # the sample of step n includes the jumps of step n, decayed to time (n + 1) dt
    t = c.t + dt
    p = euler.rule.params
    t_pre = 0.1 + np.arange(2) + p["D"]
    t_post = 0.1 + LAG + np.arange(2)
    closed = sum(p["c_pre"] * np.exp(-(t - tp) / p["tau_c"]) * (c.t >= tp - dt / 2) for tp in t_pre)
    closed = closed + sum(p["c_post"] * np.exp(-(t - tp) / p["tau_c"]) * (c.t >= tp - dt / 2) for tp in t_post)
    np.testing.assert_allclose(c.data[:, 0], closed, atol=1e-12)


def test_noise_free_exact_scheme_agrees_with_fine_euler():
    # sigma = 0: the weight depends on the threshold-crossing times; Euler at dt = 10 us is the reference
    net, exact, euler = pairing_network(1e-5, 3, np.array([0.2, 0.5, 0.9]), sigma=0.0)
    sim = ps.Simulator(net, chunk_steps=200_000)
    sim.run(N_PAIRS)
    sim.advance(exact)
    change = euler.w - [0.2, 0.5, 0.9]
    assert np.all(np.abs(change) > 0.01)
    np.testing.assert_allclose(exact.w - [0.2, 0.5, 0.9], change, rtol=2e-3)


def test_exact_and_euler_maruyama_agree_in_distribution():
    # 2000 synapses per scheme, independent noise. Tolerance: 4 combined standard errors for the
    # mean and the variance (false-failure rate ~1e-4 per check if both schemes were identical;
    # the O(dt) Euler bias at dt = 0.1 ms is far below the tolerance).
    n = 2000
    net, exact, euler = pairing_network(1e-4, n, 0.3)
    sim = ps.Simulator(net, chunk_steps=100_000)
    sim.run(N_PAIRS)
    sim.advance(exact)
    a, b = exact.w, euler.w
    assert b.mean() - 0.3 > 0.05  # the protocol potentiates
    se_mean = np.sqrt(a.var() / n + b.var() / n)
    assert abs(a.mean() - b.mean()) < 4 * se_mean
    se_var = np.sqrt(2 / (n - 1)) * np.sqrt(a.var() ** 2 + b.var() ** 2)
    assert abs(a.var() - b.var()) < 4 * se_var


def test_bad_thresholds_rejected():
    with pytest.raises(ps.ParameterError, match="theta_p"):
        CalciumGB(theta_p=0.5, theta_d=1.0)
