"""Benchmark: a three-factor (reward-modulated) STDP rule reading a dopamine signal that
changes inside the compiled loop, vs the same rule with a constant factor.

Network: the 2000-neuron LIF network of ``network_peers.py`` (delta synapses, Poisson drive,
p = 0.1, 3-ms delay). E->E synapses keep an STDP eligibility trace e (pair traces, exact decay)
and change by dw = eta * factor * e per step. "signal": factor = sig.dopamine, a
``ps.Schedule`` with a 0.1-s reward pulse at t = 1 s (one ``sim.run``, no return to Python);
"constant": factor = p.dopamine, a parameter. Also "python loop": the constant version run in
0.1-s pieces with the parameter changed from Python at the pulse edges (what a user without
signals would do). Each variant runs in its own process; fastest of ``--repeat`` runs.

Usage: python benchmarks/signals.py [--duration 3] [--repeat 3]
"""
import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")


def run(variant, duration):
    import numpy as np

    import plastisim as ps

    class RewardSTDP(ps.Rule):
        """Eligibility e from pair STDP (traces per group / per neuron), dw = eta * factor * e."""

        parameters = dict(tau=20e-3, tau_e=0.2, A_pre=1.0, A_post=-1.05, eta=1e-16, dopamine=0.0)
        synapse_state = dict(e=0.0)
        group_state = dict(x=0.0)
        neuron_state = dict(y=0.0)

        def on_pre(s, n, k, j):
            s.e[k] += n.y[j]

        def on_pre_group(grp, p, g):
            grp.x[g] += p.A_pre

        def on_post(s, grp, k, g):
            s.e[k] += grp.x[g]

        def on_post_neuron(n, p, j):
            n.y[j] += p.A_post

        def on_group_step(grp, p, g, dt):
            grp.x[g] *= exp(-dt / p.tau)

        def on_neuron_step(n, p, j, dt):
            n.y[j] *= exp(-dt / p.tau)

    class WithSignal(RewardSTDP):
        def on_step(s, p, k, dt):
            s.w[k] += p.eta * sig.dopamine * s.e[k]
            s.e[k] *= exp(-dt / p.tau_e)

    class WithParameter(RewardSTDP):
        def on_step(s, p, k, dt):
            s.w[k] += p.eta * p.dopamine * s.e[k]
            s.e[k] *= exp(-dt / p.tau_e)

    g_L, J = 1e-7, 0.5e-3
    net = ps.Network(dt=1e-4, seed=1)
    lif = dict(C=1e-9, g_L=g_L, E_L=-65e-3, V_th=-55e-3, V_reset=-70e-3, t_ref=2e-3)
    exc, inh = net.add(ps.LIF(1600, name="E", **lif)), net.add(ps.LIF(400, name="I", **lif))
    for pop in (exc, inh):
        net.add(ps.PoissonInput(pop, 1800.0, weight=J * g_L, port="delta"))
    rule = WithSignal() if variant == "signal" else WithParameter()
    if variant == "signal":
        net.add(ps.Schedule("dopamine", [1.0, 1.1], [1.0, 0.0]))
    common = dict(delay=3e-3, port="delta")
    ee = net.connect(exc, exc, ps.FixedProbability(0.1, autapses=False), weight=J * g_L, rule=rule, **common)
    net.connect(exc, inh, ps.FixedProbability(0.1), weight=J * g_L, **common)
    net.connect(inh, exc, ps.FixedProbability(0.1), weight=-5 * J * g_L, **common)
    net.connect(inh, inh, ps.FixedProbability(0.1, autapses=False), weight=-5 * J * g_L, **common)
    sim = ps.Simulator(net)
    start = time.perf_counter()
    if variant == "python loop":
        for piece in range(int(round(duration / 0.1))):
            rule.params["dopamine"] = 1.0 if 10 <= piece < 11 else 0.0
            sim.run(0.1)
    else:
        sim.run(duration)
    return dict(run=time.perf_counter() - start, mean_w=float(np.mean(ee.w)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(args.one, args.duration)))
        return
    results = {}
    for variant in ("constant", "signal", "python loop"):
        runs = [json.loads(subprocess.run([sys.executable, __file__, "--one", variant, "--duration",
                                           str(args.duration)], capture_output=True, text=True,
                                          check=True).stdout.strip().splitlines()[-1])
                for _ in range(args.repeat)]
        results[variant] = min(runs, key=lambda r: r["run"])
        print(f"{variant:<12} run {results[variant]['run']:.2f} s   mean w {results[variant]['mean_w']:.4e} A")
    print(f"signal / constant = {results['signal']['run'] / results['constant']['run']:.2f}")


if __name__ == "__main__":
    main()
