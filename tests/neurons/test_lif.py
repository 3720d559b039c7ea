"""LIF neuron against analytic solutions (spec plastic_arbor.md section 0.5, tests T1, T2)."""
import math

import numpy as np
import pytest

import plastisim as ps

P = dict(C=1e-9, g_L=1e-7, E_L=-65e-3, V_th=-55e-3, V_reset=-70e-3, t_ref=2e-3)


def test_membrane_relaxes_as_analytic_exponential():
    dt, I0 = 1e-4, 0.05e-9  # V_inf = E_L + I0/g_L = -64.5 mV, below threshold
    net = ps.Network(dt=dt)
    lif = net.add(ps.LIF(1, I_ext=I0, V_init=-70e-3, **P))
    mon = net.record(lif, "V")
    ps.Simulator(net).run(0.075)
    t = (np.arange(len(mon.t)) + 1) * dt  # value after step n is V((n + 1) dt)
    tau = P["C"] / P["g_L"]
    v_inf = P["E_L"] + I0 / P["g_L"]
    exact = v_inf + (-70e-3 - v_inf) * np.exp(-t / tau)
    np.testing.assert_allclose(mon.data[:, 0], exact, rtol=1e-10)


# rheobase g_L (V_th - E_L) = 1 nA
@pytest.mark.parametrize("I0", [1.2e-9, 2e-9, 5e-9, 20e-9])
def test_f_I_curve_matches_analytic_interspike_interval(I0):
    dt = 1e-4
    net = ps.Network(dt=dt)
    lif = net.add(ps.LIF(1, I_ext=I0, **P))
    spikes = net.record_spikes(lif)
    ps.Simulator(net).run(2.0)
    tau = P["C"] / P["g_L"]
    v_inf = P["E_L"] + I0 / P["g_L"]
    T = tau * math.log((v_inf - P["V_reset"]) / (v_inf - P["V_th"]))  # continuous time to threshold
    steps = round(P["t_ref"] / dt) + math.floor(T / dt) + 1            # discrete: clamp + first crossing
    isi = np.diff(spikes.t)
    np.testing.assert_allclose(isi, steps * dt, rtol=1e-9)
    assert abs(1 / isi.mean() - 1 / (P["t_ref"] + T)) / (1 / (P["t_ref"] + T)) < 2 * dt / T


def test_maximal_rate_under_saturating_drive():
    # spec T1: T / (t_ref + dt) spikes under saturating input
    dt, T = 2e-4, 1.0
    net = ps.Network(dt=dt)
    lif = net.add(ps.LIF(3, I_ext=1e-6, **P))
    spikes = net.record_spikes(lif)
    ps.Simulator(net).run(T)
    expected = T / (P["t_ref"] + dt)
    counts = np.bincount(spikes.i, minlength=3)
    assert np.all(np.abs(counts - expected) <= 1)


def test_conductance_input_relaxes_to_reversal_weighted_mean():
    # one conductance jump g (decay negligible): V -> (g_L E_L + g E_e) / (g_L + g), tau = C / (g_L + g)
    g = 1e-7
    net = ps.Network(dt=1e-4)
    src = net.add(ps.SpikeTimes(1, [0], [0.0]))
    lif = net.add(ps.LIF(1, V_th=1.0, tau_e=1e9, **{k: v for k, v in P.items() if k != "V_th"}))
    net.connect(src, lif, weight=g, port="exc")
    vmon = net.record(lif, "V")
    ps.Simulator(net).run(0.1)
    v_expected = (P["g_L"] * P["E_L"] + g * 0.0) / (P["g_L"] + g)
    t = vmon.t[-1]  # jump arrives at step 1; V relaxes from E_L from then on
    exact = v_expected + (P["E_L"] - v_expected) * np.exp(-t / (P["C"] / (P["g_L"] + g)))
    np.testing.assert_allclose(vmon.data[-1, 0], exact, rtol=1e-6)


def test_exponential_current_psp_matches_closed_form():
    # spec 5.5 (T11): w = h0 = 4.20075 mV as current h0/R decaying with tau_syn = tau_m / 2:
    # PSP = h0 (e^(-t/tau_m) - e^(-t/tau_syn)); reference peak -63.9481 mV (rel. 1e-4)
    dt, h0, R = 0.2e-3, 4.20075e-3, 10e6
    net = ps.Network(dt=dt)
    src = net.add(ps.SpikeTimes(1, [0], [0.01]))
    lif = net.add(ps.LIF(1, C=1e-9, g_L=1 / R, E_L=-65e-3, V_th=-55e-3, tau_syn=5e-3))
    net.connect(src, lif, weight=h0 / R, delay=3e-3, port="current")
    mon = net.record(lif, "V")
    ps.Simulator(net).run(0.1)
    onset = round(0.013 / dt)                    # the current jumps at this step
    t = (np.arange(len(mon.t)) + 1 - onset) * dt  # time since onset of the value after each step
    closed = -65e-3 + np.where(t > 0, h0 * (np.exp(-t / 10e-3) - np.exp(-t / 5e-3)), 0.0)
    np.testing.assert_allclose(mon.data[:, 0], closed, rtol=0, atol=1e-12)
    assert abs(mon.data[:, 0].max() - (-63.9481e-3)) <= 1e-4 * 63.9481e-3


