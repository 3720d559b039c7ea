"""Pair-based STDP with all-to-all trace interaction (Song, Miller & Abbott 2000;
Plastic Arbor Eqs. 6-8).

    da_pre/dt  = -a_pre/tau_pre   + A_pre  * sum_n delta(t - t_pre^n)
    da_post/dt = -a_post/tau_post + A_post * sum_m delta(t - t_post^m)
    dw/dt      = a_pre * sum_m delta(t - t_post^m) + a_post * sum_n delta(t - t_pre^n)

w is clipped to [w_min, w_max] after every update. The presynaptic trace a_pre depends only
on the spikes arriving at a synapse, so it is kept once per group (presynaptic neuron and
delay); the postsynaptic trace once per postsynaptic neuron. Both decay exactly,
a <- a e^(-dt/tau) per step, so a synapse event costs no exponential. At an arriving spike
the (old) weight is delivered first, then w += a_post and a_pre += A_pre; at a postsynaptic
spike w += a_pre, then a_post += A_post (a pair in one step counts as pre before post).
"""
import numpy as np

from ..core.params import check
from .rule import Rule


class PairSTDP(Rule):
    """Pair-based STDP; weight in the units of the projection (S for conductance synapses)."""

    parameters = dict(tau_pre=20e-3, tau_post=20e-3, A_pre=0.01e-6, A_post=-0.0105e-6,
                      w_min=0.0, w_max=10e-6)
    group_state = dict(a_pre=0.0)
    neuron_state = dict(a_post=0.0)

    def validate(self, params):
        check("tau_pre", params["tau_pre"], 0.0, low_open=True)
        check("tau_post", params["tau_post"], 0.0, low_open=True)
        check("w_max", params["w_max"], params["w_min"])

    def on_pre(s, p, n, k, j):
        s.w[k] = min(max(s.w[k] + n.a_post[j], p.w_min), p.w_max)

    def on_pre_group(grp, p, g):
        grp.a_pre[g] += p.A_pre

    def on_post(s, p, grp, k, g):
        s.w[k] = min(max(s.w[k] + grp.a_pre[g], p.w_min), p.w_max)

    def on_post_neuron(n, p, j):
        n.a_post[j] += p.A_post

    def on_group_step(grp, p, g, dt):
        grp.a_pre[g] *= exp(-dt / p.tau_pre)

    def on_neuron_step(n, p, j, dt):
        n.a_post[j] *= exp(-dt / p.tau_post)


class ScaledPairSTDP(PairSTDP):
    """Pair-based STDP whose amplitudes and upper bound scale with a per-synapse ``w_max``
    (spec ``l5_gain.md`` §10, option A: Delta A_pre = 0.01 w_max, Delta A_post = -1.05 Delta A_pre,
    w in [0, w_max], w_max = 2 x the initial weight of each synapse). The traces are the ones of
    :class:`PairSTDP` as fractions of w_max (a_pre += A_pre at an arriving spike, a_post +=
    A_post at a postsynaptic spike, both decaying exactly with tau_pre, tau_post):

        w <- clip(w + w_max a_post, 0, w_max) at an arriving spike (after delivering w),
        w <- clip(w + w_max a_pre, 0, w_max) at a postsynaptic spike.

    ``w_max`` is a synapse variable (S, default 0: no plasticity); set it after connecting,
    e.g. ``proj.state["w_max"][:] = 2 * proj.w``. Per synapse this is :class:`PairSTDP` with
    amplitudes A_pre w_max, A_post w_max and bounds [0, w_max]."""

    parameters = dict(tau_pre=20e-3, tau_post=20e-3, A_pre=0.01, A_post=-0.0105)
    synapse_state = dict(w_max=0.0)

    def validate(self, params):
        check("tau_pre", params["tau_pre"], 0.0, low_open=True)
        check("tau_post", params["tau_post"], 0.0, low_open=True)

    def on_pre(s, p, n, k, j):
        s.w[k] = min(max(s.w[k] + s.w_max[k] * n.a_post[j], 0.0), s.w_max[k])

    def on_post(s, p, grp, k, g):
        s.w[k] = min(max(s.w[k] + s.w_max[k] * grp.a_pre[g], 0.0), s.w_max[k])


def pair_kernel_sum(t_pre, t_post, tau_pre, tau_post, A_pre, A_post):
    """Closed-form total change of the all-to-all pair rule without clipping:
    sum over all pairs of W(t_post - t_pre), W(d) = A_pre e^(-d/tau_pre) for d > 0 and
    A_post e^(d/tau_post) for d < 0 (d = 0 counts as potentiation, pre processed first)."""
    d = np.subtract.outer(np.asarray(t_post), np.asarray(t_pre))
    return float(np.sum(np.where(d >= 0, A_pre * np.exp(-np.abs(d) / tau_pre),
                                 A_post * np.exp(-np.abs(d) / tau_post))))
