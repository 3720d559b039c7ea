"""Membrane mechanisms of multi-compartment cells (ion channels, synaptic currents, noise
currents, threshold/reset, reactions), written in plain Python.

A mechanism is a subclass of :class:`Mechanism` painted on :class:`CableCells` as
``(where, mechanism)`` pairs (``CableCells(..., mechanisms=[("all", HH()), ("soma", ...)])``).
*Density* mechanisms (ion channels) are painted on a region (``"all"`` for every region) and
work per unit membrane area; *point* mechanisms (``point = True``: synaptic and injected
currents, like NEURON's point processes) work in absolute units and are placed at a named
location (one per cell) or on a region (one in every node of the region: synapses spread over
a dendrite, see ``Network.connect(site=...)``). A mechanism has

* ``parameters`` -- ``{name: default}`` (SI), one value per painted instance;
* ``state_variables`` -- ``{name: initial value}`` per node (point: per cell); pass
  ``name=value`` to the constructor to change it; stored in the cells' state as
  ``<instance name>_<var>``;
* ``port`` (point mechanisms) -- a state variable that receives the weights of projections:
  the instance name is then an input port of the cells (e.g. an exponential synaptic current);
* callbacks (all optional), ordinary functions without ``self``:

  ``conductance(s, p, i, v)``   return ``(g, gE)``: conductance and the sum of g_x E_x of node
                                ``i`` at the state of time t (density: S/m^2 and A/m^2; point:
                                S and A), so that the outward current is g v - gE; it enters the
                                implicit cable step (currents linear in v given the state, such
                                as Hodgkin-Huxley channels, are treated exactly implicitly; a
                                current source I is g = 0, gE = I);
  ``advance(s, p, i, v, dt)``   advance the state from t to t + dt after the cable step, at the
                                new voltage ``v`` (staggered in time, as in NEURON);
  ``react(s, p, i, dt)``        runs with the diffusing species, before they are solved, also
                                during ``fast_forward`` (the cable is then frozen): reactions
                                and sources at the node (e.g. protein synthesis).

Inside callbacks: ``s.X[i]`` (state), ``p.X`` (parameters), ``node.X[i]`` (per-node
quantities of the cells at the mechanism's node: voltage ``V`` -- writable after the cable
step, e.g. a reset --, species concentrations ``Ca`` and their influx ``Ca_in`` in mol per
step), ``v``, ``t``, ``dt``, ``randn()``/``rand()`` (independent per node and step), ``math``,
``exp``..., module-level numbers and helper functions (which stay callable from Python).
``randn()`` of instances 3m, 3m + 1, 3m + 2 comes from one Philox block (ziggurat, as in
neuron models).
"""
import ast

import numpy as np

from ..core.codegen import Block, stream_id
from ..core.errors import ParameterError
from ..core.params import check
from ..core.translate import Space, namespace_uses, source_of, translate

CALLBACKS = {"conductance": ("v",), "advance": ("v",), "react": ()}


