"""The public way to write a neuron model in plain Python.

A neuron model is a subclass of :class:`NeuronModel` with

* ``parameters`` -- ``{name: default}`` (SI units, in the model's docstring), one value per
  population (per-neuron values are state variables);
* ``state_variables`` -- ``{name: initial value}`` per neuron (a number or a parameter name);
  pass ``name=value`` (scalar or per-neuron array) to the constructor to change it;
* ``ports`` -- ``{port: variable}``: a weight arriving at ``port`` is added to that state
  variable (e.g. ``{"exc": "g_e"}``), or ``{port: None}``: it is added to the buffer
  ``in_<port>``, which the update reads and the engine clears after every step;
* ``refractory`` -- name of the parameter with the refractory period (s), or None; while
  refractory the threshold is not tested and the update gets ``refractory = True``;
* callbacks, ordinary functions without ``self``:

  ``prepare(p, d, dt)``       once per step before the neurons: constants shared by all
                              neurons (``d.decay = exp(-dt / p.tau)``), read as ``d.X``;
  ``update(s, p, d, j, ...)`` advance neuron ``j`` from t to t + dt;
  ``threshold(s, p, j)``      return True if neuron ``j`` spikes (after its update);
  ``reset(s, p, j)``          after a spike (any model-dependent reset, e.g. bursts).

Names inside callbacks: ``s.X[j]`` state, ``p.X`` parameters, ``d.X`` prepared constants,
``f.X`` compile-time switches (:meth:`NeuronModel.flags`), ``sig.X`` signals, ``j``, ``t``,
``dt``, ``refractory``, ``randn()`` (standard normal, independent per neuron and step),
``rand()``, ``math``/``np``/``exp``/``sqrt``/``log``/``fabs``, and the module's numeric
constants and helper functions. The callbacks are compiled into one kernel per population
(generated per network, cached): a pass of ``update`` over all neurons, then a pass of
``threshold`` and ``reset`` (so an ``update`` without branches, calls or draws vectorises).
``update`` of neuron ``j`` must only read and write neuron ``j``. Rules read any state
variable as ``post.X[j]``/``pre.X[i]``.
"""
import ast

import numpy as np

from ..core.codegen import Block, stream_id
from ..core.errors import ParameterError
from ..core.network import Population
from ..core.translate import Space, source_of, translate


