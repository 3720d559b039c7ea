"""Spike sources: Poisson (constant or piecewise-constant rate), regular trains, spike lists,
and :class:`PoissonInput`, independent Poisson drive added straight into a neuron port.

Sources are populations without inputs; they can be the presynaptic side of any projection
and, for plasticity protocols with imposed spike times, also the postsynaptic side.
A spike due at time t_s is emitted at the first step whose time n*dt >= t_s.
"""
import math

import numpy as np
from numba import njit

from ..core.codegen import stream_id
from ..core.errors import ParameterError
from ..core.network import Population, per_element
from ..core.rng import uniform, uniform32x4

_EPS = 1e-6  # fraction of dt tolerated when comparing spike times with step times
_NEVER = 1e300  # next arrival (in steps) of a silent Poisson input; finite for the NaN/inf check


@njit(cache=True)
def poisson_step(step, dt, seed, stream, rate_times, rate_values, spikes):
    """Bernoulli approximation: spike with probability rate * dt in each step (32-bit uniforms,
    one Philox block for four consecutive elements)."""
    piece = np.searchsorted(rate_times, step * dt + _EPS * dt, side="right") - 1
    nspk = 0
    if piece < 0:
        return 0
    n = rate_values.shape[1]
    for block in range((n + 3) >> 2):
        u4 = uniform32x4(seed, stream, block, step, 0)
        for j in range(4 * block, min(4 * block + 4, n)):
            u = u4[j & 3]
            if rate_values[piece, j] > 0.0 and u < rate_values[piece, j] * dt:
                spikes[nspk] = j
                nspk += 1
    return nspk


@njit(cache=True)
def regular_step(step, dt, seed, stream, offset, period, stop, count, spikes):
    """Spike k of element j is due at offset[j] + k * period[j] (while <= stop[j])."""
    t = step * dt
    nspk = 0
    for j in range(offset.shape[0]):
        due = offset[j] + count[j] * period[j]
        if due <= stop[j] and due <= t + _EPS * dt:
            spikes[nspk] = j
            nspk += 1
            count[j] += 1.0
    return nspk


@njit(cache=True)
def spike_list_step(step, dt, seed, stream, event_step, event_index, pointer, spikes):
    """Emit the listed spikes whose step is due; ``pointer[0]`` is the next event (events
    of earlier steps were skipped by a fast-forward: at most one spike per element)."""
    nspk = 0
    p = int(pointer[0])
    while p < event_step.shape[0] and event_step[p] < step:
        p += 1
    while p < event_step.shape[0] and event_step[p] == step:
        spikes[nspk] = event_index[p]
        nspk += 1
        p += 1
    pointer[0] = p
    return nspk


@njit(cache=True, inline="always")
def _gap(u, mean_gap, bernoulli, log_stay):
    """Steps to the next arrival from a uniform ``u``: exponential of mean ``mean_gap``, or
    (``bernoulli``) geometric on 1, 2, ... with ``log_stay`` = log(1 - rate dt)."""
    if bernoulli:
        return 1.0 + math.floor(math.log(u) / log_stay)
    return -mean_gap * math.log(u)


@njit(cache=True)
def poisson_input_step(step, dt, seed, stream, next_arrival, rate, weight, bernoulli, targets, factors):
    """Poisson process per element, time in units of steps: exponential gaps of mean
    1/(rate dt), every arrival in [step, step + 1) adds ``factors[m] * weight`` to
    ``targets[m]``; with ``bernoulli``, arrivals at whole steps with geometric gaps (each step
    independently with probability rate dt). ``next_arrival < step`` (new, rate changed, or
    skipped by a fast-forward) restarts the process at ``step``."""
    due = np.empty(next_arrival.shape[0], dtype=np.int64)
    n_due = 0
    for j in range(next_arrival.shape[0]):  # branch-free gathering of this step's elements
        due[n_due] = j
        n_due += next_arrival[j] < step + 1
    for q in range(n_due):
        j = due[q]
        if rate[j] <= 0.0:
            next_arrival[j] = _NEVER
            continue
        mean_gap = 1.0 / (rate[j] * dt)
        log_stay = math.log1p(-rate[j] * dt) if bernoulli else 0.0
        t = next_arrival[j]
        if t < step:  # a Bernoulli train may fire in this very step: its first gap counts from step - 1
            t = step + _gap(uniform(seed, stream, j, step, 0), mean_gap, bernoulli, log_stay) - (1.0 if bernoulli else 0.0)
        m = 1
        while t < step + 1:
            for k in range(len(targets)):
                targets[k][j] += factors[k] * weight[j]
            t += _gap(uniform(seed, stream, j, step, m), mean_gap, bernoulli, log_stay)
            m += 1
        next_arrival[j] = t


