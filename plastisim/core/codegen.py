"""Generate the compiled step loop of a network from the code its components contribute.

Every component (signal, population, input, projection, monitor) has a method
``emit(code, cid)`` that adds lines to named phases of the step through :class:`Code`:
kernel arguments go through one symbol table (:meth:`Code.arg`), loops through the
indentation helper (:meth:`Block.block`), compiled helper functions through
:meth:`Code.function`. Adding a kind of component means writing its ``emit``; nothing here
knows the kinds. Per time step the phases run in the order of :data:`PHASES`:

1. ``signals``             values of global signals at t (tabulated, schedules, concentrations);
2. ``deliver``             queued spikes whose delay has elapsed reach their synapses;
3. ``inputs``              neuron-level inputs (``PoissonInput``) into their ports;
4. ``neurons``             every population's kernel -> this step's spikes (``nsp_<pid>``);
5. ``post_events``         plastic synapses of neurons that fired, then
   ``post_neuron_events``  the neuron-level part of those events;
6. ``sums``, ``synapse_step``, ``neuron_step``, ``regular``, ``fields``: reductions over
   synapses, the per-step callbacks of synapses, then of neurons and groups (t -> t + dt),
   the callbacks that run every N steps, then the solvers of fields on domains (diffusing
   species, with the influx the callbacks wrote);
7. ``spikes``              this step's spikes: queued for delivery, added to signals;
8. ``monitors``.

``fast_forward`` runs only ``signals``, ``sync`` (event-driven rules brought up to date),
the phases of 6 and ``fast_forward_end`` (what ``spikes`` does without spikes, e.g. decay) with a long step (``stride`` steps of dt; ``stride`` is 1 in ``run_chunk``). One module per network structure is written to the kernel
cache, named by the hash of its source, and compiled by numba with ``cache=True``.
"""
import contextlib
import hashlib
import importlib.util
import inspect
import os
import sys
import zlib

from .. import _cache
from .errors import ParameterError
from .translate import user_location

CONTINUOUS = ("sums", "synapse_step", "neuron_step", "regular", "fields")
PHASES = ("signals", "deliver", "inputs", "neurons", "post_events", "post_neuron_events", *CONTINUOUS,
          "spikes", "monitors")
FAST_FORWARD_PHASES = ("signals", "sync", *CONTINUOUS, "fast_forward_end")
RUNTIME_MODULES = ("plastisim.core.rng",)


def cache_dir():
    """Directory of generated kernel modules."""
    path = _cache.ROOT / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stream_id(*names):
    """32-bit random stream number of a component's named noise source (stable: adding other
    components does not change it)."""
    return zlib.crc32("/".join(names).encode())


class Block:
    """Lines of code with an indentation helper."""

    def __init__(self):
        self.lines, self.depth = [], 0

    def __call__(self, *lines):
        self.lines += ["    " * self.depth + line for line in lines]

    @contextlib.contextmanager
    def block(self, header):
        """``with b.block("for k in range(n):"):`` indents what is added inside."""
        self(header)
        self.depth += 1
        yield self
        self.depth -= 1


class Code:
    """What the components contribute: arguments, phases, functions, imports."""

    def __init__(self, net, debug=False):
        self.net, self.debug = net, debug
        self.args = {}          # kernel argument name -> getter, in call order
        self.phases = {name: Block() for name in PHASES + ("sync", "fast_forward_end")}
        self.functions = []     # (source, Translation or None, marks, numba options)
        self.imports = {}       # function name -> module
        self.finals = []        # extra top-level functions (name, params suffix, body lines)
        self.stop_if = []       # conditions that end a chunk early (a buffer is full)
        self.ids = {}           # id(component) -> short identifier

    def arg(self, name, getter):
        """Register kernel argument ``name`` (once) with the getter of its value; return the name."""
        self.args.setdefault(name, getter)
        return name

    def state(self, name, owner, key, attr="state"):
        """Argument for array ``owner.<attr>[key]``."""
        return self.arg(name, lambda: getattr(owner, attr)[key])

    def phase(self, name):
        return self.phases[name]

    def function(self, source, translation=None, marks=(), inline=False, contract=False):
        """Add a compiled function. ``marks``: [(line index in ``source``, Translation)] where
        the body of a user callback was pasted (so that errors there cite the user's lines).
        ``inline``: numba inlines it into its callers (``inline="always"``), so that a loop that
        calls it can be vectorised whatever its size (LLVM inlines only small functions).
        ``contract``: a * b + c may be one fused multiply-add (one rounding instead of two:
        results differ by round-off; ``fastmath={"contract"}``, which changes nothing else).
        A function added twice gets an option if either asks."""
        options = {'inline="always"'} if inline else set()
        self.functions.append((source, translation, marks, options | ({'fastmath={"contract"}'} if contract else set())))

    def use(self, func):
        """Import a compiled function of the package into the generated module."""
        self.imports[func.py_func.__name__] = func.py_func.__module__
        return func.py_func.__name__

    def id(self, component):
        return self.ids[id(component)]

    def final(self, name, body):
        """A further top-level function ``name(step0, nsteps, dt, seed, *args)`` with ``body``."""
        self.finals.append((name, body))


