"""Neuron morphologies, their discretisation into compartments and the flat multi-cell domain.

A :class:`Morphology` is a tree of *segments* (frusta: truncated cones). Segment ``k`` has a
parent segment (-1 for the root), a length (m), a proximal and a distal radius (m) and a
region tag; its proximal end sits on the distal end of its parent. Maximal unbranched chains
of segments with one region are *branches*; named *locations* are points ``(branch, x)``
with x in [0, 1] the fraction of the branch length from its proximal end. Build one with
:meth:`Morphology.cable`, :meth:`Morphology.tree` (binary trees), :meth:`Morphology.from_segments`
or :meth:`Morphology.from_swc` (SWC through MorphIO).

Discretisation (:meth:`Morphology.discretise`) is cell-centred finite volumes: each branch of
length L is cut into n compartments of equal length L/n (``n`` per branch, or the smallest n
with L/n <= ``dx``). A compartment's membrane area A (lateral area of the frusta it contains,
slant included, m^2) and volume V (m^3) are integrated exactly over the piecewise-linear
radius r(s). Neighbouring nodes are coupled through the *geometric conductance*

    k = 1 / integral ds / (pi r(s)^2)          (m; the path from centre to centre)

so that the axial conductance of the cable is k / R_a (S) and a diffusive coupling is D k
(m^3/s). The integral of a frustum of length l with end radii r_a, r_b is l / (pi r_a r_b).
Where a branch has two or more children a *junction node* sits at the branch point: zero
area and volume, coupled to the parent compartment through the parent's distal half and to
each child's first compartment through that child's proximal half. Kirchhoff's law holds
exactly at the junction (it stores no charge), so charge (or mass) is conserved at branch
points and the tree structure (one parent per node) is kept for the Hines solver. A branch
with a single child (a region boundary) couples directly through both halves in series.

Node order is Hines order: every node comes after its parent (depth first over branches,
proximal to distal inside a branch), so Gaussian elimination from the last node to the first
and substitution from the first to the last solve the tree system in O(nodes) without fill-in.

A :class:`Domain` puts the nodes of many cells into flat arrays with global parent indices
(a point neuron is the one-node case): cell after cell (``cell_start``), or, for cells with
one tree (the n cells of a ``CableCells``), *interleaved*: node k of cell c at k * n_cells + c,
so that the solvers run over the cells in their innermost loop (independent, contiguous).
"""
import math

import numpy as np

from ..core.errors import ParameterError
from ..core.params import check

SWC_REGIONS = {1: "soma", 2: "axon", 3: "dend", 4: "apic"}


def _positive_array(name, value, size):
    arr = np.broadcast_to(np.asarray(value, dtype=float), (size,)).copy()
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        bad = arr[~(np.isfinite(arr) & (arr > 0))][0]
        raise ParameterError(f"{name} = {bad!r} is outside the allowed range (0, inf)")
    return arr


