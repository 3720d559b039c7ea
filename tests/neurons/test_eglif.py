"""EGLIF (spec nods.md section 6.4).

The spec gives no f-I points or spike times for EGLIF (its reference values, section 10, are
for NO production and diffusion), so these tests check what the spec does state: the
equations (against an adaptive high-accuracy solution), the spec's remark that the PC's
V-I_adap system is a stable focus, the escape-noise probability 1 - exp(-lambda h), the reset
and the reference-mode refractoriness (ODEs frozen, escape test not blocked, quirk Q15), and
the alpha conductance (peak w at tau_syn)."""
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import plastisim as ps
from plastisim.neurons.eglif import CELLS

PC = CELLS["PC"]


def pc_fixed_point(p):
    # 0 = (V - E_L)/tau_m + (I_e - I_adap)/C_m with I_adap = k_adap (V - E_L)/k2
    return p["E_L"] - p["I_e"] / p["C_m"] / (1 / p["tau_m"] - p["k_adap"] / (p["k2"] * p["C_m"]))


def test_pc_is_a_stable_focus_and_relaxes_to_its_fixed_point():
    p = PC
    jac = np.array([[1 / p["tau_m"], -1 / p["C_m"]], [p["k_adap"], -p["k2"]]])
    ev = np.linalg.eigvals(jac)
    assert np.all(ev.real < 0) and np.all(ev.imag != 0)  # spec 6.4: "a stable focus"
    V_star = pc_fixed_point(p)
    assert abs(V_star - -33.643e-3) < 0.001e-3
    net = ps.Network(dt=1e-3)
    pc = net.add(ps.EGLIF.cell("PC", 1, lambda_0=0.0))
    mon = net.record(pc, "V")
    ps.Simulator(net).run(3.0)
    v = mon.data[:, 0] - V_star
    assert abs(v[-1]) < 1e-6
    assert np.count_nonzero(np.diff(np.sign(v[:1000]))) >= 2  # damped oscillation


def reference_trajectory(p, dt, T, inputs):
    """V (after every step) from an adaptive RK45 solution (rtol 1e-10) of the full system,
    with the conventions of the module: the first step is discarded for V (V := V_init at the
    start of steps 0 and 1), a weight arriving in step n enters DG_k at the end of step n."""
    E_rev = [p[f"E_rev{k}"] for k in (1, 2, 3, 4)]
    tau = [p[f"tau_syn{k}"] for k in (1, 2, 3, 4)]

    def rhs(t, y):
        V, Id, Ia = y[:3]
        G, DG = y[3:7], y[7:11]
        I_syn = sum(G[k] * (E_rev[k] - V) for k in range(4))
        dV = p["leak_sign"] * (V - p["E_L"]) / p["tau_m"] + (Id - Ia + p["I_e"] + I_syn) / p["C_m"]
        return np.concatenate([[dV, -p["k1"] * Id, -p["k2"] * Ia + p["k_adap"] * (V - p["E_L"])],
                               [DG[k] - G[k] / tau[k] for k in range(4)], [-DG[k] / tau[k] for k in range(4)]])

    y = np.zeros(11)
    y[0] = p["V_init"]
    out = []
    for n in range(int(round(T / dt))):
        if n < 2:
            y[0] = p["V_init"]
        y = solve_ivp(rhs, (0, dt), y, rtol=1e-10, atol=1e-16, method="RK45").y[:, -1]
        for step, k, w in inputs:
            if step == n:
                y[7 + k] += w * math.e / tau[k]
        out.append(y[0])
    return np.array(out)


@pytest.mark.parametrize("leak_sign, dt", [(1.0, 1e-3), (-1.0, 1e-3), (1.0, 0.25e-3)])
def test_subthreshold_trajectory_matches_adaptive_solution(leak_sign, dt):
    # Purkinje cell without spikes, an excitatory volley on receptor 1 and inhibition on 2
    T = 0.15
    p = dict(ps.EGLIF.parameters, **dict(PC, lambda_0=0.0, leak_sign=leak_sign))
    net = ps.Network(dt=dt)
    src = net.add(ps.SpikeTimes(2, [0, 0, 1], [0.020, 0.021, 0.060]))
    pc = net.add(ps.EGLIF(1, **p))
    net.connect(src, pc, ([0], [0]), weight=5e-9, delay=1e-3, port="rec1")
    net.connect(src, pc, ([1], [0]), weight=20e-9, delay=2e-3, port="rec2")
    mon = net.record(pc, "V")
    ps.Simulator(net).run(T)
    # a SpikeTimes spike at step n reaches the port at step n + delay steps
    at = lambda t, delay: round(t / dt) + round(delay / dt)
    inputs = [(at(0.020, 1e-3), 0, 5e-9), (at(0.021, 1e-3), 0, 5e-9), (at(0.060, 2e-3), 1, 20e-9)]
    ref = reference_trajectory(p, dt, T, inputs)
    assert np.ptp(ref[round(0.02 / dt):round(0.04 / dt)]) > 1e-3  # the inputs move V by mV
    err = np.max(np.abs(mon.data[:, 0] - ref))
    # RK4 (global error ~ h^4): measured 1.0e-6 V (leak +1) and 1.4e-6 V (leak -1) at 1 ms,
    # dominated by the fast alpha conductance (tau_syn1 = 1.1 ms); 4e-9 V at 0.25 ms
    assert err < 2e-6 * (dt / 1e-3) ** 4, err


