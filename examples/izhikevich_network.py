"""Izhikevich (2003) neurons written as a user neuron model, in a small RS/FS network.

Published equations (IEEE Trans. Neural Netw. 14:1569), v in mV, t in ms:
    v' = 0.04 v^2 + 5 v + 140 - u + I,   u' = a (b v - u),   if v >= 30: v <- c, u <- u + d
In SI units (v in V, t in s; u and I in V/s, i.e. mV/ms):
    dv/dt = 4e4 v^2 + 5e3 v + 140 - u + I      (4e4 in 1/(V s), 5e3 in 1/s, 140 in V/s)
    du/dt = a (b v - u)                        (a in 1/s, b in 1/s)
    v >= 30 mV: v <- c (V), u <- u + d (V/s)
Regular spiking (RS): a = 20/s, b = 200/s, c = -65 mV, d = 8 V/s; fast spiking (FS):
a = 100/s, b = 200/s, c = -65 mV, d = 2 V/s. a, b, c, d are state variables (per neuron).

Input: port "syn" adds the weight (V) to v at the start of the step (an instantaneous jump);
``I_ext`` (V/s) is a constant input per neuron. Scheme: forward Euler with step dt for v and u
(u with the old v), threshold after the update (the paper's network uses two 0.5-ms steps
for v; here every step is dt).

Run: ``python examples/izhikevich_network.py``: 8 RS + 2 FS neurons, all-to-all with 1-ms
delays (excitatory from RS, inhibitory from FS), constant inputs and an input spike train;
prints the spike times next to a NumPy forward-Euler computation (same dt, same inputs).
"""
import numpy as np

import plastisim as ps


class Izhikevich(ps.NeuronModel):
    parameters = dict(v_peak=30e-3)
    state_variables = dict(v=-65e-3, u=-13.0, a=20.0, b=200.0, c=-65e-3, d=8.0, I_ext=0.0)
    ports = dict(syn=None)

    def update(s, p, j, dt):
        v = s.v[j] + s.in_syn[j]
        s.v[j] = v + dt * (4e4 * v * v + 5e3 * v + 140.0 - s.u[j] + s.I_ext[j])
        s.u[j] = s.u[j] + dt * s.a[j] * (s.b[j] * v - s.u[j])

    def threshold(s, p, j):
        return s.v[j] >= p.v_peak

    def reset(s, j):
        s.v[j] = s.c[j]
        s.u[j] = s.u[j] + s.d[j]


N_RS, N_FS, DT, DELAY = 8, 2, 1e-4, 1e-3
FS = dict(a=100.0, b=200.0, d=2.0)


def parameters():
    """Per-neuron a, b, c, d, initial u = b v0, I_ext (V/s), weights W[pre, post] (V)."""
    n = N_RS + N_FS
    a = np.r_[np.full(N_RS, 20.0), np.full(N_FS, FS["a"])]
    b = np.full(n, 200.0)
    d = np.r_[np.full(N_RS, 8.0), np.full(N_FS, FS["d"])]
    I_ext = np.linspace(4.0, 12.0, n)
    W = np.where(np.arange(n)[:, None] < N_RS, 0.5e-3, -2.0e-3) * np.ones((n, n))
    np.fill_diagonal(W, 0.0)
    return dict(a=a, b=b, c=np.full(n, -65e-3), d=d, u=b * -65e-3, I_ext=I_ext), W


def build(input_times=(0.05, 0.1, 0.15, 0.2), input_weight=10e-3, seed=0):
    net = ps.Network(dt=DT, seed=seed)
    state, W = parameters()
    izh = net.add(Izhikevich(N_RS + N_FS, **state))
    pre, post = np.nonzero(W)
    net.connect(izh, izh, (pre, post), weight=W[pre, post], delay=DELAY, port="syn")
    kick = net.add(ps.SpikeTimes(1, np.zeros(len(input_times), dtype=int), input_times))
    net.connect(kick, izh, "all_to_all", weight=input_weight, delay=DT, port="syn")
    return net, izh, net.record_spikes(izh), net.record(izh, "v", indices=np.arange(N_RS + N_FS))


def reference(nsteps, input_times=(0.05, 0.1, 0.15, 0.2), input_weight=10e-3):
    """NumPy forward Euler: same step order (arrivals, update, threshold, reset)."""
    state, W = parameters()
    n, lag = N_RS + N_FS, int(round(DELAY / DT))
    v, u = np.full(n, -65e-3), state["u"].copy()
    kicks = set(np.ceil(np.asarray(input_times) / DT - 1e-6).astype(int) + 1)
    fired_at, spikes, trace = {}, [], np.zeros((nsteps, n))
    for m in range(nsteps):
        jump = np.zeros(n)
        if m - lag in fired_at:
            jump += W[fired_at[m - lag]].sum(axis=0)
        if m in kicks:
            jump += input_weight
        x = v + jump
        v = x + DT * (4e4 * x * x + 5e3 * x + 140.0 - u + state["I_ext"])
        u = u + DT * state["a"] * (state["b"] * x - u)
        fired = np.flatnonzero(v >= 30e-3)
        v[fired] = state["c"][fired]
        u[fired] = u[fired] + state["d"][fired]
        if len(fired):
            fired_at[m] = fired
            spikes += [(m, j) for j in fired]
        trace[m] = v
    return np.array(spikes, dtype=int).reshape(-1, 2), trace


def compare(duration=0.5):
    net, izh, spikes, v = build()
    ps.Simulator(net).run(duration)
    sim = np.c_[np.rint(spikes.t / DT).astype(int), spikes.i]
    ref, trace = reference(int(round(duration / DT)))
    return sim, ref, v.data, trace


if __name__ == "__main__":
    sim, ref, v, trace = compare()
    print(f"{len(sim)} spikes (plastisim), {len(ref)} (NumPy); identical: {np.array_equal(sim, ref)}")
    for j in range(N_RS + N_FS):
        kind = "RS" if j < N_RS else "FS"
        print(f"neuron {j} ({kind}): {np.sum(sim[:, 1] == j):3d} / {np.sum(ref[:, 1] == j):3d} spikes; first at "
              f"{sim[sim[:, 1] == j][:3, 0] * DT * 1e3} / {ref[ref[:, 1] == j][:3, 0] * DT * 1e3} ms")
    print(f"max |v - v_NumPy| = {np.abs(v - trace).max():.1e} V")
