"""Runner of a network description: chunked compiled time stepping, protocols, monitors,
checkpoints.

The compiled loop runs ``chunk_steps`` steps at a time; between chunks (never per step in
Python) the runner moves monitor data out, checks for non-finite values and updates the
progress bar. Random numbers are counter based, so the result does not depend on the chunk
size, and a checkpoint holds the complete state (no generator state exists).

``debug=True`` (or the environment variable ``PLASTISIM_DEBUG=1``) compiles with bounds
checking (a separate cached kernel): an index out of range stops the run with the time step
instead of corrupting memory.
"""
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from . import checkpoint as checkpoint_file
from .codegen import Kernel
from .errors import ParameterError, SimulationError
from .params import check, check_memory

@dataclass
class Checkpointing:
    """Periodic checkpoints of a protocol run: ``path`` (HDF5), ``every`` (s of wall time),
    ``resume`` (load ``path`` first if it exists)."""

    path: Path
    every: float = 600.0
    resume: bool = False

    def part(self, index):
        """The checkpoint of part ``index`` of a run made of several protocols (realizations)."""
        return Checkpointing(self.path.with_name(f"{self.path.stem}_{index}{self.path.suffix}"), self.every,
                             self.resume)


_LEVEL = {"state": "synapse", "neuron_state": "neuron", "group_state": "group", "pre_neuron_state": "pre_neuron"}


