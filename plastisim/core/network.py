"""Network description: populations, projections and monitors (what is simulated).

A :class:`Network` is built, inspected and handed to a :class:`~plastisim.core.simulator.Simulator`,
which owns time stepping and kernels (the recipe / simulation split of Arbor).
"""

import numpy as np

from . import connect as connectivity
from .errors import ParameterError
from .params import SEED_MAX, check, check_int, check_memory
from ..synapses.projection import Projection


class Population:
    """A group of ``n`` elements with struct-of-arrays state and one compiled kernel.

    Subclasses set ``kernel`` (a numba function with signature ``(step, dt, seed, stream,
    *state arrays, *parameters, *modes, spikes) -> number of spikes``), ``state_names``,
    ``param_names``, ``defaults`` and ``ports`` (input ports; port ``x`` adds
    into state array ``in_x``). :meth:`modes` gives switches with which a kernel skips work
    the network does not need; they are compiled in as constants and re-evaluated at every
    ``Simulator.run``. ``fixed_state`` names state arrays that running never changes (e.g. a
    source's rates); with ``params`` they identify the population in checkpoints.
    """

    kernel = None
    state_names = ()
    param_names = ()
    ports = ()
    defaults = {}
    fixed_state = ()

    def __init__(self, n, name=None, **params):
        self.name = name or type(self).__name__
        self.n = check_int(f"{self.name} size n", n, 1)
        check_memory(f"{self.name} size n = {self.n}", 8.0 * self.n * (len(self.state_names) + 4))
        unknown = set(params) - set(self.defaults)
        if unknown:
            raise ParameterError(f"{self.name}: unknown parameter(s) {sorted(unknown)}; "
                                 f"known: {sorted(self.defaults)}")
        self.params = {**self.defaults, **params}
        for key, value in self.params.items():
            check(f"{self.name}.{key}", value)
        self.state = {name: np.zeros(self.n) for name in self.state_names}

    def modes(self, ports):
        """Boolean switches passed to the kernel after the parameters, given the set of input
        ``ports`` that receive spikes or Poisson input in the network."""
        return ()

    def array(self, name, value, dtype=float):
        """Broadcast a scalar or per-element value to shape (n,) and check it is finite."""
        return per_element(f"{self.name}.{name}", value, self.n, "element", dtype)

    def __repr__(self):
        return f"{type(self).__name__}(n={self.n}, name={self.name!r})"


class SpikeMonitor:
    """Records (time, index) of spikes of a population, optionally of a subset."""

    def __init__(self, pop, indices=None):
        self.target = pop
        self.mask = np.zeros(pop.n, dtype=np.bool_)
        self.mask[slice(None) if indices is None else _indices(indices, pop.n, f"{pop.name} spikes")] = True
        self.steps, self.indices = [], []

    @property
    def t(self):
        return self._dt * np.concatenate(self.steps) if self.steps else np.zeros(0)

    @property
    def i(self):
        return np.concatenate(self.indices) if self.indices else np.zeros(0, dtype=np.int64)


class StateMonitor:
    """Samples a state variable of chosen elements every ``every`` steps (after the update)."""

    def __init__(self, target, var, indices, every):
        self.target, self.var, self.every = target, var, int(every)
        self.index = np.asarray(indices, dtype=np.int64).reshape(-1)
        self.steps, self.values = [], []

    @property
    def t(self):
        return self._dt * np.concatenate(self.steps) if self.steps else np.zeros(0)

    @property
    def data(self):
        """Array of shape (samples, len(indices))."""
        return np.concatenate(self.values) if self.values else np.zeros((0, len(self.index)))


class RateMonitor:
    """Population rate: spikes per step divided by n * dt (Hz), one value per step."""

    def __init__(self, pop):
        self.target = pop
        self.counts = []

    @property
    def rate(self):
        counts = np.concatenate(self.counts) if self.counts else np.zeros(0)
        return counts / (self.target.n * self._dt)

    @property
    def t(self):
        return self._dt * np.arange(len(self.rate))


