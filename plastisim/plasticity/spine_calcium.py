"""Calcium-threshold plasticity of a spine fed by its own synaptic current (Plastic Arbor
section 4, Eqs. 13-15; spec section 4.1).

A presynaptic spike adds I0 to the synapse's current, which decays with tau_I:
I(t) = sum_k I0 exp(-(t - t_k) / tau_I). A fraction gamma of it is carried by Ca2+ into the
node of the synapse's site (the spine head), scaled by the weight:

    influx = w gamma I / (z F)        (mol/s; z = 2, F = 96485.309 C/mol)

(the amount of one step, the exact charge of the decaying current over it:
w gamma I tau_I (1 - exp(-dt / tau_I)) / (z F)) and the weight follows the calcium
concentration C of that node:

    dw/dt = gamma_p (1 - w) [C > theta_p] - gamma_d w [C > theta_d]

Scheme: per step, C is read at the start of the step and held; w is integrated exactly over
the step (a linear ODE: w -> w_inf + (w - w_inf) exp(-(a + b) dt), a = gamma_p [C > theta_p],
b = gamma_d [C > theta_d], w_inf = a / (a + b)); I then decays by exp(-dt / tau_I). The rule needs a site with a species ``Ca`` (``connect(..., site=...)``).
"""
from ..core.params import check
from .rule import Rule

FARADAY = 96485.309  # C/mol


class SpineCalcium(Rule):
    """Parameters (SI): ``I0`` (A), ``tau_I`` (s), ``gamma`` (Ca2+ fraction of the current),
    ``z`` (valence), ``gamma_p``, ``gamma_d`` (1/s), ``theta_p``, ``theta_d`` (mol/m^3).
    Synapse state: ``w`` (dimensionless, in [0, 1]), ``I`` (A)."""

    parameters = dict(I0=4e-12, tau_I=1e-3, gamma=0.11, z=2.0, gamma_p=9e4, gamma_d=10.0,
                      theta_p=0.11e-3, theta_d=0.05e-3)
    synapse_state = dict(I=0.0)

    def validate(self, params):
        for name in ("I0", "gamma", "gamma_p", "gamma_d", "theta_p", "theta_d"):
            check(f"SpineCalcium.{name}", params[name], 0.0)
        for name in ("tau_I", "z"):
            check(f"SpineCalcium.{name}", params[name], 0.0, low_open=True)

    def on_pre(s, p, k):
        s.I[k] += p.I0

    def on_step(s, p, site, k, dt):
        c = site.Ca[k]
        a = p.gamma_p if c > p.theta_p else 0.0
        b = p.gamma_d if c > p.theta_d else 0.0
        if a + b > 0.0:
            w_inf = a / (a + b)
            s.w[k] = w_inf + (s.w[k] - w_inf) * exp(-(a + b) * dt)
        kept = exp(-dt / p.tau_I)
        site.Ca_in[k] += s.w[k] * p.gamma * s.I[k] * p.tau_I * (1.0 - kept) / (p.z * FARADAY)
        s.I[k] *= kept

