"""Benchmark: plastisim's compartmental cable solver against NEURON and Arbor (single thread).

Workloads (the same geometry, compartments, time step and scheme in all three simulators):

* ``rallpack1``: Rallpack 1 (:mod:`plastisim.models.rallpack1`): uniform passive cable, 1 mm,
  1 um diameter, 1000 compartments, 0.1 nA at x = 0, 250 ms; voltage at both ends.
* ``rallpack2``: Rallpack 2 (:mod:`plastisim.models.rallpack2`): 10-level binary tree obeying
  Rall's 3/2 rule, 1023 branches of one compartment, 0.1 nA at the root, 250 ms; voltage at
  the root and at one tip.
* ``trees``: N copies of the Rallpack 2 tree, each with 0.1 nA at its root, 100 ms.
* ``ball-and-stick``: N ball-and-stick cells (soma 20 um long and wide, one compartment;
  dendrite 800 um, 2 um wide, 99 compartments; membrane as Rallpack), 0.1 nA at the soma, 100 ms.
* ``network``: N ball-and-stick cells (as above) with the squid Hodgkin-Huxley channels of
  ``rallpack3`` in every compartment, each driven by its own constant current at the soma
  (0.5-1 nA, fixed random draw) and receiving K = 10 synapses from random other cells
  (fixed draw): conductance-based exponential synapses (tau 2 ms, E = 0 mV, 2 nS; NEURON's
  ``ExpSyn``, Arbor's ``expsyn``, in plastisim a user mechanism written with ``ps.Mechanism``)
  at the middle of the dendrite, spikes detected as 0-mV crossings at the soma, delay 2 ms;
  100 ms. Spike counts of cell 0 and of the whole network are compared.
* ``rallpack3``: Rallpack 3 (:mod:`plastisim.models.rallpack3`): the Rallpack 1 cable with
  squid Hodgkin-Huxley channels in every compartment (gbar_Na 1200, gbar_K 360 S/m^2, E_Na
  50 mV, E_K -77 mV, leak 1/R_m = 0.25 S/m^2 at -65 mV, 6.3 C), 0.1 nA at x = 0, 250 ms;
  spike times at both ends. plastisim: ``rallpack3.run`` with ``scheme="backward-euler"``;
  NEURON: its ``hh`` mechanism (gnabar 0.12, gkbar 0.036, gl 2.5e-5 S/cm^2, el -65 mV, ena 50,
  ek -77 mV, ``celsius = 6.3``, rate tables off: ``usetable_hh = 0``, so that it evaluates the
  rate functions themselves, as plastisim and Arbor do); Arbor: its built-in ``hh`` density
  mechanism (default catalogue; same gnabar, gkbar, gl, el; ena and ek as the ``na`` and ``k``
  reversal potentials; ``tempK = 279.45`` K, i.e. 6.3 C, from which it computes
  q10 = 3^((celsius - 6.3) / 10) = 1, checked with a probe). All three: channel currents from
  the gates at t in the implicit cable step, then ``cnexp`` relaxation of the gates at the new
  voltage, which plastisim and NEURON compute with exp() (exact for frozen v) and Arbor's modcc
  with the (1,1) Pade approximant exp(x) ~ (1 + x/2) / (1 - x/2): Arbor's spike times differ
  from the other two by O(dt^2), plastisim's and NEURON's by round-off.

plastisim runs the Rallpacks through the models' own ``run`` functions (geometry, recording
and timing as in ``plastisim run rallpack1``); the many-cell workloads use ``CableCells(n=N)``
with the Rallpack 2 morphology (:func:`plastisim.models.rallpack2.Params` defaults). NEURON gets one section per
branch with ``nseg`` = compartments of the branch, ``secondorder = 0`` (backward Euler),
``cvode`` off, run by ``ParallelContext.psolve`` (no interpreter in the time loop), one
thread. Arbor gets one segment per plastisim segment and a CV policy that gives the same
compartments (``fixed-per-branch``: n CVs per branch plus a zero-size CV at each fork, as
plastisim's junction nodes; explicit CV boundaries for the ball-and-stick cell, whose soma and
dendrite are one Arbor branch), its implicit-Euler cable solver, 1 thread, all cells of a
workload in one cell group (``partition_hint(cpu_group_size=N)``; the environment variable
``MORPHBENCH_ARBOR_GROUP`` sets another group size: 1 per cell was 1.0-1.4x slower here). Recording: two sites of
cell 0 every step in all simulators. The injected current sits in the first compartment
(its centre in NEURON and Arbor), voltages are read at the centres of the recorded
compartments.

Timing: each simulator and workload runs in its own process; the network/cell is built once,
then the simulation call is timed ``--repeat`` times; this is done ``--rounds`` times with the
three simulators in turn (fastest of all repeat x rounds reported; plastisim builds a new
``Simulator`` per repeat, its kernels warm after the first build, and runs the Rallpacks
through the models' ``run``, whose ``wall_time`` is the simulation call). "Build" is the model
set-up (plastisim: fastest warm build, and in brackets the first build of the process, which
loads or compiles the numba kernels; the script gives plastisim an empty kernel cache, so the
first workload shows the cold compilation; for the Rallpacks it also includes the models'
analytic reference). Agreement: RMS
difference of each peer's voltage traces from plastisim's at the two sites (peer traces
interpolated onto plastisim's sample times, t = (n + 1) dt); for ``rallpack3`` (spike trains
drift apart, so voltages are not compared) the spike times (upward 0-V crossings, linear
interpolation between samples) at both ends: spike counts and the largest |dt| between a peer's
spike and plastisim's spike of the same index.

Usage (a venv with plastisim, neuron and arbor):
    python benchmarks/morphology.py [--quick] [--repeat 3] [--rounds 2] [--cells-trees 100] [--cells-bs 1000]
``--quick``: 50-ms Rallpacks, 10 trees and 100 ball-and-stick cells for 20 ms.
``--only rallpack3`` runs the Hodgkin-Huxley cable alone (dt = 25 and 10 us; ~1 min, --quick ~10 s).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

os.environ["NUMBA_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

RM, RA, CM, EM, I0 = 4.0, 1.0, 0.01, -65e-3, 0.1e-9  # ohm m^2, ohm m, F/m^2, V, A (Rallpack)
SIMULATORS = ("plastisim", "neuron", "arbor")
HH_RALLPACK = dict(gbar_Na=1200.0, gbar_K=360.0, E_Na=50e-3, E_K=-77e-3)  # S/m^2, V; leak 1/RM at EM, 6.3 C
SYN_TAU, SYN_E, SYN_W, SYN_DELAY, SYN_K = 2e-3, 0.0, 2e-9, 2e-3, 10  # s, V, S, s, synapses per cell


def network_spec(n_cells):
    """(soma current per cell (A), presynaptic and postsynaptic index of every synapse)."""
    import numpy as np
    rng = np.random.default_rng(7)
    amp = 0.5e-9 * (1.0 + rng.random(n_cells))
    post = np.repeat(np.arange(n_cells), SYN_K)
    pre = (post + 1 + rng.integers(0, n_cells - 1, post.size)) % n_cells  # never the cell itself
    return amp, pre, post


# ---- geometry: plastisim morphologies, the source of the peers' models ---------------------------
def geometry(workload):
    """(Morphology, compartments per branch, injection location, two recorded locations)."""
    import numpy as np
    import plastisim as ps
    from plastisim.models import rallpack1, rallpack2

    if workload in ("rallpack1", "rallpack3"):
        p = rallpack1.Params()
        return ps.Morphology.cable(p.length, p.diameter), p.n_compartments, "x0", ("x0", "x1")
    if workload in ("rallpack2", "trees"):
        p = rallpack2.Params()
        morph = ps.Morphology.tree(p.levels, p.root_length, p.root_diameter, 2 ** (-1 / 3), 2 ** (-2 / 3))
        return morph, p.n_per_branch, "root", ("root", "tip")
    if workload in ("ball-and-stick", "network"):
        morph = ps.Morphology.from_segments([-1, 0], [20e-6, 800e-6], [10e-6, 1e-6], region=["soma", "dend"])
        morph.add_location("soma", 0, 0.5)
        morph.add_location("tip", 1, 1.0)
        morph.add_location("mid", 1, 0.5)  # the synapses of ``network``
        return morph, np.array([1, 99]), "soma", ("soma", "tip")
    raise ValueError(workload)


def centres(morph, counts, location):
    """(segment, fraction along it) of the centre of the compartment holding ``location``
    (every branch here is one segment)."""
    import numpy as np
    counts = np.broadcast_to(np.asarray(counts), (morph.n_branches,))
    branch, x = morph.locations[location]
    n = int(counts[branch])
    k = min(int(x * n), n - 1)
    (seg,) = morph.branch_segments[branch]
    return int(seg), (k + 0.5) / n


# ---- plastisim ---------------------------------------------------------------------------------------
def _exp_syn():
    """Conductance-based exponential synapse as a plastisim user mechanism: g (S) jumps by the
    weight, decays with SYN_TAU (exactly), current g (E - V)."""
    from math import exp

    import plastisim as ps

    class ExpSyn(ps.Mechanism):
        parameters = dict(tau=SYN_TAU, E=SYN_E)
        state_variables = dict(g=0.0)
        point = True
        port = "g"

        def conductance(s, p, i, v):
            return s.g[i], s.g[i] * p.E

        def advance(s, p, i, v, dt):
            s.g[i] *= exp(-dt / p.tau)

    return ExpSyn


def run_plastisim(workload, n_cells, duration, dt, repeat):
    import numpy as np
    import plastisim as ps
    from plastisim.models import rallpack1, rallpack2, rallpack3

    runs, builds = [], []
    if workload in ("rallpack1", "rallpack2", "rallpack3"):
        model = dict(rallpack1=rallpack1, rallpack2=rallpack2, rallpack3=rallpack3)[workload]
        p = (model.Params(duration=duration, dt=dt, scheme="backward-euler") if workload == "rallpack3"
             else model.Params(duration=duration, dt=dt))
        for _ in range(repeat + 1):  # the first call compiles or loads the kernel
            start = time.perf_counter()
            out = model.run(p)
            total = time.perf_counter() - start
            runs.append(out["wall_time"])
            builds.append(total - out["wall_time"])
        t, V = out["data"]["t"], out["data"]["V"]
        comp = (ps.Morphology.cable(1e-3, 1e-6).discretise(n_per_branch=p.n_compartments) if workload != "rallpack2"
                else geometry("rallpack2")[0].discretise(n_per_branch=1))
    else:
        morph, counts, inj, rec = geometry(workload)
        network = workload == "network"
        for _ in range(repeat + 1):
            start = time.perf_counter()
            net = ps.Network(dt=dt, seed=1)
            mechanisms = [("all", ps.HH(**HH_RALLPACK)), ("mid", _exp_syn()())] if network else []
            cells = net.add(ps.CableCells(morph, n_cells, Cm=CM, Rm=RM, Ra=RA, E_m=EM, n_per_branch=counts,
                                          detector="soma", V_th=0.0, mechanisms=mechanisms, name="cells"))
            if network:
                amp, pre, post = network_spec(n_cells)
                cells.state["I_inj"][cells.node(inj, np.arange(n_cells))] = amp
                net.connect(cells, cells, (pre, post), weight=SYN_W, delay=SYN_DELAY, port="ExpSyn")
                spikes = net.record_spikes(cells)
            else:
                cells.inject(inj, I0)
            mon = net.record(cells, "V", [cells.node(rec[0], 0), cells.node(rec[1], 0)])
            sim = ps.Simulator(net)
            builds.append(time.perf_counter() - start)
            sim.run(duration)
            runs.append(sim.wall_time)
        t, V = (np.arange(len(mon.t)) + 1) * dt, mon.data
        comp = cells.compartments
    out = dict(runs=runs[1:], build_first=builds[0], build=min(builds[1:]), t=list(t), v=V.T.tolist(),
               compartments=int(np.sum(~comp.junction)), nodes=int(comp.n))
    if workload == "network":
        out["spikes_total"] = len(spikes.t)
    return out


# ---- NEURON --------------------------------------------------------------------------------------------
def run_neuron(workload, n_cells, duration, dt, repeat):
    import numpy as np
    from neuron import h

    start = time.perf_counter()
    morph, counts, inj, rec = geometry(workload)
    counts = np.broadcast_to(np.asarray(counts), (morph.n_branches,))
    cells = []
    for _ in range(n_cells):
        secs = []
        for b in range(morph.n_branches):
            (seg,) = morph.branch_segments[b]
            sec = h.Section()
            sec.L, sec.diam, sec.nseg = morph.length[seg] * 1e6, 2 * morph.r0[seg] * 1e6, int(counts[b])
            if morph.branch_parent[b] >= 0:
                sec.connect(secs[morph.branch_parent[b]](1), 0)
            secs.append(sec)
        cells.append(secs)
    if workload in ("rallpack3", "network"):  # NEURON's hh with its own leak (no pas), exact rate functions
        h(f"forall {{ Ra = {RA * 100} cm = {CM * 100} insert hh gnabar_hh = 0.12 gkbar_hh = 0.036 "
          f"gl_hh = {1 / RM * 1e-4} el_hh = {EM * 1e3} ena = 50 ek = -77 }}")
        h.celsius = 6.3
        h.usetable_hh = 0
    else:
        h(f"forall {{ Ra = {RA * 100} cm = {CM * 100} insert pas g_pas = {1 / RM * 1e-4} e_pas = {EM * 1e3} }}")
    where = lambda cell, loc: (lambda s, x: cells[cell][int(morph.segment_branch[s])](x))(*centres(morph, counts, loc))
    amps = network_spec(n_cells)[0] if workload == "network" else np.full(n_cells, I0)
    clamps = []
    for c in range(n_cells):
        ic = h.IClamp(where(c, inj))
        ic.delay, ic.dur, ic.amp = 0.0, 1e9, amps[c] * 1e9
        clamps.append(ic)
    synapses, netcons, spike_t, spike_id = [], [], h.Vector(), h.Vector()
    if workload == "network":
        _, pre, post = network_spec(n_cells)
        for c in range(n_cells):
            syn = h.ExpSyn(where(c, "mid"))
            syn.tau, syn.e = SYN_TAU * 1e3, SYN_E * 1e3
            synapses.append(syn)
        for c in range(n_cells):  # spike detection at the soma centre, as plastisim's detector
            probe = h.NetCon(where(c, inj)._ref_v, None, sec=cells[c][0])
            probe.threshold = 0.0
            probe.record(spike_t, spike_id, c)
            netcons.append(probe)
        for i, j in zip(pre, post):
            nc = h.NetCon(where(int(i), inj)._ref_v, synapses[j], sec=cells[int(i)][0])
            nc.threshold, nc.delay, nc.weight[0] = 0.0, SYN_DELAY * 1e3, SYN_W * 1e6
            netcons.append(nc)
    vecs = [h.Vector().record(where(0, loc)._ref_v) for loc in rec]
    tvec = h.Vector().record(h._ref_t)
    pc = h.ParallelContext()
    pc.nthread(1)
    pc.set_maxstep(10)
    cvode = h.CVode()
    cvode.active(0)
    cvode.cache_efficient(1)
    h.secondorder = 0
    h.dt = dt * 1e3
    h.finitialize(EM * 1e3)
    build = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        h.dt = dt * 1e3
        h.finitialize(EM * 1e3)
        start = time.perf_counter()
        pc.psolve(duration * 1e3)
        runs.append(time.perf_counter() - start)
    nodes = sum(sec.nseg + 1 for secs in cells[:1] for sec in secs) + 1
    out = dict(runs=runs, build=build, t=list(np.array(tvec) * 1e-3), v=[list(np.array(v) * 1e-3) for v in vecs],
               compartments=int(counts.sum()), nodes=nodes, steps=int(round(h.t / h.dt)))
    if workload == "network":
        out["spikes_total"] = int(spike_t.size())  # of the last run (finitialize clears the vectors)
    return out


# ---- Arbor ----------------------------------------------------------------------------------------------
def run_arbor(workload, n_cells, duration, dt, repeat):
    import arbor as A
    import numpy as np

    U = A.units
    start = time.perf_counter()
    morph, counts, inj, rec = geometry(workload)
    counts = np.broadcast_to(np.asarray(counts), (morph.n_branches,))
    tree = A.segment_tree()
    ends = []  # distal end of each segment (x, y, z)
    for k in range(len(morph.parent)):
        par = int(morph.parent[k])
        prox = ends[par] if par >= 0 else (0.0, 0.0, 0.0)
        dist = (prox[0] + morph.length[k] * 1e6, 0.0, 0.0)  # only the lengths matter
        tree.append(A.mnpos if par < 0 else par, A.mpoint(*prox, morph.r0[k] * 1e6), A.mpoint(*dist, morph.r1[k] * 1e6),
                    tag=3)
        ends.append(dist)
    labels = A.label_dict()
    for loc in {inj, *rec} | ({"mid"} if workload == "network" else set()):
        seg, x = centres(morph, counts, loc)
        labels[loc] = f"(on-components {x!r} (segment {seg}))"
    if workload in ("ball-and-stick", "network"):  # soma and dendrite are one Arbor branch: explicit CV boundaries
        points = [f"(on-components {float(e)!r} (segment {int(morph.branch_segments[b][0])}))"
                  for b in range(morph.n_branches) for e in np.linspace(0, 1, int(counts[b]) + 1)]
        policy = A.cv_policy_explicit(f"(sum {' '.join(points)})")
    else:
        assert np.all(counts == counts[0])
        policy = A.cv_policy_fixed_per_branch(int(counts[0]))
    network = workload == "network"

    def make_cell(amp):
        decor = A.decor()
        decor.set_property(Vm=EM * 1e3 * U.mV, cm=CM * U.F / U.m2, rL=RA * 100 * U.Ohm * U.cm)
        if workload in ("rallpack3", "network"):  # built-in hh (default catalogue) with its own leak; q10 = 1 at 6.3 C
            decor.set_property(tempK=(6.3 + 273.15) * U.Kelvin)
            decor.set_ion("na", rev_pot=50 * U.mV)
            decor.set_ion("k", rev_pot=-77 * U.mV)
            decor.paint("(all)", A.density("hh", gnabar=0.12, gkbar=0.036, gl=1 / RM * 1e-4, el=EM * 1e3))
        else:
            decor.paint("(all)", A.density(f"pas/e={EM * 1e3}", g=1 / RM * 1e-4))
        decor.place(f'"{inj}"', A.i_clamp(amp * 1e9 * U.nA))
        if network:
            decor.place('"mid"', A.synapse("expsyn", tau=SYN_TAU * 1e3, e=SYN_E * 1e3), "syn")
            decor.place(f'"{inj}"', A.threshold_detector(0.0 * U.mV), "det")
        return A.cable_cell(tree, decor, labels, discretization=policy)

    if network:
        amps, pre, post = network_spec(n_cells)
        cell_of = [make_cell(a) for a in amps]
        inputs = [[] for _ in range(n_cells)]
        for i, j in zip(pre, post):
            inputs[j].append(int(i))
    else:
        cell_of = [make_cell(I0)] * n_cells
    cv = A.cv_data(cell_of[0])

    class Recipe(A.recipe):
        def __init__(self):
            A.recipe.__init__(self)
            self.props = A.neuron_cable_properties()

        def num_cells(self):
            return n_cells

        def cell_kind(self, gid):
            return A.cell_kind.cable

        def cell_description(self, gid):
            return cell_of[gid]

        def connections_on(self, gid):
            return [A.connection((i, "det"), "syn", SYN_W * 1e6, SYN_DELAY * 1e3 * U.ms)
                    for i in inputs[gid]] if network else []

        def probes(self, gid):
            return [A.cable_probe_membrane_voltage(f'"{loc}"', loc) for loc in rec] if gid == 0 else []

        def global_properties(self, kind):
            return self.props

    recipe = Recipe()
    ctx = A.context(threads=1)
    decomp = A.partition_load_balance(recipe, ctx, {A.cell_kind.cable: A.partition_hint(cpu_group_size=int(os.environ.get("MORPHBENCH_ARBOR_GROUP", n_cells)))})
    sim = A.simulation(recipe, ctx, decomp)
    handles = [sim.sample((0, loc), A.regular_schedule(dt * 1e3 * U.ms)) for loc in rec]
    if network:
        sim.record(A.spike_recording.all)
    build = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        sim.reset()
        start = time.perf_counter()
        sim.run(duration * 1e3 * U.ms, dt * 1e3 * U.ms)
        runs.append(time.perf_counter() - start)
    keep = int(round(duration / dt)) + 1  # samples of the last run
    data = [np.asarray(sim.samples(hd)[0][0])[-keep:] for hd in handles]
    out = dict(runs=runs, build=build, t=list(data[0][:, 0] * 1e-3), v=[list(d[:, 1] * 1e-3) for d in data],
               compartments=int(counts.sum()), nodes=int(cv.num_cv))
    if network:
        out["spikes_total"] = int(len(sim.spikes()))  # of the last run (reset clears them)
    return out


RUNNERS = dict(plastisim=run_plastisim, neuron=run_neuron, arbor=run_arbor)


def worker(args):
    out = RUNNERS[args.worker](args.workload, args.cells, args.duration, args.dt, args.repeat)
    json.dump(out, sys.stdout)


def versions():
    code = ("import numpy, numba, plastisim, neuron, arbor; "
            "print(numpy.__version__, numba.__version__, neuron.__version__, arbor.__version__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(zip(("numpy", "numba", "NEURON", "Arbor"), out.stdout.split()[-4:]))


def measure(sim, workload, cells, duration, dt, repeat, env):
    cmd = [sys.executable, __file__, "--worker", sim, "--workload", workload, "--cells", str(cells),
           "--duration", repr(duration), "--dt", repr(dt), "--repeat", str(repeat)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{sim} {workload} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout[out.stdout.index("{"):])


def rms_vs(ref, other):
    import numpy as np
    t, t_other = np.asarray(ref["t"]), np.asarray(other["t"])
    both = t <= t_other[-1] + 1e-12  # Arbor's last sample is at T - dt
    return max(float(np.sqrt(np.mean((np.interp(t[both], t_other, np.asarray(vo)) - np.asarray(vr)[both]) ** 2)))
               for vr, vo in zip(ref["v"], other["v"]))


def spike_times(res):
    """Upward 0-V crossings (s, linear interpolation between samples) at the two recorded sites."""
    import numpy as np
    t = np.asarray(res["t"])
    out = []
    for v in res["v"]:
        v = np.asarray(v)
        k = np.flatnonzero((v[:-1] < 0.0) & (v[1:] >= 0.0))
        out.append(t[k] + (0.0 - v[k]) / (v[k + 1] - v[k]) * (t[k + 1] - t[k]))
    return out


def spikes_vs(ref, other):
    """Largest |difference| (s) between spike k of ``other`` and spike k of ``ref`` at either site
    (over the spikes both have)."""
    import numpy as np
    worst = 0.0
    for a, b in zip(spike_times(ref), spike_times(other)):
        n = min(len(a), len(b))
        if n:
            worst = max(worst, float(np.max(np.abs(a[:n] - b[:n]))))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per process")
    parser.add_argument("--rounds", type=int, default=2, help="processes per simulator and workload, in turn")
    parser.add_argument("--cells-trees", type=int, default=None)
    parser.add_argument("--cells-bs", type=int, default=None)
    parser.add_argument("--only", default=None, help="comma-separated workloads")
    parser.add_argument("--worker", choices=SIMULATORS)
    parser.add_argument("--workload")
    parser.add_argument("--cells", type=int, default=1)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--dt", type=float)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    wall = time.perf_counter()
    quick = args.quick
    rp_T, many_T = (0.05, 0.02) if quick else (0.25, 0.1)
    n_trees = args.cells_trees or (10 if quick else 100)
    n_bs = args.cells_bs or (100 if quick else 1000)
    cases = [("rallpack1", 1, rp_T, 25e-6), ("rallpack1", 1, rp_T, 50e-6),
             ("rallpack2", 1, rp_T, 25e-6), ("rallpack2", 1, rp_T, 50e-6),
             ("trees", n_trees, many_T, 25e-6), ("ball-and-stick", n_bs, many_T, 25e-6),
             ("network", n_bs, many_T, 25e-6),
             ("rallpack3", 1, rp_T, 25e-6), ("rallpack3", 1, rp_T, 10e-6)]
    if args.only:
        cases = [c for c in cases if c[0] in args.only.split(",")]
    cache = tempfile.mkdtemp(prefix="plastisim_morphbench_cache_")
    env = dict(os.environ, PLASTISIM_CACHE_DIR=cache, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.pop("NUMBA_CACHE_DIR", None)
    print(f"versions: {versions()}; load average at start: {os.getloadavg()[0]:.2f}; plastisim kernel cache {cache} "
          f"(empty at start, removed at the end)", flush=True)
    head = ("| workload | cells | dt (us) | steps | compartments (nodes) per cell | simulator | build (s) | run, "
            f"best of {args.repeat * args.rounds} (s) | ns per compartment-step | run / plastisim | ")
    printed = None  # which table's header has been printed
    summary, timing = [], {}
    for workload, cells, duration, dt in cases:
        hh = workload in ("rallpack3", "network")
        if printed != hh:
            print("\n" if printed is not None else "", end="")
            print(head + ("spikes x0 / x1 | max abs. spike-time difference vs plastisim (ms) |" if hh
                          else "max RMS dV vs plastisim (mV) |"))
            print("|---" * (12 if hh else 11) + "|", flush=True)
            printed = hh
        case_start = time.perf_counter()
        res = {}
        for _ in range(args.rounds):  # simulators in turn, so that a change of load hits all of them
            for sim in SIMULATORS:
                r = measure(sim, workload, cells, duration, dt, args.repeat, env)
                if sim in res:  # builds of the first round (the first one with a cold kernel cache)
                    res[sim]["runs"] += r["runs"]
                else:
                    res[sim] = r
        steps = int(round(duration / dt))
        base = min(res["plastisim"]["runs"])
        for sim in SIMULATORS:
            r = res[sim]
            best = min(r["runs"])
            per = best / (steps * cells * r["compartments"]) * 1e9
            build = (f"{r['build']:.2f} (first {r['build_first']:.2f})" if sim == "plastisim" else f"{r['build']:.2f}")
            if hh:
                counts = " / ".join(str(len(x)) for x in spike_times(r))
                if "spikes_total" in r:
                    counts += f" (network {r['spikes_total']})"
                agree = "—" if sim == "plastisim" else f"{spikes_vs(res['plastisim'], r) * 1e3:.2g}"
                agree = f"{counts} | {agree}"
            else:
                agree = "—" if sim == "plastisim" else f"{rms_vs(res['plastisim'], r) * 1e3:.2g}"
            print(f"| {workload} | {cells} | {dt * 1e6:g} | {steps} | {r['compartments']} ({r['nodes']}) | {sim} | "
                  f"{build} | {best:.3f} | {per:.1f} | {best / base:.2f} | {agree} |", flush=True)
        summary.append((workload, cells, dt, {s: min(res[s]["runs"]) / base for s in SIMULATORS[1:]}))
        timing[workload] = timing.get(workload, 0.0) + time.perf_counter() - case_start
    print("\nratios (peer run time / plastisim run time; > 1: plastisim faster):")
    for workload, cells, dt, ratio in summary:
        print(f"  {workload:15s} x{cells:<5d} dt={dt * 1e6:g} us: " + ", ".join(f"{k} {v:.2f}" for k, v in ratio.items()))
    print("wall time per workload (all simulators, rounds and processes): "
          + ", ".join(f"{k} {v:.0f} s" for k, v in timing.items()))
    print(f"load average at end: {os.getloadavg()[0]:.2f}; total wall time of the script: "
          f"{time.perf_counter() - wall:.0f} s")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