class Morphology:
    """Tree of frustum segments with region tags and named locations (SI units: m).

    ``parent[k] < k`` (-1 for the root, exactly one root), ``length[k] > 0``, radii
    ``r0[k]`` (proximal) and ``r1[k]`` (distal) > 0, ``region[k]``: a region name.
    ``n_compartments``: default number of compartments per branch (scalar).
    """

    def __init__(self, parent, length, r0, r1=None, region="dend", n_compartments=1):
        parent = np.asarray(parent, dtype=np.int64).reshape(-1)
        n = len(parent)
        if n == 0:
            raise ParameterError("a morphology needs at least one segment")
        if parent[0] != -1 or np.any(parent[1:] < 0) or np.any(parent[1:] >= np.arange(1, n)):
            raise ParameterError("parent: segment 0 must be the only root (parent -1) and "
                                 "every other segment k needs a parent in [0, k - 1]")
        self.parent = parent
        self.length = _positive_array("length", length, n)
        self.r0 = _positive_array("radius", r0, n)
        self.r1 = self.r0.copy() if r1 is None else _positive_array("radius", r1, n)
        regions = np.broadcast_to(np.asarray(region, dtype=object), (n,))
        self.region_names = list(dict.fromkeys(str(r) for r in regions))
        self.region = np.array([self.region_names.index(str(r)) for r in regions], dtype=np.int64)
        self.n_compartments = int(check("n_compartments", n_compartments, 1))
        self._branches()
        self.locations = {"root": (0, 0.0)}

    # ---- construction --------------------------------------------------------------------
    @classmethod
    def cable(cls, length, diameter, n_compartments=1, region="dend"):
        """Uniform cylinder of ``length`` and ``diameter`` (m); locations ``x0``/``root``
        (proximal end) and ``x1`` (distal end)."""
        length = check("length", length, 0.0, low_open=True)
        radius = check("diameter", diameter, 0.0, low_open=True) / 2
        morph = cls([-1], [length], [radius], region=region, n_compartments=n_compartments)
        morph.add_location("x0", 0, 0.0)
        morph.add_location("x1", 0, 1.0)
        return morph

    @classmethod
    def from_segments(cls, parent, length, radius, radius_distal=None, region="dend", n_compartments=1):
        """From per-segment arrays (see the class docstring); ``radius`` is proximal, distal
        too unless ``radius_distal`` is given."""
        return cls(parent, length, radius, radius_distal, region, n_compartments)

    @classmethod
    def tree(cls, levels, length, diameter, length_ratio=2 ** (-1 / 3), diameter_ratio=2 ** (-2 / 3),
             children=2, n_compartments=1, region="dend"):
        """Symmetric tree: one root branch of ``length`` and ``diameter`` (m), each branch has
        ``children`` children whose length and diameter are the parent's times the ratios, for
        ``levels`` levels (the defaults obey Rall's 3/2 rule for two children, d^(3/2) = 2
        d_child^(3/2), and keep the electrotonic length of every level equal). Locations:
        ``root`` and ``tip`` (distal end of the terminal reached through first children)."""
        levels = int(check("levels", levels, 1, 30))
        children = int(check("children", children, 1, 16))
        length = check("length", length, 0.0, low_open=True)
        diameter = check("diameter", diameter, 0.0, low_open=True)
        length_ratio = check("length_ratio", length_ratio, 0.0, low_open=True)
        diameter_ratio = check("diameter_ratio", diameter_ratio, 0.0, low_open=True)
        # breadth-first: level k holds children**k branches; parents of level k+1 are level k
        sizes = children ** np.arange(levels)
        level = np.repeat(np.arange(levels), sizes)
        first = np.concatenate(([0], np.cumsum(sizes)))
        parent = np.full(len(level), -1, dtype=np.int64)
        for k in range(1, levels):
            parent[first[k]:first[k + 1]] = first[k - 1] + np.arange(sizes[k]) // children
        morph = cls(parent, length * length_ratio ** level, diameter / 2 * diameter_ratio ** level,
                    region=region, n_compartments=n_compartments)
        seg = 0
        for k in range(1, levels):
            seg = int(np.flatnonzero(parent == seg)[0])
        morph.add_location("tip", int(morph.segment_branch[seg]), 1.0)
        return morph

    @classmethod
    def from_swc(cls, path, n_compartments=1):
        """Read an SWC file with MorphIO (``pip install morphio``); coordinates and diameters
        in micrometres are converted to m. The soma becomes a cylinder whose length and
        diameter equal the soma diameter (same lateral area as the sphere of a one-point soma;
        for multi-point somas the diameter is twice the mean distance of the soma points from
        their centroid); neurite roots attach to its distal end. Region names follow the SWC
        types (soma, axon, dend, apic, or ``type<N>``). Locations: ``root``, ``soma`` (centre
        of the soma, if any) and the tips of the neurites by region, ``dend_tip0``,
        ``apic_tip3``, ... (:meth:`add_tip_locations`)."""
        try:
            import morphio
        except ImportError:
            raise ParameterError("reading SWC needs MorphIO: pip install morphio") from None
        try:
            m = morphio.Morphology(str(path))
        except Exception as err:  # MorphIO's own error types: one line with the file
            raise ParameterError(f"cannot read SWC file {path}: {str(err).strip().splitlines()[0]}") from None
        parent, length, r0, r1, region = [], [], [], [], []
        soma_points = np.asarray(m.soma.points, dtype=float)
        has_soma = len(soma_points) > 0
        if has_soma:
            if len(soma_points) == 1:
                d_soma = float(m.soma.diameters[0])
            else:
                d_soma = 2 * float(np.mean(np.linalg.norm(soma_points - soma_points.mean(0), axis=1)))
            if not d_soma > 0:
                raise ParameterError(f"{path}: the soma has zero size")
            parent.append(-1), length.append(d_soma), r0.append(d_soma / 2), r1.append(d_soma / 2)
            region.append("soma")
        last = {}  # MorphIO section id -> index of its last segment
        roots = [s for s in m.iter() if s.is_root]
        if not has_soma and len(roots) != 1:
            raise ParameterError(f"{path}: without a soma the morphology needs exactly one root section")
        for sec in m.iter():  # depth first: parents before children
            pts = np.asarray(sec.points, dtype=float)
            diam = np.asarray(sec.diameters, dtype=float)
            seg_len = np.linalg.norm(np.diff(pts, axis=0), axis=1)
            keep = seg_len > 0
            if not np.any(keep):
                raise ParameterError(f"{path}: section {sec.id} has zero length")
            up = 0 if sec.is_root and has_soma else (-1 if sec.is_root else last[sec.parent.id])
            name = SWC_REGIONS.get(int(sec.type), f"type{int(sec.type)}")
            for k in np.flatnonzero(keep):
                parent.append(up), length.append(seg_len[k]), r0.append(diam[k] / 2), r1.append(diam[k + 1] / 2)
                region.append(name)
                up = len(parent) - 1
            last[sec.id] = up
        morph = cls(parent, np.array(length) * 1e-6, np.array(r0) * 1e-6, np.array(r1) * 1e-6,
                    region=np.array(region, dtype=object), n_compartments=n_compartments)
        if has_soma:
            morph.add_location("soma", 0, 0.5)
        morph.add_tip_locations()
        return morph

    # ---- structure ---------------------------------------------------------------------------
    def _branches(self):
        """Group segments into branches: a new branch starts at the root, after a branch point
        and where the region changes."""
        n = len(self.parent)
        n_children = np.bincount(self.parent[1:], minlength=n)
        starts = np.ones(n, dtype=bool)
        p = self.parent[1:]
        starts[1:] = (n_children[p] != 1) | (self.region[p] != self.region[1:])
        # a chain continues its parent's branch (segments are numbered parents first)
        seg_branch = np.empty(n, dtype=np.int64)
        nb = 0
        for k in range(n):  # one pass over segments at construction (not a hot path)
            if starts[k]:
                seg_branch[k] = nb
                nb += 1
            else:
                seg_branch[k] = seg_branch[self.parent[k]]
        self.segment_branch = seg_branch
        self.branch_segments = [[] for _ in range(nb)]
        for k in range(n):
            self.branch_segments[seg_branch[k]].append(k)
        self.branch_parent = np.array([-1 if self.parent[s[0]] < 0 else seg_branch[self.parent[s[0]]]
                                       for s in self.branch_segments], dtype=np.int64)
        self.branch_length = np.array([self.length[s].sum() for s in self.branch_segments])
        self.branch_region = np.array([self.region[s[0]] for s in self.branch_segments], dtype=np.int64)

    @property
    def n_branches(self):
        return len(self.branch_segments)

    def terminals(self):
        """Indices of the branches without children."""
        return np.setdiff1d(np.arange(self.n_branches), self.branch_parent)

    def add_location(self, name, branch, x):
        """Name the point at fraction ``x`` (0: proximal end, 1: distal end) of ``branch``."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(f"location name {name!r} must be a Python identifier")
        branch = int(check(f"location {name!r} branch", branch, 0, self.n_branches - 1))
        self.locations[name] = (branch, check(f"location {name!r} x", x, 0.0, 1.0))
        return self

    def add_tip_locations(self):
        """Name the distal end of every terminal branch ``<region>_tip<k>`` (k = 0, 1, ... per
        region, in branch order, i.e. depth first); returns the names."""
        names, count = [], {}
        for b in self.terminals():
            region = self.region_names[self.branch_region[b]]
            k = count[region] = count.get(region, -1) + 1
            names.append(f"{region}_tip{k}")
            self.add_location(names[-1], int(b), 1.0)
        return names

    def add_location_at_distance(self, name, distance, branch_path_end):
        """Name the point at path ``distance`` (m) from the root on the path to the distal end
        of branch ``branch_path_end``."""
        path = []
        b = int(check("branch", branch_path_end, 0, self.n_branches - 1))
        while b >= 0:
            path.append(b)
            b = self.branch_parent[b]
        path.reverse()
        ends = np.cumsum(self.branch_length[path])
        check(f"location {name!r} distance", distance, 0.0, ends[-1])
        k = min(int(np.searchsorted(ends, distance, side="left")), len(path) - 1)
        start = ends[k] - self.branch_length[path[k]]
        return self.add_location(name, path[k], (distance - start) / self.branch_length[path[k]])

    # ---- discretisation ----------------------------------------------------------------------
    def discretise(self, dx=None, n_per_branch=None):
        """Compartments of one cell (:class:`Compartments`): ``n_per_branch`` compartments on
        every branch (scalar or per branch), or the smallest number with length <= ``dx`` (m),
        or the morphology's ``n_compartments``."""
        if dx is not None and n_per_branch is not None:
            raise ParameterError("give dx or n_per_branch, not both")
        if dx is not None:
            dx = check("dx", dx, 0.0, low_open=True)
            counts = np.maximum(1, np.ceil(self.branch_length / dx * (1 - 1e-12))).astype(np.int64)
        else:
            value = self.n_compartments if n_per_branch is None else n_per_branch
            counts = np.broadcast_to(np.asarray(value), (self.n_branches,)).astype(np.int64)
            if np.any(counts < 1) or np.any(counts != np.broadcast_to(np.asarray(value, dtype=float),
                                                                         (self.n_branches,))):
                raise ParameterError(f"n_per_branch = {value!r} must be integers >= 1")
        return Compartments(self, counts)


