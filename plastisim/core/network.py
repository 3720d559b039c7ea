"""Network description: populations, projections and monitors (what is simulated).

A :class:`Network` is built, inspected and handed to a :class:`~plastisim.core.simulator.Simulator`,
which owns time stepping and kernels (the recipe / simulation split of Arbor).
"""

import numpy as np

from . import connect as connectivity
from .codegen import stream_id
from .errors import ParameterError
from .monitors import RateMonitor, SpikeMonitor, StateMonitor
from .params import SEED_MAX, check, check_indices, check_int, check_memory
from ..synapses.projection import Projection


class Population:
    """A group of ``n`` elements with struct-of-arrays state and one compiled kernel.

    Subclasses set ``kernel`` (a numba function with signature ``(step, dt, seed, stream,
    *state arrays, *parameters, *modes, spikes) -> number of spikes``, which writes at most
    one spike per element and step), ``state_names``, ``param_names``, ``parameters`` (defaults)
    and ``ports``. :meth:`modes` gives switches with which a kernel skips work the network does
    not need; they are compiled in as constants and re-evaluated at every ``Simulator.run``.
    ``fixed_state`` names state arrays that running never changes (e.g. a source's rates);
    with ``params`` they identify the population in checkpoints.
    Neuron models written in Python derive from :class:`~plastisim.neurons.model.NeuronModel`.
    """

    kernel = None
    state_names = ()
    param_names = ()
    ports = ()
    parameters = {}
    fixed_state = ()

    def __init__(self, n, name=None, **params):
        self.name = name or type(self).__name__
        self.n = check_int(f"{self.name} size n", n, 1)
        check_memory(f"{self.name} size n = {self.n}", 8.0 * self.n * (len(self.state_names) + 4))
        unknown = set(params) - set(self.parameters)
        if unknown:
            raise ParameterError(f"{self.name}: unknown parameter(s) {sorted(unknown)}; "
                                 f"known: {sorted(self.parameters)}")
        self.params = {**self.parameters, **params}
        for key, value in self.params.items():
            check(f"{self.name}.{key}", value)
        self.state = {name: np.zeros(self.n) for name in self.state_names}
        self._spikes = np.zeros(self.n, dtype=np.int64)

    def modes(self, inputs):
        """Switches passed to the kernel after the parameters, given the set ``inputs`` of
        ports and state variables that receive input in the network."""
        return ()

    def variables(self):
        """{dictionary attribute: dict} of the state arrays (monitors, protocols)."""
        return {"state": self.state}

    def port_target(self, port):
        """State array that a weight arriving at input ``port`` is added to."""
        return f"in_{port}"

    def port_index(self, port, nodes):
        """Index into that array per synapse at ``nodes``, or None: the postsynaptic neuron."""
        return None

    def before_run(self):
        """Called before the compiled loop runs (Python may have changed the state since)."""

    def after_run(self):
        """Called after it ran: complete what the loop keeps only partly up to date."""

    def skip_to(self, step, dt):
        """Bring the population to ``step`` after a fast-forward (sources skip their events)."""

    def array(self, name, value, dtype=float):
        """Broadcast a scalar or per-element value to shape (n,) and check it is finite."""
        return per_element(f"{self.name}.{name}", value, self.n, "element", dtype)

    def emit(self, code, pid):
        """Call of the population's kernel in the ``neurons`` phase -> ``nsp_<pid>`` spikes."""
        fn = code.use(self.kernel)
        spikes = code.arg(f"{pid}_spikes", lambda: self._spikes)
        names = [code.state(f"{pid}_{key}", self, key) for key in self.state_names]
        names += [code.arg(f"{pid}_{key}", (lambda k=key: float(self.params[k]))) for key in self.param_names]
        names += [repr(bool(value)) for value in self.modes(code.net.inputs_to(self))]
        stream = stream_id("population", self.name)
        code.phase("neurons")(f"nsp_{pid} = {fn}(step, dt, seed, {stream}, {', '.join(names + [spikes])})")

    def __repr__(self):
        return f"{type(self).__name__}(n={self.n}, name={self.name!r})"


