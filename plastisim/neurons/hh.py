"""Squid-axon Hodgkin-Huxley channels as a membrane mechanism (Hodgkin & Huxley 1952, in the
form of NEURON's ``hh``; Rallpack 3 uses them with its own leak).

    i = gbar_Na m^3 h (v - E_Na) + gbar_K n^4 (v - E_K)          (A/m^2, outward)
    dx/dt = alpha_x(v) (1 - x) - beta_x(v) x,   x = m, h, n

with v in mV and rates in 1/ms (times phi = q10^((T - 6.3 C) / 10), q10 = 3):
alpha_m = 0.1 (v + 40) / (1 - exp(-(v + 40) / 10)),  beta_m = 4 exp(-(v + 65) / 18),
alpha_h = 0.07 exp(-(v + 65) / 20),                  beta_h = 1 / (1 + exp(-(v + 35) / 10)),
alpha_n = 0.01 (v + 55) / (1 - exp(-(v + 55) / 10)), beta_n = 0.125 exp(-(v + 65) / 80).
The leak is the cell's passive membrane (``Rm``, ``E_m`` of :class:`CableCells`).

Scheme: the channel conductances at t enter the implicit cable step (the currents are linear
in v given the gates); then each gate relaxes exactly at the new v,
x -> x_inf + (x - x_inf) exp(-(alpha + beta) dt) (NEURON's ``cnexp``). Gates start at their
steady state at -65 mV (pass ``m``, ``h``, ``n`` for another start). Six exponentials per node
and step (three shared by the rate functions, see :func:`rates`), computed by
:func:`plastisim.core.vmath.exp` (within 1 ulp of the C library's, vectorisable).
"""
import math

from ..core.vmath import exp
from .mechanism import Mechanism

E_HALF, E_M3HALF = math.exp(0.5), math.exp(-1.5)


def _linoid(x, y, z, e):
    """x / (1 - e) with z = x / y and e = exp(-z): y (1 + z / 2) for |z| < 1e-6 (continuous at
    x = 0; 1/ms factor applied by the caller). Both branches are evaluated, so that the loop
    over nodes stays vectorisable."""
    return y * (1.0 + z / 2.0) if abs(z) < 1e-6 else x / (1.0 - e)


def rates(v):
    """(alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n) in 1/s at 6.3 C for v in V. Three
    exponentials: exp(-(u + 35) / 10) and exp(-(u + 55) / 10) are exp(-(u + 40) / 10) times
    e^(1/2) and e^(-3/2), exp(-(u + 65) / 20) is exp(-(u + 65) / 80)^4 (equal up to round-off;
    so are the products with 1/10, 1/18, 1/80 in place of the divisions)."""
    u = v * 1e3
    z_m, z_n = (u + 40.0) * 0.1, (u + 55.0) * 0.1
    e_m = exp(-z_m)
    e_n = exp((u + 65.0) * (-1.0 / 80.0))
    e_n2 = e_n * e_n
    return (100.0 * _linoid(u + 40.0, 10.0, z_m, e_m), 4e3 * exp((u + 65.0) * (-1.0 / 18.0)), 70.0 * (e_n2 * e_n2),
            1e3 / (1.0 + e_m * E_HALF), 10.0 * _linoid(u + 55.0, 10.0, z_n, e_m * E_M3HALF), 125.0 * e_n)


def _relax(x, a, b, dt):
    x_inf = a / (a + b)
    return x_inf + (x - x_inf) * exp(-(a + b) * dt)


_REST = rates(-65e-3)


class HH(Mechanism):
    """Hodgkin-Huxley Na and K channels. Parameters: ``gbar_Na``, ``gbar_K`` (S/m^2),
    ``E_Na``, ``E_K`` (V), ``celsius`` (C). State per node: gates ``m``, ``h``, ``n``."""

    parameters = dict(gbar_Na=1200.0, gbar_K=360.0, E_Na=50e-3, E_K=-77e-3, celsius=6.3)
    state_variables = dict(m=_REST[0] / (_REST[0] + _REST[1]), h=_REST[2] / (_REST[2] + _REST[3]),
                           n=_REST[4] / (_REST[4] + _REST[5]))

    def conductance(s, p, i, v):
        g_na = p.gbar_Na * s.m[i] ** 3 * s.h[i]
        g_k = p.gbar_K * s.n[i] ** 4
        return g_na + g_k, g_na * p.E_Na + g_k * p.E_K

    def advance(s, p, i, v, dt):
        am, bm, ah, bh, an, bn = rates(v)
        phi = 3.0 ** ((p.celsius - 6.3) / 10.0)
        s.m[i] = _relax(s.m[i], phi * am, phi * bm, dt)
        s.h[i] = _relax(s.h[i], phi * ah, phi * bh, dt)
        s.n[i] = _relax(s.n[i], phi * an, phi * bn, dt)
