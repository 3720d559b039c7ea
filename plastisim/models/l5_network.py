"""Ring network of two-compartment L5 pyramidal cells with PV (soma-targeting) and SOM
(dendrite-targeting) interneurons, optional STDP (spec ``l5_gain.md`` §8-§10; network
version of the gain protocol, §11).

Cells: :class:`plastisim.neurons.l5.L5Pyramidal` and :class:`plastisim.neurons.l5.Interneuron`
('PV', 'SOM'); equations, units and integration scheme in their docstring.

Ring (§8.2 [RECON] defaults): ``n_e`` pyramidal cells, ``n_pv`` PV and ``n_som`` SOM cells, each
population at angles linspace(0, 2 pi, n) (MATLAB's linspace: first and last cell coincide).
All-to-all weights from chord distance d = |e^(i theta_j) - e^(i theta_k)|,

    J(d) = w exp(-d^2 / (2 sigma^2)) / (sigma sqrt(2 pi))              (:func:`ring_weights`)

E -> E on the soma: AMPA ``ampa_ee`` J and NMDA ``nmda_ee`` J (w_ee, sigma_ee); E -> PV and
E -> SOM: AMPA = NMDA = J (w_ei, sigma_ei); PV -> E: GABA_A on the soma (w_pv, sigma_pv);
SOM -> E: GABA_A on the dendrite (w_som, sigma_som). Delays: one time step (the smallest a
projection has; the reference acts in the same step). One presynaptic spike drives AMPA and
NMDA through one projection (one weight, a factor per port).
Background (§9): independent Poisson trains per cell (``rate_soma`` to every soma,
``rate_dend`` to every pyramidal dendrite), each event adding ``w_input`` to an AMPA and an
NMDA conductance (times ``w_ff`` for interneurons; :func:`background`): a ``ps.PoissonInput``
with ``bernoulli=True`` on the AMPA and NMDA ports together (both receptors see the same events;
Bernoulli per step, the trains of a ``ps.PoissonSource``, at a cost per event).
Stimulus (§9): I_ext(n) = A exp(-((n - stim_center) / stim_width)^2) to pyramidal cell n from
``stim_start`` for ``stim_duration`` (a ``ps.Protocol``).

Conditions: parallel tuples ``gamma``, ``I_d`` (pyramidal cells), ``som_scale`` and
``pv_scale`` (factors on the SOM -> E and PV -> E weights), ``pv_drive`` and ``pv_center``: a
localised DC current to the PV cells (optogenetic-like activation of a patch of PV cells, on for
the whole run), I_pv(j) = pv_drive exp(-(delta_j / pv_width)^2), delta_j the distance along the
ring from PV cell j to the position ``pv_center`` (measured in pyramidal-cell spacings
2 pi / (n_e - 1), wrapping around; :func:`ring_offset`). Every (condition, amplitude,
realization) is one independent ring; all rings are simulated together (block-diagonal
connectivity, one run). STDP (``stdp``, §10 option A): :class:`plastisim.ScaledPairSTDP` on
both E -> E projections, w_max = ``w_max_factor`` x the initial weight of each synapse,
Delta A_pre = ``stdp_amplitude`` w_max, Delta A_post = -``stdp_ratio`` Delta A_pre, tau 20 ms
(option B of §10, Izhikevich's spnet rule, is the user rule ``examples/spnet_stdp.py``).
The learning claims of spec §14 (6: bursting accelerates STDP, at matched and unmatched rates;
7: brief gain pulses of gamma and I_d during learning, weight-change rate with and without the
pulse, gain after it) are measured in the separate model ``l5-stdp``
(:mod:`plastisim.models.l5_stdp`: cells with identical plastic Poisson input instead of the
recurrent ring, where rates, modes and pulses can be set and matched per group).

Readouts (``summary``; condition x amplitude arrays are means over realizations; ``_sd``: sample
standard deviation over the realizations of the value computed per realization, NaN with one
realization or if one realization's value is NaN):
``A`` (A, amplitudes), ``rate`` (Hz, pyramidal cells during the stimulus), ``rate_baseline``
(Hz, pyramidal cells in [baseline, stim_start)), ``rate_pv``, ``rate_som`` (Hz, during the
stimulus), ``burst_fraction`` (fraction of pyramidal spikes in burst-reset mode during the
stimulus; NaN without spikes), ``gain`` (Hz/A, least-squares slope of ``rate`` vs A, one per
condition) and ``gain_sd``, ``threshold`` (A, per condition: the amplitude at which ``rate``
first reaches ``threshold_rate``, linear interpolation between neighbouring amplitudes; NaN if
``rate`` is already at the criterion at the smallest amplitude or never reaches it;
:func:`threshold`) and ``threshold_sd``; the same for the stimulated cells (|n - stim_center| <=
stim_width / 2, stimulus >= A e^(-1/4); NaN if there is none): ``rate_stimulated`` (Hz), ``gain_stimulated`` and
``gain_stimulated_sd`` (Hz/A), ``threshold_stimulated`` and ``threshold_stimulated_sd`` (A);
``profile`` (Hz, per pyramidal cell during the stimulus: condition x amplitude x
n_e), ``weight_change`` (1/s, mean |w_end - w_0| / w_0 of the E -> E synapses per second of the
run; zero without STDP), ``condition`` (names).

Network claims 4-5 of spec §14 (protocols ``PV_PROTOCOL`` and ``SOM_PROTOCOL``, asserted in
``tests/models/test_l5_network.py``; numbers in ``docs/validation.md``): 1 nA to the PV cells at
the stimulated cells (near) or on the opposite side of the ring (far). With a narrow PV -> E
kernel (sigma_pv = 0.5) near PV activity raises ``threshold_stimulated`` by about 0.7 nA and far
PV activity lowers it; with the [RECON] sigma_pv = 2 (about the ring diameter) the position of
the PV activity matters little to the stimulated cells (near - far about one standard error),
and PV activity anywhere raises the threshold of the population rate. SOM x4 under I_d = 800 pA lowers
``gain_stimulated`` below the no-drive value and the burst fraction in the ring without
recurrent excitation (w_ee = 0); with the [RECON] w_ee the recurrent bump sets the network gain
and the conditions do not differ beyond the realization spread.
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps

from ..core.errors import ParameterError
from ..core.params import check_memory
from ..neurons.l5 import connect_glutamate
from .base import param

SUMMARY_UNITS = dict(A="A", rate="Hz", rate_baseline="Hz", rate_pv="Hz", rate_som="Hz", burst_fraction="",
                     gain="Hz/A", gain_sd="Hz/A", threshold="A", threshold_sd="A", rate_stimulated="Hz",
                     gain_stimulated="Hz/A", gain_stimulated_sd="Hz/A", threshold_stimulated="A",
                     threshold_stimulated_sd="A", profile="Hz",
                     weight_change="1/s", condition="")
# protocols of the network claims 4-5 (spec §14; overrides as text, one call of ``run``): a
# Gaussian stimulus with PV drive near (at the stimulus centre) or far (opposite side), and
# SOM x4 under dendritic drive in the ring without recurrent excitation
WINDOWS = dict(baseline="0.2s", stim_start="0.5s", stim_duration="0.5s", realizations="8")
PV_PROTOCOL = dict(WINDOWS, gamma="1,1,1", I_d="0,0,0", som_scale="1,1,1", pv_scale="1,1,1", pv_drive="0,1nA,1nA",
                   pv_center="45,45,0", amplitudes="0,300pA,600pA,900pA,1200pA,1500pA")
SOM_PROTOCOL = dict(WINDOWS, w_ee="0", gamma="1,1,1", I_d="0,800pA,800pA", som_scale="1,1,4", pv_scale="1,1,1",
                    pv_drive="0,0,0", pv_center="45,45,45", amplitudes="0,300pA,600pA,900pA")
DESCRIPTION = "ring of L5 pyramidal, PV and SOM cells: network gain under drive, coupling, inhibition; STDP (§8-§10)"


@dataclass
class Params:
    n_e: int = param(90, "", "pyramidal cells per ring", 2)
    n_pv: int = param(45, "", "PV cells per ring", 2)
    n_som: int = param(45, "", "SOM cells per ring", 2)
    w_ee: float = param(3.5e-9, "S", "E->E kernel weight w", 0.0)
    sigma_ee: float = param(0.5, "", "E->E kernel width (chord units)", positive=True)
    ampa_ee: float = param(1.75, "", "E->E AMPA factor on J", 0.0)
    nmda_ee: float = param(0.35, "", "E->E NMDA factor on J", 0.0)
    w_ei: float = param(1e-9, "S", "E->PV and E->SOM kernel weight (AMPA = NMDA = J)", 0.0)
    sigma_ei: float = param(2.0, "", "E->I kernel width", positive=True)
    w_pv: float = param(5e-9, "S", "PV->E (soma GABA_A) kernel weight", 0.0)
    sigma_pv: float = param(2.0, "", "PV->E kernel width", positive=True)
    w_som: float = param(5e-9, "S", "SOM->E (dendrite GABA_A) kernel weight", 0.0)
    sigma_som: float = param(2.0, "", "SOM->E kernel width", positive=True)
    rate_soma: float = param(600.0, "Hz", "Poisson drive to every soma", 0.0, 1e4)
    rate_dend: float = param(50.0, "Hz", "Poisson drive to every pyramidal dendrite", 0.0, 1e4)
    w_input: float = param(1e-9, "S", "AMPA and NMDA jump per input event", 0.0)
    w_ff: float = param(0.02, "", "input scaling for interneurons", 0.0)
    amplitudes: tuple = param((0.0, 300e-12, 600e-12), "A", "stimulus amplitudes A")
    stim_center: float = param(45.0, "", "stimulus centre (pyramidal index)")
    stim_width: float = param(20.0, "", "stimulus width (pyramidal cells)", positive=True)
    baseline: float = param(0.5, "s", "start of the baseline window", 0.0, "stim_start", high_open=True)
    stim_start: float = param(1.0, "s", "stimulus onset", positive=True)
    stim_duration: float = param(0.2, "s", "stimulus duration", positive=True)
    gamma: tuple = param((1.0, 1.0, 0.0, 1.0, 1.0), "", "coupling per condition", 0.0, 1.0)
    I_d: tuple = param((0.0, 800e-12, 800e-12, 800e-12, 0.0), "A", "dendritic DC current per condition")
    som_scale: tuple = param((1.0, 1.0, 1.0, 4.0, 1.0), "", "SOM->E weight factor per condition", 0.0)
    pv_scale: tuple = param((1.0, 1.0, 1.0, 1.0, 2.0), "", "PV->E weight factor per condition", 0.0)
    pv_drive: tuple = param((0.0,) * 5, "A", "DC current to the PV cells at pv_center per condition", 0.0)
    pv_center: tuple = param((45.0,) * 5, "", "centre of the PV drive per condition (pyramidal index)")
    pv_width: float = param(5.0, "", "width of the PV drive (pyramidal cells)", positive=True)
    threshold_rate: float = param(40.0, "Hz", "rate criterion of the threshold", positive=True)
    realizations: int = param(2, "", "independent rings per condition and amplitude", 1)
    stdp: bool = param(False, "", "E->E synapses plastic (ScaledPairSTDP)")
    stdp_amplitude: float = param(0.01, "", "Delta A_pre / w_max", 0.0)
    stdp_ratio: float = param(1.05, "", "-Delta A_post / Delta A_pre", 0.0)
    w_max_factor: float = param(2.0, "", "w_max / initial weight", 1.0)
    dt: float = param(1e-4, "s", "time step", 0.0, 1e-4, low_open=True)

    def validate(self):
        n = len(self.gamma)
        for name in ("I_d", "som_scale", "pv_scale", "pv_drive", "pv_center"):
            if len(getattr(self, name)) != n:
                raise ParameterError(f"{name} has {len(getattr(self, name))} values; it needs one per "
                                     f"condition, as gamma ({n})")


def ring_weights(n_pre, n_post, w, sigma):
    """Kernel J (n_pre x n_post) of spec §8.1: w exp(-d^2 / (2 sigma^2)) / (sigma sqrt(2 pi)),
    d the chord distance of the ring positions linspace(0, 2 pi, n)."""
    a, b = np.linspace(0, 2 * np.pi, n_pre), np.linspace(0, 2 * np.pi, n_post)
    d = np.hypot(np.cos(a)[:, None] - np.cos(b)[None], np.sin(a)[:, None] - np.sin(b)[None])
    return w * np.exp(-0.5 * (d / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


def ring_offset(n, center, n_e):
    """Signed distance along the ring (in pyramidal-cell spacings 2 pi / (n_e - 1), in
    (-(n_e - 1)/2, (n_e - 1)/2]) from pyramidal position ``center`` to the ``n`` cells at
    linspace(0, 2 pi, n)."""
    theta = np.linspace(0, 2 * np.pi, n) - 2 * np.pi * center / (n_e - 1)
    return np.angle(np.exp(1j * theta)) * (n_e - 1) / (2 * np.pi)


def threshold(A, rate, criterion):
    """Amplitude at which ``rate`` (last axis over the increasing amplitudes A) first reaches
    ``criterion`` from below, by linear interpolation between neighbouring amplitudes; NaN if it
    is already reached at A[0] or never reached."""
    rate = np.asarray(rate, dtype=float)
    above = rate >= criterion
    k = np.argmax(above, axis=-1)
    ok = above.any(axis=-1) & (k > 0)
    k = np.where(ok, k, 0)  # not ok: any valid index (k - 1 = -1), masked below
    r0, r1 = np.take_along_axis(rate, k[..., None] - 1, -1)[..., 0], np.take_along_axis(rate, k[..., None], -1)[..., 0]
    return np.where(ok, A[k - 1] + (criterion - r0) / np.where(ok, r1 - r0, 1.0) * (A[k] - A[k - 1]), np.nan)


def blocks(J, copies):
    """Block-diagonal all-to-all synapse lists of ``copies`` rings with kernel J: (pairs, weights)."""
    n_pre, n_post = J.shape
    pre, post = np.meshgrid(np.arange(n_pre), np.arange(n_post), indexing="ij")
    shift = np.arange(copies)[:, None]
    pairs = ((pre.ravel() + n_pre * shift).ravel(), (post.ravel() + n_post * shift).ravel())
    return pairs, np.tile(J.ravel(), copies)


def condition_names(p):
    names = []
    for gamma, I_d, som, pv, drive, center in zip(p.gamma, p.I_d, p.som_scale, p.pv_scale, p.pv_drive, p.pv_center):
        name = f"gamma={gamma:g} I_d={I_d * 1e12:g}pA"
        name += f" SOMx{som:g}" if som != 1 else ""
        name += f" PVx{pv:g}" if pv != 1 else ""
        names.append(name + (f" PV drive {drive * 1e12:g}pA at {center:g}" if drive != 0 else ""))
    return names


def background(pop, rate, w, dendrite=False):
    """Poisson background of every cell of ``pop`` (§9): independent Bernoulli trains of
    ``rate`` (Hz, probability rate dt per step), each event adding ``w`` (S) to the AMPA and
    the NMDA conductance (of the dendrite with ``dendrite``)."""
    suffix = "_d" if dendrite else ""
    return ps.PoissonInput(pop, rate, w, port={"ampa" + suffix: 1.0, "nmda" + suffix: 1.0}, bernoulli=True,
                           name=f"input->{pop.name}{'.dendrite' if dendrite else ''}")


def build(p, seed):
    """The network of all rings: (net, populations, E->E projections, stimulus per pyramidal cell)."""
    M, K, R = len(p.gamma), len(p.amplitudes), p.realizations
    copies = M * K * R  # ring c = (condition m, amplitude a, realization r), c = (m K + a) R + r
    per_ring = 2 * p.n_e ** 2 + 5 * p.n_e * (p.n_pv + p.n_som)
    check_memory(f"{copies} rings of {p.n_e + p.n_pv + p.n_som} cells", 200.0 * copies * per_ring)
    cond = np.repeat(np.arange(M), K * R)
    amp = np.tile(np.repeat(np.asarray(p.amplitudes, dtype=float), R), M)
    net = ps.Network(dt=p.dt, seed=seed)
    E = net.add(ps.L5Pyramidal(copies * p.n_e, name="E", gamma=np.repeat(np.asarray(p.gamma)[cond], p.n_e),
                               I_d=np.repeat(np.asarray(p.I_d)[cond], p.n_e)))
    drive = [I * np.exp(-(ring_offset(p.n_pv, c, p.n_e) / p.pv_width) ** 2) for I, c in zip(p.pv_drive, p.pv_center)]
    PV = net.add(ps.Interneuron.cell("PV", copies * p.n_pv, I_ext=np.concatenate([drive[m] for m in cond])))
    SOM = net.add(ps.Interneuron.cell("SOM", copies * p.n_som))
    pairs, J = blocks(ring_weights(p.n_e, p.n_e, p.w_ee, p.sigma_ee), copies)
    rule = ps.ScaledPairSTDP(A_pre=p.stdp_amplitude, A_post=-p.stdp_ratio * p.stdp_amplitude) if p.stdp else None
    ee = connect_glutamate(net, E, E, pairs, J, p.ampa_ee, p.nmda_ee, name="E->E", rule=rule)
    if p.stdp:
        ee.state["w_max"][:] = p.w_max_factor * ee.w
    for inh, n_i in ((PV, p.n_pv), (SOM, p.n_som)):
        pairs, J = blocks(ring_weights(p.n_e, n_i, p.w_ei, p.sigma_ei), copies)
        connect_glutamate(net, E, inh, pairs, J)
    for inh, n_i, w, sigma, scale, port in ((PV, p.n_pv, p.w_pv, p.sigma_pv, p.pv_scale, "gaba"),
                                            (SOM, p.n_som, p.w_som, p.sigma_som, p.som_scale, "gaba_d")):
        pairs, J = blocks(ring_weights(n_i, p.n_e, w, sigma), copies)
        net.connect(inh, E, pairs, weight=J * np.repeat(np.asarray(scale)[cond], n_i * p.n_e), port=port)
    for pop, dendrite, rate, w in ((E, False, p.rate_soma, p.w_input), (E, True, p.rate_dend, p.w_input),
                                   (PV, False, p.rate_soma, p.w_ff * p.w_input),
                                   (SOM, False, p.rate_soma, p.w_ff * p.w_input)):
        if rate > 0 and w > 0:
            net.add(background(pop, rate, w, dendrite))
    stim = np.repeat(amp, p.n_e) * np.exp(-((np.tile(np.arange(p.n_e), copies) - p.stim_center) / p.stim_width) ** 2)
    return net, (E, PV, SOM), ee, stim


def window_counts(mon, n, copies, low, high):
    """Spikes per cell (copies x n) of a population with ``n`` cells per ring in [low, high)."""
    inside = (mon.t >= low - 1e-9) & (mon.t < high - 1e-9)
    return np.bincount(mon.i[inside], minlength=copies * n).reshape(copies, n).astype(float)


def run(p, seed=0, progress=False):
    M, K, R = len(p.gamma), len(p.amplitudes), p.realizations
    copies = M * K * R
    net, (E, PV, SOM), ee, stim = build(p, seed)
    w0 = ee.w.copy()
    mons = [net.record_spikes(pop) for pop in (E, PV, SOM)]
    end = p.stim_start + p.stim_duration
    proto = ps.Protocol(end).set(p.stim_start, E, "I_ext", stim).set(p.stim_start, E, "n_burst", 0.0)
    sim = ps.Simulator(net)
    sim.run_protocol(proto, progress=progress)

    shape = lambda x: x.reshape(M, K, R, *x.shape[1:])
    stim_e = window_counts(mons[0], p.n_e, copies, p.stim_start, end)
    cells = shape(stim_e / p.stim_duration)  # M x K x R x n_e
    base = window_counts(mons[0], p.n_e, copies, p.baseline, p.stim_start).mean(axis=1)
    rate_inh = [shape(window_counts(mon, n, copies, p.stim_start, end).mean(axis=1) / p.stim_duration).mean(axis=2)
                for mon, n in ((mons[1], p.n_pv), (mons[2], p.n_som))]
    bursts = shape(E.state["n_burst"].reshape(copies, p.n_e).sum(axis=1)).sum(axis=2)
    spikes = shape(stim_e.sum(axis=1)).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        burst_fraction = np.where(spikes > 0, bursts / spikes, np.nan)
    A = np.asarray(p.amplitudes, dtype=float)
    ring = ee.pre // p.n_e
    relative = np.divide(np.abs(ee.w - w0), w0, out=np.zeros_like(w0), where=w0 > 0)  # w_ee = 0: no change
    change = np.bincount(ring, relative, minlength=copies) / np.bincount(ring, minlength=copies)
    sd = lambda x: x.std(axis=1, ddof=1) if R > 1 else np.full(M, np.nan)  # over realizations
    stimulated = np.abs(np.arange(p.n_e) - p.stim_center) <= p.stim_width / 2
    fi_readouts = {}
    fi_stimulated = cells[..., stimulated].mean(axis=3) if stimulated.any() else np.full(cells.shape[:3], np.nan)
    for group, fi in (("", cells.mean(axis=3)), ("_stimulated", fi_stimulated)):
        fi = np.swapaxes(fi, 1, 2)  # f-I curve per realization: M x R x K
        slopes = np.polyfit(A, fi.reshape(-1, K).T, 1)[0].reshape(M, R) if K >= 2 else np.full((M, R), np.nan)
        fi_readouts.update({f"rate{group}": fi.mean(axis=1), f"gain{group}": slopes.mean(axis=1),
                            f"gain{group}_sd": sd(slopes),
                            f"threshold{group}": threshold(A, fi.mean(axis=1), p.threshold_rate),
                            f"threshold{group}_sd": sd(threshold(A, fi, p.threshold_rate))})
    summary = dict(A=A, rate=fi_readouts.pop("rate"),
                   rate_baseline=shape(base / (p.stim_start - p.baseline)).mean(axis=2), rate_pv=rate_inh[0],
                   rate_som=rate_inh[1], burst_fraction=burst_fraction,
                   gain=fi_readouts.pop("gain"), **fi_readouts, profile=cells.mean(axis=2),
                   weight_change=shape(change / end).mean(axis=2), condition=np.array(condition_names(p), dtype="S"))
    first = mons[0].i < p.n_e * R * K  # the rings of condition 0
    data = dict(spikes_e=dict(t=mons[0].t[first], i=mons[0].i[first]))
    return dict(data=data, summary=summary, wall_time=sim.wall_time)
