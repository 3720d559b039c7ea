"""One STC synapse between two LIF neurons (Plastic Arbor Fig. 5c-g; spec sections 5.2-5.5).

Neurons (spec 5.2): tau_m C dV/dt = ... , C = 1 nF, R = 10 MOhm, V_rest = -65 mV, V_th = -55 mV,
V_reset = -70 mV, t_ref = 2 ms. Synapse: :class:`~plastisim.plasticity.stc.STC` (early phase h,
late phase z, calcium c, neuron PRP p); the PSP of weight w (V) is an exponential current
w / R decaying with tau_syn = 5 ms, delayed by 3 ms; the presynaptic calcium arrives 18.8 ms
after the spike. Each trial is one pre/post pair with its own noise; all trials run together.

Protocols:

* ``early`` (Fig. 5c,e,g): presynaptic spikes imposed at 10, 20, 30, 40, 50, 60, 100 ms; 0.2 s.
* ``late`` (Fig. 5d,f): the presynaptic neuron fires at its maximal rate 1/(t_ref + dt) for
  ``stim_duration`` (4 h), then the run continues to ``duration`` (8 h) in fast-forward
  (no spikes, step ``dt_ff``) -- calcium has decayed by then, only h, z, p evolve. The phases
  are a :class:`plastisim.Protocol`; the state monitors sample the fast-forward too.

Readouts: trial means of h, h0 z, c, p, V (early: every step; late: every ``sample`` s).
``summary`` (SI): ``h_end`` (V), ``z_end``, ``p_end`` (mol/m^3), and for ``early`` also
``h_100ms`` and ``h_200ms`` (V); for ``late`` also ``h_stim_end``, ``p_stim_end``, ``hz_end``
(h0 z at the end, V).
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps
from plastisim.plasticity.stc import STC

from .base import param

SUMMARY_UNITS = dict(h_100ms="V", h_200ms="V", h_end="V", z_end="", p_end="mol/m^3",
                     h_stim_end="V", p_stim_end="mol/m^3", hz_end="V")
DESCRIPTION = "single synapse with early/late-phase plasticity (STC), basic protocols (Fig. 5)"

EARLY_SPIKES = np.array([10, 20, 30, 40, 50, 60, 100]) * 1e-3


@dataclass
class Params:
    protocol: str = param("early", "", "'early' (forced spikes) or 'late' (4 h maximal drive)")
    trials: int = param(1000, "", "independent synapses", 1)
    dt: float = param(0.2e-3, "s", "time step", positive=True)
    duration: float = param(0.2, "s", "run time (late: 8h)", "dt")
    stim_duration: float = param(4 * 3600.0, "s", "late protocol: length of the maximal drive", 0.0)
    dt_ff: float = param(10.0, "s", "late protocol: fast-forward step after the drive", positive=True)
    sample: float = param(10.0, "s", "late protocol: sampling interval of the traces", positive=True)
    sigma_pl: float = param(2.90436e-3, "V", "plasticity noise amplitude", 0.0)
    c_pre: float = param(1.0, "", "presynaptic calcium jump", 0.0)
    c_post: float = param(0.2758, "", "postsynaptic calcium jump", 0.0)
    tau_syn: float = param(5e-3, "s", "PSP current decay", positive=True)
    delay: float = param(3e-3, "s", "PSP delay", positive=True)


def build(p, seed):
    """Network with ``trials`` pre/post pairs; returns (net, post population, projection)."""
    net = ps.Network(dt=p.dt, seed=seed)
    lif = dict(C=1e-9, g_L=1e-7, E_L=-65e-3, V_th=-55e-3, V_reset=-70e-3, t_ref=2e-3, tau_syn=p.tau_syn)
    post = net.add(ps.LIF(p.trials, name="post", **lif))
    if p.protocol == "early":
        times = np.tile(EARLY_SPIKES, p.trials)
        pre = net.add(ps.SpikeTimes(p.trials, np.repeat(np.arange(p.trials), len(EARLY_SPIKES)), times,
                                    name="pre"))
    elif p.protocol == "late":
        pre = net.add(ps.RegularSource(p.trials, 1 / (lif["t_ref"] + p.dt), stop=p.stim_duration, name="pre"))
    else:
        raise ps.ParameterError(f"protocol = {p.protocol!r} must be 'early' or 'late'")
    rule = STC(sigma_pl=p.sigma_pl, c_pre=p.c_pre, c_post=p.c_post)
    syn = net.connect(pre, post, "one_to_one", weight=rule.params["h0"] / rule.params["R_mem"],
                      delay=p.delay, port="current", rule=rule)
    return net, post, syn


def run(p, seed=0, progress=False, checkpoint=None):
    net, post, syn = build(p, seed)
    h0 = syn.rule.params["h0"]
    if p.protocol == "early":
        mons = {var: net.record(syn, var, indices=np.arange(p.trials)) for var in ("h", "z", "c")}
        mons["p"] = net.record(syn, "p", indices=np.arange(p.trials))
        mons["V"] = net.record(post, "V", indices=np.arange(p.trials))
        sim = ps.Simulator(net)
        sim.run(p.duration, progress=progress)
        t = mons["h"].t
        data = {"t": t, **{var: mon.data.mean(axis=1) for var, mon in mons.items()}}
        data["hz"] = h0 * data.pop("z")
        summary = dict(h_100ms=data["h"][np.argmin(np.abs(t - 0.1))], h_200ms=data["h"][-1])
    else:
        index = np.arange(p.trials)
        mons = {var: net.record(syn, var, indices=index, interval=p.sample) for var in ("h", "z", "c", "p")}
        mons["V"] = net.record(post, "V", indices=index, interval=p.sample)
        proto = ps.Protocol(duration=p.duration)
        settled = min(p.stim_duration + 1.0, p.duration)  # calcium decays before the long step
        proto.fast_forward(settled, p.duration, p.dt_ff)
        sim = ps.Simulator(net, chunk_steps=max(1, int(round(p.sample / p.dt))))
        sim.run_protocol(proto, progress=progress, checkpoint=checkpoint)
        t = np.append(mons["h"].t, sim.t)  # samples, then the final state
        data = {"t": t, **{var: np.append(mon.data.mean(axis=1), mon.target.variables()[mon.attr][var].mean())
                           for var, mon in mons.items()}}
        data["hz"] = h0 * data.pop("z")
        end = np.searchsorted(t, p.stim_duration - p.dt / 2)
        end = min(end, len(t) - 1)
        summary = dict(h_stim_end=data["h"][end], p_stim_end=data["p"][end], hz_end=data["hz"][-1])
    summary.update(h_end=data["h"][-1], z_end=data["hz"][-1] / h0, p_end=data["p"][-1])
    return dict(data=data, summary=summary, wall_time=sim.wall_time)
