"""Multi-compartment passive cells: the cable equation on a tree, solved implicitly.

For every node i of a cell (compartment of membrane area A_i, or junction with A_i = 0)

    c_i dV_i/dt = -g_i (V_i - E_i) + sum_j a_ij (V_j - V_i) + I_i(t)

with c_i = C_m A_i (F), g_i = A_i / R_m (S), a_ij = 1 / (R_a r_ij) (S) the axial conductance
to each neighbour j (r_ij: integral of ds / (pi r^2) between the centres, see
:mod:`plastisim.morphology`), and I_i the injected current (A). Units: C_m in F/m^2,
R_m in ohm m^2, R_a in ohm m, E_m and V in V. C_m, R_m, R_a and E_m are painted on regions:
a scalar, or {region: value} (R_m may be inf: no leak).

Scheme: the theta method, as one backward-Euler solve of length theta dt followed by
V(t + dt) = V(t) + (V* - V(t)) / theta. ``scheme="backward-euler"`` (theta = 1, default) is
first order in dt and L-stable: the stiff modes of fine compartments are damped at once, so
step currents and the charge jumps of synapses give no spurious oscillations (Arbor and
NEURON's default use it). ``scheme="crank-nicolson"`` (theta = 1/2) is second order for smooth
input but lets the stiff modes excited by a jump alternate in sign for many steps (|growth
factor| -> 1). The tree system is solved by Hines elimination in O(nodes) per step: the
nodes are in Hines order (parents first), elimination runs from the last node to the first,
substitution back. The injected current is held at its value at the start of each step.

``scheme="exact"``: for passive cells whose mechanisms are current sources (g = 0: synaptic
and noise currents, no channels, no per-compartment reset), each step is the exact solution
for the inputs held over the step, computed in the cell's eigenmodes
(:mod:`plastisim.morphology.modes`): the state is the amplitudes of the modes that outlive a
step (e^(-lambda dt) > 1e-12; 2 of 48 for the STC cell at dt = 0.2 ms), the others follow the
step's input. No error in time at any dt (Rallpack 1 at 50 us: 0.004 uV at the nodes against
27 uV for backward Euler). V is computed every step only where it is read (the detector, the
nodes of mechanisms that read the voltage, nodes recorded by state monitors, every node if a
plasticity rule reads ``site.V``) and in every node after each run, so a step costs (nodes
read) x (kept modes + nodes with input) multiply-adds per cell: 2 x (2 + 2) for the STC cell,
the cost of a point neuron with a few time constants; with input at and readout of every node
it is O(nodes^2) and backward Euler is cheaper. V set from Python between runs is taken up as
its projection on the kept modes; callbacks may not set V or I_inj. State: ``amplitude`` (per
kept mode and cell) and ``I_held`` (A, per node: the input held over the last step). A cell
reset sets the amplitudes to those of V_reset (its projection on the kept modes: uniform
V_reset exactly when C_m R_m and E_m are uniform, as in the STC cell) and holds them for
``t_ref``.

Inputs. ``I_inj`` (A, per node, state array) is injected constantly, times the value of the
signal ``envelope`` if given (e.g. a ``ps.Schedule`` of 0/1 for a step current).
Synapses target *sites*: every named location of the morphology is a port; a weight w
arriving at port ``loc`` is a charge (C) put into the compartment of ``loc`` at the start of
the next step: V jumps by w / (C_m A) there (1 pC on 1000 um^2 at 1 uF/cm^2 is 10 mV).
Spikes: a cell spikes when V at its ``detector`` location crosses ``V_th`` upwards within a
step (V before the step, charge jumps excluded, < V_th <= V after), so cells can be the
presynaptic side of projections. Threshold and reset: per compartment with the mechanism
:class:`~plastisim.neurons.membrane.ThresholdReset`, or for the whole cell at its detector
(``V_reset`` given): after a spike every node is set to ``V_reset`` and clamped there for the
next ``t_ref / dt`` steps (a conductance 1e9 C_i / (theta dt) towards V_reset inside the
implicit step), so the next spike can come t_ref + dt after the last.

Fields. The diffusing species of the cells and the ``react`` callbacks of their mechanisms
advance together once every ``fields_dt`` (default: every step), a whole number of steps:
slow fields (proteins diffusing over seconds) need not be solved every 0.2 ms. A field step
covers the steps since the previous one (its length counted in whole steps, so also across a
``fast_forward``, where the fields advance with every long step); influx written by synapses
in between is kept and enters the next field step, so amounts are conserved.
"""
import math

import numpy as np
from numba import njit

from ..core.errors import ParameterError
from ..core.network import Population
from ..core.params import check
from ..core.translate import namespace_uses
from ..diffusion.species import Species, diffusion_step
from ..morphology import Domain, Morphology, Nodes
from ..morphology.modes import passive_modes
from ..morphology.solver import factorise_tree, solve_cells, solve_factorised_cells, solve_one_cell
from .mechanism import Mechanism, painted_nodes
from .membrane import switch_ou

