"""Memory formation and consolidation in a recurrent network with STC synapses
(Luboeinski & Tetzlaff 2021; Plastic Arbor section 3.5; spec plastic_arbor.md section 6).

Neurons: 1600 excitatory + 400 inhibitory LIF (C = 1 nF, R = 10 MOhm, V_rest = -65 mV,
V_th = -55 mV, V_reset = -70 mV, t_ref = 2 ms), each with an independent background
Ornstein-Uhlenbeck current (mu = 0.15 nA, sigma = 0.5 nA, tau = 5 ms).
Connections: every ordered pair (no autapses) with probability 0.1; PSPs are exponential
currents w/R (tau_syn = 5 ms, delay 3 ms; integrated exactly, or with ``psc_scheme =
reference`` held constant over a step and delivered one step later, as the reference
stand-alone simulator does); E->E plastic, :class:`~plastisim.plasticity.stc.STCEvent`
(w = h + h0 z, c_pre = 0.6, c_post = 0.1655, calcium delay 18.8 ms), E->I 2 h0, I->E and I->I -4 h0.
Stimulus: OU current mu = 1050.19 nA, sigma = 210.04 nA to the assembly (neurons 0 ... N_CA - 1)
for three 0.1-s pulses at 10.0, 10.5, 11.0 s (learning) and to its first half for one 0.1-s
pulse ``recall`` seconds after learning onset.

Phases (spec 6.6): if the 5-s windows around learning and recall overlap, one continuous run;
otherwise full dynamics until 5 s after learning, fast-forward (no spikes; h relaxes, z and the
PRP p evolve; step ``dt_ff``) until 5 s before recall, full dynamics until 5 s after recall.

Readout (spec 6.7): rates in [t_recall - 0.15, t_recall + 0.35) s; subpopulations "as"
(recall-stimulated), "ans" (assembly, not stimulated at recall), "ctrl" (other excitatory);
Q = (nu_ans - nu_ctrl) / nu_as.

``summary``: ``Q``, ``nu_as``, ``nu_ans``, ``nu_ctrl``, ``nu_inh`` (Hz), ``pattern_size``,
``recall_time`` (s, onset of the recall pulse), ``recall_delay`` (s), ``spikes`` (count). One
realization per run; many realizations are a sweep (``plastisim sweep stc-network
--realizations N``, ``examples/q_vs_pattern_size.py`` for the Q table and figure).
Weight summary (V, at recall): mean early weight h and late weight h0 z of the E->E synapses
of four classes: inside the assembly (``h_aa``, ``hz_aa``), assembly -> outside (``h_ao``,
``hz_ao``), outside -> assembly (``h_oa``, ``hz_oa``), outside -> outside (``h_oo``, ``hz_oo``).

The protocol (pulses, fast-forward) is a :class:`plastisim.Protocol` run by the simulator.
"""
from dataclasses import dataclass

import numpy as np

import plastisim as ps
from plastisim.analysis import pattern_completion, window_rates
from plastisim.plasticity.stc import STCEvent

from .base import param

SUMMARY_UNITS = dict(Q="", nu_as="Hz", nu_ans="Hz", nu_ctrl="Hz", nu_inh="Hz", pattern_size="",
                     recall_time="s", recall_delay="s", spikes="",
                     **{f"{kind}_{c}": "V" for kind in ("h", "hz") for c in ("aa", "ao", "oa", "oo")})
DESCRIPTION = "2000-neuron STC network: learning, consolidation and 10-s / 8-h recall (Q)"

LEARN_PULSES = (10.0, 10.5, 11.0)
PULSE = 0.1
MARGIN = 5.0


@dataclass
class Params:
    pattern_size: int = param(150, "", "assembly size N_CA", 1, "n_exc")
    recall: float = param(10.0, "s", "delay from learning onset to recall (10s or 8h)", positive=True)
    n_exc: int = param(1600, "", "excitatory neurons", 1)
    n_inh: int = param(400, "", "inhibitory neurons", 1)
    p_c: float = param(0.1, "", "connection probability", 0.0, 1.0)
    p_r: float = param(0.5, "", "recalled fraction of the assembly", 0.0, 1.0)
    dt: float = param(0.2e-3, "s", "time step", positive=True)
    dt_ff: float = param(50.0, "s", "fast-forward step", positive=True)
    I_0: float = param(0.15e-9, "A", "background OU mean")
    sigma_bg: float = param(0.5e-9, "A", "background OU s.d.", 0.0)
    mu_stim: float = param(1050.19e-9, "A", "stimulus OU mean")
    sigma_stim: float = param(210.04e-9, "A", "stimulus OU s.d.", 0.0)
    w_ei: float = param(2.0, "h0", "E->I weight in units of h0")
    w_ie: float = param(-4.0, "h0", "I->E weight in units of h0")
    w_ii: float = param(-4.0, "h0", "I->I weight in units of h0")
    c_pre: float = param(0.6, "", "presynaptic calcium jump", 0.0)
    c_post: float = param(0.1655, "", "postsynaptic calcium jump", 0.0)
    sigma_pl: float = param(2.90436e-3, "V", "plasticity noise amplitude", 0.0)
    psc_scheme: str = param("exact", "", "'exact' (exponential PSC integrated exactly) or 'reference' "
                                         "(held over a step, one step later, as the reference simulator)")


