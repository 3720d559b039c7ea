"""Dose-plasticity (DP) curve of the Graupner-Brunel calcium rule (Plastic Arbor Fig. 2j; spec 3).

Rule: :mod:`plastisim.plasticity.calcium` (tau_w dw/dt = cubic + gamma_p (1-w) H(c-theta_p)
- gamma_d w H(c-theta_d) + noise; calcium jumps c_pre at t_pre + D and c_post at t_post).

Protocol (spec 3.3): for every lag dt = t_post - t_pre on a grid from -lag_max to +lag_max,
``n_pairs`` pre/post pairs at ``frequency``; postsynaptic spikes are imposed (no neuron).
``trials`` synapses start at w = 0 and ``trials`` at w = 1, each with its own noise stream.
All lags and trials run in one network, i.e. one compiled loop. Scheme: ``scheme = "exact"``
(event driven, :class:`~plastisim.plasticity.calcium.CalciumGB`) or ``"euler"``
(Euler-Maruyama every step, :class:`~plastisim.plasticity.calcium.CalciumGBEuler`).

Readout (spec 3.4): P_UA = fraction of w0 = 0 synapses ending above 0.5, P_DA = fraction of
w0 = 1 synapses ending below 0.5,
Delta_s = [(1-P_UA) beta + P_DA (1-beta) + b (P_UA beta + (1-P_DA)(1-beta))] / (beta + (1-beta) b).
``summary``: ``lag`` (s), ``synaptic_change`` (Delta_s, dimensionless), ``synaptic_change_ci``
(lower/upper 95 % binomial confidence bounds, shape (lags, 2)), ``P_UA``, ``P_DA``.
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps
from plastisim.plasticity.calcium import CalciumGB, CalciumGBEuler

from ..core.params import check_memory
from .base import param

SUMMARY_UNITS = dict(lag="s", synaptic_change="", synaptic_change_ci="", P_UA="", P_DA="")
DESCRIPTION = "Graupner-Brunel calcium rule: DP curve, synaptic change vs lag (Fig. 2j)"

REFERENCE = {-100e-3: 0.98, -25e-3: 0.72, 0.0: 0.99, 5e-3: 1.24, 100e-3: 0.99}  # spec 3.5


@dataclass
class Params:
    trials: int = param(2000, "", "synapses per initial state (w0 = 0 and w0 = 1)", 1)
    lag_max: float = param(100e-3, "s", "largest |t_post - t_pre|", 0.0)
    lag_step: float = param(5e-3, "s", "lag grid step", positive=True)
    n_pairs: int = param(60, "", "pairs per protocol", 1)
    frequency: float = param(1.0, "Hz", "pair repetition rate", positive=True)
    dt: float = param(1e-4, "s", "time step", positive=True)
    scheme: str = param("exact", "", "'exact' (event driven) or 'euler' (Euler-Maruyama)")
    tau_c: float = param(20e-3, "s", "calcium decay time", positive=True)
    tau_w: float = param(150.0, "s", "weight time constant", positive=True)
    gamma_p: float = param(321.808, "", "potentiation rate", 0.0)
    gamma_d: float = param(200.0, "", "depression rate", 0.0)
    theta_p: float = param(1.3, "", "potentiation threshold", positive=True)
    theta_d: float = param(1.0, "", "depression threshold", positive=True)
    sigma: float = param(2.8248, "", "noise amplitude", 0.0)
    w_star: float = param(0.5, "", "boundary of the basins of attraction")
    c_pre: float = param(1.0, "", "presynaptic calcium jump", 0.0)
    c_post: float = param(2.0, "", "postsynaptic calcium jump", 0.0)
    D: float = param(13.7e-3, "s", "delay of the presynaptic calcium jump", positive=True)
    beta: float = param(0.5, "", "fraction of synapses initially DOWN", 0.0, 1.0)
    b: float = param(5.0, "", "UP/DOWN efficacy ratio", positive=True)


def synaptic_change(P_UA, P_DA, beta, b):
    """Delta_s of the two-state readout (spec 3.4)."""
    return (((1 - P_UA) * beta + P_DA * (1 - beta) + b * (P_UA * beta + (1 - P_DA) * (1 - beta)))
            / (beta + (1 - beta) * b))


def run(p, seed=0, progress=False):
    # ~256 bytes per synapse: index lists, sorted projection arrays, rule state
    n_lags = 2 * int(p.lag_max / p.lag_step) + 1
    check_memory(f"trials = {p.trials} with {n_lags} lags", 256.0 * 2 * p.trials * n_lags)
    lags = np.arange(-p.lag_max, p.lag_max + p.lag_step / 2, p.lag_step)
    rules = {"exact": CalciumGB, "euler": CalciumGBEuler}
    if p.scheme not in rules:
        raise ps.ParameterError(f"scheme = {p.scheme!r} must be 'exact' or 'euler'")
    names = ("tau_c", "tau_w", "gamma_p", "gamma_d", "theta_p", "theta_d", "sigma", "w_star",
             "c_pre", "c_post", "D")
    rule = rules[p.scheme](**{key: getattr(p, key) for key in names})
    start = p.lag_max + 2 * p.dt
    period = 1.0 / p.frequency
    stop = start + (p.n_pairs - 1) * period + p.lag_max + p.dt
    net = ps.Network(dt=p.dt, seed=seed)
    pre = net.add(ps.RegularSource(len(lags), p.frequency, offset=start, stop=stop, name="pre"))
    post = net.add(ps.RegularSource(len(lags), p.frequency, offset=start + lags, stop=stop, name="post"))
    n = 2 * p.trials
    lag_of = np.repeat(np.arange(len(lags)), n)
    w0 = np.tile(np.repeat([0.0, 1.0], p.trials), len(lags))
    syn = net.connect(pre, post, (lag_of, lag_of), weight=w0, delay=p.dt, port=None, rule=rule)
    sim = ps.Simulator(net, chunk_steps=100_000)
    sim.run(start + p.n_pairs * period, progress=progress)
    if p.scheme == "exact":
        sim.advance(syn)
    # stored order is sorted by presynaptic index (stable in the given order within a lag)
    w = syn.w.reshape(len(lags), 2, p.trials)
    P_UA = np.mean(w[:, 0] > 0.5, axis=1)
    P_DA = np.mean(w[:, 1] < 0.5, axis=1)
    change = synaptic_change(P_UA, P_DA, p.beta, p.b)
    # 95 % CI: normal approximation of the two binomial fractions, propagated linearly
    slope = (p.b - 1) * np.array([p.beta, -(1 - p.beta)]) / (p.beta + (1 - p.beta) * p.b)
    sd = np.sqrt(slope[0] ** 2 * P_UA * (1 - P_UA) / p.trials + slope[1] ** 2 * P_DA * (1 - P_DA) / p.trials)
    ci = np.stack([change - 1.96 * sd, change + 1.96 * sd], axis=1)
    return dict(data=dict(final_w=w), summary=dict(lag=lags, synaptic_change=change,
                                                   synaptic_change_ci=ci, P_UA=P_UA, P_DA=P_DA),
                wall_time=sim.wall_time)