class NeuronModel(Population):
    """Base class of neuron models written in Python; see the module docstring."""

    parameters = {}
    state_variables = {}
    ports = {}
    refractory = None
    prepare = update = threshold = reset = None

    def __init__(self, n, name=None, **kwargs):
        params = {k: v for k, v in kwargs.items() if k not in self.state_variables}
        super().__init__(n, name=name, **params)
        self.validate(self.params)
        for var, default in self.state_variables.items():
            value = kwargs.get(var, self.params[default] if isinstance(default, str) else default)
            self.state[var] = self.array(var, value)
        for port, var in self.ports.items():
            if var is None:
                self.state[f"in_{port}"] = np.zeros(self.n)
            elif var not in self.state_variables:
                raise ParameterError(f"{type(self).__name__}: port {port!r} targets {var!r}, "
                                     f"which is not a state variable")
        if self.refractory is not None:
            self.state["refr"] = np.zeros(self.n, dtype=np.int64)
        if self.update is None or self.threshold is None or self.reset is None:
            raise ParameterError(f"{type(self).__name__} must define update, threshold and reset")

    def validate(self, params):
        """Check parameter ranges; override to add model-specific checks."""

    def flags(self, inputs):
        """Compile-time switches ``{name: bool}`` read as ``f.NAME`` (work a network does not
        need can be compiled out), given the set ``inputs`` of ports and variables that receive
        input. Re-evaluated at every ``Simulator.run``."""
        return {}

    def modes(self, inputs):
        return tuple(sorted(self.flags(inputs).items()))

    def port_target(self, port):
        var = self.ports[port]
        return f"in_{port}" if var is None else var

    def emit(self, code, pid):
        """Generate this population's kernel and call it in the ``neurons`` phase."""
        owner = type(self).__name__
        flags = self.flags(code.net.inputs_to(self))
        prepared = self._prepared_names()
        spaces = {"s": Space("array", "s_", self.state), "p": Space("scalar", "p_", self.params),
                  "d": Space("scalar", "d_", prepared),
                  "f": Space("constant", "f_", flags),
                  "sig": Space("value", "sig_", {s.name: s for s in code.net.signals})}
        calls, used = {}, []
        for name in ("update", "threshold", "reset"):
            tr = translate(owner, name, getattr(type(self), name), f"{pid}_{name}", spaces, ("j",),
                           extra=("refractory", "rng_cache"), paired=True)
            if tr.body is None and tr.expression is None:  # early returns: keep it a function
                code.function(tr.source, tr)
            for helper in tr.helpers.values():
                code.function(helper)
            used += [u for u in tr.used if u not in used]
            calls[name] = tr
        sites = max(1, max(tr.draws for tr in calls.values()))
        kernel, marks = Block(), []
        kernel("t = step * dt")
        if self.prepare is not None:
            spaces_prep = dict(spaces, d=Space("local", "d_", prepared))
            tr = translate(owner, "prepare", type(self).prepare, f"{pid}_prepare", spaces_prep, ())
            if tr.body is None:
                raise ParameterError(f"{owner}.prepare must not return a value ({tr.where})")
            if tr.draws:
                raise ParameterError(f"{owner}.prepare computes constants shared by all neurons: draw random "
                                     f"numbers (randn, rand) in update ({tr.where})")
            for helper in tr.helpers.values():
                code.function(helper)
            marks.append((len(kernel.lines) + 1, tr))
            kernel(*(line for stmt in tr.body for line in stmt.split("\n")))
            used += [u for u in tr.used if u not in used]
        args = {("s", v): f"s_{v}" for v in self.state}
        args.update({u: f"{u[0]}_{u[1]}" for u in used})
        kernel_args = [f"s_{v}" for v in self.state] + sorted({f"{s}_{v}" for s, v in used if s in ("p", "sig")})
        if self.refractory is not None and f"p_{self.refractory}" not in kernel_args:
            kernel_args.append(f"p_{self.refractory}")

        def paste(name, b):
            """The callback's statements pasted into the loop (no call in the hot loop), or a call."""
            tr = calls[name]
            if tr.body is not None:
                marks.append((len(b.lines) + 1, tr))  # + 1: the def line of the kernel
                b(*(line for stmt in tr.body for line in stmt.split("\n")))
                return None
            tail = "".join(", " + args[u] for u in tr.used)
            call = f"{pid}_{name}(j, t, dt, step, seed, stream, refractory, rng_cache{tail})"
            if tr.expression is not None:  # the caller puts it in the next line
                marks.append((len(kernel.lines) + 1, tr))
                return f"({tr.expression})"
            b(call)
            return call

        kernel(f"rng_cache = np.full(({sites}, 4), -1.0)", "nspk = 0")
        if self.refractory is not None:
            kernel(f"n_ref = int(round(p_{self.refractory} / dt))")
        refractory = "refractory = " + ("s_refr[j] > 0" if self.refractory else "False")
        with kernel.block("for j in range(spikes.shape[0]):"):  # update pass: no spike test, so it can vectorise
            kernel(refractory)
            paste("update", kernel)
        with kernel.block("for j in range(spikes.shape[0]):"):  # threshold and reset pass
            kernel(refractory)
            if self.refractory is not None:
                with kernel.block("if refractory:"):
                    kernel("s_refr[j] -= 1")
            header = f"{'elif' if self.refractory is not None else 'if'} {paste('threshold', Block())}:"
            with kernel.block(header):
                kernel("spikes[nspk] = j", "nspk += 1")
                paste("reset", kernel)
                if self.refractory is not None:
                    kernel("s_refr[j] = n_ref")
            kernel(*(f"s_in_{port}[j] = 0.0" for port, var in self.ports.items() if var is None))
        kernel("return nspk")
        code.function(f"def {pid}_kernel(step, dt, seed, stream, {', '.join(kernel_args)}, spikes):\n"
                      + "\n".join("    " + line for line in kernel.lines), marks=marks)
        values = []
        for a in kernel_args:
            space, var = a.split("_", 1)
            if space == "s":
                values.append(code.state(f"{pid}_{var}", self, var))
            elif space == "p":
                values.append(code.arg(f"{pid}_p_{var}", (lambda v=var: float(self.params[v]))))
            else:
                values.append(a)  # a signal: local of the step loop
        spikes = code.arg(f"{pid}_spikes", lambda: self._spikes)
        stream = stream_id("population", self.name)
        code.phase("neurons")(f"nsp_{pid} = {pid}_kernel(step, dt, seed, {stream}, {', '.join(values)}, {spikes})")

    def _prepared_names(self):
        """Names ``X`` that ``prepare`` assigns as ``d.X``."""
        if self.prepare is None:
            return {}
        tree = ast.parse(source_of(type(self).__name__, "prepare", type(self).prepare)[0])
        return {n.attr: None for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                and isinstance(n.value, ast.Name) and n.value.id == "d" and isinstance(n.ctx, ast.Store)}

