"""f-I gain of the two-compartment L5 pyramidal cell under dendritic drive, coupling and
dendritic or somatic inhibition (spec ``l5_gain.md`` §11, reference tables §13.1-§13.2).

Cell: :class:`plastisim.neurons.l5.L5Pyramidal` (Izhikevich soma with spike-triggered
adaptation, Naud-Sprekeler apical dendrite, BAP and plateau -> burst-reset coupling gated by
Bernoulli draws with probability gamma; equations, units and scheme in its docstring).

Protocol (§11): every condition m is a dendritic DC current ``I_d[m]``, a coupling
``gamma[m]`` and tonic GABA_A conductances on the dendrite ``g_dend[m]`` and the soma
``g_soma[m]`` (E = -75 mV); the somatic DC current I_s runs from ``I_min`` to ``I_max`` in
steps of ``I_step``. Each (condition, current) pair is one independent cell of one population,
all simulated in one run of ``duration`` at ``dt``. Spikes are counted by their threshold
crossing time (the end of the step in which v reaches v_peak) in [discard, duration).

Readouts (``summary``): ``I_s`` (A, the current grid), ``rate`` (Hz, one row per condition,
one column per current), ``gain`` (Hz/A: least-squares slope of rate vs I_s over the
supra-threshold points with fit_min <= I_s <= fit_max; NaN with fewer than two), ``rheobase``
(A: smallest I_s of the grid with rate > 0; NaN if none), ``burst_fraction`` (fraction of the
counted spikes emitted in burst-reset mode, per condition and current; NaN without spikes),
``condition`` (names). The cell with gamma strictly between 0 and 1 is stochastic (seeded).
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps

from ..core.errors import ParameterError
from ..core.params import check_memory
from .base import make_params, param

SUMMARY_UNITS = dict(I_s="A", rate="Hz", gain="Hz/A", rheobase="A", burst_fraction="", condition="")
DESCRIPTION = "L5 pyramidal cell: f-I gain vs dendritic drive, coupling and dendritic/somatic inhibition (§13)"

# spec §13.2 rows and the inhibition columns of §13.1
I_D = (0.0, 400e-12, 600e-12, 600e-12, 800e-12, 800e-12, 800e-12, 1000e-12, 1000e-12, 800e-12, 800e-12,
       800e-12, 800e-12)
GAMMA = (1.0, 1.0, 0.5, 1.0, 0.0, 0.5, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0)
G_DEND = (0.0,) * 9 + (10e-9, 20e-9, 0.0, 0.0)
G_SOMA = (0.0,) * 11 + (2e-9, 4e-9)

pA, nS = 1e-12, 1e-9
# Reference behaviour [REF] of spec §13, keyed by condition (I_d, gamma, g_dend, g_soma) in SI.
# §13.1: rates (Hz) at I_s = 600, 700, ..., 1600 pA
REFERENCE_RATES = {
    (0.0, 1.0, 0.0, 0.0): [0.0, 5.3, 8.7, 11.3, 14.7, 17.3, 20.0, 24.0, 27.3, 30.0, 33.3],
    (800 * pA, 1.0, 0.0, 0.0): [0.0, 6.0, 10.7, 15.3, 22.0, 27.3, 32.0, 36.7, 42.7, 48.7, 54.7],
    (800 * pA, 1.0, 10 * nS, 0.0): [0.0, 5.3, 8.7, 11.3, 14.0, 17.3, 20.7, 24.0, 27.3, 29.3, 32.7],
    (800 * pA, 1.0, 20 * nS, 0.0): [0.0, 5.3, 8.7, 11.3, 14.7, 17.3, 20.0, 24.0, 27.3, 30.0, 32.7],
    (800 * pA, 1.0, 0.0, 2 * nS): [0.0, 4.0, 9.3, 13.3, 19.3, 24.7, 29.3, 34.7, 40.7, 46.7, 52.0],
    (800 * pA, 1.0, 0.0, 4 * nS): [0.0, 0.0, 8.0, 12.0, 16.7, 22.7, 28.0, 32.7, 38.7, 44.7, 49.3],
}
REFERENCE_CURRENTS = np.arange(600, 1601, 100) * pA
# §13.2: (gain Hz/pA, rheobase pA) of the deterministic rows (gamma 0 or 1)
REFERENCE_GAINS = {
    (0.0, 1.0, 0.0, 0.0): (0.031, 700),
    (400 * pA, 1.0, 0.0, 0.0): (0.038, 700),
    (600 * pA, 1.0, 0.0, 0.0): (0.050, 700),
    (800 * pA, 1.0, 0.0, 0.0): (0.0535, 700),  # "0.053-0.054"
    (1000 * pA, 1.0, 0.0, 0.0): (0.053, 700),
    (800 * pA, 0.0, 0.0, 0.0): (0.031, 700),
    (800 * pA, 1.0, 10 * nS, 0.0): (0.031, 700),
    (800 * pA, 1.0, 20 * nS, 0.0): (0.031, 700),
    (800 * pA, 1.0, 0.0, 2 * nS): (0.053, 700),
    (800 * pA, 1.0, 0.0, 4 * nS): (0.053, 800),
}
# §13.2, gamma = 0.5 rows: depend on the random stream ("values approximate"), gain in Hz/pA
REFERENCE_GAINS_HALF = {(600 * pA, 0.5, 0.0, 0.0): 0.042, (800 * pA, 0.5, 0.0, 0.0): 0.040,
                        (1000 * pA, 0.5, 0.0, 0.0): 0.041}


def reference_fit_range(condition):
    """Gain-fit range (A) the spec used: 600-1600 pA with inhibition, else 0-1500 pA."""
    return (600 * pA, 1600 * pA) if condition[2] or condition[3] else (0.0, 1500 * pA)


def reference_run(realizations=8, seed=1):
    """One run with every condition of §13.1-§13.2, the gamma = 0.5 rows ``realizations``
    times: (currents, {condition: [(rate, burst_fraction, rheobase) per realization]})."""
    conditions = list(dict.fromkeys([*REFERENCE_RATES, *REFERENCE_GAINS])) + list(REFERENCE_GAINS_HALF) * realizations
    columns = [",".join(repr(c[k]) for c in conditions) for k in range(4)]
    p = make_params(Params, dict(zip(("I_d", "gamma", "g_dend", "g_soma"), columns)))
    s = run(p, seed=seed)["summary"]
    rows = {}
    for c, rate, fraction, rheobase in zip(conditions, s["rate"], s["burst_fraction"], s["rheobase"]):
        rows.setdefault(c, []).append((rate, fraction, rheobase))
    return s["I_s"], rows


@dataclass
class Params:
    I_d: tuple = param(I_D, "A", "dendritic DC current per condition", 0.0)
    gamma: tuple = param(GAMMA, "", "soma-dendrite coupling (Bernoulli probability) per condition", 0.0, 1.0)
    g_dend: tuple = param(G_DEND, "S", "tonic dendritic GABA_A conductance per condition", 0.0)
    g_soma: tuple = param(G_SOMA, "S", "tonic somatic GABA_A conductance per condition", 0.0)
    I_min: float = param(0.0, "A", "smallest somatic current")
    I_max: float = param(1600e-12, "A", "largest somatic current", "I_min")
    I_step: float = param(100e-12, "A", "somatic current step", positive=True)
    fit_min: float = param(0.0, "A", "gain fit: smallest current used")
    fit_max: float = param(1500e-12, "A", "gain fit: largest current used", "fit_min")
    duration: float = param(2.0, "s", "simulated time per cell", positive=True)
    discard: float = param(0.5, "s", "initial time not counted", "dt", "duration", high_open=True)
    dt: float = param(1e-4, "s", "time step", 0.0, 1e-4, low_open=True)
    deterministic: bool = param(False, "", "gamma scales the BAP amplitude instead of gating it (spec §5.3)")

    def validate(self):
        n = len(self.I_d)
        for name in ("gamma", "g_dend", "g_soma"):
            if len(getattr(self, name)) != n:
                raise ParameterError(f"{name} has {len(getattr(self, name))} values; it needs one per "
                                     f"condition, as I_d ({n})")


def currents(p):
    """The somatic current grid (A)."""
    return p.I_min + p.I_step * np.arange(int(np.floor((p.I_max - p.I_min) / p.I_step + 1e-9)) + 1)


def condition_names(p):
    names = []
    for I_d, gamma, g_d, g_s in zip(p.I_d, p.gamma, p.g_dend, p.g_soma):
        name = f"I_d={I_d * 1e12:g}pA gamma={gamma:g}"
        name += f" g_dend={g_d * 1e9:g}nS" if g_d else ""
        names.append(name + (f" g_soma={g_s * 1e9:g}nS" if g_s else ""))
    return names


def count_spikes(net, cells, duration, discard, progress=False):
    """Run ``net`` and count, per cell, the spikes whose threshold crossing (recorded step + 1)
    lies in [discard, duration), and the burst spikes among them. Returns (simulator,
    spikes, burst spikes, spike monitor)."""
    mon = net.record_spikes(cells)
    sim = ps.Simulator(net)
    dt = net.dt
    sim.run(discard - dt, progress=progress)  # steps 0 ... n0 - 2
    cells.state["n_burst"][:] = 0.0
    sim.run(duration - discard, progress=progress)  # steps n0 - 1 ... N - 2
    counted = mon.t >= discard - dt * (1 + 1e-6)
    spikes = np.bincount(mon.i[counted], minlength=cells.n).astype(float)
    return sim, spikes, cells.state["n_burst"].copy(), mon


def fit_gain(I, rate, low, high):
    """Least-squares slope of rate vs I over points with rate > 0 and low <= I <= high."""
    use = (rate > 0) & (I >= low - 1e-15) & (I <= high + 1e-15)
    return np.polyfit(I[use], rate[use], 1)[0] if use.sum() >= 2 else np.nan


def run(p, seed=0, progress=False):
    I = currents(p)
    n_cond, n_I = len(p.I_d), len(I)
    check_memory(f"{n_cond} conditions x {n_I} currents", 400.0 * n_cond * n_I)
    per_cell = lambda values: np.repeat(np.asarray(values, dtype=float), n_I)
    net = ps.Network(dt=p.dt, seed=seed)
    cells = net.add(ps.L5Pyramidal(n_cond * n_I, name="L5", I_ext=np.tile(I, n_cond), I_d=per_cell(p.I_d),
                                   gamma=per_cell(p.gamma), g_tonic_d=per_cell(p.g_dend),
                                   g_tonic=per_cell(p.g_soma), deterministic=float(p.deterministic)))
    sim, spikes, bursts, _ = count_spikes(net, cells, p.duration, p.discard, progress)
    rate = (spikes / (p.duration - p.discard)).reshape(n_cond, n_I)
    with np.errstate(invalid="ignore", divide="ignore"):
        burst_fraction = np.where(spikes > 0, bursts / spikes, np.nan).reshape(n_cond, n_I)
    gain = np.array([fit_gain(I, r, p.fit_min, p.fit_max) for r in rate])
    rheobase = np.array([I[np.argmax(r > 0)] if np.any(r > 0) else np.nan for r in rate])
    summary = dict(I_s=I, rate=rate, gain=gain, rheobase=rheobase, burst_fraction=burst_fraction,
                   condition=np.array(condition_names(p), dtype="S"))
    return dict(data=dict(spike_count=spikes.reshape(n_cond, n_I), burst_count=bursts.reshape(n_cond, n_I)),
                summary=summary, wall_time=sim.wall_time)
