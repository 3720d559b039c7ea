"""Benchmark: Izhikevich's (2003) 1000-neuron network in plastisim and Brian 2 (single thread).

Network (Izhikevich, IEEE TNN 14:1569, 2003, and its net.m): 800 excitatory (RS to CH,
a = 0.02/ms, b = 0.2/ms, c = -65 + 15 r^2 mV, d = 8 - 6 r^2 mV/ms) and 200 inhibitory (FS to
LTS, a = 0.02 + 0.08 r /ms, b = 0.25 - 0.05 r /ms, c = -65 mV, d = 2 mV/ms) neurons, r uniform
in [0, 1] per neuron; all-to-all connectivity (autapses included, 10^6 synapses) with random
weights S uniform in [0, 0.5] mV (excitatory) and [-1, 0] mV (inhibitory) delivered as current
pulses of one step (plastisim port ``current`` with w = S / dt, i.e. a jump of v by S; Brian 2
``v_post += S``) one step after the spike; thalamic input: white noise of 5 mV/sqrt(ms)
(excitatory) and 2 mV/sqrt(ms) (inhibitory), the diffusion limit of the paper's N(0, 5^2) and
N(0, 2^2) currents held for 1 ms. Equations in SI (see plastisim.neurons.izhikevich), forward
Euler (Euler-Maruyama) at dt = 0.1 ms in both simulators, 10 s of biological time; parameters
and weights drawn once with NumPy (seed 1) and given to both simulators. The noise streams differ,
so spike counts agree statistically only; all neurons start at v = -65 mV as in net.m, and some
noise realizations (Brian 2 with seed 1) start with a synchronous burst of ~10^4 spikes in the
first 100 ms, hence the count after 1 s as well. Without noise the two simulators give the
same spikes (checked: 15770 in 0.3 s with constant random inputs).

Each variant runs in its own process; plastisim in this interpreter, Brian 2 (cpp_standalone)
in ``--brian-python`` (a venv with brian2 and numpy<2.4). "wall" includes building the network
(Brian 2: code generation and C++ compilation; plastisim: kernel compilation or cache loading),
"run" is the simulation call alone.

Usage: python benchmarks/izhikevich.py [--duration 10] [--repeat 3] [--brian-python PATH]
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

N_E, N_I, DT = 800, 200, 1e-4
SIGMA_E, SIGMA_I = 5e-3 / 1e-3 ** 0.5, 2e-3 / 1e-3 ** 0.5  # V/sqrt(s)


def network_data():
    """Per-neuron a (1/s), b (1/s), c (V), d (V/s) and the weight matrix S[post, pre] (V)."""
    import numpy as np
    rng = np.random.default_rng(1)
    re, ri = rng.random(N_E), rng.random(N_I)
    a = np.concatenate([np.full(N_E, 0.02), 0.02 + 0.08 * ri]) * 1e3
    b = np.concatenate([np.full(N_E, 0.2), 0.25 - 0.05 * ri]) * 1e3
    c = np.concatenate([-65 + 15 * re**2, np.full(N_I, -65.0)]) * 1e-3
    d = np.concatenate([8 - 6 * re**2, np.full(N_I, 2.0)])
    n = N_E + N_I
    S = np.hstack([0.5 * rng.random((n, N_E)), -rng.random((n, N_I))]) * 1e-3
    return a, b, c, d, S


def run_plastisim(duration):
    import numpy as np
    import plastisim as ps

    start = time.perf_counter()
    a, b, c, d, S = network_data()
    net = ps.Network(dt=DT, seed=1)
    E, I = slice(0, N_E), slice(N_E, None)
    exc = net.add(ps.Izhikevich(N_E, name="E", a=a[E], b=b[E], c=c[E], d=d[E], v=-65e-3, sigma=SIGMA_E))
    inh = net.add(ps.Izhikevich(N_I, name="I", a=a[I], b=b[I], c=c[I], d=d[I], v=-65e-3, sigma=SIGMA_I))
    for pre, pre_sl in ((exc, E), (inh, I)):
        for post, post_sl in ((exc, E), (inh, I)):
            # all_to_all lists synapses pre-major: weight S[post, pre] for (pre, post)
            w = S[post_sl, pre_sl].T.reshape(-1) / DT
            net.connect(pre, post, "all_to_all", weight=w, port="current")
    mons = [net.record_spikes(exc), net.record_spikes(inh)]
    sim = ps.Simulator(net)
    run_start = time.perf_counter()
    sim.run(duration)
    end = time.perf_counter()
    t = np.concatenate([m.t for m in mons])
    return dict(wall=end - start, run=end - run_start, spikes=len(t), spikes_exc=len(mons[0].t),
                spikes_after_1s=int(np.count_nonzero(t >= 1.0)))


def run_brian(duration):
    import tempfile
    import numpy as np
    import brian2 as b2
    from brian2 import Hz, mV, second, volt

    start = time.perf_counter()
    b2.set_device("cpp_standalone", directory=tempfile.mkdtemp(prefix="brian_izh_"))
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.defaultclock.dt = DT * second
    b2.seed(1)
    a, b, c, d, S = network_data()
    eqs = """dv/dt = k2 * v**2 + k1 * v + k0 - u + I_syn + sigma * xi : volt
             I_syn : volt / second
             du/dt = a * (b * v - u) : volt / second
             a : Hz (constant)
             b : Hz (constant)
             c : volt (constant)
             d : volt / second (constant)
             sigma : volt / second**0.5 (constant)"""
    ns = dict(k2=4e4 / (volt * second), k1=5e3 * Hz, k0=140 * volt / second)
    G = b2.NeuronGroup(N_E + N_I, eqs, threshold="v >= 30*mV", reset="v = c\nu += d", method="euler",
                       namespace=ns)
    G.a, G.b, G.c, G.d = a * Hz, b * Hz, c * volt, d * volt / second
    G.sigma = np.concatenate([np.full(N_E, SIGMA_E), np.full(N_I, SIGMA_I)]) * volt / second**0.5
    G.v = -65 * mV
    G.u = G.b * G.v
    syn = b2.Synapses(G, G, "w : volt", on_pre="I_syn_post += w / dt")
    pre, post = np.divmod(np.arange((N_E + N_I) ** 2), N_E + N_I)
    syn.connect(i=pre, j=post)
    syn.w = S[post, pre] * volt
    # as in plastisim: the pulses of step n's spikes enter step n + 1 (also for a neuron that
    # fired in step n) and last one step
    syn.pre.when = "after_resets"
    G.run_regularly("I_syn = 0 * volt / second", when="after_groups")
    mon = b2.SpikeMonitor(G)
    net = b2.Network(G, syn, mon)
    net.run(duration * second)
    end = time.perf_counter()
    i, t = np.asarray(mon.i), np.asarray(mon.t)
    return dict(wall=end - start, run=b2.device._last_run_time, spikes=int(mon.num_spikes),
                spikes_exc=int(np.count_nonzero(i < N_E)), spikes_after_1s=int(np.count_nonzero(t >= 1.0)))


RUNNERS = {"plastisim": run_plastisim, "brian2": run_brian}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant; the fastest is reported")
    parser.add_argument("--brian-python", default="/work/bench-venv/bin/python")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        out = RUNNERS[args.one](args.duration)
        out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT " + json.dumps(out))
        return

    def spawn(name):
        python = args.brian_python if name == "brian2" else sys.executable
        env = dict(os.environ)
        if name == "brian2":  # plastisim is not needed there; the module only needs numpy
            env["PYTHONPATH"] = ""
        out = subprocess.run([python, __file__, "--one", name, "--duration", str(args.duration)],
                             capture_output=True, text=True, env=env)
        lines = [l for l in out.stdout.splitlines() if l.startswith("RESULT ")]
        if not lines:
            print(f"{name} failed:", out.stdout[-1500:], out.stderr[-3000:])
            return None
        return json.loads(lines[-1][7:])

    spawn("plastisim")  # compile and cache the kernels
    rows = []
    for name in ("plastisim", "brian2"):
        runs = [r for r in (spawn(name) for _ in range(args.repeat)) if r is not None]
        if runs:
            rows.append((name, min(runs, key=lambda r: r["run"]), runs))
    print("| simulator | wall incl. build (s) | run (s) | spikes (exc) | spikes after 1 s | rate (Hz) | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|---|")
    for name, r, runs in rows:
        rate = r["spikes"] / (N_E + N_I) / args.duration
        print(f"| {name} | {r['wall']:.1f} | {r['run']:.2f} | {r['spikes']} ({r['spikes_exc']}) | "
              f"{r['spikes_after_1s']} | {rate:.1f} | "
              f"{r['peak_mib']:.0f} |")
        print(f"  all runs (wall, run): {[(round(x['wall'], 1), round(x['run'], 2)) for x in runs]}")
    if len(rows) == 2:
        p, br = rows[0][1], rows[1][1]
        print(f"brian2 / plastisim: wall {br['wall'] / p['wall']:.2f}x, run {br['run'] / p['run']:.2f}x, "
              f"spikes {br['spikes'] / p['spikes']:.3f} (after 1 s {br['spikes_after_1s'] / p['spikes_after_1s']:.3f})")


if __name__ == "__main__":
    main()
