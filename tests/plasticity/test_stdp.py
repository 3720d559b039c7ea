"""Pair STDP with group/neuron traces against an independent per-synapse event-driven rule."""
import numpy as np

import plastisim as ps
from plastisim.plasticity.stdp import pair_kernel_sum


class PerSynapsePairSTDP(ps.Rule):
    """The same rule written per synapse: both traces on every synapse, decayed in closed form
    from the synapse's last event (one exponential per event)."""

    parameters = ps.PairSTDP.parameters
    synapse_state = dict(a_pre=0.0, a_post=0.0, t_last=0.0)

    def advance(s, p, k, t):
        gap = t - s.t_last[k]
        s.a_pre[k] *= exp(-gap / p.tau_pre)
        s.a_post[k] *= exp(-gap / p.tau_post)
        s.t_last[k] = t

    def on_pre(s, p, k):
        s.a_pre[k] += p.A_pre
        s.w[k] = min(max(s.w[k] + s.a_post[k], p.w_min), p.w_max)

    def on_post(s, p, k):
        s.a_post[k] += p.A_post
        s.w[k] = min(max(s.w[k] + s.a_pre[k], p.w_min), p.w_max)


def final_weights(rule):
    # 100 Poisson inputs -> 20 noisy LIF neurons, heterogeneous delays (several groups per
    # presynaptic neuron), weights clipped at w_min, pre/post pairs in one step
    net = ps.Network(dt=1e-4, seed=11)
    src = net.add(ps.PoissonSource(100, 40.0))
    lif = net.add(ps.LIF(20, sigma=3e-3, I_ext=0.9e-9))
    delays = (1 + np.arange(2000) % 7) * 1e-3
    proj = net.connect(src, lif, "all_to_all", weight=0.2e-9, delay=delays, port="current", rule=rule)
    spikes = net.record_spikes(lif)
    ps.Simulator(net, chunk_steps=3333).run(2.0)
    return proj.w.copy(), len(spikes.t)


def test_group_traces_equal_per_synapse_traces():
    params = dict(tau_pre=17e-3, tau_post=34e-3, A_pre=0.02e-9, A_post=-0.021e-9, w_max=0.4e-9)
    w_group, n_group = final_weights(ps.PairSTDP(**params))
    w_syn, n_syn = final_weights(PerSynapsePairSTDP(**params))
    assert n_group == n_syn > 500
    assert 0.05 < np.mean(w_group == 0.0) < 0.95  # clipping at w_min happened (~23 %)
    np.testing.assert_allclose(w_group, w_syn, rtol=1e-9, atol=1e-21)
    assert np.std(w_group) > 0.01e-9  # the weights did move apart


def test_scaled_pair_stdp_closed_form_per_synapse_bound():
    # two synapses with w_max = 1 and 3 nS, w0 = w_max / 2, pre and post trains with pairs at
    # +-4 ... 30 ms: without clipping, delta w = w_max * sum over pairs of W(t_post - t_pre)
    dt, delay = 1e-4, 1e-3
    t_pre = np.array([0.010, 0.050, 0.120, 0.200, 0.203])
    t_post = np.array([0.014, 0.046, 0.150, 0.190])
    net = ps.Network(dt=dt)
    pre = net.add(ps.SpikeTimes(1, np.zeros(len(t_pre), int), t_pre))
    post = net.add(ps.SpikeTimes(2, np.tile([0, 1], len(t_post)), np.repeat(t_post, 2)))
    w_max = np.array([1e-9, 3e-9])
    proj = net.connect(pre, post, ([0, 0], [0, 1]), weight=w_max / 2, delay=delay, port=None,
                       rule=ps.ScaledPairSTDP(tau_pre=17e-3, tau_post=25e-3, A_pre=0.05, A_post=-0.04))
    proj.state["w_max"][:] = w_max
    ps.Simulator(net).run(0.3)
    expected = w_max * pair_kernel_sum(t_pre + delay, t_post, 17e-3, 25e-3, 0.05, -0.04)
    assert abs(expected[0]) > 0.01e-9
    np.testing.assert_allclose(proj.w - w_max / 2, expected, rtol=1e-9)
