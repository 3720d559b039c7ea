"""Analytic solutions of the passive cable equation (for validation).

Finite cylinder of length L and diameter d with sealed ends (no axial current at x = 0, L),
at rest (V = E_m) for t < 0, current I0 injected at x = 0 from t = 0 on:

    tau dV/dt = lambda^2 d^2V/dx^2 - (V - E_m),    -(1/r_a) dV/dx(0, t) = I0,   dV/dx(L, t) = 0

with tau = R_m C_m, lambda = sqrt(R_m d / (4 R_a)), r_a = 4 R_a / (pi d^2) (ohm/m) and
r_m = R_m / (pi d) (ohm m). Expanding in the eigenfunctions cos(n pi x / L) (Rall 1969;
Jack, Noble & Tsien 1975, ch. 3), with alpha_n = n pi lambda / L and eps_0 = 1, eps_n = 2:

    V(x, t) - E_m = V_ss(x) - I0 r_m / L sum_n eps_n cos(n pi x / L) exp(-(1 + alpha_n^2) t / tau)
                                                       / (1 + alpha_n^2)
    V_ss(x) = I0 r_a lambda cosh((L - x) / lambda) / sinh(L / lambda)

The steady part is summed in closed form, so the series (of the transient only) converges
exponentially for t > 0; terms are added until exp(-(1 + alpha_n^2) t / tau) < 1e-17 relative.
"""
import numpy as np

from ..core.errors import ParameterError
from ..core.params import check


def sealed_cable(x, t, length, diameter, I0, Rm, Ra, Cm, E_m=0.0, max_terms=200_000):
    """V (V) of the sealed finite cable above at positions ``x`` (m, array) and times ``t``
    (s, array); returns shape (len(t), len(x)). SI units throughout."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    t = np.atleast_1d(np.asarray(t, dtype=float))
    L = check("length", length, 0.0, low_open=True)
    d = check("diameter", diameter, 0.0, low_open=True)
    Rm, Ra, Cm = (check(k, v, 0.0, low_open=True) for k, v in (("Rm", Rm), ("Ra", Ra), ("Cm", Cm)))
    if np.any(x < 0) or np.any(x > L * (1 + 1e-12)):
        raise ParameterError(f"x must lie in [0, length = {L}] m")
    tau, lam = Rm * Cm, np.sqrt(Rm * d / (4 * Ra))
    r_a, r_m = 4 * Ra / (np.pi * d * d), Rm / (np.pi * d)
    steady = I0 * r_a * lam * np.cosh((L - x) / lam) / np.sinh(L / lam)
    out = np.empty((len(t), len(x)))
    out[:] = steady
    t_pos = np.maximum(t, 0.0)
    t_min = t_pos[t_pos > 0].min() if np.any(t_pos > 0) else None
    # number of terms: (1 + alpha_n^2) t_min / tau > 40 (exp < 4e-18)
    if t_min is None:
        n_terms = 1
    else:
        n_terms = int(min(max_terms, np.ceil(np.sqrt(max(40 * tau / t_min - 1, 0)) * L / (np.pi * lam)) + 2))
    chunk = max(1, 2_000_000 // max(len(x), 1))
    for start in range(0, n_terms, chunk):
        n = np.arange(start, min(start + chunk, n_terms))
        k = 1 + (n * np.pi * lam / L) ** 2
        eps = np.where(n == 0, 1.0, 2.0)
        modes = eps[:, None] * np.cos(np.outer(n, np.pi * x / L)) / k[:, None]       # (terms, x)
        decay = np.exp(-np.outer(t_pos, k) / tau)                                     # (t, terms)
        out -= I0 * r_m / L * decay @ modes
    out[t <= 0] = 0.0
    return out + E_m


def equivalent_cylinder_length(length, diameter, length_ratio, diameter_ratio, levels):
    """Physical length (m) of the cylinder of the root's diameter equivalent to a symmetric
    binary tree obeying the 3/2 rule: each level adds its length scaled by
    sqrt(d_root / d_level) (equal electrotonic length per unit lambda)."""
    k = np.arange(levels)
    return float(np.sum(length * length_ratio ** k * np.sqrt(1.0 / diameter_ratio ** k)))