class Nodes:
    """The nodes of one cell or compartmental structure, built by hand: any tree of well-mixed
    nodes (a node-centred dendrite with spine heads, a soma with a few compartments).

    ``parent`` (-1 for the root, ``parent[i] < i``), ``volume`` (m^3, >= 0), ``area`` (m^2,
    membrane area, >= 0), ``k`` (m, > 0 except at the root): geometric conductance between a
    node and its parent, the inverse of the integral of ds / (pi r^2) along the path from
    centre to centre (a cylinder of radius r and length l: pi r^2 / l). ``region``: a region
    name per node (or one for all); ``locations``: {name: node index}.
    :class:`Compartments` (a discretised :class:`Morphology`) has the same attributes.
    """

    def __init__(self, parent, volume, k, area=0.0, region="dend", locations=None):
        parent = np.asarray(parent, dtype=np.int64).reshape(-1)
        n = len(parent)
        if n == 0 or parent[0] != -1 or np.any(parent[1:] < 0) or np.any(parent[1:] >= np.arange(1, n)):
            raise ParameterError("parent: node 0 must be the only root (parent -1) and every other "
                                 "node i needs a parent in [0, i - 1]")
        self.parent, self.n = parent, n
        for name, value, low_open in (("volume", volume, False), ("area", area, False), ("k", k, True)):
            arr = np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()
            check_arr = arr[1:] if name == "k" else arr
            bad = ~np.isfinite(check_arr) | ((check_arr <= 0) if low_open else (check_arr < 0))
            if np.any(bad):
                raise ParameterError(f"{name} = {check_arr[bad][0]!r} is outside the allowed range "
                                     f"{'(0' if low_open else '[0'}, inf)")
            setattr(self, name, arr)
        self.r_own = np.where(parent >= 0, 1.0 / np.where(self.k > 0, self.k, 1.0), 0.0)
        self.r_parent = np.zeros(n)
        regions = np.broadcast_to(np.asarray(region, dtype=object), (n,))
        self.region_names = list(dict.fromkeys(str(r) for r in regions))
        self.region = np.array([self.region_names.index(str(r)) for r in regions], dtype=np.int64)
        self.junction = np.zeros(n, dtype=bool)
        self.length = np.zeros(n)
        self.distance = np.zeros(n)
        self.locations = {"root": 0}
        for name, node in (locations or {}).items():
            self.locations[name] = int(check(f"location {name!r}", node, 0, n - 1))

    def node(self, location):
        """Node index of a named location."""
        if location not in self.locations:
            raise ParameterError(f"location {location!r} is not defined; known: {sorted(self.locations)}")
        return self.locations[location]

    def region_mask(self, region):
        if region not in self.region_names:
            raise ParameterError(f"region {region!r} does not exist; known: {self.region_names}")
        return self.region == self.region_names.index(region)

    def region_nodes(self, region):
        """Indices of the nodes of ``region`` (``"all"``: every region) that have a membrane
        and a volume, i.e. without the junction nodes of branch points."""
        return np.flatnonzero(~self.junction if region == "all" else self.region_mask(region) & ~self.junction)

    def place(self, where, what):
        """Nodes of ``where``: (its node as a 1-element array, True) for a location, (the
        nodes of :meth:`region_nodes`, False) for a region or ``"all"``; a name that is both
        means the location. ``what`` names the input in the error for anything else."""
        if where in self.locations:
            return np.array([self.locations[where]]), True
        if where != "all" and where not in self.region_names:
            raise ParameterError(f"{what}: {where!r} is neither a location {sorted(self.locations)} nor a "
                                 f"region {self.region_names}")
        return self.region_nodes(where), False

    def paint(self, name, value, low=-math.inf, high=math.inf, low_open=False, allow_inf=False):
        """Per-node values of a parameter given as a scalar or as {region: value} (every region
        of the cell needs a value, or a ``"default"`` entry); junction nodes get the value of
        their parent region (it multiplies zero area there)."""
        out = np.empty(self.n)
        if isinstance(value, dict):
            unknown = set(value) - set(self.region_names) - {"default"}
            if unknown:
                raise ParameterError(f"{name}: unknown region(s) {sorted(unknown)}; known: {self.region_names}")
            table = []
            for r in self.region_names:
                if r not in value and "default" not in value:
                    raise ParameterError(f"{name}: no value for region {r!r} (give it or 'default')")
                table.append(check(f"{name}[{r!r}]", value.get(r, value.get("default")), low, high, low_open, allow_inf=allow_inf))
            table = np.array(table)
            region = self.region.copy()
            region[self.junction] = region[self.parent[self.junction]]
            out[:] = table[region]
        else:
            out[:] = check(name, value, low, high, low_open, allow_inf=allow_inf)
        return out