@pytest.mark.parametrize("offset, lam_dt", [(0.0, 0.5), (1.0, 1.0)])
def test_escape_noise_probability(offset, lam_dt):
    # V frozen at E_L (no drive, no adaptation, reset to E_L, no refractoriness):
    # spike probability per step 1 - exp(-lambda_0 exp((V - V_th)/tau_V) h)
    dt, steps, n = 1e-3, 300, 1000
    tau_V = 1e-3
    V_th = -60e-3 - offset * tau_V * math.log(2)
    net = ps.Network(dt=dt, seed=3)
    pop = net.add(ps.EGLIF(n, E_L=-60e-3, V_init=-60e-3, V_reset=-60e-3, V_th=V_th, tau_V=tau_V,
                           lambda_0=500.0, I_e=0.0, k_adap=0.0, A1=0.0, A2=0.0, t_ref=0.0))
    mon = net.record_spikes(pop)
    ps.Simulator(net).run(steps * dt)
    prob = 1 - math.exp(-lam_dt)
    trials = n * steps
    assert abs(len(mon.t) - trials * prob) < 5 * math.sqrt(trials * prob * (1 - prob))
    assert np.all(pop.state["V"] == -60e-3)


def test_reset_and_frozen_refractory_period():
    # after a spike: V = V_reset and I_dep = A1 unchanged for ceil(t_ref/dt) = 4 steps
    dt = 1e-3
    net = ps.Network(dt=dt, seed=1)
    pop = net.add(ps.EGLIF(1, E_L=-60e-3, V_init=-60e-3, V_th=-50e-3, tau_V=1e-3, lambda_0=1e5,
                           V_reset=-70e-3, t_ref=3.5e-3, I_e=200e-12, leak_sign=-1.0))
    spikes = net.record_spikes(pop)
    V, Id = net.record(pop, "V"), net.record(pop, "I_dep")
    ps.Simulator(net).run(0.3)
    assert len(spikes.t) >= 2
    n = int(round(spikes.t[0] / dt))
    assert np.all(V.data[n:n + 5, 0] == -70e-3) and V.data[n + 5, 0] != -70e-3
    assert np.all(Id.data[n:n + 5, 0] == PC["A1"]) and Id.data[n + 5, 0] != PC["A1"]


def test_escape_test_is_not_blocked_while_refractory():
    # reference mode (quirk Q15): with lambda h >> 1 a neuron fires in every step despite t_ref
    dt = 1e-3
    net = ps.Network(dt=dt)
    pop = net.add(ps.EGLIF(2, lambda_0=1e9, V_th=-100e-3, V_min=-200e-3, t_ref=2e-3))
    mon = net.record_spikes(pop)
    ps.Simulator(net).run(0.05)
    assert len(mon.t) == 2 * 50


def test_alpha_conductance_peaks_at_weight_after_tau_syn():
    dt, w = 1e-5, 3e-9
    net = ps.Network(dt=dt)
    src = net.add(ps.SpikeTimes(1, [0], [0.001]))
    grc = net.add(ps.EGLIF.cell("GrC", 1, lambda_0=0.0))
    net.connect(src, grc, weight=w, port="rec2")
    G = net.record(grc, "G2")
    ps.Simulator(net).run(0.02)
    t_in = 0.001 + 2 * dt  # arrival step (delay dt), entering DG at the end of that step
    peak = np.argmax(G.data[:, 0])
    assert abs(G.data[peak, 0] - w) < 1e-6 * w
    assert abs((peak + 1) * dt - t_in - CELLS["GrC"]["tau_syn2"]) <= dt


def test_cell_table_in_si():
    grc, pc = CELLS["GrC"], CELLS["PC"]
    assert grc["C_m"] == 7e-12 and grc["tau_syn2"] == 4.5e-3 and grc["lambda_0"] == 1000.0
    assert pc["k_adap"] == 1.492e-6 and pc["I_e"] == 742.543e-12 and pc["V_min"] == -0.35
    assert set(CELLS) == {"GrC", "GoC", "PC", "BC", "SC", "DCN_glut", "DCN_GABA", "DCN_GlyI"}
