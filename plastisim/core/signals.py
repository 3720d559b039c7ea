"""Global signals and neuromodulators: named quantities that rules and neuron models read as
``sig.NAME`` (a number, or ``sig.NAME[j]`` for a signal per target neuron).

* :class:`TimedArray` -- values tabulated every ``dt`` seconds (like Brian 2's TimedArray);
* :class:`Schedule` -- piecewise constant, value ``values[m]`` from ``times[m]`` on;
* :class:`Concentration` -- driven by the spikes of a population (the role of NEST's volume
  transmitter): dc/dt = -c / tau + amount * sum_spikes delta(t - t_s), solved exactly,
  c(t + dt) = c(t) e^(-dt/tau) + amount * (spikes in [t, t + dt)); global, or one value per
  neuron of ``target`` that receives the spikes of the source neurons connected to it.

All are evaluated inside the compiled loop (changing a signal needs no return to Python) at
the start of each step, also during fast-forward phases. Add them with ``net.add(signal)``.
"""
import numpy as np
from numba import njit

from . import connect as connectivity
from .codegen import stream_id
from .errors import ParameterError
from .params import check

_EPS = 1e-9  # fraction of dt tolerated when comparing times with step times


class Signal:
    """Base class: ``name``, ``state`` (arrays saved in checkpoints), ``emit``."""

    def __init__(self, name):
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(f"signal name {name!r} must be a Python identifier")
        self.name = name
        self.state = {}

    def attach(self, net):
        self.net = net

    def variables(self):
        return {"state": self.state}

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


def _table(name, values, rows):
    values = np.asarray(values, dtype=float)
    if values.ndim not in (1, 2) or values.shape[0] != rows or not np.all(np.isfinite(values)):
        raise ParameterError(f"{name}: values must be finite, shape ({rows},) or ({rows}, n_neurons)")
    return np.ascontiguousarray(values)


class TimedArray(Signal):
    """``values[m]`` (shape (M,) or (M, n) for one value per neuron) holds for
    t in [m dt, (m + 1) dt); the last value holds after the table."""

    def __init__(self, name, values, dt):
        super().__init__(name)
        values = np.asarray(values, dtype=float)
        self.state["values"] = _table(f"TimedArray {name!r}", values, values.shape[0] if values.ndim else -1)
        self.dt = check(f"TimedArray {name!r}.dt", dt, 0.0, low_open=True)

    def emit(self, code, sid):
        values = code.state(f"{sid}_values", self, "values")
        dt = code.arg(f"{sid}_dt", lambda: self.dt)
        code.phase("signals")(f"sig_{self.name} = {values}[min(int(t / {dt} + {_EPS}), {values}.shape[0] - 1)]")


@njit(cache=True)
def piece(times, t):
    """Index m of the piece with times[m] <= t < times[m + 1] (times[0] = -inf; bisection).
    A plain loop: np.searchsorted inside the step loop measurably slowed the synapse loops of
    the same kernel (reward-STDP network: 7.2 s vs 5.1 s)."""
    low, high = 0, times.shape[0]
    while high - low > 1:
        mid = (low + high) >> 1
        if times[mid] <= t:
            low = mid
        else:
            high = mid
    return low


class Schedule(Signal):
    """Piecewise constant: ``values[m]`` from ``times[m]`` (s, increasing) until the next time;
    ``initial`` before ``times[0]``. ``values`` of shape (M,) or (M, n) (per neuron)."""

    def __init__(self, name, times, values, initial=0.0):
        super().__init__(name)
        times = np.asarray(times, dtype=float).reshape(-1)
        if not np.all(np.isfinite(times)) or np.any(np.diff(times) <= 0):
            raise ParameterError(f"Schedule {name!r}: times must be finite and strictly increasing")
        values = _table(f"Schedule {name!r}", values, len(times))
        first = np.broadcast_to(np.asarray(initial, dtype=float), values.shape[1:])[None]
        self.state["times"] = np.concatenate(([-np.inf], times))
        self.state["values"] = np.concatenate((first, values))

    def emit(self, code, sid):
        times = code.state(f"{sid}_times", self, "times")
        values = code.state(f"{sid}_values", self, "values")
        code.phase("signals")(f"sig_{self.name} = {values}[{code.use(piece)}({times}, t + {_EPS} * dt)]")


class Concentration(Signal):
    """Concentration released by the spikes of ``source``: each spike adds ``amount``, decay
    with time constant ``tau`` (s). With ``target`` (a population) one value per target
    neuron, which receives the spikes of the source neurons ``connect`` assigns to it
    (``"all_to_all"`` by default, or any rule of ``net.connect``). ``initial``: c at t = 0."""

    def __init__(self, name, source, amount, tau, target=None, connect="all_to_all", initial=0.0):
        super().__init__(name)
        self.source, self.target, self.rule = source, target, connect
        self.amount = check(f"Concentration {name!r}.amount", amount)
        self.tau = check(f"Concentration {name!r}.tau", tau, 0.0, low_open=True)
        self.state["c"] = np.full(1 if target is None else target.n, check("initial", initial))

    def attach(self, net):
        super().attach(net)
        for pop in filter(None, (self.source, self.target)):
            if pop not in net.populations:
                raise ParameterError(f"Concentration {self.name!r}: population {pop.name!r} is not in the network")
        if self.target is not None:
            rng = np.random.Generator(np.random.Philox(key=[net.seed, stream_id("signal", self.name)]))
            pre, post = connectivity.build(self.rule, self.source.n, self.target.n, rng)
            order = np.argsort(pre, kind="stable")
            self.targets = post[order].astype(np.int64)
            self.ptr = np.concatenate(([0], np.cumsum(np.bincount(pre, minlength=self.source.n)))).astype(np.int64)

    def emit(self, code, sid):
        c = code.state(f"{sid}_c", self, "c")
        amount = code.arg(f"{sid}_amount", lambda: self.amount)
        tau = code.arg(f"{sid}_tau", lambda: self.tau)
        src = code.id(self.source)
        code.phase("signals")(f"sig_{self.name} = {c}[0]" if self.target is None else f"sig_{self.name} = {c}")
        for phase in ("spikes", "fast_forward_end"):
            b = code.phase(phase)
            b(f"decay = math.exp(-dt / {tau})")
            with b.block(f"for e in range({c}.shape[0]):"):
                b(f"{c}[e] *= decay")
        b = code.phase("spikes")
        if self.target is None:
            b(f"{c}[0] += {amount} * nsp_{src}")
            return
        ptr = code.arg(f"{sid}_ptr", lambda: self.ptr)
        targets = code.arg(f"{sid}_targets", lambda: self.targets)
        with b.block(f"for q in range(nsp_{src}):"):
            b(f"i = {src}_spikes[q]")
            with b.block(f"for r in range({ptr}[i], {ptr}[i + 1]):"):
                b(f"{c}[{targets}[r]] += {amount}")