SCHEMES = {"backward-euler": 1.0, "crank-nicolson": 0.5, "exact": None}  # theta


# a step with this many active cells (a mechanism adds a conductance) or more per cell of the
# population solves all cells in full (vectorised) instead of factorised + active ones one by one
FULL_SOLVE_FRACTION = 0.25
# the clamp of a refractory cell: a conductance CLAMP * C_i / (theta dt) towards V_reset
CLAMP = 1e9


@njit(cache=True, inline="always")
def right_hand_side(b, ch, V, gE, GE, I_inj, envelope, rows, every_row, n):
    """b_i = ch_k V_i + gE_k + GE_i + I_inj_i envelope for node i = k n + c of every cell c
    (``ch``, ``gE`` per node of one cell); a flat loop for a single cell (vectorised). Unless
    ``every_row``, ``GE`` is read only in ``rows`` (sorted nodes of one cell, where mechanisms
    write it): elsewhere it holds 0, and adding 0 changes nothing."""
    if n == 1:
        for i in range(b.shape[0]):
            b[i] = ch[i] * V[i] + gE[i] + GE[i] + I_inj[i] * envelope
        return
    r = 0
    for k in range(ch.shape[0]):
        i0, chk, gEk = k * n, ch[k], gE[k]
        if every_row or (r < rows.shape[0] and rows[r] == k):
            r += 1
            for c in range(n):
                b[i0 + c] = chk * V[i0 + c] + gEk + GE[i0 + c] + I_inj[i0 + c] * envelope
        else:
            for c in range(n):
                b[i0 + c] = chk * V[i0 + c] + gEk + I_inj[i0 + c] * envelope


@njit(cache=True, inline="always")
def update(V, b, G, GE, theta, rows, every_row, active, n_active, n):
    """V += (b - V) / theta; G and GE cleared in every node or, unless ``every_row``, only in
    ``rows`` and in the nodes of the active cells (elsewhere they hold 0)."""
    N = V.shape[0]
    if every_row:
        for i in range(N):
            V[i] += (b[i] - V[i]) / theta
            G[i] = 0.0
            GE[i] = 0.0
        return
    for i in range(N):
        V[i] += (b[i] - V[i]) / theta
    for r in range(rows.shape[0]):
        for i in range(rows[r] * n, rows[r] * n + n):
            G[i] = 0.0
            GE[i] = 0.0
    for j in range(n_active):
        for i in range(active[j], N, n):
            G[i] = 0.0
            GE[i] = 0.0


@njit(cache=True, inline="always")
def diagonal(d, passive, G, n):
    """d_i = passive_k + G_i for node i = k n + c of every cell c (``passive`` per node of one
    cell); a flat loop for a single cell."""
    if n == 1:
        for i in range(d.shape[0]):
            d[i] = passive[i] + G[i]
        return
    for k in range(passive.shape[0]):
        i0, pk = k * n, passive[k]
        for c in range(n):
            d[i0 + c] = pk + G[i0 + c]


