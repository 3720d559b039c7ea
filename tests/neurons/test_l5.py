"""L5 pyramidal cell and PV/SOM interneurons (plastisim.neurons.l5) against an independent
NumPy implementation of spec l5_gain.md §3-§7, written in the spec's units (mV, ms, pF, pA, nS)
and in the order of the reference code (§12: spike test and reset open the step, then inputs,
decay, dendrite, burst flag, soma); plus statistics of the Bernoulli coupling and bad input."""
import re

import numpy as np
import pytest

import plastisim as ps
from plastisim.neurons.l5 import connect_glutamate

SOMA = dict(C=150.0, k=2.5, vr=-75.0, vt=-45.0, vpeak=50.0, a=0.01, b=5.0)
DEND = dict(Cd=170.0, vdr=-70.0, ld=170.0 / 7.0, kd=1200.0, pd=2600.0, ad=1.0 / 30.0, bd=-13.0, Ed=-38.0, Dd=6.0)
TAU = dict(ampa=6.0, nmda=100.0, gaba=6.0)
E_REV = dict(ampa=0.0, nmda=0.0, gaba=-75.0)


def mg(v):
    x = ((v + 80.0) / 60.0) ** 2
    return x / (1.0 + x)


def decay(g, dt):
    return {key: value * np.exp(-dt / TAU[key.split("_")[0]]) for key, value in g.items()}


def somatic(g, v, tonic):
    """(sum g, sum g E) of the somatic conductances in nS, pA (NMDA gated, capped at 85 nS)."""
    gn = np.minimum(mg(v) * g["nmda"], 85.0)
    return g["ampa"] + gn + g["gaba"] + tonic, gn * E_REV["nmda"] + (g["gaba"] + tonic) * E_REV["gaba"]


def pyramidal(I_s, I_d, T, dt, events=None, g_tonic=0.0, g_tonic_d=0.0, extra=0, gamma=1.0, deterministic=False):
    """Reference cell(s): columns of I_s (pA), I_d (pA); ``events[port][step]`` = conductance
    jumps (nS) per cell at that step; gamma 0 or 1 (or any, deterministic). Returns spike
    step lists (detection steps), v and v_d after each step (mV), burst-spike counts. BAP pulses: 2 ms (+ ``extra``
    steps) from 0.5 ms after the spike."""
    I_s, I_d = np.broadcast_arrays(np.atleast_1d(np.asarray(I_s, float)), np.asarray(I_d, float))
    n, steps = I_s.size, int(round(T / dt))
    S, D = SOMA, DEND
    v, u, vd, ud, ga = np.full(n, S["vr"]), np.zeros(n), np.full(n, D["vdr"]), np.zeros(n), np.zeros(n)
    g = {key: np.zeros(n) for key in ("ampa", "nmda", "gaba", "ampa_d", "nmda_d", "gaba_d")}
    delay, width = int(round(0.5 / dt)), int(round(2.0 / dt)) + extra
    burst, bap = np.zeros(n, bool), np.zeros((steps + delay + width, n), bool)
    spikes, vs, vds = [[] for _ in range(n)], np.zeros((steps, n)), np.zeros((steps, n))
    n_burst = np.zeros(n)
    for t in range(steps):
        fired = v >= S["vpeak"]
        n_burst += fired & burst
        for i in np.flatnonzero(fired):
            spikes[i].append(t)
            bap[t + delay:t + delay + width, i] = True
        u = np.where(fired, u + np.where(burst, 150.0, 250.0), u)
        v = np.where(fired, np.where(burst, -55.0, -65.0), v)
        ga = ga + 0.065 * fired
        for port, jumps in (events or {}).items():
            g[port] = g[port] + jumps.get(t, 0.0)
        g = decay(g, dt)
        ga = ga * np.exp(-dt / 2000.0)
        i_syn = (g["ampa_d"] * (0.0 - vd) + mg(vd) * g["nmda_d"] * (0.0 - vd) + (g["gaba_d"] + g_tonic_d) * (-75.0 - vd))
        drive = gamma * D["pd"] * bap[t] if deterministic else D["pd"] * bap[t]
        vd, ud = (vd + dt / D["Cd"] * (-D["ld"] * (vd - D["vdr"]) + D["kd"] / (1 + np.exp((D["Ed"] - vd) / D["Dd"]))
                                       + drive + ud + i_syn + I_d),
                  ud + dt * D["ad"] * (D["bd"] * (vd - D["vdr"]) - ud))
        burst = (vd >= -30.0) & (gamma > 0)
        g_sum, gE = somatic(g, v, g_tonic)
        g_sum, gE = g_sum + ga, gE - 80.0 * ga
        dv = dt / S["C"] * (S["k"] * (v - S["vr"]) * (v - S["vt"]) - u + gE + I_s)
        v, u = (v + dv) / (1 + g_sum * dt / S["C"]), u + dt * S["a"] * (S["b"] * (v - S["vr"]) - u)
        vs[t], vds[t] = v, vd
    return spikes, vs, vds, n_burst


