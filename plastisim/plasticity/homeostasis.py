"""Spike-driven homeostatic plasticity (Plastic Arbor Eq. 9).

    dw/dt = dw_plus * sum_n delta(t - t_pre^n) - dw_minus * sum_m delta(t - t_post^m)

w is clipped to [0, w_max] at every update. The presynaptic jump uses the weight
before the update. Steady state: nu_post = nu_pre * dw_plus / dw_minus.
Event-driven, exact (the rule has no continuous dynamics).
"""
from ..core.params import check
from .rule import Rule


class SpikeHomeostasis(Rule):
    """Weight in the units of the projection (A for delta current synapses)."""

    parameters = dict(dw_plus=0.35e-9, dw_minus=0.35e-9, w_max=5e-9)

    def validate(self, params):
        check("dw_plus", params["dw_plus"], 0.0)
        check("dw_minus", params["dw_minus"], 0.0)
        check("w_max", params["w_max"], 0.0)

    def on_pre(s, p, k):
        s.w[k] = min(max(s.w[k] + p.dw_plus, 0.0), p.w_max)

    def on_post(s, p, k):
        s.w[k] = min(max(s.w[k] - p.dw_minus, 0.0), p.w_max)
