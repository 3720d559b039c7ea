"""Two-compartment layer-5 pyramidal cell and PV/SOM interneurons (spec ``l5_gain.md`` §3-§7, §12).

Model of Rodriguez-Garcia et al. (arXiv:2507.03222), built as the prior model it follows
(Whyte et al. 2025, code ``cjwhyte/LVPA``): an Izhikevich (2007) soma and a Naud-Sprekeler
(2018) apical dendrite, coupled by back-propagating APs (soma -> dendrite) and by a
plateau-triggered switch of the somatic reset (dendrite -> soma).

Soma (both cell types; spec §3):

    C dv/dt = k (v - v_r)(v - v_t) - u + sum_x g_x (E_x - v) + I_ext
      du/dt = a (b (v - v_r) - u)

Apical dendrite (pyramidal cell; spec §4):

    C_d dv_d/dt = -l_d (v_d - v_dr) + k_d F(v_d) + G p_d BAP(t) + u_d + I_syn,d + I_d
       du_d/dt = a_d (b_d (v_d - v_dr) - u_d),        F(x) = 1 / (1 + exp((E_d - x) / D_d))

no reset of v_d (a plateau ends through u_d). Coupling (spec §5): every somatic spike starts
a box pulse BAP = 1 from ``bap_delay`` to ``bap_delay + bap_width`` after it (round(width/dt)
steps, one more with ``bap_inclusive = 1``: the 21 steps of the MATLAB reference at 0.1 ms;
overlapping pulses of two spikes merge); G is a Bernoulli draw ``rand() < gamma`` in every
step in which the pulse is on. After the dendrite update, burst = (v_d >= v_plateau) AND
(another draw < gamma); a spike then resets v <- c_burst, u <- u + d_burst instead of
v <- c, u <- u + d (and counts in ``n_burst``). ``gamma`` (in [0, 1]) is per neuron.
With ``deterministic = 1`` (spec §5.3 alternative) the BAP current is gamma p_d and the burst
switch follows the plateau whenever gamma > 0 (no draws). A gate with gamma = 0 or 1 is
certain and draws no random number (same result: the draws are counter-based). Every spike also adds
``delta_adapt`` to the adaptation conductance g_adapt (decay tau_adapt, reversal E_adapt).

Synapses (spec §6): conductances with instantaneous jumps and exponential decay, ports

    soma:     ampa -> g_ampa, nmda -> g_nmda, gaba -> g_gaba      (S)
    dendrite: ampa_d -> g_ampa_d, nmda_d -> g_nmda_d, gaba_d -> g_gaba_d   (pyramidal only)

NMDA is gated by B(v) = x^2 / (1 + x^2), x = (v + 80 mV) / 60 mV; at the soma the gated
conductance is capped at ``nmda_cap`` (S; 0: no cap). Tonic GABA_A conductances per neuron:
``g_tonic`` (soma) and ``g_tonic_d`` (dendrite), reversal E_gaba. One presynaptic spike that
drives AMPA and NMDA through one projection with a factor per port (:func:`connect_glutamate`).
Somatic conductances enter the membrane equation; dendritic ones a current
I_syn,d = sum_x g_x (E_x - v_d).

Units (SI): v, c, E_*, v_r, v_t, v_peak, v_dr, E_d, D_d, v_plateau in V; C, C_d in F; k in A/V^2
(1 nS/mV = 1e-6 A/V^2); u, d, I_ext, I_d, u_d, k_d, p_d in A; a, a_d in 1/s; b, b_d, l_d and
conductances in S; times in s; ``peak_u``, ``reset_u`` in V/A. Defaults: spec §3-§6 (L5b cell
of ``LVBR/ThalamoCorticalParams.m``).

Integration, per step of dt (spec §12): spikes that arrive at a port are added to its
conductance; all conductances decay exactly (g <- g exp(-dt/tau)); the dendrite advances by
forward Euler (u_d from the v_d at the start of the step); the burst flag is set; the soma
advances semi-implicitly in the conductances (spec §3),

    v <- (v + dt/C [k (v - v_r)(v - v_t) - u + sum_x g_x E_x + I]) / (1 + dt/C sum_x g_x)
    u <- u + dt a (b (v_old - v_r) - u)

then v >= v_peak is tested and the reset applied (in the reference code the test opens the
next step: the same sequence, spike times earlier by one step). First order: use dt <= 0.1 ms.
Differences from the reference code: conductances decay exactly instead of by forward Euler
(relative difference 1.4e-4 per step for tau = 6 ms at dt = 0.1 ms); a projection delivers
at the earliest one step after the spike (delay >= dt), the reference in the same step.
``gamma`` (and I_ext, I_d, g_tonic, g_tonic_d) are state arrays: a neuromodulatory time course
is a ``ps.Protocol`` that sets them (``proto.set(t, cells, "gamma", 1.0)``).

Interneurons (spec §7, :class:`Interneuron`): the same soma and somatic synapses with the
Izhikevich (2007) LTS peak and reset rules: spike when v >= v_peak + peak_u u; reset
v <- c + reset_u u, then u <- min(u + d, u_max) (``u_max`` = 0: no cap).
``Interneuron.cell("PV", n)`` (S3 basket cell, default) and ``Interneuron.cell("SOM", n)``
(Izhikevich 2007 LTS: v_peak = 40 mV - 0.1 u, c = -53 mV + 0.04 u, u <= 670 pA). Under strong
drive (about 1 nA) the LTS u reaches the cap, where the reset (-26.2 mV) lies above the peak
(-27 mV): the cell then fires in every step, as the published equations do.
"""
import numpy as np