class Compartments(Nodes):
    """Finite-volume discretisation of one :class:`Morphology` (see the module docstring).

    Node arrays in Hines order: ``parent`` (-1 for the root), ``area`` (m^2), ``volume``
    (m^3), ``length`` (m), ``r_own`` and ``r_parent`` (1/m: integral of ds / (pi r^2) from the
    node's centre to the boundary with its parent, and from that boundary to the parent's
    centre; the axial resistance to the parent is R_a(own) r_own + R_a(parent) r_parent),
    ``region`` (index into ``region_names``, -1 for junctions), ``junction``, ``branch``,
    ``x`` (centre as fraction of its branch), ``distance`` (path length from the root, m).
    ``branch_nodes[b]``: the node indices of branch b, proximal to distal.
    """

    def __init__(self, morph, counts):
        self.morphology = morph
        self.region_names = morph.region_names
        self.counts = counts
        n_children = np.bincount(morph.branch_parent[1:], minlength=morph.n_branches)
        order = self._depth_first(morph)
        cols = {k: [] for k in ("parent", "area", "volume", "length", "r_own", "r_parent", "region",
                                "junction", "branch", "x", "distance")}
        self.branch_nodes = [None] * morph.n_branches
        attach = {}    # branch -> (node its first compartment couples to, resistance of the parent side)
        start_dist = {0: 0.0}
        for b in order:
            segs = morph.branch_segments[b]
            seg_s = np.concatenate(([0.0], np.cumsum(morph.length[segs])))
            L = seg_s[-1]
            n = int(counts[b])
            edges = np.linspace(0.0, L, n + 1)
            centres = (edges[:-1] + edges[1:]) / 2
            s = np.unique(np.concatenate((seg_s, edges, centres)))
            # radius just inside each piece: linear inside a segment (frusta meet at segment ends)
            mid = (s[:-1] + s[1:]) / 2
            k_seg = np.clip(np.searchsorted(seg_s, mid, side="right") - 1, 0, len(segs) - 1)
            frac_a = (s[:-1] - seg_s[k_seg]) / morph.length[segs][k_seg]
            frac_b = (s[1:] - seg_s[k_seg]) / morph.length[segs][k_seg]
            r0, r1 = morph.r0[segs][k_seg], morph.r1[segs][k_seg]
            ra, rb = r0 + (r1 - r0) * frac_a, r0 + (r1 - r0) * frac_b
            ds = np.diff(s)
            area = np.pi * (ra + rb) * np.sqrt(ds ** 2 + (rb - ra) ** 2)
            volume = np.pi * ds * (ra * ra + ra * rb + rb * rb) / 3
            resist = ds / (np.pi * ra * rb)
            comp = np.clip(np.searchsorted(edges, mid, side="right") - 1, 0, n - 1)
            distal = mid > centres[comp]  # piece in the distal half of its compartment
            first = len(cols["parent"])
            up, r_up = attach.get(b, (-1, 0.0))
            r_prox = np.bincount(comp[~distal], resist[~distal], minlength=n)
            r_dist = np.bincount(comp[distal], resist[distal], minlength=n)
            cols["parent"] += [up] + list(range(first, first + n - 1))
            cols["area"] += list(np.bincount(comp, area, minlength=n))
            cols["volume"] += list(np.bincount(comp, volume, minlength=n))
            cols["length"] += [L / n] * n
            cols["r_own"] += list(r_prox)
            cols["r_parent"] += [r_up] + list(r_dist[:-1])
            cols["region"] += [int(morph.branch_region[b])] * n
            cols["junction"] += [False] * n
            cols["branch"] += [b] * n
            cols["x"] += list(centres / L)
            cols["distance"] += list(start_dist[b] + centres)
            self.branch_nodes[b] = np.arange(first, first + n)
            last = first + n - 1
            kids = np.flatnonzero(morph.branch_parent == b)
            for c in kids:
                start_dist[int(c)] = start_dist[b] + L
            if n_children[b] == 1:
                attach[int(kids[0])] = (last, r_dist[-1])
            elif n_children[b] > 1:  # junction node at the branch point
                j = len(cols["parent"])
                for key, value in (("parent", last), ("area", 0.0), ("volume", 0.0), ("length", 0.0),
                                   ("r_own", 0.0), ("r_parent", r_dist[-1]), ("region", -1),
                                   ("junction", True), ("branch", b), ("x", 1.0),
                                   ("distance", start_dist[b] + L)):
                    cols[key].append(value)
                for c in kids:
                    attach[int(c)] = (j, 0.0)
        for key, values in cols.items():
            dtype = np.int64 if key in ("parent", "region", "branch") else (bool if key == "junction" else float)
            setattr(self, key, np.array(values, dtype=dtype))
        self.n = len(self.parent)
        self.locations = {name: self.node_at(*where) for name, where in morph.locations.items()}

    @staticmethod
    def _depth_first(morph):
        children = [[] for _ in range(morph.n_branches)]
        for b in range(1, morph.n_branches):
            children[morph.branch_parent[b]].append(b)
        order, stack = [], [0]
        while stack:
            b = stack.pop()
            order.append(b)
            stack.extend(reversed(children[b]))
        return order

    def node_at(self, branch, x):
        """Index of the compartment that contains point ``x`` (fraction) of ``branch``."""
        nodes = self.branch_nodes[branch]
        return int(nodes[min(int(x * len(nodes)), len(nodes) - 1)])

