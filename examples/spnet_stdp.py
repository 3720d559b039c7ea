"""Izhikevich's ``spnet`` STDP (Polychronization, Neural Comput 18:245, 2006; option B of
spec l5_gain.md section 10) written as a user rule outside the package.

Per synapse: a presynaptic trace x (set to ``a_pre`` when a presynaptic spike arrives), a
postsynaptic trace y (set to ``a_post`` at a postsynaptic spike), both decaying by the factor
``decay`` per millisecond (spnet: 0.95, tau = 19.5 ms), and a weight derivative sd:

    spike arrives:       sd -= A_minus y,  then x = a_pre
    postsynaptic spike:  sd += x,          then y = a_post
    every ``period``:    w = clip(w + c + sd, 0, w_max),  sd *= sd_decay

(spnet: a_pre = a_post = 0.1, A_minus = 1.2, c = 0.01 and w_max = 10 in the weight's units,
period 1 s, sd_decay 0.9). Traces are decayed exactly between events (decay^(gap / 1 ms)).
Run: ``python examples/spnet_stdp.py``: random pre and post trains, weights against a NumPy
loop over 1-ms steps written from the equations above.
"""
import math

import numpy as np

import plastisim as ps

MS = 1e-3


class SpnetSTDP(ps.Rule):
    """spnet STDP with daily (every ``period``) weight updates; parameters as in spnet."""

    parameters = dict(a_pre=0.1, a_post=0.1, A_minus=1.2, decay=0.95, c=0.01, w_max=10.0, sd_decay=0.9,
                      period=1.0)
    synapse_state = dict(x=0.0, y=0.0, sd=0.0, t_last=0.0)
    regular_period = "period"

    def advance(s, p, k, t):
        factor = p.decay ** ((t - s.t_last[k]) / MS)
        s.x[k] *= factor
        s.y[k] *= factor
        s.t_last[k] = t

    def on_pre(s, p, k):
        s.sd[k] -= p.A_minus * s.y[k]
        s.x[k] = p.a_pre

    def on_post(s, p, k):
        s.sd[k] += s.x[k]
        s.y[k] = p.a_post

    def on_regular(s, p, k):
        s.w[k] = min(max(s.w[k] + p.c + s.sd[k], 0.0), p.w_max)
        s.sd[k] *= p.sd_decay


def trains(n, rate, duration, rng):
    """Spike steps (1 ms) of n Bernoulli trains: (index, step) arrays, sorted by step."""
    spikes = rng.random((round(duration / MS), n)) < rate * MS
    steps, index = np.nonzero(spikes)
    return index, steps


def simulate(n_pre=20, n_post=4, duration=3.0, seed=3, w0=5.0):
    """All-to-all pre -> post (delay 1 ms) with SpnetSTDP, pre and post spikes given (20 Hz);
    returns (weights (n_pre, n_post) from plastisim, the same from the NumPy loop)."""
    rng = np.random.default_rng(seed)
    pre_i, pre_s = trains(n_pre, 20.0, duration, rng)
    post_i, post_s = trains(n_post, 20.0, duration, rng)
    net = ps.Network(dt=MS)
    pre = net.add(ps.SpikeTimes(n_pre, pre_i, pre_s * MS))
    post = net.add(ps.SpikeTimes(n_post, post_i, post_s * MS))
    rule = SpnetSTDP()
    syn = net.connect(pre, post, "all_to_all", weight=w0, delay=MS, port=None, rule=rule)
    ps.Simulator(net).run(duration)
    w = np.zeros((n_pre, n_post))
    w[syn.pre, syn.post] = syn.w
    return w, reference(pre_i, pre_s, post_i, post_s, n_pre, n_post, round(duration / MS), rule.params, w0)


def reference(pre_i, pre_s, post_i, post_s, n_pre, n_post, n_steps, p, w0):
    """The rule as a loop over 1-ms steps, in the engine's order: arrivals (spikes of the
    previous step), postsynaptic spikes, then the update every period; traces decay once per step."""
    w, sd = np.full((n_pre, n_post), w0), np.zeros((n_pre, n_post))
    x, y = np.zeros((n_pre, n_post)), np.zeros((n_pre, n_post))
    arrive = [pre_i[pre_s == step - 1] for step in range(n_steps)]
    fire = [post_i[post_s == step] for step in range(n_steps)]
    every = round(p["period"] / MS)
    for step in range(n_steps):
        for i in arrive[step]:
            sd[i, :] -= p["A_minus"] * y[i, :]
            x[i, :] = p["a_pre"]
        for j in fire[step]:
            sd[:, j] += x[:, j]
            y[:, j] = p["a_post"]
        if (step + 1) % every == 0:
            w = np.clip(w + p["c"] + sd, 0.0, p["w_max"])
            sd *= p["sd_decay"]
        x *= p["decay"]
        y *= p["decay"]
    return w


if __name__ == "__main__":
    simulated, expected = simulate()
    print(f"max |w plastisim - w NumPy| = {np.max(np.abs(simulated - expected)):.3g} "
          f"(weights {simulated.min():.3f} .. {simulated.max():.3f}, start 5)")
    print(f"trace time constant: {-MS / math.log(SpnetSTDP.parameters['decay']) * 1e3:.1f} ms")
