"""One two-compartment L5 pyramidal cell: regular versus burst-reset firing, and BAC firing
(a Ca2+ plateau triggered by one back-propagating AP on top of dendritic current; spec
``l5_gain.md`` §13.3).

Cell: :class:`plastisim.neurons.l5.L5Pyramidal` (equations, units and scheme in its
docstring), coupling gamma used as Bernoulli probability.

Firing (at ``dt``): the same somatic DC current ``I_s`` with dendritic current 0 ("regular")
and ``I_d_burst`` ("burst": a tonic plateau switches every reset to c = -55 mV, d = 150 pA),
``duration`` long; spikes counted by threshold-crossing time in [discard, duration).

BAC (§13.3, at ``bac_dt``): for every dendritic current of ``bac_currents``, ``bac_settle`` of
settling without somatic input, then one BAP pulse (``p_d``, 0.5-ms delay, 2-ms width; the
pulse is started through the cell's ``bap_since`` counter, i.e. the dendrite sees exactly what
a somatic spike would send) and a window of ``bac_window``. Gamma = 1.

``summary``: ``mode`` (names 'regular', 'burst'), ``rate`` (Hz) and ``burst_fraction`` (fraction
of spikes in burst-reset mode) per mode; ``bac_I_d`` (A), ``bac_rest`` (V, v_d before the BAP),
``bac_peak`` (V, peak v_d in the window), ``bac_plateau`` (s, time with v_d >= -30 mV in the
window). ``data``: v, v_d traces of both modes (``t``) and v_d after the BAP (``bac_t``).
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps

from .base import param
from .l5_gain import count_spikes

SUMMARY_UNITS = dict(mode="", rate="Hz", burst_fraction="", bac_I_d="A", bac_rest="V", bac_peak="V",
                     bac_plateau="s")
DESCRIPTION = "L5 pyramidal cell: regular vs burst firing, BAC plateaus after one BAP (§13.3)"

# spec §13.3 [REF]: I_d (pA) -> resting v_d (mV), peak v_d after the BAP (mV), time with v_d >= -30 mV (ms)
REFERENCE_BAC = {0: (-69.8, -42.1, 0.0), 100: (-67.1, -38.8, 0.0), 200: (-64.2, -35.3, 0.0),
                 300: (-61.3, -25.3, 26.3), 400: (-58.2, -19.7, 40.4), 500: (-54.7, -15.9, 57.4),
                 600: (-25.1, 2.5, 300.0), 700: (-20.8, 6.3, 300.0), 800: (-17.4, 9.5, 300.0)}


@dataclass
class Params:
    I_s: float = param(1200e-12, "A", "somatic DC current (firing modes)")
    I_d_burst: float = param(800e-12, "A", "dendritic DC current of the burst mode")
    gamma: float = param(1.0, "", "soma-dendrite coupling (firing modes)", 0.0, 1.0)
    duration: float = param(2.0, "s", "firing: simulated time", positive=True)
    discard: float = param(0.5, "s", "firing: initial time not counted", "dt", "duration", high_open=True)
    dt: float = param(1e-4, "s", "firing: time step", 0.0, 1e-4, low_open=True)
    bac_currents: tuple = param(tuple(100e-12 * np.arange(9)), "A", "BAC: dendritic DC currents")
    bac_settle: float = param(1.0, "s", "BAC: settling time before the BAP", "bac_dt")
    bac_window: float = param(0.3, "s", "BAC: window after the BAP", "bac_dt")
    bac_dt: float = param(1e-5, "s", "BAC: time step", 0.0, 1e-4, low_open=True)
    p_d: float = param(2600e-12, "A", "BAP amplitude", 0.0)
    plateau: float = param(-30e-3, "V", "plateau criterion on v_d")


def firing(p, seed, progress):
    net = ps.Network(dt=p.dt, seed=seed)
    cells = net.add(ps.L5Pyramidal(2, name="L5", I_ext=p.I_s, I_d=[0.0, p.I_d_burst], gamma=p.gamma,
                                   p_d=p.p_d, v_plateau=p.plateau))
    v = net.record(cells, "v", indices=[0, 1])
    v_d = net.record(cells, "v_d", indices=[0, 1])
    sim, spikes, bursts, mon = count_spikes(net, cells, p.duration, p.discard, progress)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(spikes > 0, bursts / spikes, np.nan)
    data = dict(t=v.t, v=v.data, v_d=v_d.data, spikes=dict(t=mon.t, i=mon.i))
    return data, spikes / (p.duration - p.discard), fraction, sim.wall_time


def bac(p, seed, progress):
    """Dendritic responses to one BAP: (data, resting v_d, peak v_d, plateau time, wall time)."""
    I_d = np.asarray(p.bac_currents, dtype=float)
    net = ps.Network(dt=p.bac_dt, seed=seed)
    cells = net.add(ps.L5Pyramidal(len(I_d), name="L5", I_d=I_d, p_d=p.p_d, v_plateau=p.plateau))
    v_d = net.record(cells, "v_d", indices=np.arange(len(I_d)))
    sim = ps.Simulator(net)
    sim.run(p.bac_settle, progress=progress)
    cells.state["bap_since"][:] = 0.0  # a BAP as after a somatic spike in the last step
    sim.run(p.bac_window, progress=progress)
    settle = int(round(p.bac_settle / p.bac_dt))
    rest, window = v_d.data[settle - 1], v_d.data[settle:]
    every = max(1, int(round(1e-4 / p.bac_dt)))  # traces kept every 0.1 ms
    data = dict(bac_t=v_d.t[settle::every] - p.bac_settle, bac_v_d=window[::every], bac_I_d=I_d)
    return data, rest, window.max(axis=0), (window >= p.plateau).sum(axis=0) * p.bac_dt, sim.wall_time


def run(p, seed=0, progress=False):
    data, rate, fraction, wall = firing(p, seed, progress)
    bac_data, rest, peak, plateau, wall_bac = bac(p, seed, progress)
    data.update(bac_data)
    summary = dict(mode=np.array(["regular", "burst"], dtype="S"), rate=rate, burst_fraction=fraction,
                   bac_I_d=bac_data["bac_I_d"], bac_rest=rest, bac_peak=peak, bac_plateau=plateau)
    return dict(data=data, summary=summary, wall_time=wall + wall_bac)