def test_ou_current_stationary_mean_and_sd():
    # spec T3: background OU (mu = 0.15 nA, sigma = 0.5 nA, tau = 5 ms); 400 neurons x 1 s sampled
    # every 25 ms (~independent samples: 16 000); tolerance 4 standard errors
    net = ps.Network(dt=0.2e-3, seed=4)
    lif = net.add(ps.LIF(400, V_th=1.0, **{k: v for k, v in P.items() if k != "V_th"}))
    lif.switch_ou("bg", slice(None), mu=0.15e-9, sigma=0.5e-9)
    mon = net.record(lif, "I_bg", indices=np.arange(400), interval=25e-3)
    ps.Simulator(net).run(1.0)
    x = mon.data[4:].ravel()
    se_mean, se_sd = 0.5e-9 / np.sqrt(x.size), 0.5e-9 / np.sqrt(2 * x.size)
    assert abs(x.mean() - 0.15e-9) < 4 * se_mean
    assert abs(x.std() - 0.5e-9) < 4 * se_sd
    # neurons 2m and 2m + 1 draw their noise from one normal pair: still uncorrelated
    z = (mon.data[4:] - 0.15e-9) / 0.5e-9
    pairs = z[:, 0::2] * z[:, 1::2]
    assert abs(pairs.mean()) < 4 / np.sqrt(pairs.size)
    # switching off: I := 0 and frozen
    lif.switch_ou("bg", slice(None))
    sim = ps.Simulator(net)
    sim.run(0.01)
    assert np.all(lif.state["I_bg"] == 0)


def test_saturating_ou_stimulus_gives_maximal_rate():
    # spec 0.6 / T1: the learning stimulus (mu = 1050.19 nA, sigma = 210.04 nA) drives the neuron
    # at 1 / (t_ref + dt) = 454.5 Hz
    dt = 0.2e-3
    net = ps.Network(dt=dt, seed=1)
    lif = net.add(ps.LIF(5, **P))
    lif.switch_ou("stim", slice(None), mu=1050.19e-9, sigma=210.04e-9)
    spikes = net.record_spikes(lif)
    ps.Simulator(net).run(1.0)
    counts = np.bincount(spikes.i, minlength=5)
    assert np.all(np.abs(counts - 1.0 / (P["t_ref"] + dt)) <= 0.1 / (P["t_ref"] + dt))


def test_inputs_switched_on_between_runs_take_effect():
    # the kernel skips OU currents and conductances while they are zero and unused; switching
    # them on between runs must rebuild it. OU mean 0.5 nA: V -> E_L + mu / g_L = -60 mV
    net = ps.Network(dt=1e-4, seed=3)
    lif = net.add(ps.LIF(10, **P))
    sim = ps.Simulator(net)
    sim.run(0.01)
    assert np.all(lif.state["V"] == P["E_L"])
    lif.switch_ou("bg", slice(None), mu=0.5e-9)
    sim.run(0.1)  # 10 tau_m
    np.testing.assert_allclose(lif.state["V"], P["E_L"] + 0.5e-9 / P["g_L"], atol=1e-6)
    lif.switch_ou("bg", slice(None))
    lif.state["g_i"][:] = 1e-6  # strong inhibitory conductance pulls V below E_L
    sim.run(1e-3)
    assert np.all(lif.state["V"] < P["E_L"] - 1e-3)


def test_held_psc_scheme_gives_the_charge_of_a_current_held_over_each_step():
    # psc_held = 1: I_syn is constant over a step (reference STC simulator); the PSP of one
    # jump is then the sum over steps of I_n (1 - e^(-dt/tau))/g_L propagated, I_n = w e^(-n dt/tau_syn)
    dt, w = 2e-4, 1e-9
    P2 = dict(P, tau_syn=5e-3, psc_held=1.0)
    net = ps.Network(dt=dt)
    src = net.add(ps.SpikeTimes(1, [0], [0.0]))
    lif = net.add(ps.LIF(1, **P2))
    net.connect(src, lif, "one_to_one", weight=w, delay=dt, port="current")
    mon = net.record(lif, "V")
    ps.Simulator(net).run(0.05)
    a, b = math.exp(-dt * P["g_L"] / P["C"]), math.exp(-dt / 5e-3)
    v, current, expected = P["E_L"], 0.0, []
    for n in range(len(mon.t)):
        if n == 1:
            current += w
        v = P["E_L"] + (v - P["E_L"]) * a + current * (1 - a) / P["g_L"]
        current *= b
        expected.append(v)
    np.testing.assert_allclose(mon.data[:, 0], expected, rtol=1e-12)