def interneuron(kind, I_s, T, dt, events=None):
    """Reference PV (S3 basket) or SOM (Izhikevich 2007 LTS) cells, spec §7."""
    C, k, vr, vt, a, b, d = dict(PV=(20, 1, -55, -40, 0.15, 8, 200), SOM=(100, 1, -56, -42, 0.03, 8, 20))[kind]
    I_s = np.atleast_1d(np.asarray(I_s, float))
    n, steps = I_s.size, int(round(T / dt))
    v, u = np.full(n, float(vr)), np.zeros(n)
    g = {key: np.zeros(n) for key in ("ampa", "nmda", "gaba")}
    spikes, u_max = [[] for _ in range(n)], 0.0
    for t in range(steps):
        fired = v >= (25.0 if kind == "PV" else 40.0 - 0.1 * u)
        for i in np.flatnonzero(fired):
            spikes[i].append(t)
        if kind == "PV":
            v, u = np.where(fired, -55.0, v), np.where(fired, u + d, u)
        else:
            v, u = np.where(fired, -53.0 + 0.04 * u, v), np.where(fired, np.minimum(u + d, 670.0), u)
        u_max = max(u_max, u.max())  # after the reset
        for port, jumps in (events or {}).items():
            g[port] = g[port] + jumps.get(t, 0.0)
        g = decay(g, dt)
        g_sum, gE = somatic(g, v, 0.0)
        dv = dt / C * (k * (v - vr) * (v - vt) - u + gE + I_s)
        v, u = (v + dv) / (1 + g_sum * dt / C), u + dt * a * (b * (v - vr) - u)
    return spikes, u_max


def jumps(times_ms, weight_nS, n, dt_ms):
    """Events of a spike source at ``times_ms`` seen by all n cells, in the reference's steps:
    emitted at step ceil(t/dt), delivered one step later (delay = dt)."""
    out = {}
    for time in times_ms:
        step = int(np.ceil(time / dt_ms - 1e-6)) + 1
        out[step] = out.get(step, 0.0) + np.full(n, weight_nS)
    return out


INPUT_TIMES = np.array([30.0, 31.0, 55.0, 120.0, 121.5, 123.0, 200.0, 260.0])  # ms
WEIGHTS = dict(ampa=3.0, nmda=2.0, gaba=4.0, ampa_d=20.0, nmda_d=20.0, gaba_d=15.0)  # nS


def run_pyramidal(I_s, I_d, T, dt, synapses=False, **kwargs):
    """plastisim cells -> (spike steps as the reference counts them, v, v_d in mV)."""
    net = ps.Network(dt=dt * 1e-3, seed=3)
    n = len(I_s)
    cells = net.add(ps.L5Pyramidal(n, I_ext=np.asarray(I_s) * 1e-12, I_d=np.asarray(I_d) * 1e-12, **kwargs))
    if synapses:
        src = net.add(ps.SpikeTimes(1, np.zeros(len(INPUT_TIMES)), INPUT_TIMES * 1e-3))
        pairs = (np.zeros(n, int), np.arange(n))
        connect_glutamate(net, src, cells, pairs, 1e-9, WEIGHTS["ampa"], WEIGHTS["nmda"])
        connect_glutamate(net, src, cells, pairs, 1e-9, WEIGHTS["ampa_d"], WEIGHTS["nmda_d"], dendrite=True)
        for port in ("gaba", "gaba_d"):
            net.connect(src, cells, pairs, weight=WEIGHTS[port] * 1e-9, port=port)
    mon = net.record_spikes(cells)
    v = net.record(cells, "v", indices=np.arange(n))
    vd = net.record(cells, "v_d", indices=np.arange(n))
    ps.Simulator(net).run(T * 1e-3)
    return spike_steps(mon, n, T, dt), v.data * 1e3, vd.data * 1e3, cells


