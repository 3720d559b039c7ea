"""Triplet STDP (Pfister & Gerstner 2006, all-to-all) written as a user rule outside the package.

    dr1/dt = -r1/tau_plus,  dr2/dt = -r2/tau_x      (+1 at each presynaptic spike)
    do1/dt = -o1/tau_minus, do2/dt = -o2/tau_y      (+1 at each postsynaptic spike)
    pre spike:  w -= o1 (A2_minus + A3_minus r2(t-)),  then r1 += 1, r2 += 1
    post spike: w += r1 (A2_plus + A3_plus o2(t-)),    then o1 += 1, o2 += 1

Traces are decayed exactly between events. Run: ``python examples/triplet_stdp.py``; it pairs
pre and post spikes (60 pairings, lag +-10 ms) at several frequencies, compares the weight
change with the closed form (explicit sums over the spike trains) and prints both.
"""
import numpy as np

import plastisim as ps


class TripletSTDP(ps.Rule):
    """Pfister & Gerstner (2006) triplet rule, visual-cortex all-to-all parameters."""

    parameters = dict(tau_plus=16.8e-3, tau_minus=33.7e-3, tau_x=101e-3, tau_y=125e-3,
                      A2_plus=5e-10, A3_plus=6.2e-3, A2_minus=7e-3, A3_minus=2.3e-4)
    synapse_state = dict(r1=0.0, r2=0.0, o1=0.0, o2=0.0, t_last=0.0)

    def advance(s, p, k, t):
        gap = t - s.t_last[k]
        s.r1[k] *= exp(-gap / p.tau_plus)
        s.r2[k] *= exp(-gap / p.tau_x)
        s.o1[k] *= exp(-gap / p.tau_minus)
        s.o2[k] *= exp(-gap / p.tau_y)
        s.t_last[k] = t

    def on_pre(s, p, k):
        s.w[k] -= s.o1[k] * (p.A2_minus + p.A3_minus * s.r2[k])
        s.r1[k] += 1.0
        s.r2[k] += 1.0

    def on_post(s, p, k):
        s.w[k] += s.r1[k] * (p.A2_plus + p.A3_plus * s.o2[k])
        s.o1[k] += 1.0
        s.o2[k] += 1.0


def closed_form(t_pre, t_post, p):
    """Weight change from explicit sums of exponentials over earlier spikes (no recursion)."""
    def trace(at, spikes, tau):
        d = np.subtract.outer(at, spikes)
        return np.sum(np.where(d > 0, np.exp(-np.clip(d, 0, None) / tau), 0.0), axis=1)
    ltp = trace(t_post, t_pre, p["tau_plus"]) * (p["A2_plus"] + p["A3_plus"] * trace(t_post, t_post, p["tau_y"]))
    ltd = trace(t_pre, t_post, p["tau_minus"]) * (p["A2_minus"] + p["A3_minus"] * trace(t_pre, t_pre, p["tau_x"]))
    return ltp.sum() - ltd.sum()


def pairing(frequencies=(1.0, 10.0, 20.0, 40.0, 50.0), lag=10e-3, n_pairs=60, dt=1e-4, w0=0.5):
    """Simulate pairings at each frequency and lag +-``lag``; return (freq, lag, simulated, expected)."""
    cases = [(f, sign * lag) for f in frequencies for sign in (1, -1)]
    net = ps.Network(dt=dt)
    start = 0.05
    pre_t = [start + np.arange(n_pairs) / f for f, _ in cases]
    post_t = [times + d for times, (_, d) in zip(pre_t, cases)]
    pre = net.add(ps.SpikeTimes(len(cases), np.repeat(np.arange(len(cases)), n_pairs),
                                np.concatenate(pre_t) - dt))
    post = net.add(ps.SpikeTimes(len(cases), np.repeat(np.arange(len(cases)), n_pairs),
                                 np.concatenate(post_t)))
    rule = TripletSTDP()
    syn = net.connect(pre, post, "one_to_one", weight=w0, delay=dt, port=None, rule=rule)
    ps.Simulator(net).run(max(t.max() for t in post_t) + 0.01)
    simulated = syn.w[np.argsort(syn.pre)] - w0
    expected = np.array([closed_form(a, b, rule.params) for a, b in zip(pre_t, post_t)])
    return cases, simulated, expected


if __name__ == "__main__":
    cases, simulated, expected = pairing()
    print("freq (Hz)  lag (ms)   dw simulated   dw closed form")
    for (f, d), s, e in zip(cases, simulated, expected):
        print(f"{f:8.1f} {d * 1e3:9.1f} {s:14.6g} {e:16.6g}")
