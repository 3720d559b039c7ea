"""Spike-driven homeostatic plasticity (Plastic Arbor Fig. 2e,g-i; spec section 2).

    tau_m dV/dt = E_L - V,   V += w / g_L at each input spike (delta synapses, w in A)
    dw/dt = dw_plus sum_pre delta(t - t_pre) - dw_minus sum_post delta(t - t_post), w in [0, w_max]

Per trial, two neurons receive the same static input (weight ``w_varying``) from a Poisson
train whose rate steps through ``rates`` (one value per ``period``). The "homeostasis" neuron
also gets a plastic input from a fixed-rate Poisson train (``rate_steady``); the "control"
neuron does not. Steady state of the rule: nu_post = rate_steady * dw_plus / dw_minus (50 Hz).
All trials run in one network (one neuron pair per trial). Scheme: exact exponential
integration of V between steps; the rule is event driven.

Readouts: trial-mean weight ``w_mean`` (sampled every 10 ms), pooled rates in ``bin`` bins
(``rate_homeostasis``, ``rate_control``). ``summary``: ``period_rate_homeostasis`` and
``period_rate_control`` (Hz; mean over each period without its first ``settle`` seconds),
``target_rate`` (Hz).
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps

from ..core.params import check_memory
from .base import param

SUMMARY_UNITS = dict(period_rate_homeostasis="Hz", period_rate_control="Hz", target_rate="Hz")
DESCRIPTION = "spike-driven homeostasis holds the output rate near 50 Hz (Fig. 2e,g-i)"


@dataclass
class Params:
    trials: int = param(50, "", "independent trials", 1)
    period: float = param(10.0, "s", "duration of each input-rate period", positive=True)
    rates: tuple = param((25.0, 50.0, 0.0, 35.0), "Hz", "varying input rate per period (comma separated)",
                         0.0)
    rate_steady: float = param(50.0, "Hz", "rate of the plastic input", 0.0)
    w_varying: float = param(3.5e-9, "A", "static weight (dV = w / g_L)", 0.0)
    w_init: float = param(0.0, "A", "initial plastic weight", 0.0)
    dw_plus: float = param(0.35e-9, "A", "weight increase per presynaptic spike", 0.0)
    dw_minus: float = param(0.35e-9, "A", "weight decrease per postsynaptic spike", 0.0)
    w_max: float = param(5e-9, "A", "maximal weight", 0.0)
    C: float = param(3e-9, "F", "membrane capacitance", positive=True)
    g_L: float = param(1e-7, "S", "leak conductance", positive=True)
    E_L: float = param(-65e-3, "V", "resting potential")
    V_th: float = param(-55e-3, "V", "threshold")
    V_reset: float = param(-70e-3, "V", "reset potential")
    t_ref: float = param(2e-3, "s", "refractory period", 0.0)
    dt: float = param(1e-4, "s", "time step", positive=True)
    bin: float = param(0.1, "s", "rate bin", positive=True)
    settle: float = param(1.0, "s", "excluded start of each period in the period means", 0.0,
                          "period", high_open=True)


def run(p, seed=0, progress=False):
    rates = np.array(p.rates, dtype=float)
    duration = p.period * len(rates)
    # per trial: neurons, sources, synapses (~1 kB), weight samples every 10 ms, spikes (<= 100 Hz)
    check_memory(f"trials = {p.trials}", p.trials * (1e3 + 8 * duration / 0.01 + 32 * 100.0 * duration))
    net = ps.Network(dt=p.dt, seed=seed)
    lif = dict(C=p.C, g_L=p.g_L, E_L=p.E_L, V_th=p.V_th, V_reset=p.V_reset, t_ref=p.t_ref)
    homeo = net.add(ps.LIF(p.trials, name="homeostasis", **lif))
    control = net.add(ps.LIF(p.trials, name="control", **lif))
    varying = net.add(ps.PoissonSource(p.trials, rates, times=p.period * np.arange(len(rates)),
                                       name="varying"))
    steady = net.add(ps.PoissonSource(p.trials, p.rate_steady, name="steady"))
    for target in (homeo, control):
        net.connect(varying, target, "one_to_one", weight=p.w_varying, port="delta")
    rule = ps.SpikeHomeostasis(dw_plus=p.dw_plus, dw_minus=p.dw_minus, w_max=p.w_max)
    plastic = net.connect(steady, homeo, "one_to_one", weight=p.w_init, port="delta", rule=rule)
    weights = net.record(plastic, "w", indices=np.arange(p.trials), interval=0.01)
    spikes = {name: net.record_spikes(pop) for name, pop in (("homeostasis", homeo), ("control", control))}
    sim = ps.Simulator(net)
    sim.run(duration, progress=progress)

    edges = np.arange(0.0, duration + p.bin / 2, p.bin)
    binned = {name: np.histogram(mon.t, edges)[0] / (p.trials * p.bin) for name, mon in spikes.items()}
    period_means = {}
    for name, mon in spikes.items():
        means = []
        for k in range(len(rates)):
            start, stop = k * p.period + p.settle, (k + 1) * p.period
            means.append(np.sum((mon.t >= start) & (mon.t < stop)) / (p.trials * (stop - start)))
        period_means[name] = np.array(means)
    data = dict(t_w=weights.t, w_mean=weights.data.mean(axis=1), t_bins=edges[:-1],
                rate_homeostasis=binned["homeostasis"], rate_control=binned["control"],
                input_rates=rates)
    summary = dict(period_rate_homeostasis=period_means["homeostasis"],
                   period_rate_control=period_means["control"],
                   target_rate=p.rate_steady * p.dw_plus / p.dw_minus)
    return dict(data=data, summary=summary, wall_time=sim.wall_time)
