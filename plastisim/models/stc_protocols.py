"""Standard STC induction protocols at single synapses (spec 5.4; Li, Kulvicius & Tetzlaff 2016;
Luboeinski & Tetzlaff 2021): early- vs late-phase LTP/LTD after 8 h.

Rule and neurons as in :mod:`plastisim.models.stc_synapse`. The presynaptic neuron of a
synapse fires with probability f dt per step inside its stimulation windows:

* STET (strong tetanus): 3 x 1 s at 100 Hz, starting at 3600, 4200, 4800 s
* WTET (weak tetanus): 0.2 s at 100 Hz from 3600 s
* SLFS (strong low-frequency): 900 bursts of 0.15 s at 20 Hz, onsets every 1.15 s from 3600 s
* WLFS (weak low-frequency): 1 Hz for 900 s from 3600 s
* capture: WTET at the observed synapse and STET at a second synapse of the same neuron
  (the weak synapse can capture PRPs synthesised because of the strong one)

Phases (a :class:`plastisim.Protocol`): fast-forward (no spikes, step ``dt_ff``) until 1 s
before the first stimulus, full dynamics at dt = 0.2 ms until ``settle`` s after the last
stimulus, fast-forward to ``duration``; traces sampled every ``sample`` s by state monitors.

``summary`` (per group, in the order of ``groups``): ``early_change`` (h - h0, V),
``late_change`` (h0 z, V), ``total_change`` (relative, (w - h0)/h0), trial means at the end; ``groups`` (names).
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps
from plastisim.plasticity.stc import STC

from .base import param

SUMMARY_UNITS = dict(groups="", early_change="V", late_change="V", total_change="")
DESCRIPTION = "strong/weak tetanus and low-frequency stimulation: early vs late phase over 8 h"

START = 3600.0


def windows(protocol, stet_spacing=600.0):
    """(onsets (s), durations (s), rate (Hz)) of a protocol's stimulation windows."""
    if protocol == "STET":
        return START + stet_spacing * np.arange(3), np.full(3, 1.0), 100.0
    if protocol == "WTET":
        return np.array([START]), np.array([0.2]), 100.0
    if protocol == "SLFS":
        return START + 1.15 * np.arange(900), np.full(900, 0.15), 20.0
    if protocol == "WLFS":
        return np.array([START]), np.array([900.0]), 1.0
    raise ps.ParameterError(f"unknown protocol {protocol!r}")


@dataclass
class Params:
    trials: int = param(10, "", "synapses (neurons) per protocol", 1)
    duration: float = param(8 * 3600.0, "s", "total biological time", positive=True)
    dt: float = param(0.2e-3, "s", "time step of the full dynamics", positive=True)
    dt_ff: float = param(10.0, "s", "fast-forward step", positive=True)
    settle: float = param(10.0, "s", "full dynamics after the last stimulus", 0.0)
    sample: float = param(60.0, "s", "sampling interval of the traces", positive=True)
    sigma_pl: float = param(2.90436e-3, "V", "plasticity noise amplitude", 0.0)
    protocols: str = param("STET,WTET,SLFS,WLFS,capture", "", "groups to simulate (comma separated)")
    stet_spacing: float = param(600.0, "s", "interval between the three STET trains", positive=True)


GROUPS = ("STET", "WTET", "SLFS", "WLFS", "capture")


def groups(p):
    """Simulated groups, checked against GROUPS."""
    names = [g.strip() for g in p.protocols.split(",")]
    unknown = set(names) - set(GROUPS)
    if unknown or not names:
        raise ps.ParameterError(f"protocols = {p.protocols!r}: allowed names are {', '.join(GROUPS)}")
    return names


def build(p, seed):
    """One pre/post neuron pair per trial and group; the capture group has a second (STET) input.

    Returns (net, projection, inputs, names): ``inputs`` lists (group, protocol) per presynaptic
    block of ``trials`` neurons; the first len(names) blocks are the observed synapses.
    """
    names = groups(p)
    inputs = [(g, g if g != "capture" else "WTET") for g in names]
    inputs += [("capture", "STET")] if "capture" in names else []
    n_pre, n_post = len(inputs) * p.trials, len(names) * p.trials
    edges = sorted({0.0} | {float(x) for _, proto in inputs for on, d, _ in [windows(proto, p.stet_spacing)]
                            for x in np.concatenate([on, on + d])})
    rates = np.zeros((len(edges), n_pre))
    for m, (_, proto) in enumerate(inputs):
        onsets, durations, rate = windows(proto, p.stet_spacing)
        start = np.searchsorted(edges, onsets)
        stop = np.searchsorted(edges, onsets + durations)
        on = np.zeros(len(edges))
        for a, b in zip(start, stop):
            on[a:b] = rate
        rates[:, m * p.trials:(m + 1) * p.trials] = on[:, None]
    net = ps.Network(dt=p.dt, seed=seed)
    pre = net.add(ps.PoissonSource(n_pre, rates, times=edges, name="pre"))
    post = net.add(ps.LIF(n_post, C=1e-9, g_L=1e-7, E_L=-65e-3, V_th=-55e-3, V_reset=-70e-3,
                          t_ref=2e-3, tau_syn=5e-3, name="post"))
    target = [names.index(g) * p.trials + np.arange(p.trials) for g, _ in inputs]
    rule = STC(sigma_pl=p.sigma_pl)
    syn = net.connect(pre, post, (np.arange(n_pre), np.concatenate(target)),
                      weight=rule.params["h0"] / rule.params["R_mem"], delay=3e-3, port="current",
                      rule=rule)
    return net, syn, inputs, names


def run(p, seed=0, progress=False, checkpoint=None):
    net, syn, inputs, names = build(p, seed)
    n_groups = len(names)
    h0 = syn.rule.params["h0"]
    # observed synapse of each group: the first input listed for it (weak one for capture)
    observed = np.concatenate([np.flatnonzero(syn.pre // p.trials == m) for m in range(n_groups)])
    mons = {var: net.record(syn, var, indices=observed, interval=p.sample) for var in ("h", "z")}
    mons["p"] = net.record(syn, "p", indices=np.arange(n_groups * p.trials), interval=p.sample)
    last = max(float(np.max(o + d)) for o, d, _ in (windows(proto, p.stet_spacing) for _, proto in inputs))
    proto = ps.Protocol(duration=p.duration)
    proto.fast_forward(0.0, START - 1.0, p.dt_ff)
    proto.fast_forward(min(last + p.settle, p.duration), p.duration, p.dt_ff)
    sim = ps.Simulator(net, chunk_steps=int(round(p.sample / p.dt)))
    sim.run_protocol(proto, progress=progress, checkpoint=checkpoint)
    final = [syn.state["h"][observed], syn.state["z"][observed], syn.neuron_state["p"]]
    t = np.append(mons["h"].t, sim.t)  # samples, then the final state
    h, z, prp = (np.vstack([mons[var].data, last[None]]).reshape(len(t), n_groups, p.trials).mean(axis=2)
                 for var, last in zip(("h", "z", "p"), final))
    data = dict(t=t, h=h, hz=h0 * z, p=prp, groups=np.array(names, dtype="S"))
    summary = dict(groups=np.array(names, dtype="S"), early_change=h[-1] - h0, late_change=h0 * z[-1],
                   total_change=(h[-1] - h0 + h0 * z[-1]) / h0)
    return dict(data=data, summary=summary, wall_time=sim.wall_time)
