"""Benchmark: the 2000-neuron STC network, 10-s recall paradigm (spec section 8), plastisim vs Brian 2.

Usage (benchmark venv with brian2 and plastisim; single thread):

    python benchmarks/stc_network.py [--pattern-size 200] [--brian-runtime-duration 2]

Each variant runs in its own process (peak resident memory = ru_maxrss of that process):
* plastisim, 10-s recall (25 s biological time) and 8-h recall (with fast-forward);
* Brian 2, same network and equations, clock-driven STC synapses (Euler, plasticity noise
  applied explicitly each step), ``cpp_standalone`` for the full 25 s and the runtime
  (Cython) device for ``--brian-runtime-duration`` seconds of the learning phase, extrapolated
  linearly to 25 s (stated as such).
Prints a Markdown table: wall time, spikes, time per spike, peak memory, ratios.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")


def run_plastisim(pattern_size, recall):
    from plastisim.models import stc_network
    from plastisim.models.base import make_params

    p = make_params(stc_network.Params, {"pattern_size": pattern_size, "recall": recall})
    start = time.perf_counter()
    result = stc_network.run(p, seed=1)
    total = time.perf_counter() - start
    s = result["summary"]
    return dict(wall=total, loop=result["wall_time"], spikes=int(s["spikes"]), Q=float(s["Q"]))


def run_brian(pattern_size, device, duration):
    """The same network in Brian 2; learning pulses at 10.0/10.5/11.0 s, recall at 20.0 s."""
    import numpy as np
    import brian2 as b2
    from brian2 import amp, mV, ms, nA, second

    if device == "cpp_standalone":
        import tempfile
        b2.set_device("cpp_standalone", directory=tempfile.mkdtemp(prefix="brian_stc_"), build_on_run=True)
    else:
        b2.prefs.codegen.target = "cython"
    b2.defaultclock.dt = 0.2 * ms
    b2.seed(1)
    n_exc, n_inh, p_c = 1600, 400, 0.1
    h0 = 4.20075 * mV
    R = 10 * b2.Mohm
    learn = b2.TimedArray(np.array([0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] + [0] * 87 + [0] * 101), dt=0.1 * second)
    recall = b2.TimedArray(np.r_[np.zeros(200), [1], np.zeros(50)], dt=0.1 * second)
    # learn(t - 9.9 s) is 1 in [10.0, 10.1), [10.5, 10.6), [11.0, 11.1) s; recall(t) in [20.0, 20.1) s.
    # Brian's state updaters reject time-dependent noise amplitudes, so the stimulus is
    # on(t) * (mu + zero-mean OU), and the plasticity noise is applied explicitly each step.
    eqs = """
    dV/dt = (E_L - V + R * (I_syn + I_bg + on * (mu_stim + I_fluct))) / tau_m : volt (unless refractory)
    dI_syn/dt = -I_syn / tau_syn : amp
    dI_bg/dt = (I_0 - I_bg) / tau_ou + sigma_bg * sqrt(2 / tau_ou) * xi_1 : amp
    dI_fluct/dt = -I_fluct / tau_ou + sigma_stim * sqrt(2 / tau_ou) * xi_2 : amp
    on = learn_flag * learn(t - 9.9 * second) + recall_flag * recall(t - 0.0 * second) : 1
    learn_flag : 1 (constant)
    recall_flag : 1 (constant)
    dp/dt = (-p + p_max * int(S >= theta_pro)) / tau_p : 1
    S : volt
    """
    ns = dict(E_L=-65 * mV, R=R, tau_m=10 * ms, tau_syn=5 * ms, tau_ou=5 * ms, I_0=0.15 * nA,
              sigma_bg=0.5 * nA, mu_stim=1050.19 * nA, sigma_stim=210.04 * nA, learn=learn,
              recall=recall, p_max=10.0, theta_pro=0.5 * h0, tau_p=3600 * second, h0=h0,
              h_up=10 * mV, gamma_p=1645.6, gamma_d=313.1, theta_p=3.0, theta_d=1.2,
              tau_h=688.4 * second, tau_c=48.8 * ms, tau_z=3600 * second, f_int=0.1,
              theta_tag=0.2 * h0, sigma_pl=2.90436 * mV, c_pre=0.6, c_post=0.1655)
    neurons = b2.NeuronGroup(n_exc + n_inh, eqs, threshold="V > -55 * mV", reset="V = -70 * mV",
                             refractory=2 * ms, method="euler", namespace=ns)
    neurons.V = -65 * mV
    neurons.I_bg = 0.15 * nA
    exc, inh = neurons[:n_exc], neurons[n_exc:]
    exc.learn_flag = np.r_[np.ones(pattern_size), np.zeros(n_exc - pattern_size)]
    exc.recall_flag = np.r_[np.ones(pattern_size // 2), np.zeros(n_exc - pattern_size // 2)]
    ee = b2.Synapses(exc, exc, """
        dh/dt = (0.1 * (h0 - h) + gamma_p * (h_up - h) * int(c >= theta_p)
                 - gamma_d * h * int(c >= theta_d)) / tau_h : volt (clock-driven)
        dc/dt = -c / tau_c : 1 (clock-driven)
        dz/dt = (p_post * f_int * (1 - z) * int(h - h0 >= theta_tag)
                 - p_post * f_int * (z + 0.5) * int(h0 - h >= theta_tag)) / tau_z : 1 (clock-driven)
        S_post = abs(h - h0) : volt (summed)
        """, on_pre={"psp": "I_syn_post += (h + h0 * z) / R", "calcium": "c += c_pre"},
        on_post="c += c_post", delay={"psp": 3 * ms, "calcium": 18.8 * ms}, method="euler", namespace=ns)
    ee.connect(condition="i != j", p=p_c)
    ee.h = h0
    ee.run_regularly("h += sigma_pl * sqrt((int(c >= theta_p) + int(c >= theta_d)) * dt / tau_h) * randn()",
                     dt=0.2 * ms)
    static = []
    for pre, post, w, autapses in ((exc, inh, 2, True), (inh, exc, -4, True), (inh, inh, -4, False)):
        syn = b2.Synapses(pre, post, "w : amp (constant)", on_pre="I_syn_post += w", delay=3 * ms,
                          namespace=ns)
        syn.connect(condition=None if autapses else "i != j", p=p_c)
        syn.w = w * h0 / R
        static.append(syn)
    spikes = b2.SpikeMonitor(neurons)
    net = b2.Network(neurons, ee, *static, spikes)
    start = time.perf_counter()
    net.run(duration * second)
    wall = time.perf_counter() - start
    loop = b2.device._last_run_time if device == "cpp_standalone" else wall
    return dict(wall=wall, loop=loop, spikes=int(spikes.num_spikes))


def child(args):
    if args.one == "plastisim":
        out = run_plastisim(args.pattern_size, args.recall)
    else:
        out = run_brian(args.pattern_size, args.one, args.duration)
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(out))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pattern-size", type=int, default=200)
    parser.add_argument("--brian-runtime-duration", type=float, default=2.0)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--recall", default="10s", help=argparse.SUPPRESS)
    parser.add_argument("--duration", type=float, default=25.0, help=argparse.SUPPRESS)
    parser.add_argument("--skip-brian", action="store_true")
    args = parser.parse_args()
    if args.one:
        return child(args)

    def spawn(*extra):
        cmd = [sys.executable, __file__, "--pattern-size", str(args.pattern_size), *extra]
        out = subprocess.run(cmd, capture_output=True, text=True)
        lines = [l for l in out.stdout.splitlines() if l.startswith("RESULT ")]
        if not lines:
            print(out.stdout[-2000:], out.stderr[-4000:])
            raise SystemExit(f"variant {extra} failed")
        return json.loads(lines[-1][7:])

    spawn("--one", "plastisim", "--recall", "1s")  # compile and cache kernels
    rows = {"plastisim 10-s recall (25 s)": spawn("--one", "plastisim", "--recall", "10s"),
            "plastisim 8-h recall (28 815 s, fast-forward)": spawn("--one", "plastisim", "--recall", "8h")}
    if not args.skip_brian:
        rows["Brian 2 cpp_standalone 10-s recall (25 s)"] = spawn("--one", "cpp_standalone")
        d = args.brian_runtime_duration
        r = spawn("--one", "runtime", "--duration", str(d))
        r["note"] = f"runtime (Cython) device, first {d:g} s measured"
        rows[f"Brian 2 runtime, {d:g} s"] = r
    print("| variant | wall time (s) | simulation loop (s) | spikes | loop time per spike (µs) | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['wall']:.1f} | {r['loop']:.1f} | {r['spikes']} | "
              f"{1e6 * r['loop'] / max(r['spikes'], 1):.1f} | {r['peak_mib']:.0f} |")
    base = rows["plastisim 10-s recall (25 s)"]
    for name, r in rows.items():
        if name.startswith("Brian 2 cpp"):
            print(f"\n{name}: wall ratio {r['wall'] / base['wall']:.1f}x, loop ratio {r['loop'] / base['loop']:.1f}x")
    eight = rows["plastisim 8-h recall (28 815 s, fast-forward)"]
    print(f"8-h / 10-s paradigm wall time: {eight['wall'] / base['wall']:.2f}")


if __name__ == "__main__":
    main()
