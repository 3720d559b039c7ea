"""Pair-based STDP with all-to-all trace interaction (Song, Miller & Abbott 2000;
Plastic Arbor Eqs. 6-8).

    da_pre/dt  = -a_pre/tau_pre   + A_pre  * sum_n delta(t - t_pre^n)
    da_post/dt = -a_post/tau_post + A_post * sum_m delta(t - t_post^m)
    dw/dt      = a_pre * sum_m delta(t - t_post^m) + a_post * sum_n delta(t - t_pre^n)

w is clipped to [w_min, w_max] after every update. Event-driven and exact: both traces
are decayed in closed form from the synapse's last event to the current one.
At a presynaptic event the (old) weight is delivered first, then a_pre += A_pre and
w += a_post; at a postsynaptic spike a_post += A_post and w += a_pre.
"""
import numpy as np

from ..core.params import check
from .rule import Rule


class PairSTDP(Rule):
    """Pair-based STDP; weight in the units of the projection (S for conductance synapses)."""

    parameters = dict(tau_pre=20e-3, tau_post=20e-3, A_pre=0.01e-6, A_post=-0.0105e-6,
                      w_min=0.0, w_max=10e-6)
    synapse_state = dict(a_pre=0.0, a_post=0.0, t_last=0.0)

    def validate(self, params):
        check("tau_pre", params["tau_pre"], 0.0, low_open=True)
        check("tau_post", params["tau_post"], 0.0, low_open=True)
        check("w_max", params["w_max"], params["w_min"])

    def advance(s, p, k, t):
        gap = t - s.t_last[k]
        decay_pre = exp(-gap / p.tau_pre)
        s.a_pre[k] *= decay_pre
        s.a_post[k] *= decay_pre if p.tau_post == p.tau_pre else exp(-gap / p.tau_post)
        s.t_last[k] = t

    def on_pre(s, p, k):
        s.a_pre[k] += p.A_pre
        s.w[k] = min(max(s.w[k] + s.a_post[k], p.w_min), p.w_max)

    def on_post(s, p, k):
        s.a_post[k] += p.A_post
        s.w[k] = min(max(s.w[k] + s.a_pre[k], p.w_min), p.w_max)


def pair_kernel_sum(t_pre, t_post, tau_pre, tau_post, A_pre, A_post):
    """Closed-form total change of the all-to-all pair rule without clipping:
    sum over all pairs of W(t_post - t_pre), W(d) = A_pre e^(-d/tau_pre) for d > 0 and
    A_post e^(d/tau_post) for d < 0 (d = 0 counts as potentiation, pre processed first)."""
    d = np.subtract.outer(np.asarray(t_post), np.asarray(t_pre))
    return float(np.sum(np.where(d >= 0, A_pre * np.exp(-np.abs(d) / tau_pre),
                                 A_post * np.exp(-np.abs(d) / tau_post))))
