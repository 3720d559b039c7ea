"""Adaptive exponential integrate-and-fire neuron (AdEx).

Brette R., Gerstner W. "Adaptive exponential integrate-and-fire model as an effective
description of neuronal activity", J. Neurophysiol. 94:3637 (2005):

    C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T) / Delta_T) - w + I
    tau_w dw/dt = a (V - E_L) - w
    if V >= V_peak:  V <- V_r,  w <- w + b

with I = I_ext + g_e (E_e - V) + g_i (E_i - V) (conductance inputs, optional) and
dg_e/dt = -g_e / tau_e, dg_i/dt = -g_i / tau_i.

Units (SI): V, E_L, V_T, Delta_T, V_r, V_peak, E_e, E_i in V; C in F; g_L, a, g_e, g_i in S;
w, b, I_ext in A; tau_w, tau_e, tau_i, t_ref in s. Defaults: the paper's cortical pyramidal
cell, C = 281 pF, g_L = 30 nS, E_L = -70.6 mV, V_T = -50.4 mV, Delta_T = 2 mV,
tau_w = 144 ms, a = 4 nS, b = 80.5 pA, V_r = E_L. The exponential term makes V diverge in
finite time; the spike is registered when V reaches the cut-off V_peak (default 20 mV; any
value a few Delta_T above V_T gives nearly the same spike times, V_T + 5 Delta_T is common).

Input ports: ``exc`` and ``inh`` (S; jumps of g_e and g_i, compiled out when unused) and
``current`` (A; added to I for one time step, effect w dt / C on V).

Optional refractory period t_ref (default 0): after a spike V is held at V_r for
round(t_ref/dt) steps while w keeps evolving.

Integration: forward Euler on V and w at the network dt (w from the V at the start of the
step); the conductances decay exactly (g <- g e^(-dt/tau)) after being used in the step.
The threshold is tested after the step.
"""
import numpy as np

from ..core.params import check
from .model import NeuronModel


class AdEx(NeuronModel):
    """Population of AdEx neurons; SI units (see module docstring)."""

    parameters = dict(C=281e-12, g_L=30e-9, E_L=-70.6e-3, V_T=-50.4e-3, Delta_T=2e-3, tau_w=144e-3,
                      a=4e-9, b=80.5e-12, V_r=-70.6e-3, V_peak=20e-3, t_ref=0.0,
                      tau_e=5e-3, tau_i=10e-3, E_e=0.0, E_i=-80e-3)
    state_variables = dict(V="E_L", w=0.0, I_ext=0.0, g_e=0.0, g_i=0.0)
    ports = dict(exc="g_e", inh="g_i", current=None)
    refractory = "t_ref"

    def validate(self, p):
        for key in ("C", "g_L", "Delta_T", "tau_w", "tau_e", "tau_i"):
            check(f"{self.name}.{key}", p[key], 0.0, low_open=True)
        check(f"{self.name}.t_ref", p["t_ref"], 0.0)
        check(f"{self.name}.V_r", p["V_r"], high=p["V_peak"])

    def flags(self, inputs):
        s = self.state
        return dict(use_cond=bool({"exc", "inh", "g_e", "g_i"} & inputs)
                    or bool(np.any(s["g_e"] != 0.0) or np.any(s["g_i"] != 0.0)))

    def prepare(p, d, dt):
        d.dt_C = dt / p.C
        d.dt_tau_w = dt / p.tau_w
        d.decay_e = exp(-dt / p.tau_e)
        d.decay_i = exp(-dt / p.tau_i)

    def update(s, p, d, f, j, dt, refractory):
        V = s.V[j]
        I = s.I_ext[j] + s.in_current[j]
        if f.use_cond:
            I += s.g_e[j] * (p.E_e - V) + s.g_i[j] * (p.E_i - V)
            s.g_e[j] *= d.decay_e
            s.g_i[j] *= d.decay_i
        if refractory:
            s.V[j] = p.V_r
        else:
            s.V[j] = V + d.dt_C * (-p.g_L * (V - p.E_L) + p.g_L * p.Delta_T * exp((V - p.V_T) / p.Delta_T)
                                   - s.w[j] + I)
        s.w[j] += d.dt_tau_w * (p.a * (V - p.E_L) - s.w[j])

    def threshold(s, p, j):
        return s.V[j] >= p.V_peak

    def reset(s, p, j):
        s.V[j] = p.V_r
        s.w[j] += p.b

    def rheobase(self):
        """Smallest constant current (A) without a stable resting state (a = 0 or not):
        (g_L + a)(V_T - E_L - Delta_T + Delta_T ln(1 + a / g_L))."""
        p = self.params
        return (p["g_L"] + p["a"]) * (p["V_T"] - p["E_L"] - p["Delta_T"]
                                      + p["Delta_T"] * np.log(1 + p["a"] / p["g_L"]))
