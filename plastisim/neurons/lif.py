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

Scheme: exact for current input -- constant I_ext and the exponentially decaying I_syn,
V <- V_inf + (V - V_inf) e^(-dt/tau) + I_syn/C tau tau_syn/(tau_syn - tau) (e^(-dt/tau_syn) - e^(-dt/tau))
with tau = C/g_tot; the conductances g_e, g_i are frozen over the step (exponential Euler)
and decay exactly; Euler-Maruyama for the white-noise term.
"""
import math

import numpy as np
from numba import njit

from ..core.errors import ParameterError
from ..core.network import Population
from ..core.params import check
from ..core.rng import normal, normal_pair


@njit(cache=True, inline="always")
def _current_response(dt, tau, decay_v, tau_syn, decay_syn):
    """V response (per unit charge density I/C) over dt to a current I e^(-t/tau_syn) starting
    at the beginning of the step, for membrane time constant tau (exact)."""
    if abs(tau_syn - tau) > 1e-9 * tau_syn:
        return tau * tau_syn / (tau_syn - tau) * (decay_syn - decay_v)
    return dt * decay_v


@njit(cache=True)
def lif_step(step, dt, seed, stream, V, refr, I_syn, g_e, g_i, I_ext,
             in_delta, in_current, in_exc, in_inh, I_bg, mu_bg, sigma_bg, I_stim, mu_stim, sigma_stim,
             C, g_L, E_L, V_th, V_reset, t_ref, tau_syn, tau_e, tau_i, E_e, E_i, sigma, tau_ou,
             use_ou, use_syn, use_cond, spikes):
    """One step of every neuron. ``use_ou``, ``use_syn``, ``use_cond`` (see :meth:`LIF.modes`)
    skip the OU currents, I_syn and the conductances when they are zero and receive no input."""
    n_ref = int(round(t_ref / dt))
    decay_syn = math.exp(-dt / tau_syn)
    decay_e = math.exp(-dt / tau_e)
    decay_i = math.exp(-dt / tau_i)
    decay_ou = math.exp(-dt / tau_ou)
    spread_ou = math.sqrt(1.0 - decay_ou * decay_ou)
    noise = sigma * math.sqrt(dt)
    inv_g_L = 1.0 / g_L
    tau_L = C / g_L  # without conductance input (the common case) the factors are shared
    decay_L = math.exp(-dt / tau_L)
    syn_L = _current_response(dt, tau_L, decay_L, tau_syn, decay_syn) / C
    nspk = 0
    # the OU noise of neurons 2m and 2m + 1 is one normal pair (m_* = m of the pair in xi_*)
    xi_bg, m_bg, xi_stim, m_stim = (0.0, 0.0), -1, (0.0, 0.0), -1
    for j in range(V.shape[0]):
        I_const = I_ext[j]
        if use_ou:
            if sigma_bg[j] > 0.0 or I_bg[j] != mu_bg[j]:
                if j >> 1 != m_bg:
                    xi_bg, m_bg = normal_pair(seed, stream, j >> 1, step, 1), j >> 1
                I_bg[j] = (mu_bg[j] + (I_bg[j] - mu_bg[j]) * decay_ou
                           + sigma_bg[j] * spread_ou * xi_bg[j & 1])
            if sigma_stim[j] > 0.0 or I_stim[j] != mu_stim[j]:
                if j >> 1 != m_stim:
                    xi_stim, m_stim = normal_pair(seed, stream, j >> 1, step, 2), j >> 1
                I_stim[j] = (mu_stim[j] + (I_stim[j] - mu_stim[j]) * decay_ou
                             + sigma_stim[j] * spread_ou * xi_stim[j & 1])
            I_const += I_bg[j] + I_stim[j]
        if use_syn:
            I_syn[j] += in_current[j]
            in_current[j] = 0.0
        conductance = False
        if use_cond:
            g_e[j] += in_exc[j]
            g_i[j] += in_inh[j]
            in_exc[j] = 0.0
            in_inh[j] = 0.0
            conductance = g_e[j] != 0.0 or g_i[j] != 0.0
        if refr[j] > 0:
            refr[j] -= 1
            V[j] = V_reset
        else:
            v = V[j] + in_delta[j] * inv_g_L
            if conductance:
                g_tot = g_L + g_e[j] + g_i[j]
                tau = C / g_tot
                decay_v = math.exp(-dt / tau)
                v_inf = (g_L * E_L + g_e[j] * E_e + g_i[j] * E_i + I_const) / g_tot
                v = v_inf + (v - v_inf) * decay_v
                if use_syn:
                    v += I_syn[j] * _current_response(dt, tau, decay_v, tau_syn, decay_syn) / C
            else:
                v_inf = E_L + I_const * inv_g_L
                v = v_inf + (v - v_inf) * decay_L
                if use_syn:
                    v += I_syn[j] * syn_L
            if noise > 0.0:
                v += noise * normal(seed, stream, j, step, 0)
            if v > V_th:
                spikes[nspk] = j
                nspk += 1
                v = V_reset
                refr[j] = n_ref
            V[j] = v
        in_delta[j] = 0.0
        if use_syn:
            I_syn[j] *= decay_syn
        if use_cond:
            g_e[j] *= decay_e
            g_i[j] *= decay_i
    return nspk


class LIF(Population):
    """Population of LIF neurons; parameters in SI units (see module docstring)."""

    kernel = lif_step
    state_names = ("V", "refr", "I_syn", "g_e", "g_i", "I_ext",
                   "in_delta", "in_current", "in_exc", "in_inh",
                   "I_bg", "mu_bg", "sigma_bg", "I_stim", "mu_stim", "sigma_stim")
    param_names = ("C", "g_L", "E_L", "V_th", "V_reset", "t_ref", "tau_syn", "tau_e", "tau_i",
                   "E_e", "E_i", "sigma", "tau_ou")
    ports = ("delta", "current", "exc", "inh")
    defaults = dict(C=1e-9, g_L=1e-7, E_L=-65e-3, V_th=-55e-3, V_reset=-70e-3, t_ref=2e-3,
                    tau_syn=5e-3, tau_e=5e-3, tau_i=10e-3, E_e=0.0, E_i=-80e-3, sigma=0.0, tau_ou=5e-3)

    def __init__(self, n, V_init=None, I_ext=0.0, name=None, **params):
        super().__init__(n, name=name, **params)
        p = self.params
        for key in ("C", "g_L", "tau_syn", "tau_e", "tau_i", "tau_ou"):
            check(f"{self.name}.{key}", p[key], 0.0, low_open=True)
        check(f"{self.name}.t_ref", p["t_ref"], 0.0)
        check(f"{self.name}.sigma", p["sigma"], 0.0)
        check(f"{self.name}.V_reset", p["V_reset"], high=p["V_th"])
        self.state["V"][:] = self.array("V_init", p["E_L"] if V_init is None else V_init)
        self.state["I_ext"][:] = self.array("I_ext", I_ext)
        self.state["refr"] = np.zeros(self.n, dtype=np.int64)

    def modes(self, ports):
        """(use_ou, use_syn, use_cond): whether the OU currents, I_syn and the conductances
        must be integrated, given the input ``ports`` that receive spikes in the network."""
        s = self.state
        nonzero = lambda *keys: any(np.any(s[key] != 0.0) for key in keys)
        return (nonzero("I_bg", "mu_bg", "sigma_bg", "I_stim", "mu_stim", "sigma_stim"),
                "current" in ports or nonzero("I_syn", "in_current"),
                bool({"exc", "inh"} & set(ports)) or nonzero("g_e", "g_i", "in_exc", "in_inh"))

    @property
    def tau_m(self):
        """Membrane time constant C/g_L (s)."""
        return self.params["C"] / self.params["g_L"]

    def switch_ou(self, channel, indices, mu=0.0, sigma=0.0):
        """Turn OU ``channel`` ('bg' or 'stim') of ``indices`` on (I := mu; mu, sigma in A) or,
        with mu = sigma = 0, off (I := 0, frozen)."""
        if channel not in ("bg", "stim"):
            raise ParameterError(f"channel = {channel!r} must be 'bg' or 'stim'")
        check(f"{self.name}.sigma_{channel}", sigma, 0.0)
        self.state[f"I_{channel}"][indices] = check(f"{self.name}.mu_{channel}", mu)
        self.state[f"mu_{channel}"][indices] = mu
        self.state[f"sigma_{channel}"][indices] = sigma