def spike_steps(mon, n, T, dt):
    """Spike steps per cell as the reference counts them: a spike recorded in step m is the
    reference's detection at the start of step m + 1 (within the reference's T / dt steps)."""
    steps = np.rint(mon.t / (dt * 1e-3)).astype(int) + 1
    keep = steps < int(round(T / dt))
    return [list(steps[keep & (mon.i == i)]) for i in range(n)]


# regular firing, plateau (bursting), BAC regime (BAPs trigger plateaus), near rheobase
DRIVES = dict(I_s=[1000.0, 1000.0, 900.0, 700.0], I_d=[0.0, 800.0, 400.0, 300.0])


@pytest.mark.parametrize("synapses", [False, True])
def test_pyramidal_matches_numpy_reference_same_dt(synapses):
    # same scheme at dt = 0.1 ms, gamma = 1: identical spike steps, traces within 1e-6 mV
    dt, T, n = 0.1, 400.0, len(DRIVES["I_s"])
    events = {port: jumps(INPUT_TIMES, w, n, dt) for port, w in WEIGHTS.items()} if synapses else None
    ref, v_ref, vd_ref, bursts = pyramidal(DRIVES["I_s"], DRIVES["I_d"], T, dt, events)
    sim, v, vd, cells = run_pyramidal(DRIVES["I_s"], DRIVES["I_d"], T, dt, synapses)
    assert [len(s) for s in ref] == [len(s) for s in sim] and min(len(s) for s in ref) >= 2
    assert sim == ref
    assert np.max(np.abs(vd - vd_ref)) < 1e-6
    no_reset = v_ref < SOMA["vpeak"]  # after a spike plastisim shows the reset value
    assert np.max(np.abs(v - v_ref)[no_reset]) < 1e-6
    # burst spikes: the same; the plateau cell (I_d = 800 pA) fires in burst mode once its
    # dendrite is up (all but the first spike), the I_d = 0 cell without input never
    np.testing.assert_array_equal(cells.state["n_burst"], bursts)
    assert bursts[1] == len(ref[1]) - 1 and (synapses or bursts[0] == 0)


def test_bap_width_and_deterministic_coupling():
    # 21-step pulses (MATLAB's inclusive range) and gamma scaling the BAP (spec §5.1, §5.3)
    dt, T = 0.1, 300.0
    for kwargs, ref_kwargs in ((dict(bap_inclusive=1.0), dict(extra=1)),
                               (dict(deterministic=1.0, gamma=0.6), dict(gamma=0.6, deterministic=True))):
        ref, _, vd_ref, _ = pyramidal(DRIVES["I_s"], DRIVES["I_d"], T, dt, **ref_kwargs)
        sim, _, vd, _ = run_pyramidal(DRIVES["I_s"], DRIVES["I_d"], T, dt, **kwargs)
        assert sim == ref
        assert np.max(np.abs(vd - vd_ref)) < 1e-6


def test_pyramidal_converges_to_fine_step_reference():
    # plastisim at dt = 0.1 and 0.02 ms vs the reference at 0.01 ms, 300 ms: the same spike
    # counts; spike times within 2 ms at 0.1 ms and 0.4 ms at 0.02 ms, the error falling at
    # least 4-fold (first order: the error relative to the continuous solution scales with dt)
    T = 300.0
    ref = [np.array(r) * 0.01 for r in pyramidal(DRIVES["I_s"], DRIVES["I_d"], T, 0.01)[0]]
    errors = {}
    for dt in (0.1, 0.02):
        sim = run_pyramidal(DRIVES["I_s"], DRIVES["I_d"], T, dt)[0]
        assert [len(s) for s in sim] == [len(r) for r in ref] and min(len(r) for r in ref) >= 2
        errors[dt] = np.array([np.max(np.abs(np.array(s) * dt - r)) for s, r in zip(sim, ref)])
    assert np.all(errors[0.1] < 2.0) and np.all(errors[0.02] < 0.4)
    assert np.all(errors[0.02] <= 0.25 * errors[0.1])