def build(p, seed):
    """The network of one realization: (net, exc, inh, plastic projection, spike monitors)."""
    if p.psc_scheme not in ("exact", "reference"):
        raise ps.ParameterError(f"psc_scheme = {p.psc_scheme!r} must be 'exact' or 'reference'")
    reference = p.psc_scheme == "reference"
    net = ps.Network(dt=p.dt, seed=seed)
    lif = dict(C=1e-9, g_L=1e-7, E_L=-65e-3, V_th=-55e-3, V_reset=-70e-3, t_ref=2e-3, tau_syn=5e-3,
               psc_held=float(reference))
    exc = net.add(ps.LIF(p.n_exc, name="exc", **lif))
    inh = net.add(ps.LIF(p.n_inh, name="inh", **lif))
    for pop in (exc, inh):
        pop.switch_ou("bg", slice(None), mu=p.I_0, sigma=p.sigma_bg)
    rule = STCEvent(sigma_pl=p.sigma_pl, c_pre=p.c_pre, c_post=p.c_post)
    h0, R = rule.params["h0"], rule.params["R_mem"]
    common = dict(delay=3e-3 + reference * p.dt, port="current")
    ee = net.connect(exc, exc, ps.FixedProbability(p.p_c, autapses=False), weight=h0 / R, rule=rule, **common)
    net.connect(exc, inh, ps.FixedProbability(p.p_c), weight=p.w_ei * h0 / R, **common)
    net.connect(inh, exc, ps.FixedProbability(p.p_c), weight=p.w_ie * h0 / R, **common)
    net.connect(inh, inh, ps.FixedProbability(p.p_c, autapses=False), weight=p.w_ii * h0 / R, **common)
    monitors = (net.record_spikes(exc), net.record_spikes(inh))
    return net, exc, inh, ee, monitors


def protocol(p, exc, sim, ee, assembly, kept):
    """The protocol of one realization (spec 6.6) and the recall time: stimulus pulses; if the
    5-s windows around learning and recall do not overlap, a fast-forward between them (no
    spikes; h relaxes, z and the PRP p evolve; step ``dt_ff``). ``kept`` receives the weight
    summary at the start of the fast-forward."""
    t_recall = LEARN_PULSES[0] + p.recall
    learn_end = LEARN_PULSES[-1] + PULSE
    proto = ps.Protocol(duration=t_recall + MARGIN)
    recalled = np.arange(int(p.p_r * p.pattern_size))
    for t, idx in [(t, assembly) for t in LEARN_PULSES] + [(t_recall, recalled)]:
        proto.call(t, exc.switch_ou, "stim", idx, mu=p.mu_stim, sigma=p.sigma_stim)
        proto.call(t + PULSE, exc.switch_ou, "stim", idx)
    if t_recall - MARGIN > learn_end + MARGIN:
        def keep_weights():
            sim.advance(ee)
            kept.update(_weight_summary(ee, assembly))
        proto.call(learn_end + MARGIN, keep_weights)
        proto.fast_forward(learn_end + MARGIN, t_recall - MARGIN, p.dt_ff)
    return proto, t_recall, recalled


def run_realization(p, seed, progress=False, checkpoint=None, build=build):
    net, exc, inh, ee, (spk_exc, spk_inh) = build(p, seed)
    sim = ps.Simulator(net, chunk_steps=5000)
    assembly = np.arange(p.pattern_size)
    weights_after_learning = {}
    proto, t_recall, recalled = protocol(p, exc, sim, ee, assembly, weights_after_learning)
    sim.run_protocol(proto, progress=progress, checkpoint=checkpoint)
    sim.advance(ee)
    window = (t_recall - 0.15, t_recall + 0.35)
    rate_exc = window_rates(spk_exc.t, spk_exc.i, p.n_exc, window)
    rate_inh = window_rates(spk_inh.t, spk_inh.i, p.n_inh, window)
    Q, nu_as, nu_ans, nu_ctrl = pattern_completion(rate_exc, len(recalled), p.pattern_size)
    summary = dict(Q=Q, nu_as=nu_as, nu_ans=nu_ans, nu_ctrl=nu_ctrl, nu_inh=rate_inh.mean(),
                   **_weight_summary(ee, assembly))
    data = dict(spikes_exc_t=spk_exc.t, spikes_exc_i=spk_exc.i, spikes_inh_t=spk_inh.t,
                spikes_inh_i=spk_inh.i)
    if weights_after_learning:
        data["weights_after_learning"] = weights_after_learning
    return summary, data, sim.wall_time, len(spk_exc.t) + len(spk_inh.t), t_recall


def _weight_summary(ee, assembly):
    """Mean early (h) and late (h0 z) weight (V) of E->E synapses in four classes: inside the
    assembly (aa), assembly -> outside (ao), outside -> assembly (oa), outside -> outside (oo)."""
    h0 = ee.rule.params["h0"]
    pre_in, post_in = np.isin(ee.pre, assembly), np.isin(ee.post, assembly)
    classes = dict(aa=pre_in & post_in, ao=pre_in & ~post_in, oa=~pre_in & post_in, oo=~pre_in & ~post_in)
    out = {}
    for name, mask in classes.items():
        out[f"h_{name}"] = ee.state["h"][mask].mean() if mask.any() else np.nan
        out[f"hz_{name}"] = h0 * ee.state["z"][mask].mean() if mask.any() else np.nan
    return out


def run(p, seed=0, progress=False, checkpoint=None, build=build):
    """One network realization; ``checkpoint``: a ``Checkpointing``; ``build``: the network
    (``stc-network-morpho`` gives its own). Realizations are a sweep:
    ``plastisim sweep stc-network --realizations N ...``."""
    summary, data, wall_time, spikes, t_recall = run_realization(p, seed, progress, checkpoint, build)
    summary.update(pattern_size=p.pattern_size, recall_time=t_recall, recall_delay=p.recall, spikes=spikes)
    return dict(data=data, summary=summary, wall_time=wall_time)
