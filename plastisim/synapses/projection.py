"""Projections: synapses between two populations, stored as arrays, with delayed spike queues.

Synapse types are the input ports of the postsynaptic neuron model (for LIF: ``delta``,
``current``, ``exc``, ``inh``); a projection adds its weight into the chosen port when a
spike arrives, or into several ports with fixed factors (``port={"ampa": 1.0, "nmda": 0.2}``:
one synapse list and one weight w, factor * w to each receptor). Delivery is exact to the time step and costs per spike and synapse reached.
"""
import numpy as np

from ..core.codegen import stream_id
from ..core.errors import ParameterError
from ..core.translate import Space, translate
from ..plasticity.rule import CALLBACKS


class Projection:
    """Synapses from ``pre`` to ``post`` with weights, integer-step delays and an optional rule.

    Synapses are stored sorted by (presynaptic index, delay); ``pre``, ``post``, ``delay``
    (s) and ``state['w']`` are in that order. ``state[X]`` are views of the columns of
    ``block`` (one row per synapse); write into them (``state['w'][:] = ...``), do not rebind. Spikes are queued per (presynaptic neuron,
    delay) segment, so delivery costs per spike and synapse reached, not per step.
    """

    def __init__(self, pre, post, pre_idx, post_idx, weight, delay_steps, port, rule, dt, name, site_nodes=None):
        self.pre_pop, self.post_pop, self.port, self.rule, self.name, self.dt = pre, post, port, rule, name, dt
        # {port: factor}: a spike delivers factor * w to each (several receptors of one synapse)
        self.ports = {} if port is None else dict(port) if isinstance(port, dict) else {port: 1.0}
        order = np.lexsort((post_idx, delay_steps, pre_idx))
        # node of every synapse in the postsynaptic domain (None: point neurons, or no site)
        self.site_node = None if site_nodes is None else np.asarray(site_nodes, dtype=np.int64)[order]
        # where each port's weight goes: None (the postsynaptic neuron j) or an index per synapse
        self.port_index = {port: post.port_index(port, self.site_node) for port in self.ports}
        self.pre = pre_idx[order]
        self.post = post_idx[order]
        self.delay_steps = delay_steps[order]
        self.delay = self.delay_steps * dt
        self.n_syn = len(self.pre)
        new_seg = np.ones(self.n_syn, dtype=bool)
        new_seg[1:] = (np.diff(self.pre) != 0) | (np.diff(self.delay_steps) != 0)
        starts = np.flatnonzero(new_seg)
        self.seg_start = np.append(starts, self.n_syn).astype(np.int64)
        self.seg_delay = self.delay_steps[starts].astype(np.int64)
        seg_per_pre = np.bincount(self.pre[starts], minlength=pre.n)
        self.pre_seg_ptr = np.concatenate(([0], np.cumsum(seg_per_pre))).astype(np.int64)
        by_post = np.argsort(self.post, kind="stable")
        self.post_syn = by_post.astype(np.int64)
        self.post_ptr = np.concatenate(([0], np.cumsum(np.bincount(self.post, minlength=post.n))))
        self.queue_len = int(self.delay_steps.max(initial=1)) + 1
        # synapse variables are the columns of one row per synapse, so that an event in random
        # synapse order (a postsynaptic spike) touches one cache line instead of one per variable
        self.columns = {key: c for c, key in enumerate(["w", *(rule.synapse_state if rule else ())])}
        self.block = np.empty((self.n_syn, len(self.columns)))
        self.state = {key: self.block[:, c] for key, c in self.columns.items()}
        self.state["w"][:] = np.asarray(weight, dtype=float)[order]
        self.neuron_state = {}
        self.group_state = {}
        self.pre_neuron_state = {}
        self.neuron_owner = self  # the projection whose neuron-level rule state this one shares
        if rule is not None:
            for key, value in rule.synapse_state.items():
                self.state[key][:] = rule.initial(value)
            # group: the synapses of one presynaptic neuron with one delay (same arrival times)
            self.group = np.repeat(np.arange(len(starts)), np.diff(self.seg_start))
            self.post_group = self.group[self.post_syn]
            for key, value in rule.group_state.items():
                self.group_state[key] = np.full(len(starts), rule.initial(value))
            for key, value in rule.neuron_state.items():
                self.neuron_state[key] = np.full(post.n, rule.initial(value))
            for key, value in rule.pre_neuron_state.items():
                self.pre_neuron_state[key] = np.full(pre.n, rule.initial(value))
        self.queue = np.zeros((self.queue_len, max(len(starts), 1)), dtype=np.int64)
        self.queue_count = np.zeros(self.queue_len, dtype=np.int64)
        if rule is not None and rule.regular_period is not None:
            self.regular_steps()  # refuse a bad period when connecting
        if rule is not None and rule.delayed_pre is not None:
            # second event channel: every synapse of a presynaptic neuron, a fixed delay after the spike
            steps = int(round(rule.params[rule.delayed_pre] / dt))
            if steps < 1:
                raise ParameterError(f"{type(rule).__name__}.{rule.delayed_pre} = "
                                     f"{rule.params[rule.delayed_pre]} s must be >= dt = {dt} s")
            counts = np.bincount(self.pre, minlength=pre.n)
            self.seg_start_d = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
            self.seg_delay_d = np.full(pre.n, steps, dtype=np.int64)
            self.pre_seg_ptr_d = np.arange(pre.n + 1, dtype=np.int64)
            self.queue_d = np.zeros((steps + 1, pre.n), dtype=np.int64)
            self.queue_count_d = np.zeros(steps + 1, dtype=np.int64)

    def regular_steps(self):
        """Period of the rule's regular callbacks in steps; it must be a whole number of steps."""
        period = self.rule.period()
        steps = round(period / self.dt)
        if steps < 1 or abs(period / self.dt - steps) > 1e-6:
            raise ParameterError(f"{type(self.rule).__name__}.regular_period = {period:g} s must be a "
                                 f"multiple of dt = {self.dt:g} s")
        return steps

    def share_neuron_state(self, owner):
        """Use the neuron-level rule state of ``owner`` (a projection onto the same neurons with
        the same rule class and parameters): per-neuron quantities (a postsynaptic trace, the
        PRP of STC and its synthesis signal) are seen by all of a neuron's synapses, and the
        neuron-level callbacks run once per neuron."""
        self.neuron_state, self.neuron_owner = owner.neuron_state, owner

    def variables(self):
        """{dictionary attribute: dict} of the rule's state arrays (monitors, checkpoints)."""
        return {"state": self.state, "neuron_state": self.neuron_state, "group_state": self.group_state,
                "pre_neuron_state": self.pre_neuron_state}

    def site_nodes(self):
        """Node of every synapse's site in the postsynaptic domain (the neuron for point neurons)."""
        if getattr(self.post_pop, "domain", None) is None:
            return self.post
        if self.site_node is None:
            raise ParameterError(f"{type(self.rule).__name__} on {self.name} uses site.X: connect with "
                                 f"site=LOCATION or REGION; locations: {list(self.post_pop.sites)}")
        return self.site_node

    def channels(self):
        """(array suffix, rule callback) of each presynaptic event channel."""
        if self.rule is not None and self.rule.delayed_pre is not None:
            return [("", "on_pre"), ("_d", "on_pre_delayed")]
        return [("", "on_pre")]

    def queue_keys(self):
        """Names of the arrays of the spike queues (saved in checkpoints)."""
        return tuple(key + suffix for suffix, _ in self.channels()
                     for key in ("seg_start", "seg_delay", "pre_seg_ptr", "queue", "queue_count"))

    @property
    def w(self):
        """Weights (units of the target port), in the stored synapse order."""
        return self.state["w"]

    def __repr__(self):
        return f"Projection({self.pre_pop.name} -> {self.post_pop.name}, {self.n_syn} synapses)"

    # ---- code generation -------------------------------------------------------------
    def emit(self, code, xid):
        """Delivery, plasticity callbacks, reductions and spike queueing of this projection."""
        a = {key: code.arg(f"{xid}_{key}", (lambda k=key: getattr(self, k)))
             for key in ("pre", "post", "post_ptr", "post_syn", "group", "post_group") + self.queue_keys()
             if hasattr(self, key)}
        calls = self._rule_calls(code, xid)
        pre, post = code.id(self.pre_pop), code.id(self.post_pop)
        targets = []
        for n, (port, factor) in enumerate(self.ports.items()):
            var = self.post_pop.port_target(port)
            index = self.port_index[port]
            at = "j" if index is None else f"{code.arg(f'{xid}_port{n}_index', lambda i=index: i)}[k]"
            targets.append((f"{code.state(f'{post}_{var}', self.post_pop, var)}[{at}]",
                            "" if factor == 1.0 else f"{factor!r} * "))
        block = code.arg(f"{xid}_s", lambda: self.block)
        syn = dict(k="k", i=f"{a['pre']}[k]", j=f"{a['post']}[k]", g=f"{a['group']}[k]" if "group" in a else "-1")

        deliver = code.phase("deliver")
        for suffix, name in self.channels():
            group_event = name == "on_pre" and "on_pre_group" in calls
            delivers = bool(targets) and name == "on_pre"
            if name not in calls and not group_event and not delivers:
                continue  # nothing happens on this channel
            queue, count = a["queue" + suffix], a["queue_count" + suffix]
            start, delay, ptr = a["seg_start" + suffix], a["seg_delay" + suffix], a["pre_seg_ptr" + suffix]
            deliver(f"b = step % {queue}.shape[0]")
            with deliver.block(f"for q in range({count}[b]):"):
                deliver(f"seg = {queue}[b, q]")
                with deliver.block(f"for k in range({start}[seg], {start}[seg + 1]):"):
                    deliver(f"j = {a['post']}[k]")
                    at = dict(syn, i=f"{a['pre']}[k]", j="j", g="seg" if suffix == "" else syn["g"])
                    if "advance" in calls:  # bring the synapse up to date before its weight is used
                        deliver(calls["advance"](at, context=name))
                    if delivers:
                        deliver(*(f"{target} += {factor}{block}[k, {self.columns['w']}]" for target, factor in targets))
                    if name in calls:
                        deliver(calls[name](at))
                if group_event:
                    deliver(calls["on_pre_group"](dict(g="seg", i=f"{a['pre']}[{start}[seg]]")))
            deliver(f"{count}[b] = 0")
            spikes = code.phase("spikes")
            with spikes.block(f"for q in range(nsp_{pre}):"):
                spikes(f"i = {pre}_spikes[q]")
                with spikes.block(f"for seg in range({ptr}[i], {ptr}[i + 1]):"):
                    spikes(f"b = (step + {delay}[seg]) % {queue}.shape[0]",
                           f"{queue}[b, {count}[b]] = seg", f"{count}[b] += 1")

        if "on_post" in calls:
            b = code.phase("post_events")
            with b.block(f"for q in range(nsp_{post}):"):
                b(f"j = {post}_spikes[q]")
                with b.block(f"for r in range({a['post_ptr']}[j], {a['post_ptr']}[j + 1]):"):
                    b(f"k = {a['post_syn']}[r]")
                    at = dict(syn, j="j", g=f"{a['post_group']}[r]")
                    if "advance" in calls:
                        b(calls["advance"](at, context="on_post"))
                    b(calls["on_post"](at))
        owner = self.neuron_owner is self  # neuron-level callbacks run once for shared neuron state
        if "on_post_neuron" in calls and owner:
            b = code.phase("post_neuron_events")
            with b.block(f"for q in range(nsp_{post}):"):
                b(calls["on_post_neuron"](dict(j=f"{post}_spikes[q]")))

        rule = self.rule
        b = code.phase("sums")
        for sums, level, size in ((rule.neuron_sums if rule else {}, "n", self.post_pop.n),
                                  (rule.pre_sums if rule else {}, "npre", self.pre_pop.n)):
            for dest, var in sums.items():
                attr = "neuron_state" if level == "n" else "pre_neuron_state"
                # neuron_state may be the owner's (shared); pre_neuron_state is always this projection's
                who = code.id(self.neuron_owner) if level == "n" else xid
                arr = code.state(f"{who}_{level}_{dest}", self, dest, attr)
                if level == "npre" or owner:
                    with b.block(f"for e in range({size}):"):
                        b(f"{arr}[e] = 0.0")
                with b.block(f"for e in range({size}):"):
                    if level == "n":
                        range_ = f"range({a['post_ptr']}[e], {a['post_ptr']}[e + 1])"
                        with b.block(f"for r in {range_}:"):
                            b(f"{arr}[e] += {block}[{a['post_syn']}[r], {self.columns[var]}]")
                    else:
                        seg, ptr = a["seg_start"], a["pre_seg_ptr"]
                        with b.block(f"for k in range({seg}[{ptr}[e]], {seg}[{ptr}[e + 1]]):"):
                            b(f"{arr}[e] += {block}[k, {self.columns[var]}]")
        loops = {"on_step": ("synapse_step", f"for k in range({a['pre']}.shape[0]):", syn),
                 "on_neuron_step": ("neuron_step", f"for j in range({self.post_pop.n}):", dict(j="j")),
                 "on_group_step": ("neuron_step", f"for g in range({a['seg_start']}.shape[0] - 1):",
                                   dict(g="g", i=f"{a['pre']}[{a['seg_start']}[g]]"))}
        for name, (phase, header, at) in loops.items():
            if name in calls and (owner or name != "on_neuron_step"):
                with code.phase(phase).block(header) as b:
                    b(calls[name](at))
        regular = [name for name in ("on_regular", "on_neuron_regular") if name in calls
                   and (owner or name == "on_regular")]
        if regular:
            every = code.arg(f"{xid}_every", self.regular_steps)
            b = code.phase("regular")
            with b.block(f"if (step + stride) // {every} != step // {every}:"):
                for name in regular:
                    header, at = (loops["on_step"][1], syn) if name == "on_regular" else (loops["on_neuron_step"][1], dict(j="j"))
                    with b.block(header):
                        b(calls[name](at, dt=f"max({every} * dt / stride, dt)"))
        if "advance" in calls:
            sync = [f"for k in range({a['pre']}.shape[0]):", "    " + calls["advance"](syn, context="sync")]
            code.final(f"sync_{xid}", sync)
            code.phase("sync")(*sync)

    def _rule_calls(self, code, xid):
        """Translate the rule's callbacks; return {callback: function(index values) -> call line}."""
        rule = self.rule
        if rule is None:
            return {}
        pre, post = code.id(self.pre_pop), code.id(self.post_pop)
        owner = type(rule).__name__
        spaces = {"s": Space("block", "s_", self.columns), "p": Space("scalar", "p_", rule.params),
                  "n": Space("array", "n_", self.neuron_state), "grp": Space("array", "grp_", self.group_state),
                  "npre": Space("array", "npre_", self.pre_neuron_state),
                  "post": Space("array", "post_", _per_neuron(self.post_pop)),
                  "pre": Space("array", "pre_", _per_neuron(self.pre_pop), writable=False),
                  "site": Space("indirect", "site_", _per_node(self.post_pop)),
                  "f": Space("constant", "f_", rule.flags(self.post_pop)),
                  "sig": Space("value", "sig_", {s.name: s for s in code.net.signals})}
        args = {"s": lambda v: code.arg(f"{xid}_s", lambda: self.block),
                "n": lambda v: code.state(f"{xid}_n_{v}", self, v, "neuron_state"),
                "grp": lambda v: code.state(f"{xid}_grp_{v}", self, v, "group_state"),
                "npre": lambda v: code.state(f"{xid}_npre_{v}", self, v, "pre_neuron_state"),
                "post": lambda v: code.state(f"{post}_{v}", self.post_pop, v),
                "pre": lambda v: code.state(f"{pre}_{v}", self.pre_pop, v),
                "site": lambda v: (code.arg(f"{xid}_site", self.site_nodes) if v is None
                                   else code.state(f"{post}_{v}", self.post_pop, v)),
                "sig": lambda v: f"sig_{v}",
                "p": lambda v: code.arg(f"{xid}_p_{v}", lambda: float(rule.params[v]))}
        calls = {}
        for name, func in rule.callbacks().items():
            indices = CALLBACKS[name]
            tr = translate(owner, name, func, f"{xid}_{name}", spaces, indices)
            code.function(tr.source, tr)
            for helper in tr.helpers.values():
                code.function(helper)
            tail = "".join(", " + args[space](var) for space, var in tr.used)

            def call(at, dt="dt", context=None, name=name, indices=indices, tail=tail):
                stream = stream_id("projection", self.name, name, context or "")
                head = ", ".join(at[x] for x in indices)
                return f"{xid}_{name}({head}, t, {dt}, step, seed, {stream}{tail})"
            calls[name] = call
        return calls


def _per_neuron(pop):
    """State arrays of ``pop`` with one value per neuron (indexed by ``j``/``i`` in rules);
    per-compartment arrays of multi-compartment cells are not, so rules cannot misread them."""
    return {key: arr for key, arr in pop.state.items() if arr.shape == (pop.n,)}


def _per_node(pop):
    """State arrays of ``pop`` with one value per node of its domain (``site.X[k]`` in rules);
    for point neurons, one value per neuron."""
    domain = getattr(pop, "domain", None)
    if domain is None:
        return _per_neuron(pop)
    return {key: arr for key, arr in pop.state.items() if arr.shape == (domain.n,)}