class PoissonInput:
    """Independent Poisson input of ``rate`` (Hz, scalar or per neuron) with jumps of
    ``weight`` (units of the port, scalar or per neuron) into input ``port`` of every neuron of
    ``target``, without spike queues (like Brian 2's ``PoissonInput``, NEST's
    ``poisson_generator``). ``port`` may be ``{port: factor}``: every event adds factor x weight
    to each of these ports (e.g. AMPA and NMDA receptors seeing the same events). Arrival
    times are drawn exactly (exponential gaps, several arrivals per step possible; N trains of
    rate r are one train of rate N r). With ``bernoulli=True`` the train is that of a
    :class:`PoissonSource` element instead (at most one event per step, in each step with
    probability rate dt; rate <= 1/dt), drawn as geometric gaps between events, so the cost
    is per event, not per step. Add with ``net.add``; state: ``rate``, ``weight``,
    ``next_arrival`` (in steps).
    """

    kernel = poisson_input_step
    state_names = ("next_arrival", "rate", "weight")  # kernel argument order
    fixed_state = ("weight",)  # rate may change (set_rate)

    def __init__(self, target, rate, weight, port, name=None, bernoulli=False):
        self.ports = dict(port) if isinstance(port, dict) else {port: 1.0}
        for key in self.ports:
            if key not in target.ports:
                raise ParameterError(f"port = {key!r} is not an input of {target.name}; "
                                     f"allowed: {list(target.ports)}")
        self.post_pop, self.port, self.bernoulli = target, port, bool(bernoulli)
        self._dt = None  # the network's step, once compiled (limits rates with bernoulli)
        self.name = name or f"PoissonInput->{target.name}.{'+'.join(self.ports)}"
        self.state = {"next_arrival": np.full(target.n, -1.0), "rate": np.zeros(target.n),
                      "weight": target.array("PoissonInput.weight", weight)}
        self.set_rate(rate)

    def __repr__(self):
        return f"PoissonInput({self.name!r})"

    def set_rate(self, rate, indices=slice(None)):
        """Change the rate (Hz) of ``indices`` from now on (their processes restart: exact,
        as the Poisson process has no memory)."""
        rate = np.broadcast_to(np.asarray(rate, dtype=float), self.state["rate"][indices].shape)
        if not np.all(np.isfinite(rate)) or (rate.size and rate.min() < 0):
            raise ParameterError("PoissonInput.rate must be finite and >= 0 Hz")
        self._check_bernoulli(rate)
        self.state["rate"][indices] = rate
        self.state["next_arrival"][indices] = -1.0

    def _check_bernoulli(self, rate):
        """A Bernoulli train has at most one event per step: rate <= 1/dt (once dt is known)."""
        if self.bernoulli and self._dt is not None and np.max(rate, initial=0.0) * self._dt > 1.0:
            raise ParameterError(f"{self.name}.rate must be <= 1/dt = {1 / self._dt} Hz with bernoulli=True")

    def emit(self, code, uid):
        self._dt = code.net.dt
        self._check_bernoulli(self.state["rate"])
        fn = code.use(self.kernel)
        names = [code.state(f"{uid}_{key}", self, key) for key in self.state_names]
        targets = [code.state(f"{code.id(self.post_pop)}_{var}", self.post_pop, var)
                   for var in map(self.post_pop.port_target, self.ports)]
        factors = [repr(float(f)) for f in self.ports.values()]
        code.phase("inputs")(f"{fn}(step, dt, seed, {stream_id('input', self.name)}, {', '.join(names)}, "
                             f"{self.bernoulli}, ({', '.join(targets)},), ({', '.join(factors)},))")


