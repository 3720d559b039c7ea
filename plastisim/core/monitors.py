"""Monitors: spikes, sampled state variables and population rates.

Each monitor writes into buffers inside the compiled loop (its ``emit``); between chunks
the simulator calls ``prepare(step, chunk)`` and ``collect(step, done)``, which move the
data into lists of arrays. ``saved`` names those lists for checkpoints. Times are kept as
step numbers, so fast-forward gaps appear in ``t``.
"""
import numpy as np


class Monitor:
    """Base class; ``_dt`` is set by the network. ``in_fast_forward``: it records during
    fast-forward phases."""

    in_fast_forward = False

    def prepare(self, step, chunk):
        """Make buffers for the next ``chunk`` steps starting at ``step``."""

    def collect(self, step, done):
        """Move the data of ``done`` steps starting at ``step`` out of the buffers."""

    def grow(self):
        """A buffer filled up inside a chunk: make room for more."""

    def saved(self):
        """{name: list of arrays} of the recorded data (for checkpoints)."""
        return {}

    def _times(self, steps):
        return self._dt * np.concatenate(steps) if steps else np.zeros(0)


class SpikeMonitor(Monitor):
    """Records (time, index) of spikes of a population, optionally of a subset."""

    def __init__(self, pop, indices=None):
        self.target = pop
        self.mask = np.zeros(pop.n, dtype=np.bool_)
        self.mask[slice(None) if indices is None else np.asarray(indices)] = True
        self.steps, self.indices = [], []
        self._buf = dict(steps=np.zeros(4 * pop.n + 1024, dtype=np.int64),
                         index=np.zeros(4 * pop.n + 1024, dtype=np.int64), count=np.zeros(1, dtype=np.int64))

    @property
    def t(self):
        return self._times(self.steps)

    @property
    def i(self):
        return np.concatenate(self.indices) if self.indices else np.zeros(0, dtype=np.int64)

    def emit(self, code, mid):
        pid = code.id(self.target)
        mask = code.arg(f"{mid}_mask", lambda: self.mask)
        steps, index, count = (code.arg(f"{mid}_{k}", (lambda k=k: self._buf[k])) for k in ("steps", "index", "count"))
        b = code.phase("monitors")
        with b.block(f"for q in range(nsp_{pid}):"):
            with b.block(f"if {mask}[{pid}_spikes[q]]:"):
                b(f"{steps}[{count}[0]] = step", f"{index}[{count}[0]] = {pid}_spikes[q]", f"{count}[0] += 1")
        code.stop_if.append(f"{count}[0] + {mask}.shape[0] > {steps}.shape[0]")

    def prepare(self, step, chunk):
        self._buf["count"][0] = 0

    def collect(self, step, done):
        count = self._buf["count"][0]
        self.steps.append(self._buf["steps"][:count].copy())
        self.indices.append(self._buf["index"][:count].copy())
        self._buf["count"][0] = 0

    def grow(self):
        size = 2 * self._buf["steps"].shape[0]
        self._buf["steps"] = np.zeros(size, dtype=np.int64)
        self._buf["index"] = np.zeros(size, dtype=np.int64)

    def saved(self):
        return {"steps": self.steps, "indices": self.indices}


class StateMonitor(Monitor):
    """Samples variable ``var`` of chosen elements of ``target`` every ``every`` steps (after
    the update). During a fast-forward it samples at the start of each long step that
    contains a multiple of ``every`` (labelled with that step's time). ``attr`` names the
    dictionary of ``target`` that holds the variable."""

    in_fast_forward = True

    def __init__(self, target, var, indices, every, attr="state"):
        self.target, self.var, self.every, self.attr = target, var, int(every), attr
        self.index = np.asarray(indices, dtype=np.int64).reshape(-1)
        self.steps, self.values = [], []
        self._buf = {}

    @property
    def t(self):
        return self._times(self.steps)

    @property
    def data(self):
        """Array of shape (samples, len(indices))."""
        return np.concatenate(self.values) if self.values else np.zeros((0, len(self.index)))

    def emit(self, code, mid):
        src = code.state(f"{mid}_src", self.target, self.var, self.attr)
        index, data, steps, row = (code.arg(f"{mid}_{k}", (lambda k=k: self._buf[k]))
                                   for k in ("index", "data", "steps", "row"))
        every = code.arg(f"{mid}_every", lambda: self.every)
        for phase in ("monitors", "fast_forward_end"):
            b = code.phase(phase)
            with b.block(f"if (step + stride - 1) // {every} != (step - 1) // {every}:"):
                with b.block(f"for q in range({index}.shape[0]):"):
                    b(f"{data}[{row}[0], q] = {src}[{index}[q]]")
                b(f"{steps}[{row}[0]] = step", f"{row}[0] += 1")

    def prepare(self, step, chunk):
        rows = -(-(step + chunk) // self.every) - -(-step // self.every)
        self._buf = dict(index=self.index, data=np.zeros((rows, len(self.index))),
                         steps=np.zeros(rows, dtype=np.int64), row=np.zeros(1, dtype=np.int64))

    def collect(self, step, done):
        rows = self._buf["row"][0]
        self.steps.append(self._buf["steps"][:rows].copy())
        self.values.append(self._buf["data"][:rows].copy())

    def saved(self):
        return {"steps": self.steps, "values": self.values}


class RateMonitor(Monitor):
    """Population rate: spikes per step divided by n * dt (Hz), one value per simulated step
    (fast-forward phases have none; ``t`` gives the time of each value)."""

    def __init__(self, pop):
        self.target = pop
        self.counts, self.steps = [], []
        self._buf = {}

    @property
    def rate(self):
        counts = np.concatenate(self.counts) if self.counts else np.zeros(0)
        return counts / (self.target.n * self._dt)

    @property
    def t(self):
        return self._times(self.steps)

    def emit(self, code, mid):
        counts = code.arg(f"{mid}_counts", lambda: self._buf["counts"])
        code.phase("monitors")(f"{counts}[n] = nsp_{code.id(self.target)}")

    def prepare(self, step, chunk):
        self._buf = dict(counts=np.zeros(chunk, dtype=np.int64))

    def collect(self, step, done):
        self.counts.append(self._buf["counts"][:done].copy())
        self.steps.append(np.arange(step, step + done))

    def saved(self):
        return {"counts": self.counts, "steps": self.steps}
