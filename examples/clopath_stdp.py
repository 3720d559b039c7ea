"""Voltage-based STDP (Clopath, Busing, Vasilaki & Gerstner 2010, Nat. Neurosci. 13:344),
written as a user rule.

    tau_minus du_minus/dt = -u_minus + V          (low-pass filtered membrane potential, V)
    tau_plus  du_plus/dt  = -u_plus + V
    tau_x     dxbar/dt    = -xbar + sum_n delta(t - t_pre^n)    (presynaptic trace, 1/s)
    LTD at each presynaptic spike:  w -= A_LTD [u_minus - theta_minus]_+
    LTP, continuous:                dw/dt = A_LTP xbar [V - theta_plus]_+ [u_plus - theta_minus]_+
    w clipped to [0, w_max] after every update

Units: V, u_minus, u_plus, theta_* in V; tau_* in s; xbar in 1/s; w in the units of the
projection (here S, conductance synapses onto port "exc"); A_LTD in S/V, A_LTP in S/V^2.
Defaults: Clopath et al. (2010) visual cortex values with w in nS (A_LTD = 14e-5 nS/mV,
A_LTP = 8e-5 nS/mV^2, theta_- = -70.6 mV, theta_+ = -45.3 mV, tau_- = 10 ms, tau_+ = 7 ms,
tau_x = 15 ms); no homeostatic scaling of A_LTD by <u>^2 (the "fixed A_LTD" variant).

Simplified setup (not the paper's): the postsynaptic neuron is a LIF, not an AdEx with a
spike waveform; its threshold V_th = -40 mV lies above theta_+, so LTP comes from the
depolarisation before a spike (the 2-ms spike plateau of the paper is absent). The rule reads
the voltage as post.V[j] after the neuron update of the step (V(t + dt)). Without the spike
plateau LTP is small, and in the printed run LTD dominates (all weights decrease).

Scheme, per step: LTD at arrival; LTP w += dt A_LTP xbar [V - theta_+]_+ [u_+ - theta_-]_+
with xbar, u_+ at t; then u <- V + (u - V) e^(-dt/tau) (V frozen over the step) and
xbar <- xbar e^(-dt/tau_x); a presynaptic spike adds 1/tau_x to xbar after its LTD.

Run: ``python examples/clopath_stdp.py``: Poisson inputs onto LIF neurons with Poisson
background; prints the weight changes next to an independent NumPy computation of the same
equations on the recorded spike trains and voltage traces, and the run time of the rule with
``max(x, 0.0)`` and with the same maths written with ``if``.
"""
import time

import numpy as np

import plastisim as ps


class ClopathSTDP(ps.Rule):
    parameters = dict(A_LTD=1.4e-10, A_LTP=8e-8, theta_minus=-70.6e-3, theta_plus=-45.3e-3,
                      tau_minus=10e-3, tau_plus=7e-3, tau_x=15e-3, w_max=3e-9)
    neuron_state = dict(u_minus="theta_minus", u_plus="theta_minus")
    group_state = dict(xbar=0.0)

    def on_pre(s, p, n, k, j):
        s.w[k] = min(max(s.w[k] - p.A_LTD * max(n.u_minus[j] - p.theta_minus, 0.0), 0.0), p.w_max)

    def on_pre_group(grp, p, g):
        grp.xbar[g] += 1.0 / p.tau_x

    def on_step(s, p, n, grp, post, k, j, g, dt):
        ltp = p.A_LTP * grp.xbar[g] * max(post.V[j] - p.theta_plus, 0.0) * max(n.u_plus[j] - p.theta_minus, 0.0)
        s.w[k] = min(s.w[k] + dt * ltp, p.w_max)

    def on_neuron_step(n, p, post, j, dt):
        n.u_minus[j] = post.V[j] + (n.u_minus[j] - post.V[j]) * exp(-dt / p.tau_minus)
        n.u_plus[j] = post.V[j] + (n.u_plus[j] - post.V[j]) * exp(-dt / p.tau_plus)

    def on_group_step(grp, p, g, dt):
        grp.xbar[g] *= exp(-dt / p.tau_x)


class ClopathSTDPWithIf(ClopathSTDP):
    """The same LTP written with ``if`` instead of ``max`` (for the timing comparison)."""

    def on_step(s, p, n, grp, post, k, j, g, dt):
        if post.V[j] > p.theta_plus and n.u_plus[j] > p.theta_minus:
            ltp = p.A_LTP * grp.xbar[g] * (post.V[j] - p.theta_plus) * (n.u_plus[j] - p.theta_minus)
            s.w[k] = min(s.w[k] + dt * ltp, p.w_max)