from ..core.errors import ParameterError
from ..core.params import check
from .model import NeuronModel

SYNAPSES = dict(tau_ampa=6e-3, tau_nmda=100e-3, tau_gaba=6e-3, E_ampa=0.0, E_nmda=0.0, E_gaba=-75e-3,
                nmda_cap=85e-9)

# spec §7 (pF, nS/mV, mV, 1/ms, nS, mV, pA in SI)
CELLS = {
    "PV": dict(C=20e-12, k=1e-6, v_r=-55e-3, v_t=-40e-3, v_peak=25e-3, a=150.0, b=8e-9, c=-55e-3,
               d=200e-12, peak_u=0.0, reset_u=0.0, u_max=0.0),
    "SOM": dict(C=100e-12, k=1e-6, v_r=-56e-3, v_t=-42e-3, v_peak=40e-3, a=30.0, b=8e-9, c=-53e-3,
                d=20e-12, peak_u=-1e8, reset_u=4e7, u_max=670e-12),
}


def mg_block(v):
    """Fraction of NMDA conductance not blocked by Mg2+ at v (V): x^2 / (1 + x^2), x = (v + 80 mV) / 60 mV,
    as y^2 / (y^2 + (60 mV)^2), y = v + 80 mV (one division)."""
    y = v + 80e-3
    return y * y / (y * y + 3.6e-3)


def somatic_synapses(v, g_ampa, g_nmda, g_gaba, g_tonic, E_ampa, E_nmda, E_gaba, nmda_cap):
    """(sum g, sum g E) of the somatic synaptic conductances at v (NMDA gated and capped)."""
    g_n = mg_block(v) * g_nmda
    if nmda_cap > 0.0 and g_n > nmda_cap:
        g_n = nmda_cap
    g_i = g_gaba + g_tonic
    return g_ampa + g_n + g_i, g_ampa * E_ampa + g_n * E_nmda + g_i * E_gaba


def soma_step(v, u, g_sum, gE_sum, I, dt, dt_C, k, v_r, v_t, a, b):
    """Semi-implicit step of the Izhikevich soma (spec §3): (v, u) at t + dt; dt_C = dt / C."""
    dv = dt_C * (k * (v - v_r) * (v - v_t) - u + gE_sum + I)
    return (v + dv) / (1.0 + g_sum * dt_C), u + dt * a * (b * (v - v_r) - u)


def bap_on(since, first, last):
    """True if a pulse that started ``since`` steps ago covers this step (steps first+1 ... last)."""
    return first + 0.5 < since < last + 0.5


def _check_common(name, p):
    for key in ("C", "k", "tau_ampa", "tau_nmda", "tau_gaba"):
        check(f"{name}.{key}", p[key], 0.0, low_open=True)
    check(f"{name}.nmda_cap", p["nmda_cap"], 0.0)


def _check_switch(name, value):
    if value not in (0.0, 1.0):
        raise ParameterError(f"{name} = {value!r} must be 0 or 1")