class Network:
    """Description of a network at time step ``dt`` (s) with a master ``seed``."""

    def __init__(self, dt=1e-4, seed=0):
        self.dt = check("dt", dt, 0.0, low_open=True)
        self.seed = check_int("seed", seed, 0, SEED_MAX)
        self.populations, self.projections, self.monitors, self.inputs = [], [], [], []

    def add(self, pop):
        """Add a population, or an input that writes into a port of one (``PoissonInput``),
        and return it."""
        if not isinstance(pop, Population):
            if getattr(pop, "post_pop", None) not in self.populations:
                raise ParameterError(f"{pop!r} must be a Population or an input to a population "
                                     "of this network")
            self.inputs.append(pop)
            return pop
        if any(p.name == pop.name for p in self.populations):
            pop.name = f"{pop.name}{len(self.populations)}"
        self.populations.append(pop)
        return pop

    def connect(self, pre, post, rule_or_list="all_to_all", weight=0.0, delay=None, port="exc",
                rule=None, name=None):
        """Connect ``pre`` to ``post`` and return the :class:`Projection`.

        ``rule_or_list``: ``"all_to_all"``, ``"one_to_one"``, ``connect.FixedProbability(p)``
        or a pair of index arrays ``(pre_idx, post_idx)``. ``weight`` and ``delay`` (s) are
        scalars or per-synapse arrays in the given pair order; delay defaults to dt and must
        be >= dt (it is rounded to whole steps). ``port``: the input port of ``post``
        (ignored, use ``None``, when ``post`` is a spike source driven only for plasticity).
        """
        for pop in (pre, post):
            if pop not in self.populations:
                raise ParameterError(f"population {pop.name!r} is not part of this network")
        if post.ports and port not in post.ports:
            raise ParameterError(f"port = {port!r} is not an input of {post.name}; "
                                 f"allowed: {list(post.ports)}")
        index = len(self.projections)
        rng = np.random.Generator(np.random.Philox(key=[self.seed, 1_000_003 + index]))
        pre_idx, post_idx = connectivity.build(rule_or_list, pre.n, post.n, rng)
        n_syn = len(pre_idx)
        weight = per_element("weight", weight, n_syn, "synapse")
        delay = per_element("delay", self.dt if delay is None else delay, n_syn, "synapse", finite=False)
        bad = ~np.isfinite(delay) | (delay < self.dt * (1 - 1e-9))
        if np.any(bad):
            bad = float(delay[bad][0])
            raise ParameterError(f"delay = {bad!r} s is outside the allowed range [dt = {self.dt}, inf)")
        steps = np.rint(delay / self.dt).astype(np.int64)
        proj = Projection(pre, post, pre_idx, post_idx, weight, steps, port if post.ports else None,
                          rule, self.dt, name or f"{pre.name}->{post.name}")
        self.projections.append(proj)
        return proj

    def _watch(self, monitor):
        monitor._dt = self.dt
        self.monitors.append(monitor)
        return monitor

    def record_spikes(self, pop, indices=None):
        """Record spikes of ``pop`` (all or ``indices``); returns a :class:`SpikeMonitor`."""
        return self._watch(SpikeMonitor(pop, indices))

    def record(self, target, var, indices=0, interval=None):
        """Record ``var`` of ``target`` (population or projection) every ``interval`` s."""
        every = 1 if interval is None else max(1, int(round(check("interval", interval, 0.0,
                                                                   low_open=True) / self.dt)))
        states = dict(target.state)
        states.update(getattr(target, "neuron_state", {}))
        states.update(getattr(target, "group_state", {}))
        if var not in states:
            raise ParameterError(f"{var!r} is not a state variable of {target!r}; "
                                 f"known: {sorted(states)}")
        index = _indices(indices, len(states[var]), repr(var))
        return self._watch(StateMonitor(target, var, index, every))

    def recording_bytes(self, steps):
        """Memory (bytes) the state and rate monitors fill in ``steps`` steps (spikes not counted)."""
        total = 0.0
        for mon in self.monitors:
            if isinstance(mon, StateMonitor):
                total += 8.0 * -(-steps // mon.every) * (len(mon.index) + 1)
            elif isinstance(mon, RateMonitor):
                total += 8.0 * steps
        return total

    def record_rate(self, pop):
        """Record the population rate of ``pop`` (Hz) at every step."""
        return self._watch(RateMonitor(pop))


def _indices(indices, size, what):
    """``indices`` as an int64 array, checked to lie in [0, size - 1]."""
    index = np.asarray(indices).reshape(-1)
    if index.size and (index.dtype.kind not in "iu" or index.min() < 0 or index.max() >= size):
        raise ParameterError(f"indices {index.tolist()[:5]} of {what} must be integers in [0, {size - 1}]")
    return index.astype(np.int64)


def per_element(name, value, n, what="element", dtype=float, finite=True):
    """``value`` (a scalar or one value per ``what``) as a new array of shape (n,); raises
    ParameterError naming ``name`` for other shapes, non-numbers and (``finite``) NaN/inf."""
    try:
        value = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} = {value!r} is not a number or an array of numbers") from None
    if value.size != 1 and value.shape != (n,):
        raise ParameterError(f"{name} has shape {value.shape}; expected a scalar or one value per "
                             f"{what}, shape ({n},)")
    arr = np.array(np.broadcast_to(value.reshape(()) if value.size == 1 else value, (n,)))
    if finite and not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} contains NaN or inf; it must be finite")
    return arr
