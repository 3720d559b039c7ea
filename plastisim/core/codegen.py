"""Generate the compiled step loop of a network.

One Python module per network structure is written to the kernel cache
(``$PLASTISIM_CACHE_DIR`` or ``~/.cache/plastisim/kernels``), named by the hash of its
source, and compiled by numba with ``cache=True``; a network of the same structure reuses
the compiled code in any later process. Per time step the loop runs:

1. delivery of queued spikes whose delay has elapsed (weight into the post port, ``on_pre``
   per synapse, then ``on_pre_group`` per arriving group);
2. neuron-level inputs (``PoissonInput``) into their ports, then the kernel of every
   population (sources and neurons) -> this step's spikes; population switches
   (``Population.modes``) are compiled in as constants;
3. ``on_post`` of plastic synapses whose postsynaptic neuron fired, then ``on_post_neuron``;
4. ``on_step`` (per synapse), ``on_neuron_step`` (per postsynaptic neuron), ``on_group_step``;
5. queueing of this step's spikes for delivery ``delay`` steps later;
6. monitors.

The module also holds ``fast_forward`` (only step 4, with a long step ``ratio * dt``) and, for
rules with ``advance``, ``sync_<projection>`` (advance every synapse to the current time).
"""
import hashlib
import importlib.util
import inspect
import os
import sys

from .. import _cache
from ..plasticity.rule import translate

CALLBACK_STREAM = {"on_group_step": 0, "on_pre": 1, "on_post": 2, "on_step": 3, "on_neuron_step": 4,
                   "on_pre_delayed": 5, "sync": 6, "on_pre_group": 7, "on_post_neuron": 15}
ADVANCE_STREAM = 8  # advance() called in context c draws from stream ADVANCE_STREAM + c
STREAMS_PER_COMPONENT = 16


