"""Spike sources: Poisson (constant or piecewise-constant rate), regular trains, spike lists.

Sources are populations without inputs; they can be the presynaptic side of any projection
and, for plasticity protocols with imposed spike times, also the postsynaptic side.
A spike due at time t_s is emitted at the first step whose time n*dt >= t_s.
"""
import numpy as np
from numba import njit

from ..core.errors import ParameterError
from ..core.network import Population
from ..core.rng import uniform32

_EPS = 1e-6  # fraction of dt tolerated when comparing spike times with step times


@njit(cache=True)
def poisson_step(step, dt, seed, stream, rate_times, rate_values, spikes):
    """Bernoulli approximation: spike with probability rate * dt in each step (32-bit uniforms)."""
    piece = np.searchsorted(rate_times, step * dt + _EPS * dt, side="right") - 1
    nspk = 0
    if piece < 0:
        return 0
    for j in range(rate_values.shape[1]):
        if rate_values[piece, j] > 0.0 and uniform32(seed, stream, j, step, 0) < rate_values[piece, j] * dt:
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
    """Emit the listed spikes whose step is due; ``pointer[0]`` is the next event."""
    nspk = 0
    p = int(pointer[0])
    while p < event_step.shape[0] and event_step[p] <= step:
        spikes[nspk] = event_index[p]
        nspk += 1
        p += 1
    pointer[0] = p
    return nspk


class PoissonSource(Population):
    """``n`` independent Poisson trains.

    ``rate`` (Hz): a scalar, a per-element array of shape (n,), or, with ``times`` (s, the
    start of each piece, increasing), a piecewise-constant schedule of shape (K,) or (K, n).
    """

    kernel = poisson_step
    state_names = ("rate_times", "rate_values")

    def __init__(self, n, rate, times=None, name=None):
        super().__init__(n, name=name)
        times = np.zeros(1) if times is None else np.asarray(times, dtype=float).reshape(-1)
        rate = np.asarray(rate, dtype=float)
        if times.size > 1 or rate.ndim == 2:
            rate = rate.reshape(len(times), -1)
        values = np.broadcast_to(rate.reshape(len(times), -1), (len(times), self.n))
        if not np.all(np.isfinite(values)) or values.min() < 0:
            raise ParameterError(f"{self.name}.rate must be finite and >= 0 Hz")
        if np.any(np.diff(times) <= 0) or not np.all(np.isfinite(times)):
            raise ParameterError(f"{self.name}.times must be finite and strictly increasing")
        self.state["rate_times"] = times
        self.state["rate_values"] = np.array(values)

    def prepare(self, dt):
        if self.state["rate_values"].max() * dt > 1.0:
            raise ParameterError(f"{self.name}.rate must be <= 1/dt = {1 / dt} Hz")


class RegularSource(Population):
    """Regular trains: element j spikes at offset[j] + k / rate[j] (k = 0, 1, ...) up to ``stop``."""

    kernel = regular_step
    state_names = ("offset", "period", "stop", "count")

    def __init__(self, n, rate, offset=0.0, stop=np.inf, name=None):
        super().__init__(n, name=name)
        rate = np.broadcast_to(np.asarray(rate, dtype=float), (self.n,))
        if not np.all(np.isfinite(rate)) or rate.min() <= 0:
            raise ParameterError(f"{self.name}.rate must be finite and > 0 Hz")
        self.state["offset"] = self.array("offset", offset)
        self.state["period"] = 1.0 / rate
        self.state["stop"] = np.array(np.broadcast_to(np.asarray(stop, dtype=float), (self.n,)))

    def prepare(self, dt):
        if self.state["period"].min() < dt:
            raise ParameterError(f"{self.name}.rate must be <= 1/dt = {1 / dt} Hz")
        if self.state["offset"].min() < 0:
            raise ParameterError(f"{self.name}.offset must be >= 0 s")


class SpikeTimes(Population):
    """Explicit spikes: element ``indices[m]`` fires at ``times[m]`` (s)."""

    kernel = spike_list_step
    state_names = ("event_step", "event_index", "pointer")

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

    def prepare(self, dt):
        steps = np.ceil(self.times / dt - _EPS).astype(np.int64)
        order = np.lexsort((self.indices, steps))
        steps, index = steps[order], self.indices[order]
        clash = (np.diff(steps) == 0) & (np.diff(index) == 0)
        if np.any(clash):
            raise ParameterError(f"{self.name}: element {index[1:][clash][0]} has two spikes "
                                 f"in one time step of dt = {dt} s")
        self.state["event_step"] = steps
        self.state["event_index"] = index

