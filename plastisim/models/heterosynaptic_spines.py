"""Heterosynaptic plasticity through calcium diffusing between four spines (Plastic Arbor
Fig. 4; spec section 4).

Geometry (spec 4.2-4.3, the recommended finite-volume scheme): a dendrite of radius r = 1 um
from x = -40 to +40 um with a node every dx = 1 um (volume pi r^2 dx, half at the two ends;
neighbours coupled by the geometric conductance pi r^2 / dx), and four spine heads (cylinders
r_head = l_head = 1 um, V_head = pi um^3) at x = -1, 0, +1, +3 um, each one node coupled to the
dendrite node at its x through pi r_head^2 / L_c, L_c = 1 um. No-flux ends.

Calcium (:class:`plastisim.Species`, D = 2.2e-10 m^2/s, decay tau_C = 100 ms everywhere):

    V_i dC_i/dt = sum_j D k_ij (C_j - C_i) - V_i C_i / tau_C + w gamma I / (z F)   (spine heads)

Synapses (:class:`plastisim.plasticity.spine_calcium.SpineCalcium`, one per spine head, the
rule reads and writes its own node through ``site``): spines 1 and 3 receive ``n_events``
events, the first at 1 ms, ``interval`` apart (default: 1 and 10 ms); each adds I0 to a current
decaying with tau_I = 1 ms. Weights w_i(0) = 0.5 follow the calcium of their own head,
dw/dt = gamma_p (1 - w) [C > theta_p] - gamma_d w [C > theta_d]. Spines 2 and 4 get no input:
spine 2 potentiates through the calcium of its neighbours, spine 4 (farther) only depresses.
dt = 10 us, T = 70 ms. Schemes: calcium exact decay + backward-Euler diffusion, weights exact
over each step (see the two classes).

Readouts (summary): ``peak_calcium`` (four spine heads, mol/m^3), ``final_weight`` (four
spines), ``peak_calcium_dendrite`` (dendrite between spines 1-2, 2-3 and 3-4: the mean
of the two nodes at the ends of [-1, 0], [0, 1] and [2, 3] um, mol/m^3); data: ``t``,
``calcium`` (spines 1-4 then dendrite locations 1-3) and ``weight`` (spines 1-4) every step.
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps
from plastisim.plasticity.spine_calcium import SpineCalcium

from .base import param

SUMMARY_UNITS = dict(peak_calcium="mol/m^3", final_weight="", peak_calcium_dendrite="mol/m^3")
DESCRIPTION = "calcium diffusing between four spines on a dendrite: heterosynaptic plasticity (Fig. 4)"
UM = 1e-6
DENDRITE_PAIRS = ((-1, 0), (0, 1), (2, 3))  # um: node pairs whose mean is a dendrite readout


@dataclass
class Params:
    duration: float = param(70e-3, "s", "simulated time", "dt")
    dt: float = param(1e-5, "s", "time step", 0.0, 1e-4, low_open=True)
    I0: float = param(4e-12, "A", "synaptic current per event", 0.0)
    tau_I: float = param(1e-3, "s", "synaptic current decay", positive=True)
    gamma: float = param(0.11, "", "fraction of the current carried by Ca2+", 0.0, 1.0)
    n_events: int = param(2, "", "events at spines 1 and 3", 0)
    interval: float = param(9e-3, "s", "time between events", positive=True)
    D: float = param(2.2e-10, "m^2/s", "calcium diffusivity", positive=True)
    tau_C: float = param(0.1, "s", "calcium decay", positive=True)
    gamma_p: float = param(9e4, "Hz", "potentiation rate", 0.0)
    gamma_d: float = param(10.0, "Hz", "depression rate", 0.0)
    theta_p: float = param(0.11e-3, "mM", "potentiation threshold (mol/m^3)", 0.0)
    theta_d: float = param(0.05e-3, "mM", "depression threshold (mol/m^3)", 0.0)
    w0: float = param(0.5, "", "initial weight of every spine", 0.0, 1.0)
    r_dendrite: float = param(1e-6, "m", "dendrite radius", positive=True)
    r_head: float = param(1e-6, "m", "spine head radius", positive=True)
    l_head: float = param(1e-6, "m", "spine head length", positive=True)
    spine_x: tuple = param((-1e-6, 0.0, 1e-6, 3e-6), "m", "spine positions (four)", -40e-6, 40e-6)

    def validate(self):
        if len(self.spine_x) != 4:
            raise ps.ParameterError(f"spine_x has {len(self.spine_x)} values; it needs 4 (one per spine)")


def spiny_dendrite(p):
    """:class:`plastisim.Nodes` of the dendrite (x = -40 ... 40 um every 1 um) and the four
    spine heads; locations ``spine1`` ... ``spine4`` (heads) and ``x<k>`` (dendrite at k um)."""
    x = np.arange(-40, 41)
    area = np.pi * p.r_dendrite ** 2
    volume = np.full(len(x), area * UM)
    volume[[0, -1]] /= 2
    at = {int(v): i for i, v in enumerate(x)}
    spines = [at.get(int(round(s / UM))) for s in p.spine_x]
    if any(s is None or abs(s_x / UM - round(s_x / UM)) > 1e-9 for s, s_x in zip(spines, p.spine_x)):
        raise ps.ParameterError(f"spine_x = {p.spine_x} must lie on the 1-um grid of the dendrite nodes")
    head_area = np.pi * p.r_head ** 2
    parent = np.concatenate(([-1], np.arange(len(x) - 1), spines))
    k = np.concatenate(([0.0], np.full(len(x) - 1, area / UM), np.full(4, head_area / (p.l_head / 2 + UM / 2))))
    vol = np.concatenate((volume, np.full(4, head_area * p.l_head)))
    membrane = np.concatenate((np.full(len(x), 2 * np.pi * p.r_dendrite * UM), np.full(4, 2 * np.pi * p.r_head * p.l_head)))
    locations = {f"spine{m + 1}": len(x) + m for m in range(4)}
    locations.update({f"x{v}": i for v, i in at.items()})
    return ps.Nodes(parent, vol, k, area=membrane, locations=locations)


def run(p, seed=0, progress=False):
    net = ps.Network(dt=p.dt, seed=seed)
    calcium = ps.Species("Ca", D=p.D, tau=p.tau_C)
    dendrite = net.add(ps.CableCells(spiny_dendrite(p), Rm=np.inf, species=[calcium], name="dendrite"))
    times = 1e-3 + p.interval * np.arange(p.n_events) - p.dt  # emitted one delay (dt) early
    spikes = net.add(ps.SpikeTimes(4, np.repeat([0, 2], p.n_events), np.tile(times, 2), name="input"))
    rule = SpineCalcium(I0=p.I0, tau_I=p.tau_I, gamma=p.gamma, gamma_p=p.gamma_p, gamma_d=p.gamma_d,
                        theta_p=p.theta_p, theta_d=p.theta_d)
    synapses = [net.connect(spikes, dendrite, ([m], [0]), weight=p.w0, port=None, site=f"spine{m + 1}",
                            rule=rule, name=f"spine{m + 1}") for m in range(4)]
    heads = [dendrite.node(f"spine{m + 1}") for m in range(4)]
    pairs = [[dendrite.node(f"x{a}"), dendrite.node(f"x{b}")] for a, b in DENDRITE_PAIRS]
    ca = net.record(dendrite, "Ca", indices=heads + [n for pair in pairs for n in pair])
    weights = [net.record(syn, "w") for syn in synapses]
    sim = ps.Simulator(net)
    sim.run(p.duration, progress=progress)
    c = ca.data
    calcium_trace = np.column_stack([c[:, :4]] + [c[:, 4 + 2 * q: 6 + 2 * q].mean(axis=1) for q in range(3)])
    w = np.column_stack([m.data[:, 0] for m in weights])
    summary = dict(peak_calcium=calcium_trace[:, :4].max(axis=0), final_weight=w[-1],
                   peak_calcium_dendrite=calcium_trace[:, 4:].max(axis=0))
    return dict(data=dict(t=ca.t, calcium=calcium_trace, weight=w), summary=summary, wall_time=sim.wall_time)