class Mechanism:
    """Base class of membrane mechanisms; see the module docstring."""

    parameters = {}
    state_variables = {}
    point = False
    port = None
    conductance = advance = react = None

    def __init__(self, name=None, **kwargs):
        self.name = name or type(self).__name__
        if not self.name.isidentifier():
            raise ParameterError(f"mechanism name = {self.name!r} must be an identifier")
        unknown = set(kwargs) - set(self.parameters) - set(self.state_variables)
        if unknown:
            raise ParameterError(f"{self.name}: unknown parameter(s) {sorted(unknown)}; "
                                 f"known: {sorted(self.parameters)} and state {sorted(self.state_variables)}")
        self.params = {k: check(f"{self.name}.{k}", kwargs.get(k, v)) for k, v in self.parameters.items()}
        self.validate(self.params)
        self.initial = {}
        for var, value in self.state_variables.items():
            value = kwargs.get(var, value)
            self.initial[var] = check(f"{self.name}.{var}", self.params[value] if isinstance(value, str) else value)
        if self.port is not None and (not self.point or self.port not in self.state_variables):
            raise ParameterError(f"{type(self).__name__}.port must name a state variable of a point mechanism")

    def validate(self, params):
        """Check parameter ranges; override to add mechanism-specific checks."""

    def current_only(self):
        """True if ``conductance`` (if any) returns g = 0 (the literal) in every ``return``
        and its current does not depend on the voltage (it reads neither ``v`` nor
        ``node.V``): the mechanism is a current source (``scheme="exact"`` needs this)."""
        func = type(self).conductance
        if func is None:
            return True
        if self.uses_voltage("conductance"):
            return False
        fdef = ast.parse(source_of(type(self).__name__, "conductance", func)[0]).body[0]
        returns = [node.value for node in ast.walk(fdef) if isinstance(node, ast.Return)]
        return all(isinstance(value, ast.Tuple) and isinstance(value.elts[0], ast.Constant)
                   and value.elts[0].value == 0 for value in returns)

    def uses_voltage(self, callback):
        """True if ``callback`` reads the voltage of its node (``v`` or ``node.V``)."""
        owner, func = type(self).__name__, getattr(type(self), callback)
        return ("v" in namespace_uses(owner, callback, func, None)[0]
                or "V" in namespace_uses(owner, callback, func, "node")[0])

    def callbacks(self):
        """{callback name: function} of the callbacks this mechanism defines."""
        return {name: getattr(type(self), name) for name in CALLBACKS if getattr(type(self), name) is not None}

    def emit(self, code, mid, cells, nodes, state, V, G, GE, area, react_dt="dt"):
        """Calls of the loops of this painted instance: {callback: lines}. ``nodes``: the
        global node index of every instance node; ``state``: {var: argument}; ``G``, ``GE``:
        per-node conductance (S) and conductance x reversal (A) of the cable step;
        ``react_dt``: the step length ``react`` sees (the cells' field step). Each loop is
        a function with the callback's statements pasted into it (a callback that returns a
        value is called) and its helper functions inlined; when the nodes are consecutive
        (``"all"`` on cells without junctions) it indexes them directly: LLVM can vectorise it.
        The loops may fuse a * b + c into one multiply-add (round-off level differences)."""
        owner = type(self).__name__
        per_node = {key: arr for key, arr in cells.state.items() if arr.shape == (cells.n_nodes,)}
        spaces = {"s": Space("array", "s_", self.initial), "p": Space("scalar", "p_", self.params),
                  "node": Space("indirect", "node_", per_node)}
        stream = stream_id("mechanism", cells.name, self.name)
        params, args = ["t", "dt", "step", "seed", "V_", "node_"], ["step", "seed", V, code.arg(f"{mid}_nodes", lambda: nodes)]
        node = "node_[i]"
        if nodes.shape[0] and np.array_equal(nodes, np.arange(nodes[0], nodes[0] + nodes.shape[0])):
            node = "np.uint64(first_ + i)"  # unsigned: no wrap-around of negative indices, a plain stride
            params.append("first_")
            args.append(code.arg(f"{mid}_first", lambda: int(nodes[0])))
        lines = {}
        for name, func in self.callbacks().items():
            tr = translate(owner, name, func, f"{mid}_{name}", spaces, ("i",), extra=(*CALLBACKS[name], "rng_cache"),
                           paired=True)
            for helper, source in tr.helpers.items():
                code.function(source, inline=helper not in tr.recursive)
            names = [spaces[space].prefix + (var or "") for space, var in tr.used]  # as the callback names them
            used, values = [], []
            for (space, var), arg in zip(tr.used, names):
                if space == "s":
                    values.append(state[var])
                elif space == "p":
                    values.append(code.arg(f"{mid}_p_{var}", lambda v=var: self.params[v]))
                elif var is None:
                    continue  # node_: a parameter of every loop
                else:
                    values.append(code.state(f"{code.id(cells)}_{var}", cells, var))
                used.append(arg)
            loop = Block()
            loop(f"stream = {stream}", f"rng_cache = np.full(({max(1, tr.draws)}, 4), -1.0)")
            with loop.block("for i in range(node_.shape[0]):"):
                loop(f"n_ = {node}", *(["v = V_[n_]"] if CALLBACKS[name] else []))
                marks = []
                if tr.body is not None and name != "conductance":  # conductance must return (g, gE)
                    marks.append((len(loop.lines) + 1, tr))
                    loop(*(line for stmt in tr.body for line in stmt.split("\n")))
                else:
                    code.function(tr.source, tr, contract=True)
                    call = f"{mid}_{name}({', '.join(['i', 't', 'dt', 'step', 'seed', 'stream', *CALLBACKS[name], 'rng_cache', *names])})"
                    if name == "conductance":
                        scale = "" if self.point else " * area_[n_]"
                        loop(f"g_, gE_ = {call}")
                        with loop.block("if g_ != 0.0 or gE_ != 0.0:"):
                            loop(f"G_[n_] += g_{scale}", f"GE_[n_] += gE_{scale}")
                    else:
                        loop(call)
            extra = ["G_", "GE_", "area_"] if name == "conductance" else []
            code.function(f"def {mid}_{name}_loop({', '.join(params + extra + used)}):\n"
                          + "\n".join("    " + line for line in loop.lines), marks=marks, contract=True)
            call_args = ["t", react_dt if name == "react" else "dt", *args] + ([G, GE, area] if name == "conductance" else []) + values
            lines[name] = [f"{mid}_{name}_loop({', '.join(call_args)})"]
        return lines

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r}, {self.params})"


def painted_nodes(cells, cell, where, mech):
    """Global node indices where ``mech`` sits in all cells of ``cells.domain`` (all cells
    share the node set ``cell``): the node of location ``where`` (one per cell; point
    mechanisms only), else the non-junction nodes of region ``where`` ('all': every region)."""
    local, location = cell.place(where, mech.name)
    if location and not mech.point:
        raise ParameterError(f"{mech.name}: density mechanisms are painted on a region; {where!r} is a "
                             f"location (regions: {cell.region_names})")
    # node-major, like the nodes: instance q of cell c at q * n + c (a location: one per cell)
    return cells.domain.index(local[:, None], np.arange(cells.n)[None, :]).reshape(-1).astype(np.int64)
