"""Protocols as data: a schedule of timed actions run by ``Simulator.run_protocol``.

Actions happen at exact step boundaries (the compiled loop runs up to the step of the next
action); what changes inside a step belongs to signals (``ps.Schedule``), which the loop
evaluates itself. The simulator keeps the index of the next action, saves it in checkpoints,
and a resumed run continues mid-protocol. One progress bar covers the whole protocol in
simulated time, fast-forward phases included.

    proto = ps.Protocol(duration=25.0)
    proto.call(10.0, exc.switch_ou, "stim", idx, mu=1e-6, sigma=2e-7)   # any function
    proto.set(10.1, exc, "mu_stim", 0.0)             # state array (or parameter) := value
    proto.fast_forward(16.1, 28_795.0, dt_ff=50.0)    # slow dynamics only, long step
    sim.run_protocol(proto, progress=True)
"""
from dataclasses import dataclass, field

from .errors import ParameterError
from .params import check


@dataclass(order=True)
class Action:
    """One timed action; ``order`` keeps actions at the same time in the order they were added."""
    time: float
    order: int
    kind: str = field(compare=False)
    payload: tuple = field(compare=False)
    label: str = field(compare=False, default="")

    def step(self, dt):
        return int(round(self.time / dt))


class Protocol:
    """Timed actions over ``duration`` seconds (the protocol ends there)."""

    def __init__(self, duration):
        self.duration = check("Protocol.duration", duration, 0.0)
        self.actions = []

    def _add(self, time, kind, payload, label):
        time = check(f"Protocol {kind} time", time, 0.0, self.duration)
        self.actions.append(Action(time, len(self.actions), kind, payload, label))
        return self

    def call(self, time, fn, *args, **kwargs):
        """Call ``fn(*args, **kwargs)`` at ``time`` (s), e.g. switch a stimulus on or off."""
        return self._add(time, "call", (fn, args, kwargs), getattr(fn, "__name__", repr(fn)))

    def set(self, time, target, name, value, indices=slice(None)):
        """At ``time``: state array ``name`` of ``target`` (population, projection, signal)
        gets ``value`` at ``indices``, or, if ``name`` is a parameter, the parameter is set."""
        places = target.variables()
        if not any(name in d for d in places.values()) and name not in getattr(target, "params", {}):
            raise ParameterError(f"Protocol.set: {name!r} is neither a state variable nor a parameter of {target!r}")
        return self._add(time, "set", (target, name, value, indices), f"{target!r}.{name}")

    def fast_forward(self, start, stop, dt_ff):
        """From ``start`` to ``stop`` (s) integrate only the slow dynamics with step ``dt_ff``
        (``Simulator.fast_forward``)."""
        stop = check("Protocol.fast_forward stop", stop, start, self.duration)
        return self._add(start, "fast_forward", (stop - start, dt_ff), f"fast-forward to {stop:g} s")

    def schedule(self, dt):
        """Actions sorted by (time, order); refuses actions inside a fast-forward phase."""
        actions = sorted(self.actions)
        for ff in (a for a in actions if a.kind == "fast_forward"):
            start, stop = ff.step(dt), ff.step(dt) + int(round(ff.payload[0] / dt))
            inside = [a for a in actions if a is not ff and start < a.step(dt) < stop]
            if inside:
                raise ParameterError(f"Protocol: action {inside[0].label!r} at t = {inside[0].time} s lies "
                                     f"inside the fast-forward phase [{ff.time}, {stop * dt:g}] s")
        return actions

    def apply(self, action, sim):
        """Perform a 'call' or 'set' action."""
        if action.kind == "call":
            fn, args, kwargs = action.payload
            fn(*args, **kwargs)
        else:
            target, name, value, indices = action.payload
            places = target.variables()
            arrays = [d[name] for d in places.values() if name in d]
            if arrays:
                arrays[0][indices] = value
            else:
                target.params[name] = check(f"{target!r}.{name}", value)

