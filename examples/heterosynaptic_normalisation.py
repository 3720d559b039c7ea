"""Hebbian growth with heterosynaptic (multiplicative) normalisation: every period the weights
onto each postsynaptic neuron are rescaled so that their sum is exactly w_total (von der
Malsburg 1973, Kybernetik 14:85; Miller & MacKay 1994, Neural Comput. 6:100).

    tau_x dx/dt = -x + sum_n delta(t - t_pre^n)        presynaptic trace (1/s), per group
    at a postsynaptic spike:  w += A x                 (Hebbian growth)
    every `period`:           w_k <- w_k w_total / sum_{k' onto j} w_k'

Units: w and w_total in the units of the projection (here S, port "exc"); A in S s; x in 1/s;
tau_x, period in s. The sum is the rule's ``neuron_sums`` (``n.total[j]``, computed every step
before the step callbacks in a fixed order); ``on_regular`` runs after them in the steps that
end on a multiple of ``period``. Nothing else changes w between the sum and the rescaling, so
after each normalisation sum_k w_k = w_total up to rounding.

Run: ``python examples/heterosynaptic_normalisation.py``: Poisson inputs (5-40 Hz) onto LIF
neurons with random connectivity; prints the summed weight per neuron after the run and the
weights next to an independent NumPy computation on the recorded spikes.
"""
import numpy as np

import plastisim as ps


class NormalisedHebb(ps.Rule):
    parameters = dict(A=2e-12, tau_x=20e-3, w_total=20e-9, period=10e-3)
    group_state = dict(x=0.0)
    neuron_state = dict(total=0.0)
    neuron_sums = dict(total="w")
    regular_period = "period"

    def on_pre_group(grp, p, g):
        grp.x[g] += 1.0 / p.tau_x

    def on_post(s, p, grp, k, g):
        s.w[k] += p.A * grp.x[g]

    def on_group_step(grp, p, g, dt):
        grp.x[g] *= exp(-dt / p.tau_x)

    def on_regular(s, p, n, k, j):
        s.w[k] *= p.w_total / n.total[j]


def pairs(n_pre=30, n_post=5, p_connect=0.5, seed=1):
    """Random connectivity (pre, post) and initial weights, in a shuffled order."""
    rng = np.random.default_rng(seed)
    pre, post = np.nonzero(rng.random((n_pre, n_post)) < p_connect)
    order = rng.permutation(len(pre))
    return pre[order], post[order], rng.uniform(0.5e-9, 1.5e-9, len(pre))[order]


def build(pre_idx, post_idx, w0, n_pre=30, n_post=5, dt=1e-4, seed=2):
    net = ps.Network(dt=dt, seed=seed)
    src = net.add(ps.PoissonSource(n_pre, rate=np.linspace(5.0, 40.0, n_pre)))
    lif = net.add(ps.LIF(n_post, C=200e-12, g_L=10e-9, E_L=-70e-3, V_reset=-70e-3, V_th=-50e-3))
    syn = net.connect(src, lif, (pre_idx, post_idx), weight=w0, delay=dt, port="exc", rule=NormalisedHebb())
    net.add(ps.PoissonInput(lif, rate=500.0, weight=1.0e-9, port="exc"))
    return net, syn, net.record_spikes(src), net.record_spikes(lif)


def summed(post, w, n_post):
    """Summed weight onto each postsynaptic neuron (NumPy)."""
    return np.bincount(post, weights=w, minlength=n_post)


def reference(syn, pre_mon, post_mon, w0, nsteps):
    """NumPy: same equations and step order on the recorded spikes (synapses in the stored order)."""
    p, dt = syn.rule.params, syn.delay[0]
    every = int(round(p["period"] / dt))
    arrivals = np.zeros((nsteps + 1, syn.pre_pop.n))
    np.add.at(arrivals, (np.rint(pre_mon.t / dt).astype(int) + 1, pre_mon.i), 1.0)
    fired = np.zeros((nsteps, syn.post_pop.n))
    np.add.at(fired, (np.rint(post_mon.t / dt).astype(int), post_mon.i), 1.0)
    w, x = w0.copy(), np.zeros(syn.pre_pop.n)
    for m in range(nsteps):
        x += arrivals[m] / p["tau_x"]
        w += fired[m][syn.post] * (p["A"] * x[syn.pre])
        if (m + 1) % every == 0:
            w *= p["w_total"] / summed(syn.post, w, syn.post_pop.n)[syn.post]
        x *= np.exp(-dt / p["tau_x"])
    return w


def compare(duration=1.0):
    pre_idx, post_idx, w0 = pairs()
    net, syn, pre_mon, post_mon = build(pre_idx, post_idx, w0)
    initial = syn.w.copy()
    ps.Simulator(net).run(duration)
    return syn, reference(syn, pre_mon, post_mon, initial, int(round(duration / net.dt))), post_mon


if __name__ == "__main__":
    syn, expected, post_mon = compare()
    total = syn.rule.params["w_total"]
    print("post  spikes  sum w / w_total - 1")
    for j, s in enumerate(summed(syn.post, syn.w, syn.post_pop.n)):
        print(f"{j:4d} {np.sum(post_mon.i == j):7d}  {s / total - 1:+.2e}")
    print("synapse pre post  w plastisim (nS)  w NumPy (nS)")
    for k in range(0, syn.n_syn, 10):
        print(f"{k:7d} {syn.pre[k]:3d} {syn.post[k]:4d} {syn.w[k] * 1e9:17.12f} {expected[k] * 1e9:13.12f}")
    print(f"max |w - w_NumPy| / max w = {np.abs(syn.w - expected).max() / syn.w.max():.1e}")
