"""Membrane mechanisms (ion channels) of multi-compartment cells, written in plain Python.

A mechanism is a subclass of :class:`Mechanism` painted on a region of :class:`CableCells`
(``CableCells(..., mechanisms=[("soma", HH()), ("all", HH(gbar_Na=...))])``), with

* ``parameters`` -- ``{name: default}`` (SI: conductance densities in S/m^2, potentials in V),
  one value per painted instance;
* ``state_variables`` -- ``{name: initial value}`` per node of the region (pass ``name=value``
  to the constructor to change it); stored in the cells' state as ``<Name>_<var>``;
* ``conductance(s, p, i, v)`` -- return ``(g, gE)``: the total conductance density
  (S/m^2) of node ``i`` and the sum of its channels' g_x E_x (A/m^2), so that the outward
  membrane current density is g v - gE. It is evaluated with the state at t and enters the
  implicit cable step as a conductance (currents linear in v given the gates, like
  Hodgkin-Huxley channels, are then treated exactly implicitly);
* ``advance(s, p, i, v, dt)`` -- advance the state of node ``i`` from t to t + dt at the new
  voltage ``v`` (staggered in time, as in NEURON; e.g. gates relax exactly towards their
  steady state at fixed v: x -> x_inf + (x - x_inf) exp(-dt / tau_x)).

Names inside the callbacks are those of neuron models (``s.X[i]``, ``p.X``, ``math``,
``exp``..., module-level numbers and helper functions, which stay callable from Python).
"""
import numpy as np

from ..core.errors import ParameterError
from ..core.params import check
from ..core.translate import Space, translate


class Mechanism:
    """Base class of membrane mechanisms; see the module docstring."""

    parameters = {}
    state_variables = {}
    conductance = advance = None

    def __init__(self, name=None, **kwargs):
        self.name = name or type(self).__name__
        unknown = set(kwargs) - set(self.parameters) - set(self.state_variables)
        if unknown:
            raise ParameterError(f"{self.name}: unknown parameter(s) {sorted(unknown)}; "
                                 f"known: {sorted(self.parameters)} and state {sorted(self.state_variables)}")
        self.params = {k: check(f"{self.name}.{k}", kwargs.get(k, v)) for k, v in self.parameters.items()}
        self.initial = {}
        for var, value in self.state_variables.items():
            value = kwargs.get(var, value)
            self.initial[var] = check(f"{self.name}.{var}", self.params[value] if isinstance(value, str) else value)
        if self.conductance is None:
            raise ParameterError(f"{type(self).__name__} must define conductance(s, p, i, v)")

    def emit(self, code, mid, nodes, state, V, G, GE, area):
        """Loops of this painted instance: conductances before the cable solve (returned
        lines), state advance after it (second list). ``nodes``: argument of the global node
        index of every mechanism node; ``state``: {var: argument}."""
        owner = type(self).__name__
        spaces = {"s": Space("array", "s_", self.initial), "p": Space("scalar", "p_", self.params)}
        lines = ([], [])
        for which, name in enumerate(("conductance", "advance")):
            func = getattr(type(self), name)
            if func is None:
                continue
            tr = translate(owner, name, func, f"{mid}_{name}", spaces, ("i",), extra=("v",))
            code.function(tr.source, tr)
            for helper in tr.helpers.values():
                code.function(helper)
            args = ["q", "t", "dt", "step", "seed", "0", f"{V}[node]"]
            args += [state[v] if s == "s" else code.arg(f"{mid}_p_{v}", lambda v=v: self.params[v])
                     for s, v in tr.used]
            call = f"{mid}_{name}({', '.join(args)})"
            body = [f"for q in range({nodes}.shape[0]):", f"    node = {nodes}[q]"]
            if name == "conductance":
                body += [f"    g_, gE_ = {call}", f"    {G}[node] += g_ * {area}[node]",
                         f"    {GE}[node] += gE_ * {area}[node]"]
            else:
                body.append(f"    {call}")
            lines[which].extend(body)
        return lines

    def __repr__(self):
        return f"{type(self).__name__}({self.params})"


def region_nodes(domain, cell, region):
    """Global indices of the non-junction nodes of ``region`` ('all' for every region) in all
    cells of ``domain`` (all cells share the node set ``cell``)."""
    mask = ~cell.junction if region == "all" else cell.region_mask(region) & ~cell.junction
    local = np.flatnonzero(mask)
    return (domain.cell_start[:-1, None] + local[None, :]).reshape(-1).astype(np.int64)