class Kernel:
    """Generated ``run_chunk``/``fast_forward`` of a network and the getters of its arguments."""

    def __init__(self, net, debug=False):
        code = Code(net, debug)
        self.modes = net.modes()
        for prefix, group in (("s", net.signals), ("p", net.populations), ("u", net.inputs),
                              ("x", net.projections), ("m", net.monitors)):
            for n, comp in enumerate(group):
                code.ids[id(comp)] = f"{prefix}{n}"
        for comp in net.signals + net.populations + net.inputs + net.projections + net.monitors:
            comp.emit(code, code.id(comp))
        self.args = list(code.args.items())
        self.ids = code.ids
        self.source, self.translations = _module_source(code)
        self.module = _load(self.source)
        self.run_chunk = self.module.run_chunk

    def values(self):
        return [getter() for _, getter in self.args]

    def call(self, fn, *head):
        """Call generated function ``fn`` (name) with ``head`` then the arguments, mapping compile
        errors in user code to the user's file and line."""
        try:
            return getattr(self.module, fn)(*head, *self.values())
        except Exception as err:  # numba TypingError and friends: point at the user's line
            message = user_location(str(err), self.translations) if type(err).__module__.startswith("numba") else None
            if message is None:
                raise
            raise ParameterError(message) from None


def _module_source(code):
    """Source of the generated module and [(first line, Translation)] of its user functions."""
    params = ", ".join(["step0", "nsteps", "dt", "seed"] + list(code.args))
    # numba 0.68 crashes loading a cached recursive function compiled for several argument
    # types (e.g. a literal and an int): kernels with recursive user helpers compile anew
    recursive = any(getattr(tr, "recursive", None) for _, first, marks, _ in code.functions
                    for tr in (first, *(mark for _, mark in marks)))
    flags = f"cache={not recursive}, error_model=\"numpy\"" + (", boundscheck=True" if code.debug else "")
    imports = "".join(f"from {mod} import {fn}\n" for fn, mod in sorted(code.imports.items()))
    # numba does not invalidate a cached caller when an imported kernel changes: the digest of
    # the imported modules' sources makes the generated module name change too
    modules = sorted(set(code.imports.values()) | set(RUNTIME_MODULES))
    digest = hashlib.sha1("".join(inspect.getsource(sys.modules[m]) for m in modules).encode()).hexdigest()
    head = ("import math\nimport numpy as np\nfrom numba import njit\n"
            "from math import exp, sqrt, log, fabs\n"
            "from plastisim.core.rng import normal as _normal, uniform as _uniform, normal_shared as _normal_shared\n"
            f"{imports}# kernels: {digest}{'  (debug: bounds checked)' if code.debug else ''}\n")
    lines = head.split("\n")
    translations = []
    options = {}
    for source, _, _, asked in code.functions:
        options[source] = options.get(source, set()) | asked
    for source, tr, marks, _ in code.functions:
        if source not in options:
            continue  # added before
        lines += ["", "", f"@njit({', '.join([flags, *sorted(options.pop(source))])})"]
        if tr is not None:
            translations.append((len(lines) + 1, tr))
        translations += [(len(lines) + 1 + index - (mark.body_line - 1), mark) for index, mark in marks]
        lines += source.split("\n")

    def function(name, signature, body):
        out = ["", "", f"@njit({flags})", f"def {name}({signature}):"]
        return out + ["    " + line for line in body]

    loop = Block()
    loop("stride = 1", "dt_rich = dt")
    with loop.block("for n in range(nsteps):"):
        loop("step = step0 + n", "t = step * dt")
        for name in PHASES:
            if code.phases[name].lines:
                loop(f"# {name}", *code.phases[name].lines)
        if code.stop_if:
            with loop.block(f"if {' or '.join(code.stop_if)}:"):
                loop("return n + 1")
    lines += function("run_chunk", params, loop.lines + ["return nsteps"])

    fast = Block()
    fast("dt_rich = dt", "dt = dt_rich * ratio", "stride = ratio")
    with fast.block("for n in range(nsteps):"):
        fast("step = step0 + n * ratio", "t = step * dt_rich")
        body = [line for name in FAST_FORWARD_PHASES for line in code.phases[name].lines]
        fast(*(body or ["pass"]))
    lines += function("fast_forward", params.replace("seed", "seed, ratio", 1), fast.lines)
    for name, body in code.finals:
        lines += function(name, params, ["step = step0", "t = step * dt"] + code.phases["signals"].lines + body)
    return "\n".join(lines) + "\n", translations


def _load(source):
    """Write ``source`` to the kernel cache (once) and import it."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:20]
    name = f"plastisim_kernel_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    path = cache_dir() / f"{name}.py"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