class Simulator:
    """Compile ``net`` and advance it in time; ``t`` is the simulated time (s)."""

    def __init__(self, net, chunk_steps=10_000, debug=None):
        self.net = net
        self.chunk_steps = int(check("chunk_steps", chunk_steps, 1))
        self.debug = bool(int(os.environ.get("PLASTISIM_DEBUG", "0") or 0)) if debug is None else bool(debug)
        for pop in net.populations:
            if hasattr(pop, "setup"):
                pop.setup(net.dt)
        self.kernel = Kernel(net, self.debug)
        self.step = 0
        self.protocol_next = 0  # index of the next action of the protocol being run
        self._protocol = None   # that protocol (None: not yet known, e.g. just after a checkpoint load)
        self.wall_time = 0.0
        self._prepare_monitors(0)
        self.kernel.call("run_chunk", 0, 0, net.dt, net.seed)  # compile or load now

    @property
    def t(self):
        return self.step * self.net.dt

    def _progress(self, total, progress):
        return tqdm(total=round(total, 9), unit="s", unit_scale=True, disable=not progress, desc="simulated",
                    bar_format="{l_bar}{bar}| {n:.3g}/{total:.3g} s [{elapsed}<{remaining}]")

    def run(self, duration, progress=False):
        """Advance by ``duration`` seconds (rounded to whole steps)."""
        duration = check("duration", duration, 0.0)
        total = int(round(duration / self.net.dt))
        check_memory(f"recording duration = {duration:g} s", self.net.recording_bytes(total))
        with self._progress(duration, progress) as bar:
            self._advance(total, bar)

    def run_protocol(self, protocol, progress=False, checkpoint=None, until=None):
        """Run ``protocol`` (a :class:`~plastisim.core.protocol.Protocol`) from the current
        position to its end (or to time ``until``): actions at exact step boundaries,
        fast-forward phases, one progress bar. With ``checkpoint`` (a :class:`Checkpointing`)
        the state is saved every ``checkpoint.every`` seconds of wall time and at the end, and
        with ``checkpoint.resume`` an existing file is loaded first: the resumed run gives the
        same numbers as an uninterrupted one."""
        if checkpoint is not None and checkpoint.resume and checkpoint.path.exists():
            self.load_checkpoint(checkpoint.path)
        if self._protocol is not None and protocol is not self._protocol:
            self.protocol_next = 0  # the position belonged to another protocol
        self._protocol = protocol
        dt = self.net.dt
        actions = protocol.schedule(dt)
        late = actions[self.protocol_next:self.protocol_next + 1]
        if late and late[0].step(dt) < self.step:
            raise ParameterError(f"Protocol: action {late[0].label!r} at t = {late[0].time:g} s lies before "
                                 f"the current time t = {self.t:g} s")
        end = int(round(min(protocol.duration, protocol.duration if until is None else until) / dt))
        saved = time.perf_counter()
        with self._progress(max(end - self.step, 0) * dt, progress) as bar:
            while True:
                while self.protocol_next < len(actions) and actions[self.protocol_next].step(dt) <= self.step:
                    action = actions[self.protocol_next]
                    self.protocol_next += 1
                    if action.kind == "fast_forward":
                        before = self.step
                        self.fast_forward(*action.payload)
                        bar.update((self.step - before) * dt)
                    else:
                        protocol.apply(action, self)
                if self.step >= end:
                    break
                target = actions[self.protocol_next].step(dt) if self.protocol_next < len(actions) else end
                steps = min(target, end) - self.step
                if checkpoint is not None:
                    steps = min(steps, self.chunk_steps)
                self._advance(steps, bar)
                if checkpoint is not None and time.perf_counter() - saved > checkpoint.every:
                    self.save_checkpoint(checkpoint.path)
                    saved = time.perf_counter()
        if checkpoint is not None:
            self.save_checkpoint(checkpoint.path)

    def _advance(self, total, bar):
        start = time.perf_counter()
        if self.net.modes() != self.kernel.modes:  # e.g. an OU input switched on since the last run
            self.kernel = Kernel(self.net, self.debug)
        left = total
        while left > 0:
            done = self._run_chunk(min(left, self.chunk_steps))
            left -= done
            bar.update(done * self.net.dt)
        self.wall_time += time.perf_counter() - start

    def _run_chunk(self, chunk):
        self._prepare_monitors(chunk)
        snapshot = {key: arr.copy() for key, arr in self.state_arrays()}
        try:
            done = self._call_run_chunk(self.step, chunk)
        except IndexError as err:
            self._replay(snapshot, chunk, f"index out of range ({err})")
        if self._first_new_non_finite(snapshot) is not None:
            self._replay(snapshot, done)
        for mon in self.net.monitors:
            mon.collect(self.step, done)
        self.step += done
        if done < chunk:  # a spike buffer filled up: give it room for more spikes per chunk
            for mon in self.net.monitors:
                mon.grow()
        return done

    def _call_run_chunk(self, step, steps):
        """The compiled loop from ``step`` for ``steps`` steps; returns the steps done."""
        for pop in self.net.populations:
            pop.before_run()
        try:
            return self.kernel.call("run_chunk", step, steps, self.net.dt, self.net.seed)
        finally:
            for pop in self.net.populations:
                pop.after_run()

    def fast_forward(self, duration, dt_ff):
        """Skip ``duration`` seconds integrating only the slow dynamics with the long step
        ``dt_ff`` (a multiple of dt): signals, event-driven rules brought up to date
        (``advance``), then ``on_step``/``on_neuron_step``/... with dt = dt_ff.

        Neurons, spike delivery and spike/rate monitors are not run (state monitors sample at
        the long steps); spikes in flight are dropped and spike sources skip the events of the
        interval. A value that becomes NaN/inf stops the
        run with its variable, element and the skipped interval.
        """
        dt = self.net.dt
        ratio = max(1, int(round(check("dt_ff", dt_ff, dt) / dt)))
        total = int(round(check("duration", duration, 0.0) / dt))
        full, rest = divmod(total, ratio)
        snapshot = {key: arr.copy() for key, arr in self.state_arrays()}
        for start, count, stride in ((self.step, full, ratio), (self.step + full * ratio, 1, rest)):
            if count and stride:
                sampling = [mon for mon in self.net.monitors if mon.in_fast_forward]
                for mon in sampling:
                    mon.prepare(start, count * stride)
                self.kernel.call("fast_forward", start, count, dt, self.net.seed, stride)
                for mon in sampling:
                    mon.collect(start, count * stride)
        bad = self._first_new_non_finite(snapshot)
        if bad is not None:
            raise SimulationError(f"non-finite value in {bad[0]}, element {bad[1]}, during the "
                                  f"fast-forward from t = {self.t:.6g} s to {(self.step + total) * dt:.6g} s")
        for proj in self.net.projections:
            for suffix, _ in proj.channels():
                getattr(proj, "queue_count" + suffix)[:] = 0
        self.step += total
        for pop in self.net.populations:
            pop.skip_to(self.step, dt)
        for proj in self.net.projections:  # event-driven synapses: current at the end, not one long step behind
            if proj.rule is not None and proj.rule.advance is not None:
                self.advance(proj)

    def advance(self, proj):
        """Bring every synapse of ``proj`` to the current time with its rule's ``advance``
        (event-driven rules are updated at their own events; call this before reading their
        state between events; fast-forward phases end with it)."""
        name = f"sync_{self.kernel.ids[id(proj)]}"
        if not hasattr(self.kernel.module, name):
            raise ParameterError(f"the rule of {proj!r} has no advance() callback")
        self.kernel.call(name, self.step, 0, self.net.dt, self.net.seed)

    def _prepare_monitors(self, chunk):
        for mon in self.net.monitors:
            mon.prepare(self.step, chunk)

    def state_arrays(self):
        """(key, array) of every state array: signals, populations, inputs, synapses, queues."""
        for sig in self.net.signals:
            for key, arr in sig.state.items():
                yield f"signals/{sig.name}/{key}", arr
        for pop in self.net.populations:
            for key, arr in pop.state.items():
                yield f"populations/{pop.name}/{key}", arr
        for inp in self.net.inputs:
            for key, arr in inp.state.items():
                yield f"inputs/{inp.name}/{key}", arr
        for proj in self.net.projections:
            for kind, arrays in proj.variables().items():
                for key, arr in arrays.items():
                    yield f"projections/{proj.name}/{_LEVEL[kind]}/{key}", arr
            for suffix, _ in proj.channels():
                yield f"projections/{proj.name}/queue{suffix}", getattr(proj, "queue" + suffix)
                yield f"projections/{proj.name}/queue_count{suffix}", getattr(proj, "queue_count" + suffix)

    def _first_new_non_finite(self, before):
        """(key, element) of the first value that is NaN/inf now but was finite in ``before``."""
        for key, arr in self.state_arrays():
            if arr.dtype.kind == "f":
                new = ~np.isfinite(arr) & np.isfinite(before[key])
                if new.any():
                    return key, int(np.flatnonzero(new.reshape(-1))[0])
        return None

    def _replay(self, snapshot, steps, fault=None):
        """Replay a chunk step by step from ``snapshot`` and raise at the first bad step
        (a new NaN/inf, with its variable and element, or ``fault``)."""
        for key, arr in self.state_arrays():
            arr[...] = snapshot[key]
        for n in range(steps):
            self._prepare_monitors(1)
            step = self.step + n
            where = f"at t = {step * self.net.dt:.6g} s (step {step})"
            try:
                self._call_run_chunk(step, 1)
            except IndexError:
                hint = "" if self.debug else "; run with debug=True for bounds checks"
                raise SimulationError(f"{fault} {where}{hint}") from None
            bad = self._first_new_non_finite(snapshot)
            if bad is not None:
                raise SimulationError(f"non-finite value in {bad[0]}, element {bad[1]}, {where}")
        raise SimulationError(f"{fault or 'a fault'} in the chunk from t = {self.t:.6g} s")

    def save_checkpoint(self, path):
        """Write the complete state, monitor data so far and the protocol position to ``path``;
        see :mod:`.checkpoint`."""
        checkpoint_file.save(self, path, {"protocol_next": self.protocol_next})

    def load_checkpoint(self, path):
        """Restore a checkpoint of this (identically built) network; see :mod:`.checkpoint`."""
        extra = checkpoint_file.load(self, path)
        self.protocol_next = int(extra.get("protocol_next", 0))
        self._protocol = None  # the next run_protocol continues at this position
