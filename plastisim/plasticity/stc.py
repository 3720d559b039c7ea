"""Synaptic tagging and capture: calcium-driven early phase, PRP-dependent late phase
(Luboeinski & Tetzlaff 2021; Plastic Arbor Eqs. 16-21; spec plastic_arbor.md section 5.1).

    total weight   w = h + h0 z                                                    (V)
    early phase    tau_h dh/dt = 0.1 (h0 - h) + gamma_p (h_upper - h) H(c - theta_p)
                                 - gamma_d h H(c - theta_d) + sigma_pl sqrt(tau_h (H_p + H_d)) Gamma
    calcium        dc/dt = -c/tau_c + c_pre sum delta(t - t_pre - t_c_delay) + c_post sum delta(t - t_post)
    late phase     tau_z dz/dt = p f_int (1 - z) H(h - h0 - theta_tag) - p f_int (z + 0.5) H(h0 - h - theta_tag)
    PRP (neuron)   tau_p dp/dt = -p + p_max H(sum_synapses |h - h0| - theta_pro)          (mol/m^3)

Units: h, h0, h_upper, sigma_pl, theta_tag, theta_pro in V; times in s; p, p_max in mol/m^3
(10 umol/l = 10e-3 mol/m^3); f_int in m^3/mol (0.1 l/umol = 100 m^3/mol); R_mem in ohm.

The synapse delivers the current weight w / R_mem (A) to an exponential current port
(psp of w volts through the membrane resistance, spec 5.1).

Scheme (clock driven, also valid with the long fast-forward step): with the threshold
indicators frozen over a step, h follows a linear SDE whose Ornstein-Uhlenbeck step is exact
(mean and variance) -- or, with ``euler = 1``, the Euler-Maruyama step of the paper; calcium decays exactly; z and p are advanced exactly for p and the tags
frozen over the step. The neuron sum is accumulated by the synapses in ``on_step`` and used by
``on_neuron_step`` in the same step.
"""
from ..core.params import check
from ..neurons.mechanism import Mechanism
from .rule import Rule

H0 = 4.20075e-3  # V, = 0.5 * 10 mV * gamma_p / (gamma_p + gamma_d)


class STC(Rule):
    """Early/late-phase rule with synaptic tagging and capture; SI units (V, s, mol/m^3)."""

    parameters = dict(h0=H0, h_upper=10e-3, t_c_delay=18.8e-3, c_pre=1.0, c_post=0.2758,
                      tau_c=48.8e-3, tau_h=688.4, tau_p=3600.0, tau_z=3600.0, gamma_p=1645.6,
                      gamma_d=313.1, theta_p=3.0, theta_d=1.2, sigma_pl=2.90436e-3, p_max=10e-3,
                      theta_pro=0.5 * H0, theta_tag=0.2 * H0, f_int=100.0, R_mem=10e6, euler=0.0)
    synapse_state = dict(h="h0", z=0.0, c=0.0)
    neuron_state = dict(p=0.0, S=0.0)
    delayed_pre = "t_c_delay"

    def validate(self, params):
        for key in ("tau_c", "tau_h", "tau_p", "tau_z", "R_mem"):
            check(key, params[key], 0.0, low_open=True)
        for key in ("gamma_p", "gamma_d", "sigma_pl", "p_max", "f_int", "c_pre", "c_post"):
            check(key, params[key], 0.0)

    def on_pre_delayed(s, p, k):
        s.c[k] += p.c_pre

    def on_post(s, p, k):
        s.c[k] += p.c_post

    def on_step(s, p, n, k, j, dt):
        c = s.c[k]
        h = s.h[k]
        z = s.z[k]
        on_p = 1.0 if c >= p.theta_p else 0.0
        on_d = 1.0 if c >= p.theta_d else 0.0
        b = 0.1 + p.gamma_p * on_p + p.gamma_d * on_d
        h_inf = (0.1 * p.h0 + p.gamma_p * p.h_upper * on_p) / b
        if p.euler > 0.0:  # Euler-Maruyama (independent check of the exact step)
            h_new = h + (h_inf - h) * b * dt / p.tau_h
            if on_p + on_d > 0.0:
                h_new += p.sigma_pl * sqrt((on_p + on_d) * dt / p.tau_h) * randn()
        else:
            decay = exp(-b * dt / p.tau_h)
            h_new = h_inf + (h - h_inf) * decay
            if on_p + on_d > 0.0:
                h_new += p.sigma_pl * sqrt((on_p + on_d) * (1.0 - decay * decay) / (2.0 * b)) * randn()
        capture = exp(-n.p[j] * p.f_int * dt / p.tau_z)
        if h - p.h0 >= p.theta_tag:
            z = 1.0 - (1.0 - z) * capture
        elif p.h0 - h >= p.theta_tag:
            z = -0.5 + (z + 0.5) * capture
        s.h[k] = h_new
        s.z[k] = z
        s.c[k] = c * exp(-dt / p.tau_c)
        s.w[k] = (h_new + p.h0 * z) / p.R_mem
        n.S[j] += fabs(h_new - p.h0)

    def on_neuron_step(n, p, j, dt):
        target = p.p_max if n.S[j] >= p.theta_pro else 0.0
        n.p[j] = target + (n.p[j] - target) * exp(-dt / p.tau_p)
        n.S[j] = 0.0