@njit(cache=True)
def cable_step(dt, theta, envelope, V, I_inj, cap, g_m, gE, a_ax, parent, site_in, site_node, detect,
               V_th, v_det, d, b, G, GE, cache, ch, passive, f, inv, gsum, active, rows, spikes, V_reset, refr_steps,
               refr):
    """Advance all cells by one step (theta method, Hines elimination); return the number of
    spiking cells written to ``spikes``. Nodes are interleaved (node k of cell c at k * n + c,
    n = number of cells); the cells are identical: ``parent`` (tree), ``cap``, ``g_m``, ``gE``,
    ``a_ax`` and the factorisation are per node of one cell, ``V``, ``I_inj``, ``G``, ``GE``
    and the scratch arrays ``d``, ``b`` per global node. ``site_in[s, c]``: charge (C) for
    site s of cell c, global node ``site_node[s, c]``; ``G``, ``GE``: conductance (S) and
    conductance x reversal (A) of the mechanisms per node; all three cleared here. The passive
    matrix is factorised once per step length (``cache[0]``: theta dt; ``ch`` = C/(theta dt),
    ``passive`` = ch + g_m, ``f``, ``inv``). Cell reset (``V_reset`` not NaN): a spiking cell
    is set to ``V_reset`` in every node and clamped there for ``refr_steps`` steps (``refr``:
    steps left per cell). A cell whose mechanisms add a conductance in this step (``gsum``,
    ``active``: scratch per cell) is solved in full. ``rows``: the nodes (of one cell) where
    mechanisms write ``G`` and ``GE``; elsewhere only a clamp does, so (n > 1) the other rows
    are neither read nor cleared for cells that are not clamped. The result of a cell does not
    depend on the path (factorised and full solves agree to the last bit for G = 0)."""
    n = detect.shape[0]
    m = parent.shape[0]
    N = V.shape[0]
    h = theta * dt
    for c in range(n):
        v_det[c] = V[detect[c]]
    for s in range(site_in.shape[0]):
        for c in range(n):
            q = site_in[s, c]
            if q != 0.0:
                k = site_node[s, c]
                V[k] += q / cap[k // n]
                site_in[s, c] = 0.0
    if cache[0] != h:
        for k in range(m):
            ch[k] = cap[k] / h
            passive[k] = ch[k] + g_m[k]
            inv[k] = passive[k]
        factorise_tree(inv, a_ax, parent, 0, m, f, inv)
        cache[0] = h
    reset = V_reset == V_reset
    if reset:
        for c in range(n):
            if refr[c] > 0.5:
                for k in range(m):
                    G[k * n + c] += CLAMP * ch[k]
                    GE[k * n + c] += CLAMP * ch[k] * V_reset
    if n == 1:  # active if any conductance is nonzero: stop at the first
        gsum[0] = 0.0
        for i in range(N):
            if G[i] != 0.0:
                gsum[0] = 1.0
                break
    elif rows.shape[0] == m:  # every row (a plain loop over the rows vectorises better)
        for c in range(n):
            gsum[c] = 0.0
        for k in range(m):
            i0 = k * n
            for c in range(n):
                gsum[c] += abs(G[i0 + c])
    else:  # a clamped cell (G in every row) is active; other conductances only in ``rows``
        for c in range(n):
            gsum[c] = refr[c] if reset else 0.0
        for r in range(rows.shape[0]):
            i0 = rows[r] * n
            for c in range(n):
                gsum[c] += abs(G[i0 + c])
    n_active = 0
    for c in range(n):
        if gsum[c] != 0.0:
            active[n_active] = c
            n_active += 1
    full = n_active >= FULL_SOLVE_FRACTION * n
    dense = full or n == 1 or rows.shape[0] == m  # G and GE read and cleared in every row
    right_hand_side(b, ch, V, gE, GE, I_inj, envelope, rows, dense, n)
    if full:
        diagonal(d, passive, G, n)
        solve_cells(d, b, a_ax, parent, n)
    else:
        solve_factorised_cells(b, a_ax, parent, n, f, inv)
        for j in range(n_active):  # overwritten above: right-hand side again, full solve
            c = active[j]
            for k in range(m):
                i = k * n + c
                b[i] = ch[k] * V[i] + gE[k] + GE[i] + I_inj[i] * envelope
                d[i] = passive[k] + G[i]
            solve_one_cell(d, b, a_ax, parent, n, c)
    update(V, b, G, GE, theta, rows, dense, active, n_active, n)
    nspk = 0
    for c in range(n):
        if v_det[c] < V_th and V[detect[c]] >= V_th:
            spikes[nspk] = c
            nspk += 1
    if reset:
        for c in range(n):
            if refr[c] > 0.5:
                refr[c] -= 1.0
                for i in range(c, N, n):
                    V[i] = V_reset
        for q in range(nspk):
            c = spikes[q]
            refr[c] = refr_steps
            for i in range(c, N, n):
                V[i] = V_reset
    return nspk



@njit(cache=True)
def materialise(V, amp, I_held, rows, inputs, phi, feed, V_rest, n):
    """Exact scheme: V_i = V_rest_k + sum_j phi_kj a_j + sum_s feed_ks I_s for the nodes of
    every cell (n cells) in the ``rows`` k (nodes of one cell): kept-mode amplitudes ``amp``
    (mode j of cell c at j n + c) and the input current held over the last step ``I_held``
    in the ``inputs`` rows. One order of operations for every caller (bit-identical values).
    Loops over slices (one row of all cells): their indices need no wrap-around, so they
    vectorise."""
    for row in rows:
        out = V[row * n:row * n + n]
        out[:] = V_rest[row]
        for j in range(phi.shape[1]):
            f, a = phi[row, j], amp[j * n:j * n + n]
            for c in range(n):
                out[c] += f * a[c]
        for s in inputs:
            f, x = feed[row, s], I_held[s * n:s * n + n]
            for c in range(n):
                out[c] += f * x[c]


@njit(cache=True)
def modal_step(envelope, V, I_inj, I_held, amp, site_in, site_node, charged, detect, V_th, v_det, GE, inputs, reads,
               decay, gain, charge, phi, feed, V_rest, a_reset, V_after_reset, spikes, V_reset, refr_steps, refr):
    """Advance all cells by one exact step (:mod:`plastisim.morphology.modes`); return the
    number of spiking cells written to ``spikes``. Input of node i: ``GE`` (current sources of
    the mechanisms, A; their ``G`` is 0) + ``I_inj`` x ``envelope``, held over the step (stored
    in ``I_held``), only in the ``inputs`` rows (elsewhere it is 0); ``site_in[s, c]``: charge
    (C) put into global node ``site_node[s, c]``, read for the sites ``charged`` (the others
    receive none). The amplitudes ``amp`` advance with
    ``decay``, ``gain``, ``charge``; V is then materialised in the ``reads`` rows. Cell reset
    (``V_reset`` not NaN): a spiking cell is set to the amplitudes of V_reset (``a_reset``),
    with no held input, and kept there for ``refr_steps`` steps; its V is then
    ``V_after_reset`` (per node of one cell: what :func:`materialise` gives for that state)."""
    n = detect.shape[0]
    r = decay.shape[0]
    row = detect[0] // n  # the detector's node in every cell
    v_det[:] = V[row * n:row * n + n]
    for s in inputs:
        held, ge, inj = I_held[s * n:s * n + n], GE[s * n:s * n + n], I_inj[s * n:s * n + n]
        for c in range(n):
            held[c] = ge[c] + inj[c] * envelope
            ge[c] = 0.0
    for s in charged:
        for c in range(n):
            q = site_in[s, c]
            if q != 0.0:
                k = site_node[s, c] // n
                for j in range(r):
                    amp[j * n + c] += charge[j, k] * q
                site_in[s, c] = 0.0
    for j in range(r):
        a, d = amp[j * n:j * n + n], decay[j]
        for c in range(n):
            a[c] *= d
        for s in inputs:
            g, x = gain[j, s], I_held[s * n:s * n + n]
            for c in range(n):
                a[c] += g * x[c]
    reset = V_reset == V_reset
    if reset:
        for c in range(n):
            if refr[c] > 0.5:  # clamped: no input has an effect
                refr[c] -= 1.0
                _hold_reset(amp, I_held, inputs, a_reset, c, n)
    materialise(V, amp, I_held, reads, inputs, phi, feed, V_rest, n)
    nspk = 0
    v = V[row * n:row * n + n]
    for c in range(n):
        if v_det[c] < V_th and v[c] >= V_th:
            spikes[nspk] = c
            nspk += 1
    if reset:
        for q in range(nspk):
            c = spikes[q]
            refr[c] = refr_steps
            _hold_reset(amp, I_held, inputs, a_reset, c, n)
            for k in reads:
                V[k * n + c] = V_after_reset[k]
    return nspk


@njit(cache=True, inline="always")
def _hold_reset(amp, I_held, inputs, a_reset, c, n):
    for j in range(a_reset.shape[0]):
        amp[j * n + c] = a_reset[j]
    for s in inputs:
        I_held[s * n + c] = 0.0


class CableCells(Population):
    """``n`` passive multi-compartment cells of one morphology (see the module docstring).

    ``morphology``: a :class:`~plastisim.morphology.Morphology` (discretised with ``dx`` (m)
    or ``n_per_branch``, else its own ``n_compartments``) or a
    :class:`~plastisim.morphology.Compartments`. State (flat over all cells, nodes
    interleaved: node k of cell c is ``k * n + c``; :meth:`node` gives the index of a location,
    :meth:`per_cell` the (cells, nodes) view of a per-node array): ``V`` (V), ``I_inj`` (A),
    per site ``in_<location>`` (C, one per cell), ``refractory`` (clamped steps left per cell,
    with a cell reset) and ``fields_step`` (the step up to which the fields have advanced).
    ``V_init`` defaults to E_m. ``scheme``: ``"backward-euler"``, ``"crank-nicolson"`` or
    ``"exact"`` (module docstring; adds the state ``amplitude`` and ``I_held``). ``V_reset``
    (V; None: no cell reset) and ``t_ref`` (s): reset of the whole cell after a spike (module
    docstring). ``fields_dt`` (s): step of the species and ``react`` mechanisms (None: the
    network's dt).
    """

    def __init__(self, morphology, n=1, Cm=0.01, Rm=1.0, Ra=1.0, E_m=-65e-3, V_init=None, dx=None,
                 n_per_branch=None, detector="root", V_th=0.0, scheme="backward-euler", envelope=None,
                 V_reset=None, t_ref=0.0, species=(), mechanisms=(), fields_dt=None, name=None):
        super().__init__(n, name=name or "CableCells")
        if isinstance(morphology, Morphology):
            cell = morphology.discretise(dx=dx, n_per_branch=n_per_branch)
        elif isinstance(morphology, Nodes):  # Compartments, or nodes built by hand
            cell = morphology
        else:
            raise ParameterError(f"morphology = {morphology!r} must be a Morphology, Compartments or Nodes")
        if scheme not in SCHEMES:
            raise ParameterError(f"scheme = {scheme!r} must be one of {list(SCHEMES)}")
        self.scheme, self.theta = scheme, SCHEMES[scheme]
        self.domain = dom = Domain([cell] * self.n, interleaved=True)
        self.compartments = cell
        self.parent = dom.parent
        self.local_parent = dom.local_parent  # the tree of one cell: what the solvers use
        # the cells are identical: membrane and axial constants per node of one cell
        one = Domain([cell])
        cm = one.paint(f"{self.name}.Cm", Cm, 0.0, low_open=True)
        rm = one.paint(f"{self.name}.Rm", Rm, 0.0, low_open=True, allow_inf=True)
        ra = one.paint(f"{self.name}.Ra", Ra, 0.0, low_open=True)
        self.E_m = one.paint(f"{self.name}.E_m", E_m)
        self.cap = cm * one.area
        self.g_m = one.area / rm
        self.gE = self.g_m * self.E_m
        self.a_ax = one.coupling(ra)
        self.V_th = check(f"{self.name}.V_th", V_th)
        if envelope is not None and (not isinstance(envelope, str) or not envelope.isidentifier()):
            raise ParameterError(f"envelope = {envelope!r} must be the name of a signal")
        self.envelope = envelope
        self.sites = list(dom.locations())
        self.site_node = np.array([dom.site(loc) for loc in self.sites], dtype=np.int64).reshape(len(self.sites), self.n)
        if detector not in self.sites:
            raise ParameterError(f"detector = {detector!r} is not a location; known: {self.sites}")
        self.detector = detector
        self.detect = dom.site(detector)
        self._site_in = np.zeros((max(len(self.sites), 1), self.n))
        self.state = {"V": np.repeat(self.E_m, self.n) if V_init is None else self._node_array("V_init", V_init),
                      "I_inj": np.zeros(dom.n), "refractory": np.zeros(self.n), "fields_step": np.zeros(1)}
        self.V_reset = math.nan if V_reset is None else check(f"{self.name}.V_reset", V_reset)
        self.t_ref = check(f"{self.name}.t_ref", t_ref, 0.0)
        self.fields_dt = None if fields_dt is None else check(f"{self.name}.fields_dt", fields_dt, 0.0, low_open=True)
        self._fields_every = 1
        for s, loc in enumerate(self.sites):
            self.state[f"in_{loc}"] = self._site_in[s]
        self._scratch = dict(v_det=np.zeros(self.n), cache=np.zeros(1), gsum=np.zeros(self.n),
                             active=np.zeros(self.n, dtype=np.int64),
                             **{key: np.zeros(dom.n) for key in ("d", "b", "G", "GE")},
                             **{key: np.zeros(cell.n) for key in ("ch", "passive", "f", "inv")})
        self.mechanisms, self._mech_ports = [], {}
        for where, mech in mechanisms:
            if not isinstance(mech, Mechanism):
                raise ParameterError(f"mechanisms: {mech!r} must be a ps.Mechanism (given as (region, mechanism))")
            nodes = painted_nodes(self, cell, where, mech)
            for var, value in mech.initial.items():
                key = f"{mech.name}_{var}"
                if key in self.state:
                    raise ParameterError(f"{self.name}: two mechanisms named {mech.name!r}; give one a name=")
                self.state[key] = np.full(len(nodes), value)
            if mech.port is not None:
                self._mech_ports[mech.name] = (f"{mech.name}_{mech.port}", where, nodes)
            self.mechanisms.append((mech, nodes))
        self.ports = tuple(self.sites) + tuple(self._mech_ports)
        if scheme == "exact":
            for mech, _ in self.mechanisms:
                if not mech.current_only():
                    raise ParameterError(f"{mech.name} adds a conductance or a current that depends on v, but "
                                         "scheme = 'exact' takes voltage-independent current sources only (g = 0): "
                                         "use scheme = 'backward-euler'")
                self._refuse_writes(mech.name, type(mech).__name__, mech.callbacks(), ("node",))
        self._scratch["rows"] = np.unique(np.concatenate(
            [nodes // self.n for mech, nodes in self.mechanisms if "conductance" in mech.callbacks()] + [[]]
        )).astype(np.int64)
        self.species, self._solver = list(species), {}
        for sp in self.species:
            if not isinstance(sp, Species):
                raise ParameterError(f"species = {sp!r} must be a ps.Species")
            arrays, self._solver[sp.name] = sp.bind(one, self.n, self.name)
            clash = set(arrays) & set(self.state)
            if clash:
                raise ParameterError(f"{self.name}: species {sp.name!r} clashes with state {sorted(clash)}")
            self.state.update(arrays)

    def setup(self, dt):
        self.refr_steps = float(round(self.t_ref / dt))
        if self.scheme == "exact":
            self._modes = modes = passive_modes(self.cap, self.g_m, self.E_m, self.a_ax, self.local_parent, dt)
            size = modes.decay.shape[0] * self.n
            if self.state.get("amplitude", np.zeros(0)).shape != (size,):  # kept modes depend on dt
                self.state.update(amplitude=np.zeros(size), I_held=np.zeros(self.domain.n))
            reset = self.V_reset == self.V_reset
            a_reset = modes.project @ (self.V_reset - modes.V_rest) if reset else modes.decay * 0.0
            after = np.zeros(self.compartments.n)  # materialise's V of one cell in that state
            materialise(after, a_reset, np.zeros_like(after), np.arange(after.shape[0]), np.zeros(0, dtype=np.int64),
                        modes.phi, modes.feed, modes.V_rest, 1)
            self._scratch.update(a_reset=a_reset, V_after_reset=after)
            self._scratch.setdefault("inputs", self._scratch["rows"])
            self._scratch.setdefault("site_ports", np.zeros(0, dtype=np.int64))
            self._scratch.setdefault("charged", self._scratch["site_ports"])
        if self.fields_dt is None:
            return
        every = round(self.fields_dt / dt)
        if every < 1 or abs(every * dt - self.fields_dt) > 1e-9 * self.fields_dt:
            raise ParameterError(f"{self.name}.fields_dt = {self.fields_dt:g} s must be a whole multiple "
                                 f"of dt = {dt:g} s")
        self._fields_every = every

    def before_run(self):
        """Exact scheme: the rows with input for this run (mechanism currents, nonzero I_inj
        or I_held) and the sites with charge (fed by projections or inputs, or set from
        Python); the cells whose V was changed since the last run take its projection on the
        kept modes as their amplitudes (the other modes decay within a step), with no held
        input. V is the state to set: changes of ``amplitude`` alone are overwritten."""
        if self.scheme != "exact":
            return
        with_input = self.per_cell(self.state["I_inj"]).any(axis=0) | self.per_cell(self.state["I_held"]).any(axis=0)
        self._scratch["inputs"] = np.union1d(self._scratch["rows"], np.flatnonzero(with_input)).astype(np.int64)
        charged = np.flatnonzero(self._site_in.any(axis=1))
        self._scratch["charged"] = np.union1d(self._scratch["site_ports"], charged).astype(np.int64)
        expected = self.state["V"].copy()
        self._materialise(expected)
        V = self.per_cell(self.state["V"])
        changed = ~np.all(self.per_cell(expected) == V, axis=1)
        if changed.any():
            m = self._modes
            self.state["amplitude"].reshape(-1, self.n)[:, changed] = m.project @ (V[changed] - m.V_rest).T
            self.per_cell(self.state["I_held"])[changed] = 0.0

    def after_run(self):
        """Exact scheme: V in every node (during a run only the nodes that are read are)."""
        if self.scheme == "exact":
            self._materialise(self.state["V"])

    def _materialise(self, V):
        m = self._modes
        materialise(V, self.state["amplitude"], self.state["I_held"], np.arange(self.compartments.n),
                    self._scratch["inputs"], m.phi, m.feed, m.V_rest, self.n)

    def _node_array(self, name, value):
        value = np.asarray(value, dtype=float)
        if value.ndim > 1 or (value.ndim == 1 and value.shape[0] != self.domain.n):
            raise ParameterError(f"{self.name}.{name} has shape {value.shape}; it must be a scalar or "
                                 f"have length nodes = {self.domain.n}")
        arr = np.array(np.broadcast_to(value, (self.domain.n,)))
        if not np.all(np.isfinite(arr)):
            raise ParameterError(f"{self.name}.{name} contains NaN or inf; it must be finite")
        return arr

    @property
    def n_nodes(self):
        return self.domain.n

    def node(self, location, cell=0):
        """Global node index (into ``state['V']``) of ``location`` in ``cell`` (int or array)."""
        if location not in self.sites:
            raise ParameterError(f"location {location!r} is not defined; known: {self.sites}")
        return self.domain.site(location)[cell]

    def inject(self, location, current, cells=None):
        """Set the injected current (A) at ``location`` of ``cells`` (all by default)."""
        idx = self.node(location, slice(None) if cells is None else cells)
        self.state["I_inj"][idx] = check(f"{self.name}.I_inj", current)
        return self

    def release(self, species, location, rate, cells=None):
        """Set the constant source (mol/s) of ``species`` at ``location`` of ``cells`` (all by default)."""
        if species not in self._solver:
            raise ParameterError(f"species {species!r} is not on {self.name}; known: {list(self._solver)}")
        idx = self.node(location, slice(None) if cells is None else cells)
        self.state[f"{species}_source"][idx] = check(f"{self.name}.{species}_source", rate)
        return self

    def switch_ou(self, name, indices, mu=0.0, sigma=0.0):
        """Turn the OU current mechanism ``name`` on or off (:func:`plastisim.neurons.membrane.switch_ou`)."""
        switch_ou(self, (f"{name}_I", f"{name}_mu", f"{name}_sigma"), indices, mu, sigma)

    def per_cell(self, array):
        """(cells, nodes per cell) view of a per-node array, e.g. ``per_cell(state["V"])[c]``:
        the voltages of cell c in the node order of ``compartments``."""
        return self.domain.per_cell(array)

    def amount(self, species):
        """Amount of ``species`` per cell, sum of V_i c_i (mol)."""
        return self.per_cell(self.domain.volume * self.state[species]).sum(axis=1)

    def charge(self):
        """Membrane charge per cell relative to 0 V, sum of c_i V_i (C)."""
        return (self.per_cell(self.state["V"]) * self.cap).sum(axis=1)

    def port_target(self, port):
        return self._mech_ports[port][0] if port in self._mech_ports else f"in_{port}"

    def port_location(self, port):
        """Location (or region) where weights arriving at ``port`` act: the default site of
        its synapses."""
        return self._mech_ports[port][1] if port in self._mech_ports else port

    def synapse_nodes(self, site, post, rng):
        """Global node of each synapse onto the cells ``post`` (one per synapse) at ``site``:
        a location (its node in each cell), a region or ``"all"`` (a node of the region drawn
        for each synapse with probability proportional to its membrane area: synapses spread
        evenly over the membrane; ``rng``: numpy Generator), or node indices of the cell
        (one per synapse). A name that is both a location and a region means the location."""
        cell = self.compartments
        if isinstance(site, str):
            local, location = cell.place(site, f"site of {self.name}")
            if location:
                return self.domain.index(local[0], post)
            area = cell.area[local]
            if not area.sum() > 0:
                raise ParameterError(f"site = {site!r}: the region has no membrane area to place synapses on")
            return self.domain.index(rng.choice(local, size=len(post), p=area / area.sum()), post)
        local = np.asarray(site)
        if local.shape != (len(post),) or local.dtype.kind not in "iu":
            raise ParameterError(f"site: node indices must be integers, one per synapse ({len(post)}); "
                                 f"got shape {local.shape}")
        bad = (local < 0) | (local >= cell.n)
        if np.any(bad) or np.any(cell.junction[local[~bad]]):
            raise ParameterError(f"site: node indices must be in [0, {cell.n - 1}] and not junction nodes "
                                 f"{np.flatnonzero(cell.junction).tolist()}")
        return self.domain.index(local, post)

    def port_index(self, port, nodes):
        """Index into the state array of ``port`` for synapses at the global ``nodes``, or None:
        the index is the postsynaptic cell (ports at a location). For a point mechanism placed
        on a region: its instance at each synapse's node."""
        if port not in self._mech_ports or self._mech_ports[port][1] in self.sites:
            return None
        instances = np.full(self.domain.n, -1, dtype=np.int64)
        placed = self._mech_ports[port][2]
        instances[placed] = np.arange(len(placed))
        index = instances[nodes]
        if np.any(index < 0):
            raise ParameterError(f"port = {port!r} is placed on region {self._mech_ports[port][1]!r}; the "
                                 f"synapses' site must lie inside it")
        return index

    def emit(self, code, pid):
        if self.envelope is not None and self.envelope not in {s.name for s in code.net.signals}:
            raise ParameterError(f"{self.name}.envelope: no signal named {self.envelope!r} in the network")
        lines = {"conductance": [], "advance": [], "react": []}
        dt_fields = f"dt_{pid}_fields"
        for m, (mech, nodes) in enumerate(self.mechanisms):
            mid = f"{pid}_m{m}"
            state = {var: code.state(f"{mid}_{var}", self, f"{mech.name}_{var}") for var in mech.initial}
            G, GE = (code.arg(f"{pid}_{key}", lambda k=key: self._scratch[k]) for key in ("G", "GE"))
            emitted = mech.emit(code, mid, self, nodes, state, code.state(f"{pid}_V", self, "V"), G, GE,
                                code.arg(f"{pid}_area", lambda: self.domain.area), react_dt=dt_fields)
            for name, body in emitted.items():
                lines[name] += body
        code.phase("neurons")(*lines["conductance"], f"nsp_{pid} = {self._step_call(code, pid)}", *lines["advance"])
        fields = lines["react"] + self._species_lines(code, pid, dt_fields)
        if fields:
            done = code.state(f"{pid}_fields_step", self, "fields_step")
            # rich steps: every fields_dt; fast_forward (stride > 1): every long step
            code.phase("fields")(f"if stride > 1 or (step + 1) % {self._fields_every} == 0:",
                                 f"    {dt_fields} = (step + stride - {done}[0]) * dt_rich",
                                 f"    {done}[0] = step + stride",
                                 *("    " + line for line in fields))

    def _step_call(self, code, pid):
        """Call of the cable step of all cells: :func:`cable_step` or :func:`modal_step`."""
        state = lambda *keys: [code.state(f"{pid}_{key}", self, key) for key in keys]
        attrs = lambda *keys: [code.arg(f"{pid}_{key}", (lambda k=key: getattr(self, k))) for key in keys]
        scratch = lambda *keys: [code.arg(f"{pid}_{key}", (lambda k=key: self._scratch[k])) for key in keys]
        envelope = [f"sig_{self.envelope}" if self.envelope else "1.0"]
        reset = [code.arg(f"{pid}_spikes", lambda: self._spikes)] + attrs("V_reset", "refr_steps") + state("refractory")
        if self.scheme != "exact":
            args = (["dt", repr(self.theta)] + envelope + state("V", "I_inj")
                    + attrs("cap", "g_m", "gE", "a_ax", "local_parent", "_site_in", "site_node", "detect", "V_th")
                    + scratch("v_det", "d", "b", "G", "GE", "cache", "ch", "passive", "f", "inv", "gsum", "active",
                              "rows"))
            return f"{code.use(cable_step)}({', '.join(args + reset)})"
        self._scratch["reads"] = self._read_rows(code.net)
        modes = [code.arg(f"{pid}_{key}", (lambda k=key: getattr(self._modes, k)))
                 for key in ("decay", "gain", "charge", "phi", "feed", "V_rest")]
        ports = code.net.inputs_to(self)
        self._scratch["site_ports"] = np.array([s for s, loc in enumerate(self.sites)
                                                if loc in ports or f"in_{loc}" in ports], dtype=np.int64)
        args = (envelope + state("V", "I_inj", "I_held", "amplitude") + attrs("_site_in", "site_node")
                + scratch("charged") + attrs("detect", "V_th") + scratch("v_det", "GE", "inputs", "reads")
                + modes + scratch("a_reset", "V_after_reset"))
        return f"{code.use(modal_step)}({', '.join(args + reset)})"

    def _refuse_writes(self, what, owner, callbacks, spaces):
        """Exact scheme: callbacks may not set V (computed from the modes), I_inj (read at
        the start of each run) or the scheme's own state."""
        for name, func in callbacks.items():
            for space in spaces:
                bad = namespace_uses(owner, name, func, space)[1] & {"V", "I_inj", "I_held", "amplitude"}
                if bad:
                    raise ParameterError(f"{what} sets {space}.{min(bad)}, but {self.name} has scheme = 'exact', which "
                                         "computes V from the cells' modes and takes I_inj as set before each run: "
                                         "use a mechanism for currents, or scheme = 'backward-euler'")

    def _read_rows(self, net):
        """Exact scheme: the nodes (of one cell) whose V is computed every step: the detector,
        the nodes of mechanisms that read the voltage, nodes recorded by state monitors of V,
        or every node if the rule of a projection onto these cells reads ``site.V`` (or
        ``post.V`` of one-compartment cells)."""
        n, m = self.n, self.compartments.n
        reads_V = False
        for proj in net.projections:
            if proj.post_pop is self and proj.rule is not None:
                rule, owner = proj.rule, type(proj.rule).__name__
                self._refuse_writes(owner, owner, rule.callbacks(), ("site", "post"))
                reads_V |= any("V" in namespace_uses(owner, name, func, space)[0]
                               for name, func in rule.callbacks().items() for space in ("site", "post"))
        if reads_V:
            return np.arange(m)
        rows = [self.detect[:1] // n] + [nodes // n for mech, nodes in self.mechanisms
                                         if any(mech.uses_voltage(name) for name in mech.callbacks())]
        rows += [mon.index // n for mon in net.monitors if getattr(mon, "target", None) is self
                 and getattr(mon, "var", None) == "V"]
        return np.unique(np.concatenate(rows)).astype(np.int64)

    def _species_lines(self, code, pid, dt_fields):
        """One diffusion step of length ``dt_fields`` per species."""
        step = code.use(diffusion_step)
        arg = lambda key, get: code.arg(f"{pid}_{key}", get)
        parent = arg("local_parent", lambda: self.local_parent)
        lines = []
        for sp in self.species:
            c, influx, source = (code.state(f"{pid}_{sp.name}{x}", self, f"{sp.name}{x}")
                                 for x in ("", "_in", "_source"))
            volume, rate, a, *cache = (arg(f"{sp.name}_{key}", lambda s=sp.name, k=key: self._solver[s][k])
                                       for key in ("volume", "rate", "a", "cache", "held", "keep", "f", "inv"))
            lines.append(f"{step}({dt_fields}, {c}, {influx}, {source}, {volume}, {rate}, {a}, {parent}, "
                         f"{', '.join(cache)})")
        return lines

    def __repr__(self):
        return f"CableCells(n={self.n}, nodes per cell={self.compartments.n}, name={self.name!r})"
