"""Reward-modulated STDP, a three-factor rule (Izhikevich 2007, Cereb. Cortex 17:2443,
"Solving the distal reward problem through linkage of STDP and dopamine signaling").

    da_pre/dt  = -a_pre/tau_plus   + A_plus  sum_n delta(t - t_pre^n)    (per presynaptic group)
    da_post/dt = -a_post/tau_minus + A_minus sum_m delta(t - t_post^m)   (per postsynaptic neuron)
    dc/dt = -c/tau_c + a_pre sum_m delta(t - t_post^m) + a_post sum_n delta(t - t_pre^n)
    dw/dt = eta c d
    dd/dt = -d/tau_d + amount sum_r delta(t - t_reward^r)    (dopamine, ps.Concentration)

Units: c and A_plus, A_minus in the units of w (here dimensionless; Izhikevich: 1.0 and -1.5
in mV); tau_* in s; d in mol/m^3 (1 uM = 1e-3 mol/m^3); eta in 1/((mol/m^3) s).
Izhikevich: tau_c = 1 s, tau_d = 0.2 s, tau_+- = 20 ms, a reward adds 0.5 uM; his
ds/dt = c d with d in uM is eta = 1e3 here. All-to-all pairing through the two traces.

The dopamine d is the signal ``sig.dopamine`` read in ``on_step``: either a
``ps.Concentration`` driven by a dopamine population (a ``SpikeTimes`` source firing at the
reward times) or a ``ps.Schedule`` (a rectangular reward pulse), in one ``sim.run``.

Scheme, per step: STDP events update c; then w += dt eta c d with c after the events and d
at the start of the step, and c <- c e^(-dt/tau_c); traces decay exactly; the concentration
decays and takes the spikes of the step at its end.

Run: ``python examples/reward_stdp.py``: pre/post pairings (pre 10 ms before post for half
of the synapses, post before pre for the other half), a reward 1 s after the pairing; prints
the weights next to a NumPy computation of the same equations.
"""
import numpy as np

import plastisim as ps


class RewardSTDP(ps.Rule):
    parameters = dict(tau_plus=20e-3, tau_minus=20e-3, A_plus=1.0, A_minus=-1.5, tau_c=1.0, eta=1e3)
    synapse_state = dict(c=0.0)
    group_state = dict(a_pre=0.0)
    neuron_state = dict(a_post=0.0)

    def on_pre(s, n, k, j):
        s.c[k] += n.a_post[j]

    def on_pre_group(grp, p, g):
        grp.a_pre[g] += p.A_plus

    def on_post(s, grp, k, g):
        s.c[k] += grp.a_pre[g]

    def on_post_neuron(n, p, j):
        n.a_post[j] += p.A_minus

    def on_step(s, p, sig, k, dt):
        s.w[k] += dt * p.eta * s.c[k] * sig.dopamine
        s.c[k] *= exp(-dt / p.tau_c)

    def on_group_step(grp, p, g, dt):
        grp.a_pre[g] *= exp(-dt / p.tau_plus)

    def on_neuron_step(n, p, j, dt):
        n.a_post[j] *= exp(-dt / p.tau_minus)


DT = 1e-4


def protocol(n=6, lags=(5e-3, 10e-3, 20e-3), pairs=5, start=0.1, period=0.1):
    """Spike times (s) of n pre and n post elements: pair r of synapse q at start + r period,
    post lags[q % 3] later than pre for q < n/2, earlier for the others."""
    base = start + period * np.arange(pairs)
    lag = [(1.0 if q < n // 2 else -1.0) * lags[q % len(lags)] for q in range(n)]
    pre = [base + max(-d, 0) for d in lag]
    post = [base + max(d, 0) for d in lag]
    return pre, post


def build(dopamine="concentration", reward_times=(1.5,), amount=0.5e-3, tau_d=0.2,
          pulse=(1.5, 1.6, 0.5e-3), n=6):
    net = ps.Network(dt=DT)
    pre_t, post_t = protocol(n)
    idx = np.repeat(np.arange(n), [len(x) for x in pre_t])
    pre = net.add(ps.SpikeTimes(n, idx, np.concatenate(pre_t) - DT))  # arrives after delay DT
    post = net.add(ps.SpikeTimes(n, idx, np.concatenate(post_t)))
    if dopamine == "concentration":
        da = net.add(ps.SpikeTimes(1, np.zeros(len(reward_times), dtype=int), reward_times, name="VTA"))
        net.add(ps.Concentration("dopamine", da, amount=amount, tau=tau_d))
    else:  # a rectangular pulse: pulse[2] from pulse[0] to pulse[1]
        net.add(ps.Schedule("dopamine", [pulse[0], pulse[1]], [pulse[2], 0.0]))
    syn = net.connect(pre, post, "one_to_one", weight=0.0, delay=DT, port=None, rule=RewardSTDP())
    return net, syn, pre_t, post_t


def steps_of(times):
    return np.ceil(np.asarray(times) / DT - 1e-6).astype(np.int64)


def reference(p, pre_t, post_t, d, nsteps):
    """NumPy: the same equations, step by step; ``d[m]`` the dopamine at the start of step m."""
    n = len(pre_t)
    arrive = [set(steps_of(np.asarray(x) - DT) + 1) for x in pre_t]
    fire = [set(steps_of(x)) for x in post_t]
    w, c, a_pre, a_post = (np.zeros(n) for _ in range(4))
    for m in range(nsteps):
        pre_now = np.array([m in a for a in arrive])
        post_now = np.array([m in f for f in fire])
        c[pre_now] += a_post[pre_now]
        a_pre[pre_now] += p["A_plus"]
        c[post_now] += a_pre[post_now]
        a_post[post_now] += p["A_minus"]
        w += DT * p["eta"] * c * d[m]
        c *= np.exp(-DT / p["tau_c"])
        a_pre *= np.exp(-DT / p["tau_plus"])
        a_post *= np.exp(-DT / p["tau_minus"])
    return w


def dopamine_reference(kind, nsteps, reward_times=(1.5,), amount=0.5e-3, tau_d=0.2, pulse=(1.5, 1.6, 0.5e-3)):
    """Dopamine at the start of every step: decaying concentration or the pulse."""
    t = np.arange(nsteps) * DT
    if kind != "concentration":
        return np.where((t >= pulse[0] - 1e-9 * DT) & (t < pulse[1] - 1e-9 * DT), pulse[2], 0.0)
    d, out, release = 0.0, np.zeros(nsteps), set(steps_of(reward_times))
    for m in range(nsteps):
        out[m] = d
        d = d * np.exp(-DT / tau_d) + (amount if m in release else 0.0)
    return out


def compare(kind="concentration", duration=3.0):
    net, syn, pre_t, post_t = build(kind)
    ps.Simulator(net).run(duration)
    nsteps = int(round(duration / DT))
    expected = reference(syn.rule.params, pre_t, post_t, dopamine_reference(kind, nsteps), nsteps)
    return syn.w[np.argsort(syn.pre)].copy(), expected


if __name__ == "__main__":
    for kind in ("concentration", "schedule"):
        w, expected = compare(kind)
        print(f"dopamine as a {kind}: synapse, t_post - t_pre, w plastisim, w NumPy")
        pre_t, post_t = protocol()
        for q, (a, b, lag) in enumerate(zip(w, expected, [x[0] - y[0] for x, y in zip(post_t, pre_t)])):
            print(f"  {q}  {lag * 1e3:+5.0f} ms  {a:+.12f}  {b:+.12f}")
