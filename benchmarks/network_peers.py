"""Benchmark: one 2000-neuron network in plastisim, Brian 2, NEST and Arbor (single thread).

Network (identical in every simulator): 1600 excitatory + 400 inhibitory LIF neurons
(tau_m = 10 ms, C = 1 nF, E_L = -65 mV, V_th = -55 mV, V_reset = -70 mV, t_ref = 2 ms) with
delta synapses (voltage jumps), connection probability 0.1 (no autapses), delay 3 ms,
J_EE = J_EI = 0.5 mV, J_IE = J_II = -2.5 mV; each neuron gets an independent Poisson train
of 1800 Hz with 0.5 mV jumps, added straight to V (plastisim PoissonInput, Brian 2
PoissonInput with 1800 trains of 1 Hz, NEST poisson_generator, Arbor poisson_schedule).
E->E synapses learn with additive pair STDP (all-to-all traces, tau = 20 ms, A+ = 0.01 mV,
A- = -0.0105 mV, w in [0, 1 mV]) where the simulator has it: plastisim (PairSTDP), Brian 2
(event-driven Synapses, scheduled like plastisim: jumps added before the integration, lost
while refractory), NEST (stdp_synapse, mu = 0). Arbor's LIF cells have no plastic synapses,
so Arbor runs the static network. dt = 0.1 ms, 10 s of biological time. Each variant runs
in its own process; wall time includes building the network (and for Brian 2 generating and
compiling its code); "run" is the simulation call alone (plastisim compiles or loads its
kernels when the Simulator is built).

Usage: python benchmarks/network_peers.py [--duration 10] [--repeat 3]  (fastest of the repeats)
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

N_E, N_I, P_C, DELAY, DT = 1600, 400, 0.1, 3e-3, 1e-4
J_E, J_I, RATE_EXT = 0.5e-3, -2.5e-3, 1800.0
TAU, A_PLUS, A_MINUS, W_MAX = 20e-3, 0.01e-3, -0.0105e-3, 1e-3


def run_plastisim(duration, plastic):
    import numpy as np
    import plastisim as ps

    start = time.perf_counter()
    g_L = 1e-7  # delta weights are currents w with dV = w / g_L
    net = ps.Network(dt=DT, seed=1)
    lif = dict(C=1e-9, g_L=g_L, E_L=-65e-3, V_th=-55e-3, V_reset=-70e-3, t_ref=2e-3)
    exc, inh = net.add(ps.LIF(N_E, name="E", **lif)), net.add(ps.LIF(N_I, name="I", **lif))
    for pop in (exc, inh):
        net.add(ps.PoissonInput(pop, RATE_EXT, weight=J_E * g_L, port="delta"))
    rule = ps.PairSTDP(tau_pre=TAU, tau_post=TAU, A_pre=A_PLUS * g_L, A_post=A_MINUS * g_L,
                       w_max=W_MAX * g_L) if plastic else None
    common = dict(delay=DELAY, port="delta")
    ee = net.connect(exc, exc, ps.FixedProbability(P_C, autapses=False), weight=J_E * g_L, rule=rule, **common)
    net.connect(exc, inh, ps.FixedProbability(P_C), weight=J_E * g_L, **common)
    net.connect(inh, exc, ps.FixedProbability(P_C), weight=J_I * g_L, **common)
    net.connect(inh, inh, ps.FixedProbability(P_C, autapses=False), weight=J_I * g_L, **common)
    spikes = [net.record_spikes(exc), net.record_spikes(inh)]
    sim = ps.Simulator(net)
    run_start = time.perf_counter()
    sim.run(duration)
    end = time.perf_counter()
    return dict(wall=end - start, run=end - run_start, spikes=sum(len(m.t) for m in spikes),
                mean_w_mV=float(np.mean(ee.w)) / g_L * 1e3)


def run_brian(duration, plastic):
    import tempfile
    import brian2 as b2
    from brian2 import Hz, mV, ms

    start = time.perf_counter()
    b2.set_device("cpp_standalone", directory=tempfile.mkdtemp(prefix="brian_peers_"))
    b2.defaultclock.dt = DT * b2.second
    b2.seed(1)
    neurons = b2.NeuronGroup(N_E + N_I, "dv/dt = (-65*mV - v) / (10*ms) : volt (unless refractory)",
                             threshold="v > -55*mV", reset="v = -70*mV", refractory=2 * ms, method="exact")
    neurons.v = -65 * mV
    exc, inh = neurons[:N_E], neurons[N_E:]
    # 1800 trains of 1 Hz: binomial counts per step, equal to Poisson counts to O(1e-4)
    # plastisim's order within a step: add arriving jumps, integrate, threshold; jumps arriving
    # while refractory are lost (Brian's default adds them after the threshold, kept while refractory)
    gate, gate_post = "* int(not_refractory)", "* int(not_refractory_post)"
    ext = b2.PoissonInput(neurons, "v", N=int(RATE_EXT), rate=1 * Hz, weight=f"{J_E * 1e3}*mV {gate}",
                          when="before_groups")
    if plastic:
        ee = b2.Synapses(exc, exc, """w : volt
            dapre/dt = -apre / tau : volt (event-driven)
            dapost/dt = -apost / tau : volt (event-driven)""",
            on_pre=f"v_post += w {gate_post}\napre += A_plus\nw = clip(w + apost, 0*mV, w_max)",
            on_post="apost += A_minus\nw = clip(w + apre, 0*mV, w_max)",
            namespace=dict(tau=TAU * b2.second, A_plus=A_PLUS * 1e3 * mV, A_minus=A_MINUS * 1e3 * mV,
                           w_max=W_MAX * 1e3 * mV))
    else:
        ee = b2.Synapses(exc, exc, "w : volt", on_pre=f"v_post += w {gate_post}")
    ee.connect(condition="i != j", p=P_C)
    ee.w = J_E * 1e3 * mV
    ee.delay = DELAY * b2.second
    static = []
    for pre, post, j, autapses in ((exc, inh, J_E, True), (inh, exc, J_I, True), (inh, inh, J_I, False)):
        syn = b2.Synapses(pre, post, on_pre=f"v_post += {j * 1e3}*mV {gate_post}", delay=DELAY * b2.second)
        syn.connect(condition=None if autapses else "i != j", p=P_C)
        static.append(syn)
    for syn in [ee] + static:
        syn.pre.when = "before_groups"
    mon = b2.SpikeMonitor(neurons)
    net = b2.Network(neurons, ext, ee, *static, mon)
    net.run(duration * b2.second)
    end = time.perf_counter()
    return dict(wall=end - start, run=b2.device._last_run_time, spikes=int(mon.num_spikes))


def run_nest(duration, plastic):
    import nest

    start = time.perf_counter()
    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"local_num_threads": 1, "resolution": DT * 1e3, "rng_seed": 1})
    params = dict(C_m=1000.0, tau_m=10.0, E_L=-65.0, V_th=-55.0, V_reset=-70.0, t_ref=2.0, V_m=-65.0,
                  tau_minus=TAU * 1e3)
    exc = nest.Create("iaf_psc_delta", N_E, params=params)
    inh = nest.Create("iaf_psc_delta", N_I, params=params)
    noise = nest.Create("poisson_generator", params={"rate": RATE_EXT})
    nest.Connect(noise, exc + inh, syn_spec={"weight": J_E * 1e3, "delay": DT * 1e3})
    rule = lambda autapses: {"rule": "pairwise_bernoulli", "p": P_C, "allow_autapses": autapses}
    ee_spec = {"weight": J_E * 1e3, "delay": DELAY * 1e3}
    if plastic:
        ee_spec.update(synapse_model="stdp_synapse", Wmax=W_MAX * 1e3, tau_plus=TAU * 1e3,
                       alpha=-A_MINUS / A_PLUS, mu_plus=0.0, mu_minus=0.0,
                       **{"lambda": A_PLUS / W_MAX})
    nest.Connect(exc, exc, rule(False), ee_spec)
    nest.Connect(exc, inh, rule(True), {"weight": J_E * 1e3, "delay": DELAY * 1e3})
    nest.Connect(inh, exc, rule(True), {"weight": J_I * 1e3, "delay": DELAY * 1e3})
    nest.Connect(inh, inh, rule(False), {"weight": J_I * 1e3, "delay": DELAY * 1e3})
    rec = nest.Create("spike_recorder")
    nest.Connect(exc + inh, rec)
    run_start = time.perf_counter()
    nest.Simulate(duration * 1e3)
    end = time.perf_counter()
    return dict(wall=end - start, run=end - run_start, spikes=int(rec.n_events))


def run_arbor(duration, plastic):
    import arbor as A
    import numpy as np

    if plastic:
        raise SystemExit("Arbor LIF cells have no plastic synapses")
    U = A.units
    start = time.perf_counter()
    rng = np.random.default_rng(1)
    n = N_E + N_I
    # incoming connections of every cell: (source gids, weights in mV * pF = the lif weight unit)
    incoming = []
    for gid in range(n):
        sources = np.flatnonzero(rng.random(n) < P_C)
        incoming.append(sources[sources != gid])  # no autapses (E->E, I->I)

    class Recipe(A.recipe):
        def num_cells(self):
            return n

        def cell_kind(self, gid):
            return A.cell_kind.lif

        def cell_description(self, gid):
            c = A.lif_cell("src", "tgt")
            c.C_m, c.tau_m, c.t_ref = 1000 * U.pF, 10 * U.ms, 2 * U.ms
            c.E_L, c.V_m, c.V_th, c.E_R = -65 * U.mV, -65 * U.mV, -55 * U.mV, -70 * U.mV
            return c

        def connections_on(self, gid):
            return [A.connection((int(s), "src"), "tgt", (J_E if s < N_E else J_I) * 1e6, DELAY * 1e3 * U.ms)
                    for s in incoming[gid]]

        def event_generators(self, gid):
            return [A.event_generator("tgt", J_E * 1e6, A.poisson_schedule(freq=RATE_EXT * U.Hz, seed=gid))]

    sim = A.simulation(Recipe(), A.context(threads=1))
    sim.record(A.spike_recording.all)
    run_start = time.perf_counter()
    sim.run(duration * 1e3 * U.ms, DT * 1e3 * U.ms)
    end = time.perf_counter()
    return dict(wall=end - start, run=end - run_start, spikes=len(sim.spikes()))


RUNNERS = {"plastisim": run_plastisim, "brian2": run_brian, "nest": run_nest, "arbor": run_arbor}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant; the fastest is reported")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--static", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        out = RUNNERS[args.one](args.duration, not args.static)
        out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT " + json.dumps(out))
        return

    def spawn(name, static=False):
        cmd = [sys.executable, __file__, "--one", name, "--duration", str(args.duration)]
        out = subprocess.run(cmd + (["--static"] if static else []), capture_output=True, text=True)
        lines = [l for l in out.stdout.splitlines() if l.startswith("RESULT ")]
        if not lines:
            print(f"{name} failed:", out.stdout[-1500:], out.stderr[-3000:])
            return None
        return json.loads(lines[-1][7:])

    def fastest(name, static):
        runs = [r for r in (spawn(name, static) for _ in range(args.repeat)) if r is not None]
        return min(runs, key=lambda r: r["run"]) if runs else None

    spawn("plastisim", static=True)  # compile and cache the kernels
    spawn("plastisim")
    rows = []
    for name, static in (("plastisim", False), ("brian2", False), ("nest", False),
                         ("plastisim", True), ("brian2", True), ("nest", True), ("arbor", True)):
        result = fastest(name, static)
        if result is not None:
            rows.append((name, "static" if static else "pair STDP on E->E", result))
    print("| simulator | plasticity | wall incl. build (s) | run (s) | spikes | run per spike (µs) | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|---|")
    for name, kind, r in rows:
        print(f"| {name} | {kind} | {r['wall']:.1f} | {r['run']:.1f} | {r['spikes']} | "
              f"{1e6 * r['run'] / max(r['spikes'], 1):.2f} | {r['peak_mib']:.0f} |")
    base = {kind: r for name, kind, r in rows if name == "plastisim"}
    for name, kind, r in rows:
        if name != "plastisim" and kind in base:
            print(f"{name} ({kind}) / plastisim: wall {r['wall'] / base[kind]['wall']:.1f}x, "
                  f"run {r['run'] / base[kind]['run']:.1f}x")


if __name__ == "__main__":
    main()
