"""The public way to write a plasticity rule in plain Python.

A rule is a subclass of :class:`Rule` with

* ``parameters`` -- ``{name: default}`` (SI units, given in the rule's docstring),
* ``synapse_state`` -- per-synapse variables with initial values, numbers or parameter names
  (``w`` always exists; its initial value is the projection's weight),
* ``neuron_state`` -- per-postsynaptic-neuron variables (sums over a neuron's synapses,
  neuron-level signals, postsynaptic traces),
* ``group_state`` -- per presynaptic group: the synapses of one presynaptic neuron with one
  delay, which receive the same spikes at the same times (presynaptic traces),
* callbacks written as ordinary functions (no ``self``), any of:

  ``advance``         bring synapse ``k`` from its last update to time ``t`` (exact,
                      event-driven integration); called before every event callback of
                      that synapse and by ``Simulator.advance(projection)``;
  ``on_pre``          a presynaptic spike reaches synapse ``k`` (after its delay);
                      it runs after the weight ``s.w[k]`` was delivered to the neuron;
  ``on_pre_delayed``  the same spike, ``p.<delayed_pre>`` seconds after it was emitted
                      (e.g. the delayed presynaptic calcium influx); set ``delayed_pre`` to
                      the name of that parameter;
  ``on_pre_group``    once per spike arriving at group ``g``, after its synapses' ``on_pre``;
  ``on_post``         the postsynaptic neuron ``j`` of synapse ``k`` fired in this step;
  ``on_post_neuron``  once per spike of postsynaptic neuron ``j``, after its synapses' ``on_post``;
  ``on_step``         once per time step for every synapse (continuous dynamics);
  ``on_neuron_step``  once per time step for every postsynaptic neuron ``j`` (``k == j``);
  ``on_group_step``   once per time step for every group ``g`` (``k == g``).

* ``neuron_sums`` / ``pre_sums`` -- reductions over synapses: ``{target: X}`` sets the
  neuron-level variable ``n.target[j]`` to the sum of synapse variable ``X`` over the synapses
  of postsynaptic neuron j (``pre_sums``: ``npre.target[i]`` over presynaptic neuron i, a
  variable of ``pre_neuron_state``) every step, before the ``*_step`` callbacks (like Brian 2's
  summed variables; the order of summation is fixed, not the storage order of synapses),
* ``regular_period`` -- period (s, or a parameter name) of ``on_regular`` (per synapse) and
  ``on_neuron_regular`` (per postsynaptic neuron), which run after the ``*_step`` callbacks
  of every step that ends on a multiple of the period, with ``dt`` = the period (in a
  fast-forward with a longer step: once per long step that crosses a multiple, ``dt`` = the
  long step).

Per step the order is: arriving spikes (``advance``, the weight is delivered, ``on_pre``,
``on_pre_group``), neurons, postsynaptic spikes (``on_post``, ``on_post_neuron``), then the
sums, the ``*_step`` callbacks, which advance the state from t to t + dt, and the regular
callbacks.

Inside a callback these names are available:

============  ===============================================================
``s.X[k]``    synapse variable ``X`` (``s.w`` the weight); always indexed
``p.X``       parameter ``X`` (scalar, read only)
``post.X[j]`` state variable ``X`` of the postsynaptic neurons (e.g. ``post.V``)
``pre.X[i]``  state variable ``X`` of the presynaptic neurons (read only)
``site.X[k]`` quantity ``X`` at the node the synapse sits on (compartment voltage ``V``,
              species concentration ``Ca`` and its influx ``Ca_in`` in mol per step; see
              ``Network.connect(site=...)``); for point neurons the same as ``post.X[j]``
``n.X[j]``    neuron-level rule variable ``X``
``npre.X[i]`` presynaptic-neuron-level rule variable ``X``
``grp.X[g]``  group-level rule variable ``X``
``sig.X``     value of the network's signal ``X`` at t (``sig.X[j]`` if per neuron)
``f.X``       compile-time switch of :meth:`Rule.flags` (``if f.X:``, ``a if f.X else b``)
``k i j g``   synapse, presynaptic neuron, postsynaptic neuron and group index, where the
              callback has them (``on_*_group``/``on_group_step``: ``g i``; neuron-level
              callbacks: ``j``); a callback that asks for another is refused
``t dt``      current time and time step (s)
``randn()``   standard normal number, independent per element and step;
              ``randn(m)`` the m-th of several draws from one call site (m < 2**20)
``rand()``    uniform number in (0, 1) (``rand(m)`` likewise)
============  ===============================================================

plus ``math``, ``np``, ``exp sqrt log fabs`` and ``min max abs``, and the module's own
numeric constants and helper functions (compiled with the rule). The callbacks are
rewritten into numba kernels (``s.w[k]`` becomes ``s_[k, 0]``, one row of variables per
synapse), so they must use only these names and local variables. Between events, rules
should integrate exactly where they can (e.g. decay a trace by
``exp(-(t - s.t_last[k]) / p.tau)``). A quantity that is the same for all synapses of a
group or of a postsynaptic neuron (a trace driven only by the pre- or postsynaptic spikes)
is cheapest kept there: a synapse event then needs no exponential (see ``PairSTDP``).

Branches are cheap: an ``if`` in a per-step callback was measured as fast as, or faster than,
the same maths written without a branch (Clopath rule, 1000 x 10 synapses, 10 s: 2.1 s with
``if`` vs 4.5 s with ``max(x, 0.0)``, because the branch skips work); what costs is a random
draw (``randn()``) on every synapse and step, e.g. inside a branch that is usually taken.
"""
import ast
import math

