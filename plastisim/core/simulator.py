"""Runner of a network description: chunked compiled time stepping, monitors, checkpoints.

The compiled loop runs ``chunk_steps`` steps at a time; between chunks (never per step in
Python) the runner moves monitor data out, checks for non-finite values and updates the
progress bar. Random numbers are counter based, so the result does not depend on the chunk
size, and a checkpoint holds the complete state (no generator state exists).
"""
import time

import numpy as np
from tqdm.auto import tqdm

from . import checkpoint
from .codegen import Kernel, modes
from .errors import ParameterError, SimulationError
from .network import RateMonitor, SpikeMonitor, StateMonitor
from .params import check, check_memory


class Simulator:
    """Compile ``net`` and advance it in time; ``t`` is the simulated time (s)."""

    def __init__(self, net, chunk_steps=10_000):
        self.net = net
        self.chunk_steps = int(check("chunk_steps", chunk_steps, 1))
        for pop in net.populations:
            if hasattr(pop, "prepare"):
                pop.prepare(net.dt)
            pop._spikes = np.zeros(pop.n, dtype=np.int64)
        for mon in net.monitors:  # spike buffers persist; the others are made per chunk
            if isinstance(mon, SpikeMonitor):
                mon._buf = dict(mask=mon.mask, steps=np.zeros(4 * mon.target.n + 1024, dtype=np.int64),
                                index=np.zeros(4 * mon.target.n + 1024, dtype=np.int64),
                                count=np.zeros(1, dtype=np.int64))
        self.kernel = Kernel(net)
        self.step = 0
        self.wall_time = 0.0
        self._prepare_monitors(0)
        self.kernel.run_chunk(0, 0, net.dt, net.seed, *self.kernel.values())  # compile or load now

    @property
    def t(self):
        return self.step * self.net.dt

    def run(self, duration, progress=False):
        """Advance by ``duration`` seconds (rounded to whole steps)."""
        duration = check("duration", duration, 0.0)
        total = int(round(duration / self.net.dt))
        check_memory(f"recording duration = {duration:g} s", self.net.recording_bytes(total))
        start = time.perf_counter()
        if modes(self.net) != self.kernel.modes:  # e.g. an OU input switched on since the last run
            self.kernel = Kernel(self.net)
        bar = tqdm(total=round(duration, 9), unit="s", unit_scale=True, disable=not progress,
                   desc="simulated", bar_format="{l_bar}{bar}| {n:.3g}/{total:.3g} s [{elapsed}<{remaining}]")
        left = total
        while left > 0:
            chunk = min(left, self.chunk_steps)
            done = self._run_chunk(chunk)
            left -= done
            bar.update(done * self.net.dt)
        bar.close()
        self.wall_time += time.perf_counter() - start

    def _run_chunk(self, chunk):
        self._prepare_monitors(chunk)
        snapshot = {key: arr.copy() for key, arr in self.state_arrays()}
        done = self.kernel.run_chunk(self.step, chunk, self.net.dt, self.net.seed, *self.kernel.values())
        if self._first_new_non_finite(snapshot) is not None:
            self._locate_non_finite(snapshot, done)
        self._collect_monitors(done)
        self.step += done
        if done < chunk:  # a spike buffer filled up: give it room for more spikes per chunk
            for mon in self.net.monitors:
                if isinstance(mon, SpikeMonitor):
                    mon._buf["steps"] = np.zeros(2 * mon._buf["steps"].shape[0], dtype=np.int64)
                    mon._buf["index"] = np.zeros_like(mon._buf["steps"])
        return done

    def fast_forward(self, duration, dt_ff):
        """Skip ``duration`` seconds integrating only the rules' slow dynamics with the long
        step ``dt_ff`` (a multiple of dt): per long step, event-driven rules are brought up to
        date (``advance``), then ``on_step`` and ``on_neuron_step`` run with dt = dt_ff.

        Neurons, sources, spike delivery and monitors are not run; spikes in flight are
        dropped. Used for slow consolidation phases between stimulation windows. A value that
        becomes NaN/inf stops the run with its variable, element and the skipped interval.
        """
        dt = self.net.dt
        ratio = max(1, int(round(check("dt_ff", dt_ff, dt) / dt)))
        total = int(round(check("duration", duration, 0.0) / dt))
        full, rest = divmod(total, ratio)
        values = self.kernel.values()
        snapshot = {key: arr.copy() for key, arr in self.state_arrays()}
        if full:
            self.kernel.module.fast_forward(self.step, full, dt, self.net.seed, ratio, *values)
        if rest:
            self.kernel.module.fast_forward(self.step + full * ratio, 1, dt, self.net.seed, rest, *values)
        bad = self._first_new_non_finite(snapshot)
        if bad is not None:
            raise SimulationError(f"non-finite value in {bad[0]}, element {bad[1]}, during the "
                                  f"fast-forward from t = {self.t:.6g} s to {(self.step + total) * dt:.6g} s")
        for proj in self.net.projections:
            for suffix, _ in proj.channels():
                getattr(proj, "queue_count" + suffix)[:] = 0
        self.step += total

    def advance(self, proj):
        """Bring every synapse of ``proj`` to the current time with its rule's ``advance``
        (for event-driven rules before reading their state)."""
        x = self.net.projections.index(proj)
        sync = getattr(self.kernel.module, f"sync_{x}", None)
        if sync is None:
            raise ParameterError(f"the rule of {proj!r} has no advance() callback")
        sync(self.step, 0, self.net.dt, self.net.seed, *self.kernel.values())

    def _prepare_monitors(self, chunk):
        for mon in self.net.monitors:
            if isinstance(mon, SpikeMonitor):
                mon._buf["count"][0] = 0
            elif isinstance(mon, StateMonitor):
                rows = -(-(self.step + chunk) // mon.every) - -(-self.step // mon.every)
                mon._buf = dict(index=mon.index, data=np.zeros((rows, len(mon.index))),
                                row=np.zeros(1, dtype=np.int64))
            elif isinstance(mon, RateMonitor):
                mon._buf = dict(counts=np.zeros(chunk, dtype=np.int64))

    def _collect_monitors(self, done):
        for mon in self.net.monitors:
            buf = mon._buf
            if isinstance(mon, SpikeMonitor):
                count = buf["count"][0]
                mon.steps.append(buf["steps"][:count].copy())
                mon.indices.append(buf["index"][:count].copy())
                buf["count"][0] = 0
            elif isinstance(mon, StateMonitor):
                first = -(-self.step // mon.every) * mon.every
                steps = np.arange(first, self.step + done, mon.every)
                mon.steps.append(steps)
                mon.values.append(buf["data"][: len(steps)].copy())
            else:
                mon.counts.append(buf["counts"][:done].copy())

    def state_arrays(self):
        """(key, array) of every state array: populations, inputs, synapses, spike queues."""
        for pop in self.net.populations:
            for key, arr in pop.state.items():
                yield f"populations/{pop.name}/{key}", arr
        for m, inp in enumerate(self.net.inputs):
            for key, arr in inp.state.items():
                yield f"inputs/{m}/{key}", arr
        for x, proj in enumerate(self.net.projections):
            for key, arr in proj.state.items():
                yield f"projections/{x}/synapse/{key}", arr
            for key, arr in proj.neuron_state.items():
                yield f"projections/{x}/neuron/{key}", arr
            for key, arr in proj.group_state.items():
                yield f"projections/{x}/group/{key}", arr
            for suffix, _ in proj.channels():
                yield f"projections/{x}/queue{suffix}", getattr(proj, "queue" + suffix)
                yield f"projections/{x}/queue_count{suffix}", getattr(proj, "queue_count" + suffix)

    def _first_new_non_finite(self, before):
        """(key, element) of the first value that is NaN/inf now but was finite in ``before``."""
        for key, arr in self.state_arrays():
            if arr.dtype.kind == "f":
                new = ~np.isfinite(arr) & np.isfinite(before[key])
                if new.any():
                    return key, int(np.flatnonzero(new.reshape(-1))[0])
        return None

    def _locate_non_finite(self, snapshot, done):
        """Replay the chunk step by step from ``snapshot`` and raise at the first bad step."""
        for key, arr in self.state_arrays():
            arr[...] = snapshot[key]
        for n in range(done):
            self._prepare_monitors(1)
            self.kernel.run_chunk(self.step + n, 1, self.net.dt, self.net.seed, *self.kernel.values())
            bad = self._first_new_non_finite(snapshot)
            if bad is not None:
                step = self.step + n
                raise SimulationError(f"non-finite value in {bad[0]}, element {bad[1]}, at t = "
                                      f"{step * self.net.dt:.6g} s (step {step})")

    def save_checkpoint(self, path, extra=None):
        """Write the complete state (and monitor data so far) to ``path``; see :mod:`.checkpoint`."""
        checkpoint.save(self, path, extra)

    def load_checkpoint(self, path):
        """Restore a checkpoint of this (identically built) network; see :mod:`.checkpoint`."""
        return checkpoint.load(self, path)