class Network:
    """Description of a network at time step ``dt`` (s) with a master ``seed``."""

    def __init__(self, dt=1e-4, seed=0):
        self.dt = check("dt", dt, 0.0, low_open=True)
        self.seed = check_int("seed", seed, 0, SEED_MAX)
        self.populations, self.projections, self.monitors, self.inputs, self.signals = [], [], [], [], []

    def add(self, component):
        """Add a population, a signal (``ps.TimedArray``, ``ps.Schedule``, ``ps.Concentration``)
        or an input that writes into a port of a population (``PoissonInput``); return it."""
        from .signals import Signal
        if isinstance(component, Signal):
            if any(s.name == component.name for s in self.signals):
                raise ParameterError(f"a signal named {component.name!r} is already in the network")
            component.attach(self)
            self.signals.append(component)
        elif isinstance(component, Population):
            component.name = self._unique(component.name, self.populations)
            self.populations.append(component)
        elif getattr(component, "post_pop", None) in self.populations:
            self.inputs.append(component)
        else:
            raise ParameterError(f"{component!r} must be a Population, a Signal or an input to a "
                                 "population of this network")
        return component

    @staticmethod
    def _unique(name, components):
        """``name``, or ``name_2``, ``name_3``, ... if taken (names key random streams and checkpoints)."""
        taken = {c.name for c in components}
        candidate, count = name, 1
        while candidate in taken:
            count += 1
            candidate = f"{name}_{count}"
        return candidate

    def inputs_to(self, pop):
        """Ports and state variables of ``pop`` that receive input: projections' ports, Poisson
        inputs' ports and the variables that rules write (``post.X``)."""
        found = {port for x in self.inputs if x.post_pop is pop for port in x.ports}
        found |= {port for x in self.projections if x.post_pop is pop for port in x.ports}
        for x in self.projections:
            if x.post_pop is pop and x.rule is not None:
                found |= x.rule.post_writes()
        return found

    def modes(self):
        """Compile-time switches of every population (the kernel is rebuilt when they change)."""
        return tuple(tuple(pop.modes(self.inputs_to(pop))) for pop in self.populations)

    def connect(self, pre, post, rule_or_list="all_to_all", weight=0.0, delay=None, port="exc",
                rule=None, site=None, name=None):
        """Connect ``pre`` to ``post`` and return the :class:`Projection`.

        ``rule_or_list``: ``"all_to_all"``, ``"one_to_one"``, ``connect.FixedProbability(p)``
        or a pair of index arrays ``(pre_idx, post_idx)``. ``weight`` and ``delay`` (s) are
        scalars or per-synapse arrays in the given pair order; delay defaults to dt and must
        be >= dt (it is rounded to whole steps). ``port``: the input port of ``post``, or
        ``None``: nothing is delivered (synapses that act only through their rule, or onto
        a spike source driven only for plasticity), or ``{port: factor}``: several receptors
        of one synapse (``{"ampa": 1.0, "nmda": 0.2}`` delivers w and 0.2 w).
        ``site``: for cells with compartments, the node each synapse attaches to: a named
        location, a region or ``"all"`` (synapses spread at random over the region's membrane,
        see ``CableCells.synapse_nodes``), or node indices (one per synapse); default: where
        ``port`` acts. The rule reads and writes the quantities of that node as
        ``site.X[k]`` (for point neurons ``site.X[k]`` is ``post.X[j]``). Synapses spread over
        a region deliver into a point mechanism placed on that region (its instance at each
        synapse's node).
        """
        for pop in (pre, post):
            if pop not in self.populations:
                raise ParameterError(f"population {pop.name!r} is not part of this network")
        ports = port if isinstance(port, dict) else {} if port is None else {port: 1.0}
        for name_, factor in ports.items():
            if post.ports and name_ not in post.ports:
                raise ParameterError(f"port = {name_!r} is not an input of {post.name}; "
                                     f"allowed: {list(post.ports)}")
            check(f"port factor of {name_!r}", factor)
        sites = getattr(post, "sites", None)
        if site is None and sites is not None and ports:
            site = post.port_location(next(iter(ports)))
        if site is not None and sites is None:
            raise ParameterError(f"site = {site!r}: {post.name} has one node per neuron (no sites)")
        name = self._unique(name or f"{pre.name}->{post.name}", self.projections)
        rng = np.random.Generator(np.random.Philox(key=[self.seed, stream_id("connect", name)]))
        pre_idx, post_idx = connectivity.build(rule_or_list, pre.n, post.n, rng)
        site_nodes = None if site is None else post.synapse_nodes(site, post_idx, rng)
        n_syn = len(pre_idx)
        weight = per_element("weight", weight, n_syn, "synapse")
        delay = per_element("delay", self.dt if delay is None else delay, n_syn, "synapse", finite=False)
        bad = ~np.isfinite(delay) | (delay < self.dt * (1 - 1e-9))
        if np.any(bad):
            bad = float(delay[bad][0])
            raise ParameterError(f"delay = {bad!r} s is outside the allowed range [dt = {self.dt}, inf)")
        steps = np.rint(delay / self.dt).astype(np.int64)
        proj = Projection(pre, post, pre_idx, post_idx, weight, steps, port if post.ports else None,
                          rule, self.dt, name, site_nodes)
        for other in self.projections:
            if (rule is not None and other.neuron_owner is other and other.post_pop is post
                    and type(other.rule) is type(rule) and other.rule.params == rule.params and rule.neuron_state):
                proj.share_neuron_state(other)
                break
        self.projections.append(proj)
        return proj

    def _watch(self, monitor):
        monitor._dt = self.dt
        self.monitors.append(monitor)
        return monitor

    def record_spikes(self, pop, indices=None):
        """Record spikes of ``pop`` (all or ``indices``); returns a :class:`SpikeMonitor`."""
        return self._watch(SpikeMonitor(pop, None if indices is None else check_indices(indices, pop.n, f"{pop.name} spikes")))

    def record(self, target, var, indices=0, interval=None):
        """Record ``var`` of ``target`` (population or projection) every ``interval`` s."""
        every = 1 if interval is None else max(1, int(round(check("interval", interval, 0.0,
                                                                   low_open=True) / self.dt)))
        places = target.variables()
        attr = next((a for a, d in places.items() if var in d), None)
        if attr is None:
            known = sorted(v for d in places.values() for v in d)
            raise ParameterError(f"{var!r} is not a state variable of {target!r}; known: {known}")
        index = check_indices(indices, len(places[attr][var]), repr(var))
        return self._watch(StateMonitor(target, var, index, every, attr))

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
