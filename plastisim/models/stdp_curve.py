"""Classical STDP window (Plastic Arbor Fig. 2b,d; Song, Miller & Abbott 2000).

Pair-based STDP with all-to-all trace interaction (see :mod:`plastisim.plasticity.stdp`):

    da_pre/dt = -a_pre/tau_pre + A_pre sum delta(t - t_pre),   w += a_pre  at each post spike
    da_post/dt = -a_post/tau_post + A_post sum delta(t - t_post), w += a_post at each pre spike

Protocol (spec plastic_arbor.md section 1.5): ``n_lags`` independent synapses; synapse m sees
``n_pairs`` pre/post pairings, ``pair_period`` apart, at lag dt_m = t_post - t_pre running from
+lag_max to -lag_max in equal steps. Pre spikes are emitted one delay (dt) early so that they
reach the synapse at t_pre. Post spikes are imposed (no neuron model).

Readouts (``summary``): ``lag`` (s, lag seen by each synapse after rounding to the time step),
``weight_change`` (S, final minus initial weight), ``expected_change`` (S, closed form: the sum
of the pair kernel over all pre/post pairs, exact for this rule when no clipping binds) and
``nominal_lag`` (s, the lag before rounding) and ``max_relative_error`` (max |error| / max |expected|).
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps
from plastisim.plasticity.stdp import pair_kernel_sum

from ..core.params import check
from .base import param

SUMMARY_UNITS = dict(lag="s", weight_change="S", expected_change="S", nominal_lag="s",
                     max_relative_error="")
DESCRIPTION = "pair-based STDP window: weight change vs pre/post lag (Plastic Arbor Fig. 2d)"


@dataclass
class Params:
    n_lags: int = param(100, "", "number of lags (synapses)", 2)
    lag_max: float = param(50e-3, "s", "largest |t_post - t_pre|", 0.0)
    n_pairs: int = param(1, "", "pairings per synapse", 1)
    pair_period: float = param(1.0, "s", "time between pairings", positive=True)
    tau_pre: float = param(20e-3, "s", "presynaptic trace time constant", positive=True)
    tau_post: float = param(20e-3, "s", "postsynaptic trace time constant", positive=True)
    A_pre: float = param(0.01e-6, "S", "presynaptic trace increment (potentiation)")
    A_post: float = param(-0.0105e-6, "S", "postsynaptic trace increment (depression)")
    w0: float = param(1e-6, "S", "initial weight", 0.0)
    w_max: float = param(10e-6, "S", "weight cap", 0.0)
    dt: float = param(1e-5, "s", "time step (at most the lag spacing)", positive=True)

    def validate(self):
        spacing = 2 * self.lag_max / (self.n_lags - 1)
        if spacing > 0:
            check("dt", self.dt, 0.0, spacing, low_open=True,
                  high_name="lag spacing 2 lag_max/(n_lags - 1)")


def run(p, seed=0, progress=False):
    lags = np.linspace(p.lag_max, -p.lag_max, p.n_lags)
    t_first = p.lag_max + 2 * p.dt
    net = ps.Network(dt=p.dt, seed=seed)
    rate = 1.0 / p.pair_period
    pre = net.add(ps.RegularSource(p.n_lags, rate, offset=t_first - p.dt, name="pre"))
    post = net.add(ps.RegularSource(p.n_lags, rate, offset=t_first + lags, name="post"))
    rule = ps.PairSTDP(tau_pre=p.tau_pre, tau_post=p.tau_post, A_pre=p.A_pre, A_post=p.A_post,
                       w_max=p.w_max)
    syn = net.connect(pre, post, "one_to_one", weight=p.w0, delay=p.dt, port=None, rule=rule)
    pre_spikes, post_spikes = net.record_spikes(pre), net.record_spikes(post)
    sim = ps.Simulator(net)
    sim.run(t_first + (p.n_pairs - 1) * p.pair_period + 2 * p.lag_max + 5 * p.dt, progress=progress)

    # arrival and post times on the step grid (n * dt), so a pair in one step has lag exactly 0
    on_grid = lambda t: np.rint(t / p.dt) * p.dt
    t_pre = [on_grid(pre_spikes.t[pre_spikes.i == m] + p.dt) for m in range(p.n_lags)]
    t_post = [on_grid(post_spikes.t[post_spikes.i == m]) for m in range(p.n_lags)]
    expected = np.array([pair_kernel_sum(a, b, p.tau_pre, p.tau_post, p.A_pre, p.A_post)
                         for a, b in zip(t_pre, t_post)])
    change = syn.w[np.argsort(syn.pre)] - p.w0
    seen_lag = np.array([b[0] - a[0] for a, b in zip(t_pre, t_post)])
    error = np.max(np.abs(change - expected)) / np.max(np.abs(expected))
    return dict(
        data=dict(spikes=dict(pre_t=pre_spikes.t, pre_i=pre_spikes.i, post_t=post_spikes.t,
                              post_i=post_spikes.i)),
        summary=dict(lag=seen_lag, weight_change=change, expected_change=expected,
                     nominal_lag=lags, max_relative_error=error),
        wall_time=sim.wall_time)
