"""Projections: synapses between two populations, stored as arrays, with delayed spike queues.

Synapse types are the input ports of the postsynaptic neuron model (for LIF: ``delta``,
``current``, ``exc``, ``inh``); a projection adds its weight into the chosen port when a
spike arrives. Delivery is exact to the time step and costs per spike and synapse reached.
"""
import numpy as np

from ..core.errors import ParameterError


class Projection:
    """Synapses from ``pre`` to ``post`` with weights, integer-step delays and an optional rule.

    Synapses are stored sorted by (presynaptic index, delay); ``pre``, ``post``, ``delay``
    (s) and ``state['w']`` are in that order. ``state[X]`` are views of the columns of
    ``block`` (one row per synapse); write into them (``state['w'][:] = ...``), do not rebind. Spikes are queued per (presynaptic neuron,
    delay) segment, so delivery costs per spike and synapse reached, not per step.
    """

    def __init__(self, pre, post, pre_idx, post_idx, weight, delay_steps, port, rule, dt, name):
        self.pre_pop, self.post_pop, self.port, self.rule, self.name = pre, post, port, rule, name
        order = np.lexsort((post_idx, delay_steps, pre_idx))
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
        self.queue = np.zeros((self.queue_len, max(len(starts), 1)), dtype=np.int64)
        self.queue_count = np.zeros(self.queue_len, dtype=np.int64)
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
