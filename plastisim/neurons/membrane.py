"""Generic membrane mechanisms for multi-compartment cells (see :mod:`plastisim.neurons.mechanism`):
synaptic and noise currents (point mechanisms) and a threshold/reset (density mechanism).

* :class:`ExpCurrent` -- current I (A) that jumps by the weight of every arriving spike and
  decays with tau: the exponential current synapse of a location (its name is an input port).
  Each step injects the exact charge of the decaying current, I tau (1 - e^(-dt/tau)) (held
  as its mean over the step), then I decays exactly.
* :class:`OUCurrent` -- Ornstein-Uhlenbeck current dI/dt = (mu - I)/tau + sigma sqrt(2/tau) xi,
  exact update I -> mu + (I - mu) e^(-dt/tau) + sigma sqrt(1 - e^(-2 dt/tau)) N(0, 1); held
  over each step. :func:`switch_ou` turns it on (I := mu) or off (I := 0, frozen).
* :class:`ThresholdReset` -- leaky integrate-and-fire reset per compartment: after the cable
  step a compartment with V > V_th is set to V_reset and clamped there for the next
  t_ref / dt steps by a conductance ``g_clamp`` towards V_reset inside the implicit step (so
  inputs during the clamp have no lasting effect and the spike detector sees no crossing);
  the next spike can come t_ref + dt after the last, as with the reference ``lif.mod``
  (spec 0.5).
"""
from ..core.errors import ParameterError
from ..core.params import check, check_indices
from .mechanism import Mechanism


class ExpCurrent(Mechanism):
    """Exponential synaptic current (point). Parameter ``tau`` (s); state ``I`` (A), the port."""

    parameters = dict(tau=5e-3)
    state_variables = dict(I=0.0)
    point = True
    port = "I"

    def validate(self, params):
        check(f"{self.name}.tau", params["tau"], 0.0, low_open=True)

    def conductance(s, p, i, v, dt):
        return 0.0, s.I[i] * p.tau * -math.expm1(-dt / p.tau) / dt

    def advance(s, p, i, v, dt):
        s.I[i] *= exp(-dt / p.tau)


class OUCurrent(Mechanism):
    """Ornstein-Uhlenbeck current (point). Parameter ``tau`` (s); state ``I``, ``mu``,
    ``sigma`` (A; sigma is the stationary standard deviation)."""

    parameters = dict(tau=5e-3)
    state_variables = dict(I=0.0, mu=0.0, sigma=0.0)
    point = True

    def validate(self, params):
        check(f"{self.name}.tau", params["tau"], 0.0, low_open=True)

    def conductance(s, p, i, v):
        return 0.0, s.I[i]

    def advance(s, p, i, v, dt):
        if s.sigma[i] > 0.0 or s.mu[i] != 0.0:
            decay = exp(-dt / p.tau)
            s.I[i] = s.mu[i] + (s.I[i] - s.mu[i]) * decay + s.sigma[i] * sqrt(1.0 - decay * decay) * randn()


def switch_ou(pop, keys, indices, mu=0.0, sigma=0.0):
    """Turn an OU current of ``pop`` (state arrays ``keys`` = (I, mu, sigma)) at ``indices``
    (indices or a slice) on (I := mu; mu, sigma in A) or, with mu = sigma = 0, off (I := 0,
    frozen): ``CableCells.switch_ou``, ``LIF.switch_ou``."""
    if keys[2] not in pop.state:
        raise ParameterError(f"{pop.name} has no OU current {keys[2].replace('sigma', '').strip('_')!r}")
    if not isinstance(indices, slice):
        indices = check_indices(indices, pop.n, f"{pop.name}.switch_ou")
    check(f"{pop.name}.{keys[2]}", sigma, 0.0)
    pop.state[keys[0]][indices] = check(f"{pop.name}.{keys[1]}", mu)
    pop.state[keys[1]][indices] = mu
    pop.state[keys[2]][indices] = sigma


class ThresholdReset(Mechanism):
    """Threshold, reset and refractory clamp per compartment (density). Parameters ``V_th``,
    ``V_reset`` (V), ``t_ref`` (s), ``g_clamp`` (S/m^2); state ``refr`` (clamped steps left)."""

    parameters = dict(V_th=-55e-3, V_reset=-70e-3, t_ref=2e-3, g_clamp=1e9)
    state_variables = dict(refr=0.0)

    def validate(self, params):
        check(f"{self.name}.t_ref", params["t_ref"], 0.0)
        check(f"{self.name}.g_clamp", params["g_clamp"], 0.0, low_open=True)

    def conductance(s, p, i, v):
        if s.refr[i] > 0.5:
            return p.g_clamp, p.g_clamp * p.V_reset
        return 0.0, 0.0

    def advance(s, p, i, v, node, dt):
        if s.refr[i] > 0.5:
            s.refr[i] -= 1.0
            node.V[i] = p.V_reset
        elif v > p.V_th:
            node.V[i] = p.V_reset
            s.refr[i] = float(round(p.t_ref / dt))