class Domain:
    """Nodes of several cells in flat arrays; ``parent`` holds global indices (-1 for each
    cell's root), ``area``/``volume``/``length``/``r_own``/``r_parent``/``junction``/
    ``distance`` are per global node as in :class:`Compartments`.

    Cell-major (default): cell c owns nodes ``cell_start[c]`` to ``cell_start[c + 1] - 1``.
    ``interleaved=True`` (all cells have the same tree, ``nodes_per_cell`` nodes with the
    parents ``local_parent``): node k of cell c is the global node k * n_cells + c
    (``cell_start`` is None). Either way :meth:`index` gives the global index of a node of a
    cell, :meth:`site` that of a location in every cell and :meth:`per_cell` the (cells,
    nodes) view of a per-node array."""

    def __init__(self, cells, interleaved=False):
        self.cells = list(cells)
        self.n_cells, self.interleaved = len(self.cells), bool(interleaved)
        sizes = np.array([c.n for c in self.cells], dtype=np.int64)
        if self.interleaved:
            first = self.cells[0]
            if any(c is not first and (c.n != first.n or not np.array_equal(c.parent, first.parent))
                   for c in self.cells):
                raise ParameterError("an interleaved domain needs cells with the same tree (parents)")
            n, m = self.n_cells, first.n
            self.nodes_per_cell, self.local_parent, self.cell_start = m, first.parent.copy(), None
            cell = np.arange(n)
            self.parent = np.where(first.parent[:, None] >= 0, first.parent[:, None] * n + cell[None, :],
                                   -1).reshape(-1).astype(np.int64)
            for key in ("area", "volume", "length", "r_own", "r_parent", "junction", "distance"):
                setattr(self, key, self._gather([getattr(c, key) for c in self.cells]))
            self.n = n * m
        else:
            self.cell_start = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
            self.nodes_per_cell = int(sizes[0]) if np.all(sizes == sizes[0]) else None
            self.local_parent = self.cells[0].parent.copy() if self.nodes_per_cell is not None else None
            offset = np.repeat(self.cell_start[:-1], sizes)
            parent = np.concatenate([c.parent for c in self.cells])
            self.parent = np.where(parent >= 0, parent + offset, -1).astype(np.int64)
            for key in ("area", "volume", "length", "r_own", "r_parent", "junction", "distance"):
                setattr(self, key, np.concatenate([getattr(c, key) for c in self.cells]))
            self.n = int(self.cell_start[-1])

    def _gather(self, per_cell):
        """Global array from one array per cell (in the domain's layout)."""
        if self.interleaved:
            return np.stack(per_cell, axis=1).reshape(-1)
        return np.concatenate(per_cell)

    def index(self, local, cell):
        """Global index of node ``local`` of ``cell`` (ints or broadcasting arrays)."""
        local, cell = np.asarray(local, dtype=np.int64), np.asarray(cell, dtype=np.int64)
        if self.interleaved:
            return local * self.n_cells + cell
        return self.cell_start[cell] + local

    def per_cell(self, array):
        """(cells, nodes per cell) view of a per-node ``array`` (cells of one size)."""
        array = np.asarray(array)
        if self.interleaved:
            return array.reshape(self.nodes_per_cell, self.n_cells).T
        if self.nodes_per_cell is None:
            raise ParameterError("per_cell: the cells of this domain have different numbers of nodes")
        return array.reshape(self.n_cells, self.nodes_per_cell)

    def coupling(self, rho):
        """Conductance of every node to its parent, 1 / (rho_i r_own_i + rho_parent r_parent_i),
        for a per-node resistivity ``rho``: R_a (ohm m) gives the axial conductance (S), 1/D
        (s/m^2) the diffusive one (m^3/s); 0 for the roots."""
        rho_parent = np.where(self.parent >= 0, rho[np.maximum(self.parent, 0)], 0.0)
        resistance = rho * self.r_own + rho_parent * self.r_parent
        if np.any((self.parent >= 0) & ~(resistance > 0)):
            raise ParameterError("zero resistance between two nodes (coupling would be infinite)")
        return np.where(self.parent >= 0, 1.0 / np.where(resistance > 0, resistance, 1.0), 0.0)

    def site(self, location):
        """Global node index of ``location`` in every cell."""
        return self.index([c.node(location) for c in self.cells], np.arange(self.n_cells))

    def locations(self):
        """Names of the locations that every cell defines."""
        common = set(self.cells[0].locations)
        for c in self.cells[1:]:
            common &= set(c.locations)
        return [name for name in self.cells[0].locations if name in common]

    def paint(self, name, value, low=-math.inf, high=math.inf, low_open=False, allow_inf=False):
        return self._gather([c.paint(name, value, low, high, low_open, allow_inf) for c in self.cells])