class L5Pyramidal(NeuronModel):
    """Two-compartment L5 pyramidal cells (soma + apical dendrite); see the module docstring.

    ``L5Pyramidal(n, I_ext=..., I_d=..., gamma=..., g_tonic=..., g_tonic_d=...)``: scalars or
    per-neuron arrays (A, A, [0, 1], S, S). ``n_burst`` counts spikes emitted in burst mode."""

    parameters = dict(C=150e-12, k=2.5e-6, v_r=-75e-3, v_t=-45e-3, v_peak=50e-3, a=10.0, b=5e-9,
                      c=-65e-3, d=250e-12, c_burst=-55e-3, d_burst=150e-12,
                      delta_adapt=0.065e-9, tau_adapt=2.0, E_adapt=-80e-3,
                      C_d=170e-12, l_d=170e-12 / 7e-3, v_dr=-70e-3, k_d=1200e-12, p_d=2600e-12,
                      a_d=1.0 / 30e-3, b_d=-13e-9, E_d=-38e-3, D_d=6e-3, v_plateau=-30e-3,
                      bap_delay=0.5e-3, bap_width=2e-3, bap_inclusive=0.0, deterministic=0.0, **SYNAPSES)
    state_variables = dict(v="v_r", u=0.0, v_d="v_dr", u_d=0.0, I_ext=0.0, I_d=0.0, gamma=1.0,
                           g_ampa=0.0, g_nmda=0.0, g_gaba=0.0, g_tonic=0.0, g_adapt=0.0,
                           g_ampa_d=0.0, g_nmda_d=0.0, g_gaba_d=0.0, g_tonic_d=0.0,
                           burst=0.0, bap_since=1e9, bap_prev=1e9, n_burst=0.0)
    ports = dict(ampa="g_ampa", nmda="g_nmda", gaba="g_gaba",
                 ampa_d="g_ampa_d", nmda_d="g_nmda_d", gaba_d="g_gaba_d")

    def __init__(self, n, name=None, **kwargs):
        super().__init__(n, name=name, **kwargs)
        gamma = self.state["gamma"]
        for value in (gamma.min(), gamma.max()):
            check(f"{self.name}.gamma", value, 0.0, 1.0)
        for key in ("g_tonic", "g_tonic_d"):
            check(f"{self.name}.{key}", self.state[key].min(), 0.0)

    def validate(self, p):
        _check_common(self.name, p)
        for key in ("C_d", "tau_adapt", "D_d", "bap_width"):
            check(f"{self.name}.{key}", p[key], 0.0, low_open=True)
        for key in ("l_d", "delta_adapt", "bap_delay"):
            check(f"{self.name}.{key}", p[key], 0.0)
        check(f"{self.name}.c", p["c"], high=p["v_peak"], high_open=True, high_name="v_peak")
        check(f"{self.name}.c_burst", p["c_burst"], high=p["v_peak"], high_open=True, high_name="v_peak")
        _check_switch(f"{self.name}.bap_inclusive", p["bap_inclusive"])
        _check_switch(f"{self.name}.deterministic", p["deterministic"])

    def prepare(p, d, dt):
        d.dec_ampa = exp(-dt / p.tau_ampa)
        d.dec_nmda = exp(-dt / p.tau_nmda)
        d.dec_gaba = exp(-dt / p.tau_gaba)
        d.dec_adapt = exp(-dt / p.tau_adapt)
        d.dt_C = dt / p.C
        d.dt_Cd = dt / p.C_d
        d.inv_D_d = 1.0 / p.D_d
        d.bap_first = round(p.bap_delay / dt)
        d.bap_last = d.bap_first + round(p.bap_width / dt) + p.bap_inclusive

    def update(s, p, d, j, dt):
        s.g_ampa[j] *= d.dec_ampa
        s.g_nmda[j] *= d.dec_nmda
        s.g_gaba[j] *= d.dec_gaba
        s.g_adapt[j] *= d.dec_adapt
        s.g_ampa_d[j] *= d.dec_ampa
        s.g_nmda_d[j] *= d.dec_nmda
        s.g_gaba_d[j] *= d.dec_gaba
        # dendrite: forward Euler; BAP current gated by a Bernoulli draw (or scaled by gamma)
        s.bap_since[j] += 1.0
        s.bap_prev[j] += 1.0
        gamma = s.gamma[j]
        bap = 0.0
        if bap_on(s.bap_since[j], d.bap_first, d.bap_last) or bap_on(s.bap_prev[j], d.bap_first, d.bap_last):
            if p.deterministic > 0.0:
                bap = gamma * p.p_d
            elif gamma >= 1.0 or (gamma > 0.0 and rand() < gamma):  # no draw when the outcome is certain
                bap = p.p_d
        vd = s.v_d[j]
        ud = s.u_d[j]
        i_syn = (s.g_ampa_d[j] * (p.E_ampa - vd) + mg_block(vd) * s.g_nmda_d[j] * (p.E_nmda - vd)
                 + (s.g_gaba_d[j] + s.g_tonic_d[j]) * (p.E_gaba - vd))
        s.v_d[j] = vd + d.dt_Cd * (-p.l_d * (vd - p.v_dr) + p.k_d / (1.0 + exp((p.E_d - vd) * d.inv_D_d))
                                   + bap + ud + i_syn + s.I_d[j])
        s.u_d[j] = ud + dt * p.a_d * (p.b_d * (vd - p.v_dr) - ud)
        # plateau -> burst reset for a spike at the end of this step
        s.burst[j] = 0.0
        if s.v_d[j] >= p.v_plateau:
            if p.deterministic > 0.0:
                if gamma > 0.0:
                    s.burst[j] = 1.0
            elif gamma >= 1.0 or (gamma > 0.0 and rand() < gamma):
                s.burst[j] = 1.0
        # soma: semi-implicit in the conductances
        g_sum, gE_sum = somatic_synapses(s.v[j], s.g_ampa[j], s.g_nmda[j], s.g_gaba[j], s.g_tonic[j],
                                         p.E_ampa, p.E_nmda, p.E_gaba, p.nmda_cap)
        s.v[j], s.u[j] = soma_step(s.v[j], s.u[j], g_sum + s.g_adapt[j], gE_sum + s.g_adapt[j] * p.E_adapt,
                                   s.I_ext[j], dt, d.dt_C, p.k, p.v_r, p.v_t, p.a, p.b)

    def threshold(s, p, j):
        return s.v[j] >= p.v_peak

    def reset(s, p, j):
        if s.burst[j] > 0.0:
            s.v[j] = p.c_burst
            s.u[j] += p.d_burst
            s.n_burst[j] += 1.0
        else:
            s.v[j] = p.c
            s.u[j] += p.d
        s.g_adapt[j] += p.delta_adapt
        s.bap_prev[j] = s.bap_since[j]
        s.bap_since[j] = 0.0