class PoissonSource(Population):
    """``n`` independent Poisson trains.

    ``rate`` (Hz): a scalar, a per-element array of shape (n,), or, with ``times`` (s, the
    start of each piece, increasing), a piecewise-constant schedule of shape (K,) or (K, n).
    """

    kernel = poisson_step
    state_names = ("rate_times", "rate_values")
    fixed_state = state_names

    def __init__(self, n, rate, times=None, name=None):
        super().__init__(n, name=name)
        times = np.zeros(1) if times is None else np.asarray(times, dtype=float).reshape(-1)
        rate = np.asarray(rate, dtype=float)
        try:
            if times.size > 1 or rate.ndim == 2:
                rate = rate.reshape(len(times), -1)
            values = np.broadcast_to(rate.reshape(len(times), -1), (len(times), self.n))
        except ValueError:
            raise ParameterError(f"{self.name}.rate has shape {rate.shape}; expected a scalar, ({self.n},), "
                                 f"or with {len(times)} times ({len(times)},) or ({len(times)}, {self.n})") from None
        if not np.all(np.isfinite(values)) or values.min() < 0:
            raise ParameterError(f"{self.name}.rate must be finite and >= 0 Hz")
        if np.any(np.diff(times) <= 0) or not np.all(np.isfinite(times)):
            raise ParameterError(f"{self.name}.times must be finite and strictly increasing")
        self.state["rate_times"] = times
        self.state["rate_values"] = np.array(values)

    def setup(self, dt):
        if self.state["rate_values"].max() * dt > 1.0:
            raise ParameterError(f"{self.name}.rate must be <= 1/dt = {1 / dt} Hz")


class RegularSource(Population):
    """Regular trains: element j spikes at offset[j] + k / rate[j] (k = 0, 1, ...) up to ``stop``."""

    kernel = regular_step
    state_names = ("offset", "period", "stop", "count")
    fixed_state = ("offset", "period", "stop")

    def __init__(self, n, rate, offset=0.0, stop=np.inf, name=None):
        super().__init__(n, name=name)
        rate = per_element(f"{self.name}.rate", rate, self.n, finite=False)
        if not np.all(np.isfinite(rate)) or rate.min() <= 0:
            raise ParameterError(f"{self.name}.rate must be finite and > 0 Hz")
        self.state["offset"] = self.array("offset", offset)
        self.state["period"] = 1.0 / rate
        self.state["stop"] = per_element(f"{self.name}.stop", stop, self.n, finite=False)

    def skip_to(self, step, dt):
        """Spikes due before ``step`` (skipped by a fast-forward) are not emitted."""
        due = (step * dt - _EPS * dt - self.state["offset"]) / self.state["period"]
        self.state["count"][:] = np.maximum(self.state["count"], np.floor(due) + 1)

    def setup(self, dt):
        if self.state["period"].min() < dt:
            raise ParameterError(f"{self.name}.rate must be <= 1/dt = {1 / dt} Hz")
        if self.state["offset"].min() < 0:
            raise ParameterError(f"{self.name}.offset must be >= 0 s")


class SpikeTimes(Population):
    """Explicit spikes: element ``indices[m]`` fires at ``times[m]`` (s)."""

    kernel = spike_list_step
    state_names = ("event_step", "event_index", "pointer")
    fixed_state = ("event_step", "event_index")  # set by prepare()

    def __init__(self, n, indices, times, name=None):
        super().__init__(n, name=name)
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        self.times = np.asarray(times, dtype=float).reshape(-1)
        if len(self.indices) != len(self.times):
            raise ParameterError(f"{self.name}: indices and times must have equal length")
        if len(self.indices) and (self.indices.min() < 0 or self.indices.max() >= self.n):
            raise ParameterError(f"{self.name}.indices must lie in [0, {self.n - 1}]")
        if not np.all(np.isfinite(self.times)) or (len(self.times) and self.times.min() < 0):
            raise ParameterError(f"{self.name}.times must be finite and >= 0 s")
        self.state["pointer"] = np.zeros(1, dtype=np.int64)

    def skip_to(self, step, dt):
        """Events before ``step`` (skipped by a fast-forward) are not emitted."""
        pointer = self.state["pointer"]
        pointer[0] = max(pointer[0], np.searchsorted(self.state["event_step"], step, side="left"))

    def setup(self, dt):
        steps = np.ceil(self.times / dt - _EPS).astype(np.int64)
        order = np.lexsort((self.indices, steps))
        steps, index = steps[order], self.indices[order]
        clash = (np.diff(steps) == 0) & (np.diff(index) == 0)
        if np.any(clash):
            raise ParameterError(f"{self.name}: element {index[1:][clash][0]} has two spikes "
                                 f"in one time step of dt = {dt} s")
        self.state["event_step"] = steps
        self.state["event_index"] = index

