"""Izhikevich's simple model, 2003 form.

Izhikevich E.M. "Simple model of spiking neurons", IEEE Trans. Neural Netw. 14:1569 (2003):

    dv/dt = 0.04 v^2 + 5 v + 140 - u + I        (v in mV, t in ms)
    du/dt = a (b v - u)
    if v >= 30 mV:  v <- c,  u <- u + d

SI form used here (v in V, t in s). 1 mV/ms = 1 V/s, so u and I keep the paper's numbers in
V/s (the units of dv/dt), and

    dv/dt = 4e4 v^2 + 5e3 v + 140 - u + I + sigma xi(t)     (4e4 = 0.04 /(mV ms) in 1/(V s),
    du/dt = a (b v - u)                                       5e3 = 5 /ms in 1/s, 140 V/s)
    spike when v >= v_peak (30e-3 V):  v <- c,  u <- u + d

Parameters (per neuron, state arrays, so a network can be heterogeneous as in the paper):
a (1/s; paper 0.02 /ms = 20 /s), b (1/s; 0.2 /ms = 200 /s), c (V; -65 mV = -0.065 V),
d (V/s; paper 8 = 8 V/s); the paper's published sets: RS a=0.02, b=0.2, c=-65, d=8;
IB c=-55, d=4; CH c=-50, d=2; FS a=0.1, d=2; LTS b=0.25 (others as RS) -- see :data:`PRESETS`
(already in SI). Per population: v_peak (V), sigma (V/sqrt(s), white-noise input).
State: v (default c), u (default b v), I_ext (V/s, constant input current per neuron).

Input port ``current`` (V/s): the weight is added to I for one time step only, as in
Izhikevich's networks (spnet/net.m: I(post) += S(post, pre) at the step after the spike, with a
1-ms step). The effect on v is w dt, so a weight S (mV/ms) of a 1-ms-step network corresponds
to w = S (1 ms / dt) V/s at step dt. Under forward Euler this is exactly a jump of v by w dt
applied with the step.

Integration: forward Euler on v and u at the network dt (u from the v at the start of the
step); Euler-Maruyama for the noise (v += sigma sqrt(dt) N(0, 1)). Izhikevich's own code
advances v in two half steps of 0.5 ms with one 1-ms step of u; that is a numerical artefact of
the published code, not part of the model, and is not reproduced (use a small dt instead: at
dt = 0.1 ms the five published types under I = 10 fire the same patterns as at 0.01 ms, with
interspike intervals within ~5 %). The threshold is tested after the step.
"""

from ..core.params import check
from .model import NeuronModel

K2 = 4e4    # 0.04 / (mV ms) in 1 / (V s)
K1 = 5e3    # 5 / ms in 1 / s
K0 = 140.0  # 140 mV/ms in V/s

# The published parameter sets of Izhikevich (2003), Fig. 2, in SI units.
PRESETS = {
    "RS": dict(a=20.0, b=200.0, c=-65e-3, d=8.0),
    "IB": dict(a=20.0, b=200.0, c=-55e-3, d=4.0),
    "CH": dict(a=20.0, b=200.0, c=-50e-3, d=2.0),
    "FS": dict(a=100.0, b=200.0, c=-65e-3, d=2.0),
    "LTS": dict(a=20.0, b=250.0, c=-65e-3, d=8.0),
}


class Izhikevich(NeuronModel):
    """Population of Izhikevich (2003) neurons; SI units (see module docstring).

    ``Izhikevich(n, a=..., b=..., c=..., d=..., v=..., u=..., I_ext=...)`` with scalars or
    per-neuron arrays; ``Izhikevich.preset("RS", n)`` builds a published cell type. ``u``
    defaults to ``b * v``."""

    parameters = dict(v_peak=30e-3, sigma=0.0)
    state_variables = dict(a=20.0, b=200.0, c=-65e-3, d=8.0, v=0.0, u=0.0, I_ext=0.0)
    ports = dict(current=None)

    def __init__(self, n, name=None, **kwargs):
        given_v, given_u = kwargs.pop("v", None), kwargs.pop("u", None)
        super().__init__(n, name=name, **kwargs)
        s = self.state
        s["v"][:] = s["c"] if given_v is None else given_v
        s["u"][:] = s["b"] * s["v"] if given_u is None else given_u

    @classmethod
    def preset(cls, kind, n, name=None, **kwargs):
        """``n`` neurons of the published type ``kind`` ('RS', 'IB', 'CH', 'FS', 'LTS')."""
        return cls(n, name=name, **dict(PRESETS[kind], **kwargs))

    def validate(self, p):
        check(f"{self.name}.sigma", p["sigma"], 0.0)

    def prepare(p, d, dt):
        d.noise = p.sigma * sqrt(dt)

    def update(s, p, d, j, dt):
        v = s.v[j]
        u = s.u[j]
        s.v[j] = v + dt * (K2 * v * v + K1 * v + K0 - u + s.I_ext[j] + s.in_current[j])
        if d.noise > 0.0:
            s.v[j] += d.noise * randn()
        s.u[j] = u + dt * s.a[j] * (s.b[j] * v - u)

    def threshold(s, p, j):
        return s.v[j] >= p.v_peak

    def reset(s, p, j):
        s.v[j] = s.c[j]
        s.u[j] += s.d[j]