class Interneuron(NeuronModel):
    """Single-compartment Izhikevich (2007) interneurons with somatic AMPA/NMDA/GABA_A
    conductances; defaults: PV basket cell. ``Interneuron.cell("SOM", n)`` for LTS cells."""

    parameters = dict(CELLS["PV"], **SYNAPSES)
    state_variables = dict(v="v_r", u=0.0, I_ext=0.0, g_ampa=0.0, g_nmda=0.0, g_gaba=0.0, g_tonic=0.0)
    ports = dict(ampa="g_ampa", nmda="g_nmda", gaba="g_gaba")

    @classmethod
    def cell(cls, kind, n, name=None, **kwargs):
        """``n`` cells of type ``kind`` ('PV' or 'SOM', spec §7), parameters overridable."""
        if kind not in CELLS:
            raise ParameterError(f"kind = {kind!r} must be one of {', '.join(CELLS)}")
        return cls(n, name=name or kind, **dict(CELLS[kind], **kwargs))

    def validate(self, p):
        _check_common(self.name, p)
        check(f"{self.name}.u_max", p["u_max"], 0.0)

    def prepare(p, d, dt):
        d.dec_ampa = exp(-dt / p.tau_ampa)
        d.dec_nmda = exp(-dt / p.tau_nmda)
        d.dec_gaba = exp(-dt / p.tau_gaba)
        d.dt_C = dt / p.C

    def update(s, p, d, j, dt):
        s.g_ampa[j] *= d.dec_ampa
        s.g_nmda[j] *= d.dec_nmda
        s.g_gaba[j] *= d.dec_gaba
        g_sum, gE_sum = somatic_synapses(s.v[j], s.g_ampa[j], s.g_nmda[j], s.g_gaba[j], s.g_tonic[j],
                                         p.E_ampa, p.E_nmda, p.E_gaba, p.nmda_cap)
        s.v[j], s.u[j] = soma_step(s.v[j], s.u[j], g_sum, gE_sum, s.I_ext[j], dt, d.dt_C, p.k, p.v_r, p.v_t,
                                   p.a, p.b)

    def threshold(s, p, j):
        return s.v[j] >= p.v_peak + p.peak_u * s.u[j]

    def reset(s, p, j):
        s.v[j] = p.c + p.reset_u * s.u[j]
        s.u[j] += p.d
        if p.u_max > 0.0 and s.u[j] > p.u_max:
            s.u[j] = p.u_max


def connect_glutamate(net, pre, post, pairs, weight, ampa=1.0, nmda=1.0, delay=None, dendrite=False, name=None,
                      rule=None):
    """One glutamatergic projection ``pairs`` = (pre indices, post indices) onto the AMPA and
    NMDA ports of ``post`` (``dendrite``: ``ampa_d``/``nmda_d``): a spike delivers ``ampa`` x w
    and ``nmda`` x w (S) from the one weight w (``weight``: scalar or per synapse, plastic
    with ``rule``)."""
    suffix = "_d" if dendrite else ""
    pre_idx, post_idx = (np.asarray(x) for x in pairs)
    return net.connect(pre, post, (pre_idx, post_idx), weight=weight, delay=delay,
                       port={"ampa" + suffix: ampa, "nmda" + suffix: nmda}, rule=rule, name=name)
