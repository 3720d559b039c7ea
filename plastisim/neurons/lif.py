"""Leaky integrate-and-fire neuron with current and conductance inputs.

    C dV/dt = g_L (E_L - V) + g_e (E_e - V) + g_i (E_i - V) + I_syn + I_ext + I_bg + I_stim
              + C sigma xi(t)
    dg_e/dt = -g_e / tau_e,   dg_i/dt = -g_i / tau_i,   dI_syn/dt = -I_syn / tau_syn
    dI_bg/dt = (mu_bg - I_bg) / tau_ou + sigma_bg sqrt(2 / tau_ou) xi_bg(t)      (same for I_stim)

Units: V in V, C in F, conductances in S, currents in A, times in s, sigma in V/sqrt(s).

Input ports (weights of projections onto them): ``delta`` (A; instantaneous jump
dV = w / g_L, as in Plastic Arbor), ``current`` (A; jump of I_syn), ``exc`` and ``inh``
(S; jumps of g_e and g_i).

I_bg and I_stim are two independent Ornstein-Uhlenbeck currents per neuron (background and
stimulus; sigma_* is the stationary s.d.), set per neuron through the state arrays mu_bg,
sigma_bg, mu_stim, sigma_stim; :func:`switch_ou` turns a channel on (I := mu) or off (I := 0,
frozen). They are advanced exactly,
I <- mu + (I - mu) e^(-dt/tau_ou) + sigma sqrt(1 - e^(-2 dt/tau_ou)) N(0, 1),
and enter the step as constant currents.

Spike when V > V_th; then V = V_reset, clamped for round(t_ref/dt) steps (inputs arriving
during the clamp are lost), so the shortest interspike interval is t_ref + dt.

Written with the public neuron-model API (:class:`~plastisim.neurons.model.NeuronModel`).
With ``psc_held = 1`` I_syn is instead held constant over each step (the scheme of the
reference stand-alone STC simulator: about 2 % more charge per PSC; use one more step of
delay to match its timing as well).
Scheme: exact for current input -- constant I_ext and the exponentially decaying I_syn,
V <- V_inf + (V - V_inf) e^(-dt/tau) + I_syn/C tau tau_syn/(tau_syn - tau) (e^(-dt/tau_syn) - e^(-dt/tau))
with tau = C/g_tot; the conductances g_e, g_i are frozen over the step (exponential Euler)
and decay exactly; Euler-Maruyama for the white-noise term.
"""
import numpy as np

from ..core.errors import ParameterError
from ..core.params import check
from .membrane import switch_ou
from .model import NeuronModel


def current_response(dt, tau, decay_v, tau_syn, decay_syn):
    """V response (per unit charge density I/C) over dt to a current I e^(-t/tau_syn) starting
    at the beginning of the step, for membrane time constant tau (exact)."""
    if abs(tau_syn - tau) > 1e-9 * tau_syn:
        return tau * tau_syn / (tau_syn - tau) * (decay_syn - decay_v)
    return dt * decay_v