class STCEvent(STC):
    """Event-driven form of :class:`STC` for large networks (same equations and parameters).

    Each synapse is advanced only at its own events (presynaptic calcium arrival, postsynaptic
    spike) and on synchronisation: calcium decays exactly and its threshold-crossing times are
    known in closed form, c0 e^(-u/tau_c) = theta; on each segment between crossings h takes one
    exact Ornstein-Uhlenbeck step; below both thresholds h relaxes exactly and the tag is kept
    until h - h0 crosses +-theta_tag (closed form); z is advanced exactly with the neuron's PRP
    p frozen over the interval. The neuron sum S = sum |h - h0| is updated incrementally with
    each synapse's h at its last event (h drifts on the 1.9-h scale between events); p follows
    tau_p dp/dt = -p + p_max H(S - theta_pro) every step. A synapse is brought up to date
    (``advance``) before its weight is delivered, so it transmits its current weight.

    On compartmental cells with species ``sps`` and ``p`` (flag ``fields``) the neuron-level S
    and p become fields (spec 7.5): each synapse adds the change of its |h - h0| to the SPS
    amount of its compartment and reads the PRP concentration there; the synthesis is the
    mechanism :class:`PRPSynthesis`.
    """

    synapse_state = dict(STC.synapse_state, t_last=0.0)
    on_step = None

    def validate(self, params):
        super().validate(params)
        check("theta_p", params["theta_p"], params["theta_d"])

    def flags(self, post):
        species = {sp.name for sp in getattr(post, "species", ())}
        return {"fields": {"p", "sps"} <= species}

    def advance(s, p, n, site, f, k, j, t):
        total = t - s.t_last[k]
        if total <= 0.0:
            return
        c0 = s.c[k]
        h = s.h[k]
        z = s.z[k]
        h_before = h
        rate_z = (site.p[k] if f.fields else n.p[j]) * p.f_int / p.tau_z
        calm = total
        if c0 >= p.theta_d:  # supra-threshold segments: both thresholds, then depression only
            u_p = min(p.tau_c * log(c0 / p.theta_p), total) if c0 >= p.theta_p else 0.0
            u_d = min(p.tau_c * log(c0 / p.theta_d), total)
            calm = total - u_d
            for segment in range(2):
                on_p = 1.0 - segment
                length = u_p if segment == 0 else u_d - u_p
                if length <= 0.0:
                    continue
                if rate_z > 0.0:
                    if h - p.h0 >= p.theta_tag:
                        z = 1.0 - (1.0 - z) * exp(-rate_z * length)
                    elif p.h0 - h >= p.theta_tag:
                        z = -0.5 + (z + 0.5) * exp(-rate_z * length)
                b = 0.1 + p.gamma_p * on_p + p.gamma_d
                h_inf = (0.1 * p.h0 + p.gamma_p * p.h_upper * on_p) / b
                decay = exp(-b * length / p.tau_h)
                h = h_inf + (h - h_inf) * decay
                h += p.sigma_pl * sqrt((on_p + 1.0) * (1.0 - decay * decay) / (2.0 * b)) * randn(segment)
        if c0 > 0.0:
            s.c[k] = c0 * exp(-total / p.tau_c)
        if calm > 0.0:  # below both thresholds: exact relaxation, tag kept until |h - h0| < theta_tag
            distance = fabs(h - p.h0)
            if rate_z > 0.0 and distance >= p.theta_tag:
                tagged = min(calm, p.tau_h / 0.1 * log(distance / p.theta_tag))
                if h > p.h0:
                    z = 1.0 - (1.0 - z) * exp(-rate_z * tagged)
                else:
                    z = -0.5 + (z + 0.5) * exp(-rate_z * tagged)
            h = p.h0 + (h - p.h0) * exp(-0.1 * calm / p.tau_h)
        if f.fields:
            site.sps_in[k] += fabs(h - p.h0) - fabs(h_before - p.h0)
        else:
            n.S[j] += fabs(h - p.h0) - fabs(h_before - p.h0)
        s.h[k] = h
        s.z[k] = z
        s.t_last[k] = t
        s.w[k] = (h + p.h0 * z) / p.R_mem

    def on_neuron_step(n, p, f, j, dt):
        if not f.fields:
            target = p.p_max if n.S[j] >= p.theta_pro else 0.0
            n.p[j] = target + (n.p[j] - target) * exp(-dt / p.tau_p)


class PRPSynthesis(Mechanism):
    """PRP synthesis in one compartment of each cell (point mechanism; Plastic Arbor Eq. 23,
    spec 7.5): while the SPS concentration there is at least theta_pro / V_tot, PRP is added at
    p_max V_tot / tau_p (mol/s). With fast diffusion and decay tau_p (species ``p``) the mean
    PRP of a cell of volume V_tot then follows tau_p dp/dt = -p + p_max H(S - theta_pro), the
    single-compartment equation of :class:`STCEvent`. Needs the species ``sps`` and ``p``;
    runs with the fields (also during fast-forward), one step after the synapses' SPS input.
    Parameters: ``p_max`` (mol/m^3), ``tau_p`` (s), ``theta_pro`` (V), ``V_tot`` (m^3)."""

    parameters = dict(p_max=10e-3, tau_p=3600.0, theta_pro=0.5 * H0, V_tot=1e-15)
    point = True

    def validate(self, params):
        for key in ("tau_p", "V_tot"):
            check(f"{self.name}.{key}", params[key], 0.0, low_open=True)

    def react(s, p, i, node, dt):
        if node.sps[i] >= p.theta_pro / p.V_tot:
            node.p_in[i] += p.p_max * p.V_tot / p.tau_p * dt
