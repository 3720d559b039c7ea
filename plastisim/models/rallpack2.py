"""Rallpack 2: passive binary tree obeying Rall's 3/2 rule against its equivalent cylinder
(Bhalla, Bilitch & Bower 1992, TINS 15:453).

10 levels, 2^10 - 1 = 1023 branches, one compartment each (plus 511 zero-area junction
nodes at the branch points, see :mod:`plastisim.morphology`); root 16 um in diameter and
32 um long; each level's diameter is the parent's / 2^(2/3) and its length / 2^(1/3), so
d^(3/2) = 2 d_child^(3/2) at every branch point and every level has the same electrotonic
length 32 um / lambda_root = 0.008 (lambda_root = 4 mm). Membrane as Rallpack 1 (R_m =
4 ohm m^2, R_a = 1 ohm m, C_m = 0.01 F/m^2, E_m = -65 mV); 0.1 nA injected at the root.

Reference: the tree with sealed tips is equivalent to a cylinder of the root's diameter and
10 x 32 um = 320 um length (electrotonic length 0.08); :func:`plastisim.analysis.cable.sealed_cable`
at its two ends gives V at the root (``v_x0``) and at every tip (``v_x1``, the terminal
``tip`` reached through first children). The discrete tree equals a discrete 10-compartment
cylinder exactly (aggregated areas and junction couplings match), so the error is that of
the cable discretisation. Summary keys as in :mod:`plastisim.models.rallpack1`: ``t`` (s),
``v_x0``, ``v_x1``, ``v_analytic_x0``, ``v_analytic_x1``, ``rms_error_x0``, ``rms_error_x1``,
``rms_error_node_x0``, ``rms_error_node_x1``, ``response_range`` (V), ``relative_rms_error``,
``x_nodes`` (m, positions on the equivalent cylinder), and ``n_compartments``.
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps
from plastisim.analysis.cable import sealed_cable

from .base import param
from .rallpack1 import SUMMARY_UNITS as _UNITS, compare

SUMMARY_UNITS = dict(_UNITS, n_compartments="")

DESCRIPTION = "Rallpack 2: passive 3/2-rule binary tree vs its equivalent cylinder"


@dataclass
class Params:
    levels: int = param(10, "", "levels of the binary tree", 1, 20)
    root_length: float = param(32e-6, "m", "length of the root branch", positive=True)
    root_diameter: float = param(16e-6, "m", "diameter of the root branch", positive=True)
    n_per_branch: int = param(1, "", "compartments per branch", 1)
    Rm: float = param(4.0, "ohm m^2", "specific membrane resistance", positive=True)
    Ra: float = param(1.0, "ohm m", "axial resistivity", positive=True)
    Cm: float = param(0.01, "F/m^2", "specific membrane capacitance", positive=True)
    E_m: float = param(-65e-3, "V", "resting potential")
    I0: float = param(0.1e-9, "A", "current injected at the root")
    duration: float = param(0.25, "s", "simulated time", positive=True)
    dt: float = param(50e-6, "s", "time step", positive=True)
    scheme: str = param("backward-euler", "", "backward-euler, crank-nicolson or exact")


def run(p, seed=0, progress=False):
    ratio_l, ratio_d = 2 ** (-1 / 3), 2 ** (-2 / 3)
    morph = ps.Morphology.tree(p.levels, p.root_length, p.root_diameter, ratio_l, ratio_d)
    net = ps.Network(dt=p.dt, seed=seed)
    cell = net.add(ps.CableCells(morph, 1, Cm=p.Cm, Rm=p.Rm, Ra=p.Ra, E_m=p.E_m,
                                 n_per_branch=p.n_per_branch, scheme=p.scheme, name="tree"))
    cell.inject("root", p.I0)
    nodes = [cell.node("root"), cell.node("tip")]
    mon = net.record(cell, "V", nodes)
    sim = ps.Simulator(net)
    sim.run(p.duration, progress=progress)
    t = (np.arange(len(mon.t)) + 1) * p.dt
    # position on the equivalent cylinder: every level has the electrotonic length of the root
    # branch (3/2 rule), so a point at fraction x of a level-k branch sits at (k + x) root lengths
    comp = cell.compartments
    depth = np.zeros(morph.n_branches, dtype=np.int64)
    for b in range(1, morph.n_branches):  # branches are numbered parents first
        depth[b] = depth[morph.branch_parent[b]] + 1
    x_eq = np.array([(depth[comp.branch[k]] + comp.x[k]) * p.root_length for k in nodes])
    L_eq = p.levels * p.root_length
    analytic = lambda x, tt: sealed_cable(x, tt, L_eq, p.root_diameter, p.I0, p.Rm, p.Ra, p.Cm, p.E_m)
    summary = compare(t, mon.data, x_eq, [0.0, L_eq], analytic)
    summary["t"] = t
    summary["x_nodes"] = x_eq
    summary["n_compartments"] = int(np.sum(~comp.junction))
    return dict(data=dict(t=t, V=mon.data), summary=summary, wall_time=sim.wall_time)