def build(n_pre=20, n_post=3, rate=20.0, rule_class=ClopathSTDP, dt=1e-4, seed=3, record=True):
    net = ps.Network(dt=dt, seed=seed)
    pre = net.add(ps.PoissonSource(n_pre, rate=rate))
    lif = net.add(ps.LIF(n_post, C=200e-12, g_L=10e-9, E_L=-70.6e-3, V_reset=-70.6e-3, V_th=-40e-3, t_ref=2e-3))
    syn = net.connect(pre, lif, "all_to_all", weight=1.5e-9, delay=dt, port="exc", rule=rule_class())
    net.add(ps.PoissonInput(lif, rate=3000.0, weight=1.2e-9, port="exc"))
    mons = dict(pre=net.record_spikes(pre), V=net.record(lif, "V", indices=np.arange(n_post))) if record else {}
    return net, syn, mons


def reference(syn, pre_steps, pre_index, V, w0):
    """NumPy: the same equations and step order on the recorded presynaptic spikes (emitted at
    step m, arriving at m + 1) and the recorded V (row m: after the neuron update of step m)."""
    p = syn.rule.params
    n_pre, n_post = syn.pre_pop.n, syn.post_pop.n
    w = np.zeros((n_pre, n_post))
    w[syn.pre, syn.post] = w0
    u_minus = np.full(n_post, p["theta_minus"])
    u_plus = u_minus.copy()
    xbar = np.zeros(n_pre)
    dt = syn.delay[0]
    arrivals = [[] for _ in range(len(V))]
    for m, i in zip(pre_steps, pre_index):
        if m + 1 < len(V):
            arrivals[m + 1].append(i)
    for m in range(len(V)):
        for i in arrivals[m]:
            w[i] = np.minimum(np.maximum(w[i] - p["A_LTD"] * np.maximum(u_minus - p["theta_minus"], 0.0), 0.0),
                              p["w_max"])
            xbar[i] += 1.0 / p["tau_x"]
        ltp = p["A_LTP"] * xbar[:, None] * (np.maximum(V[m] - p["theta_plus"], 0.0)
                                            * np.maximum(u_plus - p["theta_minus"], 0.0))[None, :]
        w = np.minimum(w + dt * ltp, p["w_max"])
        u_minus = V[m] + (u_minus - V[m]) * np.exp(-dt / p["tau_minus"])
        u_plus = V[m] + (u_plus - V[m]) * np.exp(-dt / p["tau_plus"])
        xbar *= np.exp(-dt / p["tau_x"])
    return w[syn.pre, syn.post]


def compare(duration=1.0, **kwargs):
    """Run the network; return (simulated w, NumPy w, initial w, monitors)."""
    net, syn, mons = build(**kwargs)
    w0 = syn.w.copy()
    ps.Simulator(net).run(duration)
    steps = np.rint(mons["pre"].t / net.dt).astype(np.int64)
    expected = reference(syn, steps, mons["pre"].i, mons["V"].data, w0)
    return syn.w.copy(), expected, w0, mons


def timing(duration=10.0, n_pre=100, n_post=10):
    """Wall time (s) of ``duration`` simulated seconds with the rule using max() and using if."""
    out = {}
    for cls in (ClopathSTDP, ClopathSTDPWithIf):
        net, syn, _ = build(n_pre=n_pre, n_post=n_post, rule_class=cls, record=False)
        sim = ps.Simulator(net)  # compiles (or loads) the kernel
        start = time.perf_counter()
        sim.run(duration)
        out[cls.__name__] = time.perf_counter() - start
    return out


if __name__ == "__main__":
    w, expected, w0, mons = compare()
    print(f"{len(w)} synapses, 1 s; postsynaptic V range {mons['V'].data.min() * 1e3:.1f} to "
          f"{mons['V'].data.max() * 1e3:.1f} mV")
    print("synapse   dw plastisim (nS)   dw NumPy (nS)")
    for k in range(0, len(w), 6):
        print(f"{k:7d} {(w[k] - w0[k]) * 1e9:19.12f} {(expected[k] - w0[k]) * 1e9:15.12f}")
    print(f"max |difference| / max |dw| = {np.abs(w - expected).max() / np.abs(w - w0).max():.2e}")
    times = timing()
    print("wall time for 10 s, 100 x 10 synapses:", {k: f"{v:.2f} s" for k, v in times.items()})
