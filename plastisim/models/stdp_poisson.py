"""Pair STDP at a conductance synapse on a LIF neuron (Plastic Arbor Fig. 2a,c; spec section 1.4).

    C dV/dt = g_L (E_L - V) + g_e (E_e - V) + g_i (E_i - V)       (reset, refractory clamp)
    dg_e/dt = -g_e/tau_e + sum_pre w delta(t - t_pre),   dg_i/dt = -g_i/tau_i + w_i ...
    w: pair STDP (tau_pre = 20 ms, tau_post = 10 ms, A_pre = 0.3 uS, A_post = -0.2 uS)

One plastic excitatory and one static inhibitory synapse, each driven by one spike train:
by default the reference's fixed 48-spike lists (``inputs = "reference"``), otherwise
Poisson trains at ``rate_e``/``rate_i``. The synaptic delay is dt (spikes are emitted one
step early, so they arrive at the listed times). The weight cap is 50 uS, which never binds
(spec discrepancy #1). Scheme: exponential Euler for V, exact decay of g and the traces.

Readouts: traces V, g_e, g_i, w; output spikes. ``summary``: ``n_spikes``, ``final_weight`` (S),
``peak_g_e`` (S).
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps

from .base import param

SUMMARY_UNITS = dict(n_spikes="", final_weight="S", peak_g_e="S")
DESCRIPTION = "LIF neuron with one plastic (STDP) excitatory and one inhibitory input (Fig. 2c)"

EXC_MS = [12, 14, 48, 49, 63, 104, 151, 157, 163, 175, 176, 232, 282, 283, 337, 378, 401, 404, 422,
          437, 467, 520, 555, 557, 558, 584, 605, 633, 634, 644, 648, 651, 663, 668, 669, 677, 678,
          685, 692, 701, 706, 710, 719, 819, 843, 930, 941, 997]
INH_MS = [7, 67, 84, 86, 104, 149, 155, 187, 189, 219, 235, 254, 294, 320, 371, 387, 397, 407, 501,
          516, 527, 554, 563, 572, 578, 584, 618, 625, 666, 672, 675, 677, 717, 722, 744, 750, 767,
          824, 833, 848, 861, 872, 891, 901, 933, 968, 983, 999]


@dataclass
class Params:
    duration: float = param(1.0, "s", "simulated time", "dt")
    dt: float = param(1e-5, "s", "time step (the reference spike lists are on a 1-ms grid)",
                      0.0, 1e-3, low_open=True)
    inputs: str = param("reference", "", "'reference' spike lists or 'poisson'")
    rate_e: float = param(48.0, "Hz", "excitatory Poisson rate (inputs = poisson)", 0.0)
    rate_i: float = param(48.0, "Hz", "inhibitory Poisson rate (inputs = poisson)", 0.0)
    C: float = param(5.027e-9, "F", "membrane capacitance", positive=True)
    g_L: float = param(5.027e-6, "S", "leak conductance", positive=True)
    E_L: float = param(-70e-3, "V", "resting potential")
    V_th: float = param(-55e-3, "V", "threshold")
    V_reset: float = param(-80e-3, "V", "reset potential")
    t_ref: float = param(5e-3, "s", "refractory period", 0.0)
    tau_e: float = param(5e-3, "s", "excitatory conductance decay", positive=True)
    tau_i: float = param(10e-3, "s", "inhibitory conductance decay", positive=True)
    E_e: float = param(0.0, "V", "excitatory reversal potential")
    E_i: float = param(-80e-3, "V", "inhibitory reversal potential")
    w0: float = param(1e-6, "S", "initial plastic weight", 0.0)
    w_inh: float = param(1e-6, "S", "inhibitory weight", 0.0)
    tau_pre: float = param(20e-3, "s", "presynaptic trace time constant", positive=True)
    tau_post: float = param(10e-3, "s", "postsynaptic trace time constant", positive=True)
    A_pre: float = param(0.3e-6, "S", "presynaptic trace increment")
    A_post: float = param(-0.2e-6, "S", "postsynaptic trace increment")
    w_max: float = param(50e-6, "S", "weight cap", 0.0)


def _source(net, p, times_ms, rate, name):
    if p.inputs == "reference":
        times = np.asarray(times_ms) * 1e-3 - p.dt
        return net.add(ps.SpikeTimes(1, np.zeros(len(times), dtype=int), times, name=name))
    if p.inputs == "poisson":
        return net.add(ps.PoissonSource(1, rate, name=name))
    raise ps.ParameterError(f"inputs = {p.inputs!r} must be 'reference' or 'poisson'")


def run(p, seed=0, progress=False):
    net = ps.Network(dt=p.dt, seed=seed)
    neuron = net.add(ps.LIF(1, C=p.C, g_L=p.g_L, E_L=p.E_L, V_th=p.V_th, V_reset=p.V_reset,
                            t_ref=p.t_ref, tau_e=p.tau_e, tau_i=p.tau_i, E_e=p.E_e, E_i=p.E_i,
                            name="neuron"))
    exc = _source(net, p, EXC_MS, p.rate_e, "exc")
    inh = _source(net, p, INH_MS, p.rate_i, "inh")
    rule = ps.PairSTDP(tau_pre=p.tau_pre, tau_post=p.tau_post, A_pre=p.A_pre, A_post=p.A_post,
                       w_max=p.w_max)
    syn = net.connect(exc, neuron, weight=p.w0, port="exc", rule=rule)
    net.connect(inh, neuron, weight=p.w_inh, port="inh")
    traces = {var: net.record(neuron, var) for var in ("V", "g_e", "g_i")}
    traces["w"] = net.record(syn, "w")
    spikes = net.record_spikes(neuron)
    sim = ps.Simulator(net)
    sim.run(p.duration, progress=progress)
    data = {"t": traces["V"].t, "spikes": {"t": spikes.t}}
    data.update({var: mon.data[:, 0] for var, mon in traces.items()})
    summary = dict(n_spikes=len(spikes.t), final_weight=syn.w[0], peak_g_e=data["g_e"].max())
    return dict(data=data, summary=summary, wall_time=sim.wall_time)