class LIF(NeuronModel):
    """Population of LIF neurons; parameters in SI units (see module docstring).

    ``V_init`` (or ``V``) and ``I_ext`` set the initial V and the constant current (scalar or
    per neuron). The switches ``use_ou``, ``use_syn``, ``use_cond`` compile out the OU currents,
    I_syn and the conductances when they are zero and receive no input (:meth:`flags`)."""

    parameters = dict(C=1e-9, g_L=1e-7, E_L=-65e-3, V_th=-55e-3, V_reset=-70e-3, t_ref=2e-3,
                      tau_syn=5e-3, tau_e=5e-3, tau_i=10e-3, E_e=0.0, E_i=-80e-3, sigma=0.0, tau_ou=5e-3,
                      psc_held=0.0)
    state_variables = dict(V="E_L", I_syn=0.0, g_e=0.0, g_i=0.0, I_ext=0.0, I_bg=0.0, mu_bg=0.0,
                           sigma_bg=0.0, I_stim=0.0, mu_stim=0.0, sigma_stim=0.0)
    ports = dict(delta=None, current="I_syn", exc="g_e", inh="g_i")
    refractory = "t_ref"

    def __init__(self, n, V_init=None, name=None, **kwargs):
        if V_init is not None:
            kwargs["V"] = V_init
        super().__init__(n, name=name, **kwargs)

    def validate(self, p):
        for key in ("C", "g_L", "tau_syn", "tau_e", "tau_i", "tau_ou"):
            check(f"{self.name}.{key}", p[key], 0.0, low_open=True)
        check(f"{self.name}.t_ref", p["t_ref"], 0.0)
        check(f"{self.name}.sigma", p["sigma"], 0.0)
        check(f"{self.name}.V_reset", p["V_reset"], high=p["V_th"])

    def flags(self, inputs):
        s = self.state
        nonzero = lambda *keys: any(np.any(s[key] != 0.0) for key in keys)
        return dict(use_ou=nonzero("I_bg", "mu_bg", "sigma_bg", "I_stim", "mu_stim", "sigma_stim")
                    or bool({"I_bg", "I_stim", "mu_bg", "mu_stim", "sigma_bg", "sigma_stim"} & inputs),
                    use_syn=bool({"current", "I_syn"} & inputs) or nonzero("I_syn"),
                    use_cond=bool({"exc", "inh", "g_e", "g_i"} & inputs) or nonzero("g_e", "g_i"))

    def prepare(p, d, dt):
        d.decay_syn = exp(-dt / p.tau_syn)
        d.decay_e = exp(-dt / p.tau_e)
        d.decay_i = exp(-dt / p.tau_i)
        d.decay_ou = exp(-dt / p.tau_ou)
        d.spread_ou = sqrt(1.0 - d.decay_ou * d.decay_ou)
        d.noise = p.sigma * sqrt(dt)
        d.inv_g_L = 1.0 / p.g_L
        d.decay_L = exp(-dt * p.g_L / p.C)
        d.syn_L = current_response(dt, p.C / p.g_L, d.decay_L, p.tau_syn, d.decay_syn) / p.C
        d.held_L = (1.0 - d.decay_L) / p.g_L

    def update(s, p, d, f, j, dt, refractory):
        I_const = s.I_ext[j]
        if f.use_ou:
            if s.sigma_bg[j] > 0.0 or s.I_bg[j] != s.mu_bg[j]:
                s.I_bg[j] = s.mu_bg[j] + (s.I_bg[j] - s.mu_bg[j]) * d.decay_ou + s.sigma_bg[j] * d.spread_ou * randn()
            if s.sigma_stim[j] > 0.0 or s.I_stim[j] != s.mu_stim[j]:
                s.I_stim[j] = (s.mu_stim[j] + (s.I_stim[j] - s.mu_stim[j]) * d.decay_ou
                               + s.sigma_stim[j] * d.spread_ou * randn())
            I_const += s.I_bg[j] + s.I_stim[j]
        conductance = False
        if f.use_cond:
            conductance = s.g_e[j] != 0.0 or s.g_i[j] != 0.0
        if refractory:
            s.V[j] = p.V_reset
        else:
            v = s.V[j] + s.in_delta[j] * d.inv_g_L
            if conductance:
                g_tot = p.g_L + s.g_e[j] + s.g_i[j]
                tau = p.C / g_tot
                decay_v = exp(-dt / tau)
                v_inf = (p.g_L * p.E_L + s.g_e[j] * p.E_e + s.g_i[j] * p.E_i + I_const) / g_tot
                v = v_inf + (v - v_inf) * decay_v
                if f.use_syn and p.psc_held > 0.0:
                    v += s.I_syn[j] / g_tot * (1.0 - decay_v)
                elif f.use_syn:
                    v += s.I_syn[j] * current_response(dt, tau, decay_v, p.tau_syn, d.decay_syn) / p.C
            else:
                v_inf = p.E_L + I_const * d.inv_g_L
                v = v_inf + (v - v_inf) * d.decay_L
                if f.use_syn and p.psc_held > 0.0:
                    v += s.I_syn[j] * d.held_L
                elif f.use_syn:
                    v += s.I_syn[j] * d.syn_L
            if d.noise > 0.0:
                v += d.noise * randn()
            s.V[j] = v
        if f.use_syn:
            s.I_syn[j] *= d.decay_syn
        if f.use_cond:
            s.g_e[j] *= d.decay_e
            s.g_i[j] *= d.decay_i

    def threshold(s, p, j):
        return s.V[j] > p.V_th

    def reset(s, p, j):
        s.V[j] = p.V_reset

    @property
    def tau_m(self):
        """Membrane time constant C/g_L (s)."""
        return self.params["C"] / self.params["g_L"]

    def switch_ou(self, channel, indices, mu=0.0, sigma=0.0):
        """Turn OU ``channel`` ('bg' or 'stim') of ``indices`` (neuron indices or a slice) on
        (I := mu; mu, sigma in A) or, with mu = sigma = 0, off (I := 0, frozen)."""
        if channel not in ("bg", "stim"):
            raise ParameterError(f"channel = {channel!r} must be 'bg' or 'stim'")
        switch_ou(self, (f"I_{channel}", f"mu_{channel}", f"sigma_{channel}"), indices, mu, sigma)