@pytest.mark.parametrize("kind", ["PV", "SOM"])
def test_interneurons_match_numpy_reference(kind):
    # same scheme at dt = 0.1 ms: identical spike steps; synaptic input alone makes cell 0 fire.
    # SOM at 1 nA drives u to the LTS cap of 670 pA (where the reset, -53 mV + 0.04 u, lies above
    # the peak, 40 mV - 0.1 u: the Izhikevich LTS cell then fires in every step)
    dt, T = 0.1, 300.0
    I_s = np.array([0.0, 100.0, 300.0]) if kind == "PV" else np.array([0.0, 150.0, 600.0, 1000.0])
    weights = dict(ampa=5.0, nmda=5.0, gaba=2.0)
    events = {port: jumps(INPUT_TIMES, w, len(I_s), dt) for port, w in weights.items()}
    ref, u_max = interneuron(kind, I_s, T, dt, events)
    net = ps.Network(dt=dt * 1e-3)
    cells = net.add(ps.Interneuron.cell(kind, len(I_s), I_ext=I_s * 1e-12))
    src = net.add(ps.SpikeTimes(1, np.zeros(len(INPUT_TIMES)), INPUT_TIMES * 1e-3))
    for port, w in weights.items():
        net.connect(src, cells, (np.zeros(len(I_s), int), np.arange(len(I_s))), weight=w * 1e-9, port=port)
    mon = net.record_spikes(cells)
    ps.Simulator(net).run(T * 1e-3)
    sim = spike_steps(mon, len(I_s), T, dt)
    assert sim == ref and len(ref[0]) >= 5 and len(ref[2]) > 40
    if kind == "SOM":
        assert u_max == 670.0 and cells.state["u"].max() <= 670e-12 * (1 + 1e-12)


def test_bernoulli_burst_gate_fraction():
    # tonic plateau (I_d = 800 pA): the burst flag is a fresh draw with probability gamma in
    # every step, so a fraction gamma of the spikes are burst spikes (binomial, 4 s.d. bounds)
    gamma, n = 0.3, 40
    net = ps.Network(dt=1e-4, seed=7)
    cells = net.add(ps.L5Pyramidal(n, I_ext=1.2e-9, I_d=800e-12, gamma=gamma))
    mon = net.record_spikes(cells)
    ps.Simulator(net).run(1.0)
    spikes, bursts = len(mon.t), cells.state["n_burst"].sum()
    assert spikes > 500
    assert abs(bursts / spikes - gamma) < 4 * np.sqrt(gamma * (1 - gamma) / spikes)


def test_gamma_pulse_switches_burst_mode_on_and_off():
    # a neuromodulatory pulse of the coupling (gamma 0 -> 1 from 0.5 to 0.8 s, a Protocol) on a
    # plateau (I_d = 800 pA): burst-reset spikes only during the pulse, all spikes in it after the
    # first step
    net = ps.Network(dt=1e-4)
    cells = net.add(ps.L5Pyramidal(1, I_ext=1.2e-9, I_d=800e-12, gamma=0.0))
    mon = net.record_spikes(cells)
    burst = net.record(cells, "burst", indices=[0])
    proto = ps.Protocol(1.2).set(0.5, cells, "gamma", 1.0).set(0.8, cells, "gamma", 0.0)
    ps.Simulator(net).run_protocol(proto)
    flag = burst.data[:, 0] > 0
    assert np.all(flag[(burst.t > 0.5 + 1e-9) & (burst.t < 0.8 - 1e-9)]) and not np.any(flag[(burst.t < 0.5) | (burst.t > 0.8)])
    inside = (mon.t > 0.5) & (mon.t < 0.8)
    assert inside.sum() >= 5 and cells.state["n_burst"][0] == inside.sum()


@pytest.mark.parametrize("kwargs, message", [
    (dict(gamma=1.5), "gamma = 1.5 is outside the allowed range [0.0, 1.0]"),
    (dict(gamma=[0.5, -0.1]), "gamma = -0.1 is outside"),
    (dict(bap_inclusive=2.0), "bap_inclusive = 2.0 must be 0 or 1"),
    (dict(C_d=0.0), "C_d = 0.0 is outside the allowed range (0.0, inf)"),
    (dict(c=60e-3), "c = 0.06 is outside the allowed range (-inf, v_peak = 0.05)"),
    (dict(g_tonic_d=-1e-9), "g_tonic_d = -1e-09 is outside"),
])
def test_bad_parameters(kwargs, message):
    with pytest.raises(ps.ParameterError, match=re.escape(message)):
        ps.L5Pyramidal(2, **kwargs)


def test_bad_interneuron_kind():
    with pytest.raises(ps.ParameterError, match="kind = 'VIP' must be one of PV, SOM"):
        ps.Interneuron.cell("VIP", 3)
