"""Izhikevich's simple model, 2007 form with physical units.

Izhikevich E.M. *Dynamical Systems in Neuroscience*, MIT Press (2007), ch. 8 (eqs. 8.5-8.6):

    C dv/dt = k (v - v_r)(v - v_t) - u + I
      du/dt = a (b (v - v_r) - u)
    if v >= v_peak:  v <- c,  u <- u + d

Units here (SI): v, v_r, v_t, v_peak, c in V; C in F; k in A/V^2 (the book's nS/mV:
1 nS/mV = 1e-6 A/V^2); u, d, I in A; a in 1/s; b in S. Defaults: the book's regular-spiking
(RS) cortical pyramidal cell, C = 100 pF, k = 0.7 nS/mV, v_r = -60 mV, v_t = -40 mV,
v_peak = 35 mV, a = 0.03 /ms, b = -2 nS, c = -50 mV, d = 100 pA. Parameters are per
population; state: v (default v_r), u (default 0), I_ext (A, constant current per neuron).

Input port ``current`` (A): the weight is added to I for one time step (as in Izhikevich's
networks, which use 1-ms steps); its effect on v is w dt / C, so weights scale with 1/dt.

Integration: forward Euler on v and u at the network dt (u from the v at the start of the
step); the threshold is tested after the step. Use dt <= 0.1 ms (first-order scheme).
"""
from ..core.params import check
from .model import NeuronModel


class Izhikevich2007(NeuronModel):
    """Population of Izhikevich (2007) neurons; SI units (see module docstring)."""

    parameters = dict(C=100e-12, k=0.7e-6, v_r=-60e-3, v_t=-40e-3, v_peak=35e-3, a=30.0,
                      b=-2e-9, c=-50e-3, d=100e-12)
    state_variables = dict(v="v_r", u=0.0, I_ext=0.0)
    ports = dict(current=None)

    def validate(self, p):
        check(f"{self.name}.C", p["C"], 0.0, low_open=True)
        check(f"{self.name}.k", p["k"], 0.0, low_open=True)
        check(f"{self.name}.c", p["c"], high=p["v_peak"])

    def prepare(p, d, dt):
        d.dt_C = dt / p.C

    def update(s, p, d, j, dt):
        v = s.v[j]
        u = s.u[j]
        s.v[j] = v + d.dt_C * (p.k * (v - p.v_r) * (v - p.v_t) - u + s.I_ext[j] + s.in_current[j])
        s.u[j] = u + dt * p.a * (p.b * (v - p.v_r) - u)

    def threshold(s, p, j):
        return s.v[j] >= p.v_peak

    def reset(s, p, j):
        s.v[j] = p.c
        s.u[j] += p.d