from ..core.errors import ParameterError
from ..core.params import check
from ..core.translate import source_of

SYNAPSE = ("k", "i", "j", "g")
GROUP = ("g", "i")
NEURON = ("j",)
CALLBACKS = {"advance": SYNAPSE, "on_pre": SYNAPSE, "on_pre_group": GROUP, "on_pre_delayed": SYNAPSE,
             "on_post": SYNAPSE, "on_post_neuron": NEURON, "on_step": SYNAPSE, "on_neuron_step": NEURON,
             "on_group_step": GROUP, "on_regular": SYNAPSE, "on_neuron_regular": NEURON}


class Rule:
    """Base class of plasticity rules; see the module docstring."""

    parameters = {}
    synapse_state = {}
    neuron_state = {}
    pre_neuron_state = {}
    group_state = {}
    neuron_sums = {}
    pre_sums = {}
    delayed_pre = None
    regular_period = None
    advance = on_pre = on_pre_group = on_pre_delayed = on_post = on_post_neuron = None
    on_step = on_neuron_step = on_group_step = on_regular = on_neuron_regular = None

    def __init__(self, **params):
        unknown = set(params) - set(self.parameters)
        if unknown:
            raise ParameterError(f"{type(self).__name__}: unknown parameter(s) {sorted(unknown)}; "
                                 f"known: {sorted(self.parameters)}")
        self.params = {**self.parameters, **params}
        for name, value in self.params.items():
            if isinstance(value, float) and math.isnan(value):
                raise ParameterError(f"{type(self).__name__}.{name} is NaN; it must be a finite number")
            check(f"{type(self).__name__}.{name}", value)
        for kind in ("synapse_state", "neuron_state", "group_state"):
            for var, value in getattr(self, kind).items():
                if isinstance(value, str) and value not in self.params:
                    raise ParameterError(f"{type(self).__name__}.{kind}[{var!r}] = {value!r} is not a "
                                         f"parameter; known: {sorted(self.params)}")
        self.validate(self.params)
        for target, var in self.neuron_sums.items():
            self._check_sum(target, var, self.neuron_state, "neuron_state")
        for target, var in self.pre_sums.items():
            self._check_sum(target, var, self.pre_neuron_state, "pre_neuron_state")
        if (self.on_regular or self.on_neuron_regular) and self.regular_period is None:
            raise ParameterError(f"{type(self).__name__}: on_regular/on_neuron_regular need regular_period")

    def _check_sum(self, target, var, where, kind):
        if target not in where:
            raise ParameterError(f"{type(self).__name__}: sum target {target!r} must be a variable of {kind}")
        if var not in self.synapse_state and var != "w":
            raise ParameterError(f"{type(self).__name__}: summed {var!r} must be a synapse variable")

    def period(self):
        """Period (s) of the regular callbacks."""
        value = self.regular_period
        value = self.params[value] if isinstance(value, str) else value
        return check(f"{type(self).__name__}.regular_period", value, 0.0, low_open=True)

    def validate(self, params):
        """Check parameter ranges; override to add rule-specific checks."""

    def flags(self, post):
        """Compile-time switches ``{name: bool}`` read as ``f.NAME``, given the postsynaptic
        population ``post``: a branch ``if f.NAME:`` that is not taken is dropped before
        translation, so it may use names that exist only for other targets (e.g. ``site``
        fields of compartmental cells)."""
        return {}

    def initial(self, value):
        """Initial value of a state variable: a number or the name of a parameter."""
        return float(self.params[value] if isinstance(value, str) else value)

    def callbacks(self):
        """{callback name: function} of the callbacks this rule defines."""
        cls = type(self)
        return {name: getattr(cls, name) for name in CALLBACKS if getattr(cls, name) is not None}

    def post_writes(self):
        """Names ``X`` of postsynaptic state variables the callbacks write (``post.X[j] = ...``):
        inputs of the neuron model like its ports."""
        written = set()
        for name, func in self.callbacks().items():
            tree = ast.parse(source_of(type(self).__name__, name, func)[0])
            for node in ast.walk(tree):
                if isinstance(node, (ast.Assign, ast.AugAssign)):
                    for target in getattr(node, "targets", [getattr(node, "target", None)]):
                        base = target.value if isinstance(target, ast.Subscript) else target
                        if isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name) \
                                and base.value.id == "post":
                            written.add(base.attr)
        return written


