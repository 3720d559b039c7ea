"""Benchmark: cost of compartments in the 2000-neuron STC network (issue 10; Plastic Arbor
section 3.7 reports only a small extra cost for 31/48 compartments).

    python benchmarks/stc_morpho.py [--duration 1.0] [--n-exc 1600 --n-inh 400]

Builds the network of ``stc-network`` (point LIF, 1 compartment) and of ``stc-network-morpho``
(small cells with small dendrites: 31 compartments; extended dendrites: 48; threshold/reset
per compartment as the reference, or of the whole cell at the soma), switches the background on and runs ``--duration`` s of full dynamics (dt = 0.2 ms, plastic E->E STC
synapses, SPS/PRP diffusion in the compartmental cells), each in its own process, single
thread, kernels warm (a first short run compiles them). Prints wall time per simulated second,
time per neuron-step and per compartment-step, spikes, and the ratio to 1 compartment.

    python benchmarks/stc_morpho.py --paradigm [--repeat 3]

The reference paper's measure (Plastic Arbor Fig. 8, S12; spec section 8): the whole 10-s
recall paradigm (25 s, N_CA = 200, learning at 10 s, recall at 20 s; ``plastisim.models.
stc_network.run`` / ``stc_network_morpho.run``, one realization, seed 1) of the point network
and of the 48-compartment network (small cells, extended dendrites), wall time including the
build (and the c_morpho calibration), total spikes and runtime per spike; fastest of
``--repeat`` runs, each in its own process, kernels warm.
"""
import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
# compartments: (cell, dendrites, reset, cable scheme)
VARIANTS = {"1": None, "31": ("small", "small", "compartment", "backward-euler"),
            "31 cell reset": ("small", "small", "cell", "backward-euler"), "31 exact": ("small", "small", "cell", "exact"),
            "48": ("small", "extended", "compartment", "backward-euler"),
            "48 cell reset": ("small", "extended", "cell", "backward-euler"), "48 exact": ("small", "extended", "cell", "exact")}


def measure(variant, duration, n_exc, n_inh):
    import plastisim as ps
    from plastisim.models import stc_network, stc_network_morpho
    from plastisim.models.base import make_params

    overrides = {"n_exc": n_exc, "n_inh": n_inh}
    if VARIANTS[variant] is None:
        p = make_params(stc_network.Params, overrides)
        build, compartments = stc_network.build, 1
    else:
        cell, dendrites, reset, scheme = VARIANTS[variant]
        p = make_params(stc_network_morpho.Params, dict(overrides, cell=cell, dendrites=dendrites, reset=reset,
                                                        cable_scheme=scheme))
        p = stc_network_morpho.dataclasses.replace(p, c_morpho=stc_network_morpho.calibrate_c_morpho(p))
        build, compartments = stc_network_morpho.build, int(variant.split()[0])
    net, exc, inh, ee, (spk_exc, spk_inh) = build(p, 1)
    sim = ps.Simulator(net, chunk_steps=5000)
    sim.run(10 * p.dt)  # compile (or load) the kernel
    start = time.perf_counter()
    sim.run(duration)
    wall = time.perf_counter() - start
    steps = round(duration / p.dt)
    neurons = n_exc + n_inh
    return dict(variant=variant, wall_per_s=wall / duration, spikes=len(spk_exc.t) + len(spk_inh.t),
                ns_per_neuron_step=wall / steps / neurons * 1e9,
                ns_per_compartment_step=wall / steps / (neurons * compartments) * 1e9)


def paradigm(variant):
    """Wall time of one whole 10-s recall run (build included) and its spike count."""
    from plastisim.models import stc_network, stc_network_morpho
    from plastisim.models.base import make_params

    overrides = dict(recall="10s", pattern_size=200)
    if VARIANTS[variant] is None:
        module = stc_network
    else:
        module = stc_network_morpho
        cell, dendrites, reset, scheme = VARIANTS[variant]
        overrides.update(cell=cell, dendrites=dendrites, reset=reset, cable_scheme=scheme)
    p = make_params(module.Params, overrides)
    start = time.perf_counter()
    summary = module.run(p, seed=1)["summary"]
    wall = time.perf_counter() - start
    return dict(variant=variant, wall=wall, spikes=int(summary["spikes"]), Q=float(summary["Q"]))


def main_paradigm(repeat):
    rows = []
    for variant in ("1", "48", "48 cell reset", "48 exact"):
        runs = []
        for _ in range(repeat):
            out = subprocess.run([sys.executable, __file__, "--one-paradigm", variant], capture_output=True,
                                 text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        rows.append(min(runs, key=lambda r: r["wall"]))
    base = rows[0]
    print("| compartments | wall time, 10-s recall (s) | spikes | runtime per spike (us) | ratio to 1 (wall) "
          "| ratio to 1 (per spike) | Q |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        per_spike = r["wall"] / r["spikes"]
        print(f"| {r['variant']} | {r['wall']:.1f} | {r['spikes']} | {per_spike * 1e6:.0f} | "
              f"{r['wall'] / base['wall']:.1f} | {per_spike / (base['wall'] / base['spikes']):.1f} | {r['Q']:.3f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=1.0, help="simulated seconds per variant")
    ap.add_argument("--n-exc", type=int, default=1600)
    ap.add_argument("--n-inh", type=int, default=400)
    ap.add_argument("--paradigm", action="store_true", help="whole 10-s recall runs (the paper's measure)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per variant with --paradigm (fastest kept)")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--one-paradigm", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one_paradigm:
        print(json.dumps(paradigm(args.one_paradigm)))
        return
    if args.paradigm:
        main_paradigm(args.repeat)
        return
    if args.one:
        print(json.dumps(measure(args.one, args.duration, args.n_exc, args.n_inh)))
        return
    rows = []
    for variant in VARIANTS:
        out = subprocess.run([sys.executable, __file__, "--one", variant, "--duration", str(args.duration),
                              "--n-exc", str(args.n_exc), "--n-inh", str(args.n_inh)],
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    base = rows[0]["wall_per_s"]
    print("| compartments | wall time per simulated s (s) | ns per neuron-step | ns per compartment-step | spikes | ratio to 1 |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['variant']} | {r['wall_per_s']:.2f} | {r['ns_per_neuron_step']:.0f} | "
              f"{r['ns_per_compartment_step']:.1f} | {r['spikes']} | {r['wall_per_s'] / base:.1f} |")


if __name__ == "__main__":
    main()
