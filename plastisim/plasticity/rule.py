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

Per step the order is: arriving spikes (``on_pre``, ``on_pre_group``), neurons, postsynaptic
spikes (``on_post``, ``on_post_neuron``), then the ``*_step`` callbacks, which advance the
state from t to t + dt.

Inside a callback these names are available:

============  ===============================================================
``s.X[k]``    synapse variable ``X`` (``s.w`` the weight); always indexed
``p.X``       parameter ``X`` (scalar, read only)
``post.X``    state array ``X`` of the postsynaptic population (e.g. ``post.V``)
``n.X[j]``    neuron-level rule variable ``X``
``grp.X[g]``  group-level rule variable ``X``
``k i j g``   synapse, presynaptic neuron, postsynaptic neuron and group index
``t dt``      current time and time step (s)
``randn()``   standard normal number, independent per element (``k``) and step;
              ``randn(m)`` the m-th of several draws from one call site (m < 2**20)
``rand()``    uniform number in (0, 1) (``rand(m)`` likewise)
============  ===============================================================

plus ``math``, ``np`` and ``exp sqrt log fabs`` from :mod:`math`. The callbacks are
rewritten into numba kernels (``s.w[k]`` becomes ``s_[k, 0]``, one row of variables per
synapse), so they must use only these names and local variables. Between events, rules
should integrate exactly where they can (e.g. decay a trace by
``exp(-(t - s.t_last[k]) / p.tau)``). A quantity that is the same for all synapses of a
group or of a postsynaptic neuron (a trace driven only by the pre- or postsynaptic spikes)
is cheapest kept there: a synapse event then needs no exponential (see ``PairSTDP``).
"""
import ast
import inspect
import math
import textwrap

from ..core.errors import ParameterError
from ..core.params import check

CALLBACKS = ("advance", "on_pre", "on_pre_group", "on_pre_delayed", "on_post", "on_post_neuron",
             "on_step", "on_neuron_step", "on_group_step")
SITES = 4096  # draw index = m * SITES + call site
INDEX_NAMES = ("k", "i", "j", "g", "t", "dt")
NAMESPACES = {"s": "s_", "p": "p_", "post": "post_", "n": "n_", "grp": "grp_"}


class Rule:
    """Base class of plasticity rules; see the module docstring."""

    parameters = {}
    synapse_state = {}
    neuron_state = {}
    group_state = {}
    delayed_pre = None
    advance = on_pre = on_pre_group = on_pre_delayed = on_post = on_post_neuron = None
    on_step = on_neuron_step = on_group_step = None

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

    def validate(self, params):
        """Check parameter ranges; override to add rule-specific checks."""

    def initial(self, value):
        """Initial value of a state variable: a number or the name of a parameter."""
        return float(self.params[value] if isinstance(value, str) else value)

    def callbacks(self):
        """{callback name: function} of the callbacks this rule defines."""
        cls = type(self)
        return {name: getattr(cls, name) for name in CALLBACKS if getattr(cls, name) is not None}


def translate(rule, name, func, new_name, post_vars, columns):
    """Rewrite callback ``func`` of ``rule`` into plain numba-compilable source.

    ``s.X[idx]`` becomes ``s_[idx, columns[X]]`` (one row of synapse variables per synapse).
    Returns ``(source, used)``: the source of a function ``new_name(k, i, j, g, t, dt, step,
    seed, stream, *args)`` and the ordered list of ``(namespace, variable)`` it reads
    (``("s", None)`` for the synapse block).
    """
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        raise ParameterError(f"{type(rule).__name__}.{name}: its source cannot be read (defined in "
                             "exec() or at the prompt?); a rule's source must be in a file") from None
    tree = ast.parse(source)
    fdef = tree.body[0]
    if not isinstance(fdef, ast.FunctionDef):
        raise ParameterError(f"{type(rule).__name__}.{name} must be a plain function")
    known_args = set(NAMESPACES) | set(INDEX_NAMES)
    bad = [a.arg for a in fdef.args.args if a.arg not in known_args]
    if bad:
        raise ParameterError(f"{type(rule).__name__}.{name}: arguments {bad} are not available; "
                             f"a callback may take any of {sorted(known_args)}")
    allowed = {"s": set(rule.synapse_state) | {"w"}, "p": set(rule.params),
               "post": set(post_vars), "n": set(rule.neuron_state), "grp": set(rule.group_state)}
    used = []
    draws = [0]
    rule_name = type(rule).__name__

    def namespace_var(node):
        """(space, var) if ``node`` is ``space.var`` of a known namespace, else None."""
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in NAMESPACES:
            space, var = node.value.id, node.attr
            if var not in allowed[space]:
                raise ParameterError(f"{rule_name}.{name}: unknown name {space}.{var}; "
                                     f"known: {sorted(allowed[space])}")
            return space, var
        return None

    class Rewriter(ast.NodeTransformer):
        def visit_Subscript(self, node):
            found = namespace_var(node.value)
            if found is None or found[0] != "s":
                return self.generic_visit(node)
            index = self.visit(node.slice)
            if ("s", None) not in used:
                used.append(("s", None))
            row = ast.Tuple(elts=[index, ast.Constant(value=columns[found[1]])], ctx=ast.Load())
            return ast.copy_location(ast.Subscript(value=ast.Name(id="s_", ctx=ast.Load()), slice=row,
                                                   ctx=node.ctx), node)

        def visit_Attribute(self, node):
            self.generic_visit(node)
            found = namespace_var(node)
            if found is None:
                return node
            space, var = found
            if space == "s":
                raise ParameterError(f"{rule_name}.{name}: synapse variable s.{var} must be indexed, "
                                     f"e.g. s.{var}[k]")
            if space == "p" and isinstance(node.ctx, ast.Store):
                raise ParameterError(f"{rule_name}.{name}: parameter p.{var} is read only")
            if (space, var) not in used:
                used.append((space, var))
            return ast.copy_location(ast.Name(id=NAMESPACES[space] + var, ctx=node.ctx), node)

        def visit_Call(self, node):
            self.generic_visit(node)
            if isinstance(node.func, ast.Name) and node.func.id in ("randn", "rand") and len(node.args) < 2:
                fn = "_normal" if node.func.id == "randn" else "_uniform"
                args = [ast.Name(id=a, ctx=ast.Load()) for a in ("seed", "stream", "k", "step")]
                draw = ast.Constant(value=draws[0])
                if node.args:
                    draw = ast.BinOp(left=ast.BinOp(left=node.args[0], op=ast.Mult(),
                                                    right=ast.Constant(value=SITES)),
                                     op=ast.Add(), right=draw)
                args.append(draw)
                draws[0] += 1
                return ast.copy_location(ast.Call(func=ast.Name(id=fn, ctx=ast.Load()), args=args,
                                                  keywords=[]), node)
            return node

    fdef = Rewriter().visit(fdef)
    fdef.decorator_list = []
    fdef.name = new_name
    argnames = ["k", "i", "j", "g", "t", "dt", "step", "seed", "stream"]
    argnames += [NAMESPACES[space] + (var or "") for space, var in used]
    fdef.args = ast.arguments(posonlyargs=[], args=[ast.arg(arg=a) for a in argnames], vararg=None,
                              kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    ast.fix_missing_locations(fdef)
    return ast.unparse(fdef), used