def cache_dir():
    """Directory of generated kernel modules."""
    path = _cache.ROOT / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Kernel:
    """Generated ``run_chunk`` of a network and the getters of its arguments."""

    def __init__(self, net):
        self.modes = modes(net)  # compiled in; the simulator rebuilds the kernel when they change
        self.args = []       # (name, getter) in call order
        self.imports = {}    # function name -> module
        self.functions = []  # source of rule callbacks
        self.syncs = {}      # projection index -> body of its sync function (rule.advance to now)
        body = self._body(net)
        params = ", ".join(["step0", "nsteps", "dt", "seed"] + [a for a, _ in self.args])
        syncs = "".join(f"\n\n@njit(cache=True)\ndef sync_{x}({params}):\n"
                        + "\n".join("    " + line for line in lines) + "\n"
                        for x, lines in self.syncs.items())
        ff_params = params.replace("seed", "seed, ratio", 1)
        fast = ["dt_rich = dt", "dt = dt_rich * ratio", "for n in range(nsteps):",
                "    step = step0 + n * ratio", "    t = step * dt_rich"]
        body_ff = [line for lines in self.syncs.values() for line in lines[2:]] + self.continuous
        fast += ["    " + line for line in body_ff or ["pass"]]
        syncs += (f"\n\n@njit(cache=True)\ndef fast_forward({ff_params}):\n"
                  + "\n".join("    " + line for line in fast) + "\n")
        imports = "\n".join(f"from {mod} import {fn}" for fn, mod in sorted(self.imports.items()))
        # numba does not invalidate a cached caller when an imported kernel changes: the
        # digest of the imported modules' sources makes the generated module name change too
        modules = sorted(set(self.imports.values()) | {"plastisim.core.rng"})
        digest = hashlib.sha1("".join(inspect.getsource(sys.modules[m]) for m in modules).encode())
        imports += f"\n# kernels: {digest.hexdigest()}"
        functions = "\n\n".join(f"@njit(cache=True, error_model=\"numpy\")\n{src}" for src in self.functions)
        self.source = (
            "import math\nimport numpy as np\nfrom numba import njit\n"
            "from math import exp, sqrt, log, fabs\n"
            "from plastisim.core.rng import normal as _normal, uniform as _uniform\n"
            f"{imports}\n\n\n{functions}\n\n\n@njit(cache=True)\n"
            f"def run_chunk({params}):\n" + "\n".join("    " + line for line in body) + "\n" + syncs)
        self.module = _load(self.source)
        self.run_chunk = self.module.run_chunk

    def arg(self, name, getter):
        """Register a kernel argument (once per name) and return its name."""
        if all(name != known for known, _ in self.args):
            self.args.append((name, getter))
        return name

    def values(self):
        return [getter() for _, getter in self.args]

    def _state(self, prefix, owner, key, attr="state"):
        return self.arg(f"{prefix}_{key}", lambda: getattr(owner, attr)[key])

    def _body(self, net):
        pops = {id(p): f"p{n}" for n, p in enumerate(net.populations)}
        projs = list(enumerate(net.projections))
        loop = ["for n in range(nsteps):", "    step = step0 + n", "    t = step * dt"]
        deliver, run_pops, post_events, continuous, schedule, monitor = [], [], [], [], [], []

        for n, pop in enumerate(net.populations):
            pid = pops[id(pop)]
            fn = pop.kernel.py_func.__name__
            self.imports[fn] = pop.kernel.py_func.__module__
            names = [self._state(pid, pop, key) for key in pop.state_names]
            names += [self.arg(f"{pid}_{key}", (lambda p=pop, k=key: float(p.params[k])))
                      for key in pop.param_names]
            names += [repr(bool(value)) for value in self.modes[n]]  # literals: the compiler drops unused work
            spk = self.arg(f"{pid}_spikes", lambda p=pop: p._spikes)
            run_pops.append(f"nsp_{pid} = {fn}(step, dt, seed, {n * STREAMS_PER_COMPONENT}, "
                            f"{', '.join(names + [spk])})")

        for m, inp in enumerate(net.inputs):
            stream = (len(net.populations) + len(projs) + m) * STREAMS_PER_COMPONENT
            fn = inp.kernel.py_func.__name__
            self.imports[fn] = inp.kernel.py_func.__module__
            names = [self._state(f"u{m}", inp, key) for key in inp.state_names]
            names.append(self._state(pops[id(inp.post_pop)], inp.post_pop, f"in_{inp.port}"))
            run_pops.insert(m, f"{fn}(step, dt, seed, {stream}, {', '.join(names)})")

        for x, proj in projs:
            xid = f"x{x}"
            stream0 = (len(net.populations) + x) * STREAMS_PER_COMPONENT
            a = {key: self.arg(f"{xid}_{key}", (lambda p=proj, k=key: getattr(p, k)))
                 for key in ("pre", "post", "post_ptr", "post_syn") + proj.queue_keys()}
            block = self.arg(f"{xid}_s", lambda p=proj: p.block)
            calls = self._rule_calls(proj, xid, stream0, pops)
            post = pops[id(proj.post_pop)]
            pre = pops[id(proj.pre_pop)]
            post_in = None
            if proj.port is not None:
                post_in = self._state(post, proj.post_pop, f"in_{proj.port}")

            if proj.rule is not None:
                a.update({key: self.arg(f"{xid}_{key}", (lambda p=proj, k=key: getattr(p, k)))
                          for key in ("group", "post_group")})

            def event(name, k, i, j, g, calls=calls):
                """Call lines for event ``name`` (preceded by the rule's ``advance``)."""
                lines = []
                if "advance" in calls:
                    lines.append(calls["advance"].format(k=k, i=i, j=j, g=g, ctx=CALLBACK_STREAM[name]))
                lines.append(calls[name].format(k=k, i=i, j=j, g=g))
                return lines

            for suffix, name in proj.channels():
                group_event = name == "on_pre" and "on_pre_group" in calls
                if name not in calls and not group_event and not (post_in and name == "on_pre"):
                    continue  # nothing happens on this channel
                queue, count = a["queue" + suffix], a["queue_count" + suffix]
                start, delay, ptr = a["seg_start" + suffix], a["seg_delay" + suffix], a["pre_seg_ptr" + suffix]
                deliver += [f"b = step % {queue}.shape[0]",
                            f"for q in range({count}[b]):",
                            f"    seg = {queue}[b, q]",
                            f"    for k in range({start}[seg], {start}[seg + 1]):",
                            f"        j = {a['post']}[k]"]
                if post_in and name == "on_pre":
                    deliver.append(f"        {post_in}[j] += {block}[k, {proj.columns['w']}]")
                if name in calls:
                    group = "seg" if suffix == "" else f"{a['group']}[k]"
                    deliver += ["        " + line for line in event(name, "k", a["pre"] + "[k]", "j", group)]
                if group_event:
                    deliver.append("    " + calls["on_pre_group"].format(
                        k="seg", i=f"{a['pre']}[{start}[seg]]", j="-1", g="seg"))
                deliver.append(f"{count}[b] = 0")
                schedule += [f"for q in range(nsp_{pre}):",
                             f"    i = {pre}_spikes[q]",
                             f"    for seg in range({ptr}[i], {ptr}[i + 1]):",
                             f"        b = (step + {delay}[seg]) % {queue}.shape[0]",
                             f"        {queue}[b, {count}[b]] = seg",
                             f"        {count}[b] += 1"]
            if "on_post" in calls or "on_post_neuron" in calls:
                post_events += [f"for q in range(nsp_{post}):",
                                f"    j = {post}_spikes[q]"]
                if "on_post" in calls:
                    post_events += [f"    for r in range({a['post_ptr']}[j], {a['post_ptr']}[j + 1]):",
                                    f"        k = {a['post_syn']}[r]"]
                    post_events += ["        " + line for line in
                                    event("on_post", "k", a["pre"] + "[k]", "j", f"{a['post_group']}[r]")]
                if "on_post_neuron" in calls:
                    post_events.append("    " + calls["on_post_neuron"].format(k="j", i="-1", j="j", g="-1"))
            if "on_step" in calls:
                continuous += [f"for k in range({a['pre']}.shape[0]):",
                               "    " + calls["on_step"].format(k="k", i=a["pre"] + "[k]", j=a["post"] + "[k]",
                                                               g=f"{a['group']}[k]")]
            if "on_neuron_step" in calls:
                continuous += [f"for j in range({post}_spikes.shape[0]):",
                               "    " + calls["on_neuron_step"].format(k="j", i="-1", j="j", g="-1")]
            if "on_group_step" in calls:
                start = a["seg_start"]
                continuous += [f"for g in range({start}.shape[0] - 1):",
                               "    " + calls["on_group_step"].format(k="g", i=f"{a['pre']}[{start}[g]]",
                                                                     j="-1", g="g")]
            if "advance" in calls:
                sync = calls["advance"].format(k="k", i=a["pre"] + "[k]", j=a["post"] + "[k]",
                                               g=f"{a['group']}[k]", ctx=CALLBACK_STREAM["sync"])
                self.syncs[x] = [f"step = step0", "t = step * dt",
                                 f"for k in range({a['pre']}.shape[0]):", "    " + sync]

        full = []
        for m, mon in enumerate(net.monitors):
            mid = f"m{m}"
            kind = type(mon).__name__
            if kind == "SpikeMonitor":
                pid = pops[id(mon.target)]
                mask, steps, index, count = (self.arg(f"{mid}_{k}", (lambda mo=mon, k=k: mo._buf[k]))
                                             for k in ("mask", "steps", "index", "count"))
                monitor += [f"for q in range(nsp_{pid}):",
                            f"    if {mask}[{pid}_spikes[q]]:",
                            f"        {steps}[{count}[0]] = step",
                            f"        {index}[{count}[0]] = {pid}_spikes[q]",
                            f"        {count}[0] += 1"]
                full.append(f"{count}[0] + {mask}.shape[0] > {steps}.shape[0]")
            elif kind == "StateMonitor":
                owner = mon.target
                attr = next(a for a in ("state", "neuron_state", "group_state")
                            if mon.var in getattr(owner, a, {}))
                src = self._state(f"{mid}_src", owner, mon.var, attr)
                index, data, row = (self.arg(f"{mid}_{k}", (lambda mo=mon, k=k: mo._buf[k]))
                                    for k in ("index", "data", "row"))
                every = self.arg(f"{mid}_every", lambda mo=mon: mo.every)
                monitor += [f"if step % {every} == 0:",
                            f"    for q in range({index}.shape[0]):",
                            f"        {data}[{row}[0], q] = {src}[{index}[q]]",
                            f"    {row}[0] += 1"]
            else:  # RateMonitor
                counts = self.arg(f"{mid}_counts", lambda mo=mon: mo._buf["counts"])
                monitor.append(f"{counts}[n] = nsp_{pops[id(mon.target)]}")

        self.continuous = continuous
        steps = deliver + run_pops + post_events + continuous + schedule + monitor
        if full:
            steps += [f"if {' or '.join(full)}:", "    return n + 1"]
        return loop + ["    " + line for line in steps] + ["return nsteps"]

    def _rule_calls(self, proj, xid, stream0, pops):
        """Translate the rule's callbacks; return {callback: call template with {k} {i} {j}}."""
        rule = proj.rule
        if rule is None:
            return {}
        calls = {}
        post_vars = proj.post_pop.state
        for name, func in rule.callbacks().items():
            fname = f"{xid}_{name}"
            src, used = translate(rule, name, func, fname, post_vars, proj.columns)
            self.functions.append(src)
            args = []
            for space, var in used:
                if space == "s":
                    args.append(self.arg(f"{xid}_s", lambda p=proj: p.block))
                elif space == "n":
                    args.append(self._state(f"{xid}_n", proj, var, "neuron_state"))
                elif space == "grp":
                    args.append(self._state(f"{xid}_g", proj, var, "group_state"))
                elif space == "post":
                    args.append(self._state(pops[id(proj.post_pop)], proj.post_pop, var))
                else:
                    args.append(self.arg(f"{xid}_p_{var}", lambda r=rule, v=var: float(r.params[v])))
            tail = "".join(", " + a for a in args)
            if name == "advance":
                stream = f"{stream0 + ADVANCE_STREAM} + {{ctx}}"
            else:
                stream = stream0 + CALLBACK_STREAM[name]
            calls[name] = f"{fname}({{k}}, {{i}}, {{j}}, {{g}}, t, dt, step, seed, {stream}{tail})"
        return calls


def modes(net):
    """Run-time switches (``Population.modes``) of every population of ``net``."""
    return tuple(tuple(pop.modes({x.port for x in net.projections + net.inputs if x.post_pop is pop}))
                 for pop in net.populations)


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

