"""STDP of input synapses onto L5 pyramidal cells in burst vs regular mode, and brief gain
pulses during learning (spec ``l5_gain.md`` §10 option A, §14 claims 6 and 7).

Cells: :class:`plastisim.neurons.l5.L5Pyramidal` (equations, units and scheme in its
docstring). Regular mode: dendritic current I_d = 0, coupling ``gamma_regular``; burst mode:
I_d = ``I_d_burst``, coupling ``gamma_burst`` (spec §10: "high I_d, gamma = 1"; at 800 pA the
dendrite sits in a plateau and every spike uses the burst reset).

Input: ``n_syn`` independent Poisson trains at ``rate_in`` per cell index k. Cell k of *every*
group receives the same ``n_syn`` trains (identical presynaptic input, a paired design) through
plastic glutamatergic synapses on the soma (one weight w drives AMPA ``ampa`` w and NMDA
``nmda`` w, :func:`plastisim.neurons.l5.connect_glutamate`), initial weight ``w_input``,
:class:`plastisim.ScaledPairSTDP` (§10 option A): w_max = ``w_max_factor`` w_0,
Delta A_pre = ``stdp_amplitude`` w_max, Delta A_post = -``stdp_ratio`` Delta A_pre,
tau_pre = tau_post = 20 ms, w in [0, w_max]. Every cell also gets a somatic DC current I_s.

Groups of ``n_cells`` cells, all in one population and one run of duration
T = ``pulse_start`` + ``pulse_duration`` + ``settle`` + ``window``:

    burst            burst mode,   I_s
    regular          regular mode, I_s                 (unmatched rate)
    regular matched  regular mode, I_s* (rate matched to the burst group)
    pulse            regular mode, I_s; burst mode during the pulse
    regular + test   regular mode, I_s + I_test
    pulse + test     as pulse,     I_s + I_test

I_s* comes from a calibration run (same network and input, duration T) of the burst group and
regular cells at ``calibration_currents``: linear interpolation of the regular f-I points at
the burst rate. The pulse (claim 7) is a ``ps.Protocol`` that sets ``I_d`` and ``gamma`` of the
pulse cells to the burst values at ``pulse_start`` and back at its end.

Weight-change rate of a group over [t1, t2): mean over its synapses of |w(t2) - w(t1)| / w_0,
divided by t2 - t1 (1/s). Under Poisson input it is dominated by the random walk of w, so it
grows slower than linearly with the window: compare groups only over the same window.
Standard errors are over cells (synapses onto one cell share its spikes); a ratio's error
is by error propagation treating the groups as independent (conservative for the paired
design, where the groups share their input).

Readouts (``summary``). Claim 6, rows burst, regular, regular matched, over [0, T):
``group`` (names), ``I_s`` (A, somatic current per group), ``rate`` (Hz), ``burst_fraction``
(fraction of spikes emitted in burst-reset mode), ``weight_change`` (1/s), ``weight_change_se``
(1/s), ``ratio`` (burst / regular matched, burst / regular: weight-change ratios), ``ratio_se``,
``calibration_I_s`` (A) and ``calibration_rate`` (Hz, the regular f-I points of the calibration
run). Claim 7, rows pulse, control (the regular group: same input and current, no pulse),
columns the windows ``windows`` (s, [start, end) of before = [pulse_start - window,
pulse_start), during = the pulse, after = [pulse end + settle, T)): ``pulse_weight_change``
(1/s, weight-change rate in each window), ``pulse_weight_change_se`` (1/s), ``pulse_rate``
(Hz, at I_s), ``pulse_gain`` (Hz/A, instantaneous gain (rate(I_s + I_test) - rate(I_s)) /
I_test in each window), ``pulse_msd`` (mean squared displacement ((w - w(pulse_start)) / w_0)^2
at the end of the pulse and at T), ``persistence`` = (msd_pulse(T) - msd_control(T)) /
(msd_pulse(pulse end) - msd_control(pulse end)): the part of the extra weight change of the
pulse still present at T (random-walk increments add in variance, so 1 if it persists, 0 if
it is undone; noisy, about +-0.3 with the defaults) while the gain has returned.
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps

from ..core.errors import ParameterError
from ..core.params import check_memory
from ..neurons.l5 import connect_glutamate
from .base import param
from .l5_network import window_counts

SUMMARY_UNITS = dict(group="", I_s="A", rate="Hz", burst_fraction="", weight_change="1/s", weight_change_se="1/s",
                     ratio="", ratio_se="", calibration_I_s="A", calibration_rate="Hz", windows="s",
                     pulse_weight_change="1/s", pulse_weight_change_se="1/s", pulse_rate="Hz",
                     pulse_gain="Hz/A", pulse_msd="", persistence="")
DESCRIPTION = "STDP onto L5 cells: burst vs regular mode at matched rates; gain pulses during learning (claims 6-7)"
GROUPS = ("burst", "regular", "regular matched", "pulse", "regular + test", "pulse + test")
BURST, REGULAR, MATCHED, PULSE, REGULAR_TEST, PULSE_TEST = range(len(GROUPS))


@dataclass
class Params:
    n_cells: int = param(40, "", "cells per group", 2)
    n_syn: int = param(40, "", "plastic input synapses per cell", 1)
    rate_in: float = param(10.0, "Hz", "rate of each presynaptic Poisson train", 0.0, 1e4, low_open=True)
    w_input: float = param(1e-9, "S", "initial weight w_0 of the input synapses", positive=True)
    ampa: float = param(1.75, "", "AMPA factor on w", 0.0)
    nmda: float = param(0.35, "", "NMDA factor on w", 0.0)
    I_s: float = param(1000e-12, "A", "somatic DC current", 0.0)
    I_d_burst: float = param(800e-12, "A", "dendritic current in burst mode (and during the pulse)", 0.0)
    gamma_burst: float = param(1.0, "", "coupling in burst mode", 0.0, 1.0)
    gamma_regular: float = param(1.0, "", "coupling in regular mode", 0.0, 1.0)
    calibration_currents: tuple = param((1000e-12, 1200e-12, 1400e-12, 1600e-12, 1800e-12), "A",
                                        "regular-mode currents of the rate-matching run", 0.0)
    I_test: float = param(400e-12, "A", "extra somatic current of the gain test", positive=True)
    window: float = param(1.0, "s", "length of the before and after windows", positive=True)
    pulse_start: float = param(1.5, "s", "pulse onset", "window")
    pulse_duration: float = param(0.3, "s", "pulse duration", positive=True)
    settle: float = param(0.5, "s", "time after the pulse before the after window", 0.0)
    stdp_amplitude: float = param(0.01, "", "Delta A_pre / w_max", 0.0)
    stdp_ratio: float = param(1.05, "", "-Delta A_post / Delta A_pre", 0.0)
    w_max_factor: float = param(2.0, "", "w_max / w_0", 1.0)
    dt: float = param(1e-4, "s", "time step", 0.0, 1e-4, low_open=True)

    @property
    def duration(self):
        return self.pulse_start + self.pulse_duration + self.settle + self.window


def build(p, seed, I_s, I_d, gamma):
    """Cells with somatic currents ``I_s``, dendritic currents ``I_d`` and couplings ``gamma``
    (one value per group, ``n_cells`` cells each), cell k of every group driven by the same
    ``n_syn`` plastic Poisson inputs: (net, cells, input projection)."""
    G, n = len(I_s), p.n_cells
    check_memory(f"{G} groups of {n} cells x {p.n_syn} synapses", 300.0 * G * n * p.n_syn)
    per_cell = lambda values: np.repeat(np.asarray(values, dtype=float), n)
    net = ps.Network(dt=p.dt, seed=seed)
    cells = net.add(ps.L5Pyramidal(G * n, name="L5", I_ext=per_cell(I_s), I_d=per_cell(I_d), gamma=per_cell(gamma)))
    src = net.add(ps.PoissonSource(n * p.n_syn, p.rate_in, name="input"))
    pre = np.tile(np.arange(n * p.n_syn), G)
    post = pre // p.n_syn + np.repeat(np.arange(G) * n, n * p.n_syn)
    rule = ps.ScaledPairSTDP(A_pre=p.stdp_amplitude, A_post=-p.stdp_ratio * p.stdp_amplitude)
    proj = connect_glutamate(net, src, cells, (pre, post), p.w_input, p.ampa, p.nmda, name="input->L5", rule=rule)
    proj.state["w_max"][:] = p.w_max_factor * p.w_input
    return net, cells, proj


def cell_change(p, proj, n_cells, w_a, w_b, power=1):
    """Mean |w_b - w_a|^power / w_0^power over the input synapses of each cell (n_cells,)."""
    return np.bincount(proj.post, np.abs(w_b - w_a) ** power, minlength=n_cells) / (p.n_syn * p.w_input ** power)


def mean_se(x):
    """Mean and standard error over the last axis."""
    return x.mean(axis=-1), x.std(axis=-1, ddof=1) / np.sqrt(x.shape[-1])


def calibrate(p, seed, progress=False):
    """Rate of the burst group and regular f-I points at ``calibration_currents`` (same input,
    duration T); returns (I_s*, currents, regular rates): I_s* interpolates the regular rates
    at the burst rate."""
    cal = np.asarray(p.calibration_currents, dtype=float)
    K = len(cal)
    net, cells, _ = build(p, seed, (p.I_s, *cal), (p.I_d_burst,) + (0.0,) * K,
                          (p.gamma_burst,) + (p.gamma_regular,) * K)
    mon = net.record_spikes(cells)
    ps.Simulator(net).run(p.duration, progress=progress)
    rate = window_counts(mon, p.n_cells, K + 1, 0.0, p.duration).mean(axis=1) / p.duration
    target, cal_rate = rate[0], rate[1:]
    if not cal_rate.min() <= target <= cal_rate.max():
        raise ParameterError(f"calibration_currents give regular rates {cal_rate.min():.1f}-{cal_rate.max():.1f} Hz, "
                             f"which do not bracket the burst rate {target:.1f} Hz; widen their range")
    order = np.argsort(cal_rate)
    return float(np.interp(target, cal_rate[order], cal[order])), cal, cal_rate


def run(p, seed=0, progress=False):
    I_match, cal, cal_rate = calibrate(p, seed, progress)
    G, n, T = len(GROUPS), p.n_cells, p.duration
    I_s = (p.I_s, p.I_s, I_match, p.I_s, p.I_s + p.I_test, p.I_s + p.I_test)
    net, cells, proj = build(p, seed, I_s, (p.I_d_burst,) + (0.0,) * (G - 1),
                             (p.gamma_burst,) + (p.gamma_regular,) * (G - 1))
    mon = net.record_spikes(cells)
    w0 = proj.w.copy()
    t_on, t_off = p.pulse_start, p.pulse_start + p.pulse_duration
    windows = np.array([[t_on - p.window, t_on], [t_on, t_off], [t_off + p.settle, T]])
    snapshots = {}
    proto = ps.Protocol(T)
    for t in np.unique(windows[windows < T]):
        proto.call(t, lambda t: snapshots.__setitem__(t, proj.w.copy()), t)
    pulse = np.r_[PULSE * n:(PULSE + 1) * n, PULSE_TEST * n:(PULSE_TEST + 1) * n]
    for t, I_d, gamma in ((t_on, p.I_d_burst, p.gamma_burst), (t_off, 0.0, p.gamma_regular)):
        proto.set(t, cells, "I_d", I_d, pulse).set(t, cells, "gamma", gamma, pulse)
    sim = ps.Simulator(net)
    sim.run_protocol(proto, progress=progress)
    snapshots[T] = proj.w.copy()
    change = lambda t1, t2, power=1: cell_change(p, proj, G * n, snapshots.get(t1, w0), snapshots[t2],
                                                 power).reshape(G, n)

    # claim 6: burst vs regular (unmatched and matched rate) over the whole run
    rows = [BURST, REGULAR, MATCHED]
    counts = window_counts(mon, n, G, 0.0, T)
    bursts = cells.state["n_burst"].reshape(G, n).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        burst_fraction = np.where(counts.sum(axis=1) > 0, bursts / counts.sum(axis=1), np.nan)[rows]
    wc, wc_se = mean_se(change(0.0, T)[rows] / T)
    ratio = wc[0] / wc[2:0:-1]
    ratio_se = ratio * np.hypot(wc_se[0] / wc[0], wc_se[2:0:-1] / wc[2:0:-1])

    # claim 7: pulse vs control (regular) in the windows before, during and after the pulse
    pulse_wc, pulse_wc_se, pulse_rate = (np.zeros((2, 3)) for _ in range(3))
    pulse_gain = np.zeros((2, 3))
    for k, (t1, t2) in enumerate(windows):
        pulse_wc[:, k], pulse_wc_se[:, k] = mean_se(change(t1, t2)[[PULSE, REGULAR]] / (t2 - t1))
        rate = window_counts(mon, n, G, t1, t2).mean(axis=1) / (t2 - t1)
        pulse_rate[:, k] = rate[[PULSE, REGULAR]]
        pulse_gain[:, k] = (rate[[PULSE_TEST, REGULAR_TEST]] - pulse_rate[:, k]) / p.I_test
    msd = np.array([[change(t_on, t, 2)[g].mean() for t in (t_off, T)] for g in (PULSE, REGULAR)])
    with np.errstate(invalid="ignore", divide="ignore"):
        persistence = (msd[0, 1] - msd[1, 1]) / (msd[0, 0] - msd[1, 0])

    summary = dict(group=np.array([GROUPS[g] for g in rows], dtype="S"), I_s=np.array(I_s)[rows],
                   rate=counts.mean(axis=1)[rows] / T, burst_fraction=burst_fraction, weight_change=wc,
                   weight_change_se=wc_se, ratio=ratio, ratio_se=ratio_se, calibration_I_s=cal,
                   calibration_rate=cal_rate, windows=windows, pulse_weight_change=pulse_wc,
                   pulse_weight_change_se=pulse_wc_se, pulse_rate=pulse_rate, pulse_gain=pulse_gain,
                   pulse_msd=msd, persistence=persistence)
    data = dict(spikes=dict(t=mon.t, i=mon.i), cell_weight_change=change(0.0, T) / T)
    return dict(data=data, summary=summary, wall_time=sim.wall_time)
