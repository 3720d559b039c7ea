"""Rallpack 3: the Rallpack 1 cable with squid Hodgkin-Huxley channels (Bhalla, Bilitch & Bower
1992, TINS 15:453): spike times at both ends.

Cable 1 mm long, 1 um in diameter, R_m = 4 ohm m^2 (leak at E_m = -65 mV), R_a = 1 ohm m,
C_m = 0.01 F/m^2, 1000 compartments, sealed ends, :class:`plastisim.HH` channels everywhere
(gbar_Na = 1200 S/m^2, gbar_K = 360 S/m^2, E_Na = 50 mV, E_K = -77 mV, 6.3 C), 0.1 nA
injected at x = 0 from t = 0 for 250 ms: a train of action potentials travels along the cable.

Scheme: implicit cable step (Crank-Nicolson by default, or backward Euler) with the channel
conductances at t, then exact relaxation of the gates at the new voltage (see
:mod:`plastisim.neurons.hh`). Reference: NEURON 9 at dt = 1 us, backward Euler, rate tables
off (``benchmarks/rallpack3_reference.py``; spike times in ``tests/data/rallpack3_neuron.npz``):
at dt = 10 us every spike time agrees within 0.05 ms with Crank-Nicolson (0.46 ms with
backward Euler, 0.05 ms at 2 us).

Summary: ``t`` (s), ``v_x0``, ``v_x1`` (V, the first and last compartment), ``spike_times_x0``,
``spike_times_x1`` (s, upward 0-V crossings, interpolated between steps).
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps

from .base import param

SUMMARY_UNITS = dict(t="s", v_x0="V", v_x1="V", spike_times_x0="s", spike_times_x1="s")
DESCRIPTION = "Rallpack 3: Hodgkin-Huxley cable, spike times at both ends (vs NEURON)"


@dataclass
class Params:
    length: float = param(1e-3, "m", "cable length", positive=True)
    diameter: float = param(1e-6, "m", "cable diameter", positive=True)
    n_compartments: int = param(1000, "", "number of compartments", 1)
    Rm: float = param(4.0, "ohm m^2", "specific membrane resistance (leak)", positive=True)
    Ra: float = param(1.0, "ohm m", "axial resistivity", positive=True)
    Cm: float = param(0.01, "F/m^2", "specific membrane capacitance", positive=True)
    E_m: float = param(-65e-3, "V", "leak reversal and initial potential")
    gbar_Na: float = param(1200.0, "S/m^2", "sodium conductance density", 0.0)
    gbar_K: float = param(360.0, "S/m^2", "potassium conductance density", 0.0)
    E_Na: float = param(50e-3, "V", "sodium reversal potential")
    E_K: float = param(-77e-3, "V", "potassium reversal potential")
    I0: float = param(0.1e-9, "A", "current injected at x = 0")
    duration: float = param(0.25, "s", "simulated time", "dt")
    dt: float = param(10e-6, "s", "time step", 0.0, 100e-6, low_open=True)
    scheme: str = param("crank-nicolson", "", "crank-nicolson or backward-euler")


def crossings(t, v, level=0.0):
    """Times of upward crossings of ``level`` by ``v(t)`` (linear interpolation, s)."""
    k = np.flatnonzero((v[:-1] < level) & (v[1:] >= level))
    return t[k] + (level - v[k]) / (v[k + 1] - v[k]) * (t[k + 1] - t[k])


def run(p, seed=0, progress=False):
    morph = ps.Morphology.cable(p.length, p.diameter)
    net = ps.Network(dt=p.dt, seed=seed)
    hh = ps.HH(gbar_Na=p.gbar_Na, gbar_K=p.gbar_K, E_Na=p.E_Na, E_K=p.E_K)
    cell = net.add(ps.CableCells(morph, 1, Cm=p.Cm, Rm=p.Rm, Ra=p.Ra, E_m=p.E_m, n_per_branch=p.n_compartments,
                                 scheme=p.scheme, mechanisms=[("all", hh)], name="axon"))
    cell.inject("x0", p.I0)
    mon = net.record(cell, "V", [cell.node("x0"), cell.node("x1")])
    sim = ps.Simulator(net)
    sim.run(p.duration, progress=progress)
    t = (np.arange(len(mon.t)) + 1) * p.dt  # the value after step n is V((n + 1) dt)
    t = np.concatenate(([0.0], t))
    v = np.vstack((np.full((1, 2), p.E_m), mon.data))
    summary = dict(t=t, v_x0=v[:, 0], v_x1=v[:, 1], spike_times_x0=crossings(t, v[:, 0]),
                   spike_times_x1=crossings(t, v[:, 1]))
    return dict(data=dict(t=t, V=v), summary=summary, wall_time=sim.wall_time)
