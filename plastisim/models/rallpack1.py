"""Rallpack 1: uniform passive cable against the analytic sealed-end solution (Bhalla, Bilitch
& Bower 1992, "Rallpacks: a set of benchmarks for neuronal simulators", TINS 15:453).

Cable 1 mm long, 1 um in diameter, R_m = 4 ohm m^2, R_a = 1 ohm m, C_m = 0.01 F/m^2,
E_m = -65 mV (lambda = sqrt(R_m d / (4 R_a)) = 1 mm, tau = R_m C_m = 40 ms), 1000
compartments, sealed ends, 0.1 nA injected at x = 0 from t = 0 for 250 ms:

    C_m dV/dt = d/(4 R_a) d^2V/dx^2 - (V - E_m) / R_m        (per unit membrane area)

Reference: the eigenfunction series of :func:`plastisim.analysis.cable.sealed_cable` at
x = 0 and x = L. The cell-centred compartments put the recorded nodes half a compartment
(0.5 um) inside the ends; ``rms_error_x0`` compares with the analytic value at the ends as
Rallpack specifies, ``rms_error_node_x0`` at the node centres (the scheme's own error).

Summary: ``t`` (s), ``v_x0``, ``v_x1`` (V, simulated), ``v_analytic_x0``, ``v_analytic_x1``,
``rms_error_x0``, ``rms_error_x1`` (V), ``rms_error_node_x0``, ``rms_error_node_x1`` (V),
``response_range`` (V, max - min of the analytic voltages), ``relative_rms_error`` (largest
RMS error / response range), ``x_nodes`` (m, distance of the recorded nodes from the root).
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps
from plastisim.analysis.cable import sealed_cable

from .base import param

SUMMARY_UNITS = dict(t="s", v_x0="V", v_x1="V", v_analytic_x0="V", v_analytic_x1="V", rms_error_x0="V",
                     rms_error_x1="V", rms_error_node_x0="V", rms_error_node_x1="V", response_range="V",
                     relative_rms_error="", x_nodes="m")

DESCRIPTION = "Rallpack 1: passive uniform cable vs the analytic sealed-end solution"


@dataclass
class Params:
    length: float = param(1e-3, "m", "cable length", positive=True)
    diameter: float = param(1e-6, "m", "cable diameter", positive=True)
    n_compartments: int = param(1000, "", "number of compartments", 1)
    Rm: float = param(4.0, "ohm m^2", "specific membrane resistance", positive=True)
    Ra: float = param(1.0, "ohm m", "axial resistivity", positive=True)
    Cm: float = param(0.01, "F/m^2", "specific membrane capacitance", positive=True)
    E_m: float = param(-65e-3, "V", "resting potential")
    I0: float = param(0.1e-9, "A", "current injected at x = 0")
    duration: float = param(0.25, "s", "simulated time", positive=True)
    dt: float = param(50e-6, "s", "time step", positive=True)
    scheme: str = param("backward-euler", "", "backward-euler, crank-nicolson or exact")


def rms(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def compare(t, sim, nodes_x, ends_x, analytic):
    """RMS errors of ``sim`` (time x 2) against ``analytic(x, t)`` at the physical ends and at
    the node centres."""
    ends, nodes = analytic(ends_x, t), analytic(nodes_x, t)
    out = dict(v_x0=sim[:, 0], v_x1=sim[:, 1], v_analytic_x0=ends[:, 0], v_analytic_x1=ends[:, 1],
               rms_error_x0=rms(sim[:, 0], ends[:, 0]), rms_error_x1=rms(sim[:, 1], ends[:, 1]),
               rms_error_node_x0=rms(sim[:, 0], nodes[:, 0]), rms_error_node_x1=rms(sim[:, 1], nodes[:, 1]),
               response_range=float(ends.max() - ends.min()))
    out["relative_rms_error"] = max(out["rms_error_x0"], out["rms_error_x1"]) / out["response_range"]
    return out


def run(p, seed=0, progress=False):
    morph = ps.Morphology.cable(p.length, p.diameter)
    net = ps.Network(dt=p.dt, seed=seed)
    cell = net.add(ps.CableCells(morph, 1, Cm=p.Cm, Rm=p.Rm, Ra=p.Ra, E_m=p.E_m,
                                 n_per_branch=p.n_compartments, scheme=p.scheme, name="cable"))
    cell.inject("x0", p.I0)
    nodes = [cell.node("x0"), cell.node("x1")]
    mon = net.record(cell, "V", nodes)
    sim = ps.Simulator(net)
    sim.run(p.duration, progress=progress)
    t = (np.arange(len(mon.t)) + 1) * p.dt  # the value after step n is V((n + 1) dt)
    analytic = lambda x, tt: sealed_cable(x, tt, p.length, p.diameter, p.I0, p.Rm, p.Ra, p.Cm, p.E_m)
    summary = compare(t, mon.data, cell.compartments.distance[[0, -1]], [0.0, p.length], analytic)
    summary["t"] = t
    summary["x_nodes"] = cell.compartments.distance[[0, -1]]
    return dict(data=dict(t=t, V=mon.data), summary=summary, wall_time=sim.wall_time)
