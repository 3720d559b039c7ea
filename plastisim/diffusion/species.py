"""A neutral species diffusing on the nodes of a domain (finite volumes, implicit in time).

For every node i (volume V_i; junction nodes at branch points have V_i = 0 and store nothing)

    V_i dc_i/dt = sum_j D k_ij (c_j - c_i) - V_i c_i / tau_i + J_i(t) + S_i

with c the concentration (mol/m^3), D the diffusivity (m^2/s, painted per region: between
nodes of different D the two half paths add in series), k_ij (m) the geometric conductance of
the discretisation (:mod:`plastisim.morphology`), tau (s) first-order decay (inf: none),
J_i (mol/s) the influx of the step: the amount (mol) that synapses and mechanisms add during
the step (a rule writes ``site.X_in[k] += amount``, a mechanism ``node.X_in[i] += amount``;
spread evenly over the step, cleared after it), and S_i (mol/s) a constant source
(``CableCells.release``).

Scheme: implicit, one Hines solve per cell and step (O(nodes); the matrix is factorised once
per step length). Each node's own terms are
integrated exactly over the step (decay, and the influx and source held constant:
c -> c e^(-lambda dt) + (J + S)(1 - e^(-lambda dt)) / (V lambda), lambda = 1/tau), the
diffusive exchange by backward Euler over the same step:

    V_i lambda_i / (1 - e^(-lambda_i dt)) (c_i' - e^(-lambda_i dt) c_i) = sum_j D k_ij (c_j' - c_i') + J_i + S_i

(plain backward Euler, V_i (c_i' - c_i) / dt, where there is no decay). First order in dt for
the diffusion, exact for decay; unconditionally stable (also at the long steps of
``fast_forward``) and positivity preserving. The couplings are symmetric, so without decay the
total amount sum_i V_i c_i changes exactly by the sources (mass is conserved at branch points
and radius changes to round-off), and the steady state is the exact steady state of the
discretised equations for any dt.
"""
import math

import numpy as np
from numba import njit

from ..core.errors import ParameterError
from ..core.params import check
from ..morphology.solver import factorise_tree, solve_factorised_cells


@njit(cache=True)
def diffusion_step(dt, c, influx, source, volume, rate, a, parent, cache, held, keep, f, inv):
    """Advance concentration ``c`` by one step of length dt (see the module docstring); clear
    ``influx``. Nodes of the cells interleaved (node k of cell j at k * n + j); the cells are
    identical: ``parent`` (tree), ``volume``, ``rate`` (decay rate 1/tau, 1/s) and ``a``
    (diffusive conductance to the parent, m^3/s) are per node of one cell, as is the
    factorisation of the matrix (``held``, ``keep``, ``f``, ``inv``), which depends only on dt
    and is recomputed when dt changes (``cache[0]``: the dt it is for)."""
    m = parent.shape[0]
    n = c.shape[0] // m
    if cache[0] != dt:
        for k in range(m):
            x = rate[k] * dt
            if x > 0.0:  # V lambda / (1 - exp(-lambda dt)) -> V / dt for lambda -> 0
                held[k] = volume[k] * rate[k] / -math.expm1(-x)
                keep[k] = math.exp(-x)
            else:
                held[k] = volume[k] / dt
                keep[k] = 1.0
            inv[k] = held[k]
        factorise_tree(inv, a, parent, 0, m, f, inv)
        cache[0] = dt
    for k in range(m):
        i0, hk = k * n, held[k] * keep[k]
        for j in range(n):
            c[i0 + j] = hk * c[i0 + j] + influx[i0 + j] / dt + source[i0 + j]
            influx[i0 + j] = 0.0
    solve_factorised_cells(c, a, parent, n, f, inv)  # c is the right-hand side, then the solution


class Species:
    """Diffusing species ``name`` (see the module docstring): ``D`` (m^2/s, > 0, a scalar or
    {region: value}), ``tau`` (s, decay time constant, > 0 or inf), ``initial`` (mol/m^3).

    Given to a population with a domain (``CableCells(..., species=[...])``), it adds the
    per-node state arrays ``X`` (mol/m^3), ``X_in`` (mol, added during the current step) and
    ``X_source`` (mol/s, constant), which rules reach at their synapse's node as
    ``site.X[k]``, and monitors record like any state.
    """

    def __init__(self, name, D, tau=math.inf, initial=0.0):
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(f"species name = {name!r} must be an identifier such as 'Ca'")
        self.name, self.D = name, D
        self.tau = check(f"{name}.tau", tau, 0.0, low_open=True, allow_inf=True)
        self.initial = check(f"{name}.initial", initial, 0.0)

    def bind(self, cell, n, owner):
        """Arrays of this species on ``n`` identical cells whose nodes are the one-cell domain
        ``cell``: (state {name: array per global node}, solver constants per node of one cell)."""
        D = cell.paint(f"{owner}.{self.name}.D", self.D, 0.0, low_open=True)
        constants = dict(rate=np.full(cell.n, 1.0 / self.tau), a=cell.coupling(1.0 / D), volume=cell.volume,
                         cache=np.zeros(1), **{key: np.zeros(cell.n) for key in ("held", "keep", "f", "inv")})
        state = {self.name: np.full(cell.n * n, self.initial), f"{self.name}_in": np.zeros(cell.n * n),
                 f"{self.name}_source": np.zeros(cell.n * n)}
        return state, constants

    def __repr__(self):
        return f"Species({self.name!r}, D={self.D!r}, tau={self.tau!r})"
