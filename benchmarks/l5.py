"""Benchmark: the layer-5 ring microcircuit (spec ``l5_gain.md`` §3-§9, §12) in plastisim and
Brian 2 (``cpp_standalone``), single thread both, side by side.

Variants (``--variant``, default both):

* ``default``: the ``l5-network`` model with its default Params (``l5_network.build``): 5
  conditions x 3 stimulus amplitudes x 2 realizations = 30 independent rings of 90 pyramidal,
  45 PV and 45 SOM cells (5400 cells, 729 000 network synapses, Gaussian all-to-all kernels
  inside each ring). The stimulus of each ring (A exp(-((n - 45)/20)^2), A = 0, 300, 600 pA) is
  held for the whole run instead of the model's 200-ms pulse (no protocol; the same in both).
* ``sparse``: one ring of N_E = 1600, N_PV = 200, N_SOM = 200 (spec §8.1/§8.2 sparse variant):
  Gaussian kernels of the Dale variant (w_EE = 2.4 nS, sigma 0.25; w_EI = 1.5 nS, sigma 2;
  PV->E and SOM->E w = 5.85 nS, sigma 2), each weight kept with probability 0.1 (NumPy,
  seed 1); gamma = 1, I_d = 0, no stimulus; built from the pieces of ``l5_network``
  (``ring_weights``, ``L5Pyramidal``, ``Interneuron.cell``, ``connect_glutamate``,
  ``background``) exactly as ``build`` does. With these weights the SOM cells reach the LTS
  u cap, where their reset lies above their peak, and fire in almost every step (~9.8 kHz, in
  both simulators; see ``plastisim.neurons.l5``): the SOM->E deliveries dominate this variant.
  It has two activity states (E about 35 Hz or about 22 Hz over the first second, PV 450 or
  300 Hz), and which one a run takes depends on the random streams (``--seed``; in plastisim
  seeds 2, 3 give the high state, 4 the low one, with either background scheme): check that
  both simulators are in the same state before comparing times.

Both variants: Poisson background (600 Hz to every soma, 50 Hz to every pyramidal dendrite, each
event +1 nS AMPA and +1 nS NMDA, x0.02 for interneurons), one Bernoulli train per cell (each
step with probability rate dt) driving AMPA and NMDA with the same events (plastisim:
``ps.PoissonInput(..., bernoulli=True)`` on both ports, events drawn as geometric gaps; Brian 2:
a ``PoissonGroup`` with one-to-one ``Synapses``); E->E AMPA 1.75 J + NMDA 0.35 J on the soma,
E->PV/SOM AMPA = NMDA = J, PV->E GABA_A soma, SOM->E GABA_A dendrite; dt = 0.1 ms, 10 s.
Connectivity, gamma, I_d and stimulus are the same arrays in both simulators; the random
streams (Poisson input, BAP and burst gates) differ, so rates agree statistically only.

Brian 2 side, written from the equations of ``plastisim.neurons.l5``: the whole step of a cell
(exact exponential decay of the conductances, forward-Euler dendrite with Naud-Sprekeler
plateau current, BAP box pulse tracked by "steps since the last two spikes" as in plastisim,
Bernoulli BAP and burst gates, NMDA Mg block with the 85-nS somatic cap, semi-implicit
Izhikevich soma) is one abstract-code block run every step (``run_regularly``, slot
``groups``), because Brian's integrators have no semi-implicit conductance scheme; thresholds
and resets (burst-switch reset, adaptation jump, BAP start; LTS peak/reset/u cap for SOM) are
Brian thresholds and resets; synapses are ``Synapses`` with ``on_pre`` adding factor x w to
the receptor conductances (no delay: the jump is added after the threshold and used from the
next step on, as plastisim's one-step delivery). Variables are dimensionless SI numbers (no unit checks in the loop;
the generated C++ is the same). Differences: Brian draws the two gate random numbers of a
pyramidal cell in every step, plastisim only while the BAP is on or the dendrite is in a
plateau.

Timing: each run in its own process. plastisim: "wall" = building the network + loading the
cached kernels + the run; "run" = ``sim.run`` alone; kernel compilation is measured once with an
empty cache (``compile`` column: cold wall - warm wall). Brian 2: "wall" = device set-up,
network construction, code generation, C++ compilation and the run (``device.build``);
"run" = the binary's own timing of the ``run`` (``device._last_run_time``). Fastest of
``--repeat`` runs per variant (wall and run minimised separately), the two simulators
alternating so that both see the same machine load. NUMBA_NUM_THREADS = 1, Brian ``openmp_threads = 0``.

Usage (benchmark venv with brian2; plastisim from this checkout):

    PYTHONPATH=$PWD PLASTISIM_CACHE_DIR=/tmp/cache_l5bench \\
        /work/bench-venv/bin/python benchmarks/l5.py [--duration 10] [--repeat 3] [--quick]

``--quick``: 1 s, one repeat (smoke test).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

DT = 1e-4
SPARSE = dict(n_e=1600, n_pv=200, n_som=200, p=0.1, w_ee=2.4e-9, sigma_ee=0.25, w_ei=1.5e-9, sigma_ei=2.0,
              w_pv=5.85e-9, sigma_pv=2.0, w_som=5.85e-9, sigma_som=2.0)


def network_data(variant):
    """Sizes, per-cell arrays and synapse lists of a variant (identical for both simulators).

    Returns dict(n_e, n_pv, n_som, gamma, I_d, I_ext (per pyramidal cell), projections =
    [(pre, post, pre_idx, post_idx, w, ports)], inputs = [(pop, dendrite, rate, w)])."""
    import numpy as np
    from plastisim.models.l5_network import Params, blocks, ring_weights

    p = Params()
    if variant == "default":
        M, K, R = len(p.gamma), len(p.amplitudes), p.realizations
        copies = M * K * R
        cond = np.repeat(np.arange(M), K * R)
        amp = np.tile(np.repeat(np.asarray(p.amplitudes, dtype=float), R), M)
        n_e, n_pv, n_som = copies * p.n_e, copies * p.n_pv, copies * p.n_som
        gamma = np.repeat(np.asarray(p.gamma)[cond], p.n_e)
        I_d = np.repeat(np.asarray(p.I_d)[cond], p.n_e)
        I_ext = np.repeat(amp, p.n_e) * np.exp(
            -((np.tile(np.arange(p.n_e), copies) - p.stim_center) / p.stim_width) ** 2)
        proj = []
        (pre, post), J = blocks(ring_weights(p.n_e, p.n_e, p.w_ee, p.sigma_ee), copies)
        proj.append(("E", "E", pre, post, J, {"ampa": p.ampa_ee, "nmda": p.nmda_ee}))
        for inh, n_i in (("PV", p.n_pv), ("SOM", p.n_som)):
            (pre, post), J = blocks(ring_weights(p.n_e, n_i, p.w_ei, p.sigma_ei), copies)
            proj.append(("E", inh, pre, post, J, {"ampa": 1.0, "nmda": 1.0}))
        for inh, n_i, w, sigma, scale, port in (("PV", p.n_pv, p.w_pv, p.sigma_pv, p.pv_scale, "gaba"),
                                                ("SOM", p.n_som, p.w_som, p.sigma_som, p.som_scale, "gaba_d")):
            (pre, post), J = blocks(ring_weights(n_i, p.n_e, w, sigma), copies)
            proj.append((inh, "E", pre, post, J * np.repeat(np.asarray(scale)[cond], n_i * p.n_e), {port: 1.0}))
    else:
        s = SPARSE
        rng = np.random.default_rng(1)
        n_e, n_pv, n_som = s["n_e"], s["n_pv"], s["n_som"]
        gamma, I_d, I_ext = np.ones(n_e), np.zeros(n_e), np.zeros(n_e)

        def sparse(n_pre, n_post, w, sigma):
            J = ring_weights(n_pre, n_post, w, sigma)
            pre, post = np.nonzero(rng.random(J.shape) < s["p"])
            return pre, post, J[pre, post]

        proj = [("E", "E", *sparse(n_e, n_e, s["w_ee"], s["sigma_ee"]), {"ampa": p.ampa_ee, "nmda": p.nmda_ee}),
                ("E", "PV", *sparse(n_e, n_pv, s["w_ei"], s["sigma_ei"]), {"ampa": 1.0, "nmda": 1.0}),
                ("E", "SOM", *sparse(n_e, n_som, s["w_ei"], s["sigma_ei"]), {"ampa": 1.0, "nmda": 1.0}),
                ("PV", "E", *sparse(n_pv, n_e, s["w_pv"], s["sigma_pv"]), {"gaba": 1.0}),
                ("SOM", "E", *sparse(n_som, n_e, s["w_som"], s["sigma_som"]), {"gaba_d": 1.0})]
    inputs = [("E", False, p.rate_soma, p.w_input), ("E", True, p.rate_dend, p.w_input),
              ("PV", False, p.rate_soma, p.w_ff * p.w_input), ("SOM", False, p.rate_soma, p.w_ff * p.w_input)]
    return dict(n_e=n_e, n_pv=n_pv, n_som=n_som, gamma=gamma, I_d=I_d, I_ext=I_ext, projections=proj, inputs=inputs)


def summarize(spikes, n, duration):
    """Population rates (Hz) over the whole run and after the first second."""
    import numpy as np
    out = {}
    for pop, t in spikes.items():
        t = np.asarray(t)
        out[f"rate_{pop}"] = len(t) / n[pop] / duration
        if duration > 1.0:
            out[f"rate_{pop}_after_1s"] = np.count_nonzero(t >= 1.0) / n[pop] / (duration - 1.0)
        out[f"spikes_{pop}"] = len(t)
    return out


def run_plastisim(variant, duration, seed):
    import numpy as np
    import plastisim as ps
    from plastisim.models import l5_network
    from plastisim.neurons.l5 import connect_glutamate

    start = time.perf_counter()
    data = network_data(variant)
    if variant == "default":  # the model's own network
        net, (E, PV, SOM), ee, stim = l5_network.build(l5_network.Params(), seed=seed)
        assert np.allclose(stim, data["I_ext"]) and np.array_equal(E.state["gamma"], data["gamma"])
        E.state["I_ext"][:] = stim
    else:  # the same pieces as l5_network.build, sparse synapse lists
        net = ps.Network(dt=DT, seed=seed)
        E = net.add(ps.L5Pyramidal(data["n_e"], name="E", gamma=data["gamma"], I_d=data["I_d"]))
        PV = net.add(ps.Interneuron.cell("PV", data["n_pv"]))
        SOM = net.add(ps.Interneuron.cell("SOM", data["n_som"]))
        pops = dict(E=E, PV=PV, SOM=SOM)
        for pre, post, i, j, w, ports in data["projections"]:
            if "ampa" in ports:
                connect_glutamate(net, pops[pre], pops[post], (i, j), w, ports["ampa"], ports["nmda"],
                                  name=f"{pre}->{post}")
            else:
                net.connect(pops[pre], pops[post], (i, j), weight=w, port=next(iter(ports)))
        for pop, dendrite, rate, w in data["inputs"]:
            net.add(l5_network.background(pops[pop], rate, w, dendrite))
    n_syn = sum(pr.n_syn for pr in net.projections) if hasattr(net, "projections") else None
    mons = {name: net.record_spikes(pop) for name, pop in (("E", E), ("PV", PV), ("SOM", SOM))}
    sim = ps.Simulator(net)
    run_start = time.perf_counter()
    sim.run(duration)
    end = time.perf_counter()
    out = dict(wall=end - start, run=end - run_start, n_syn=n_syn,
               burst_fraction=float(E.state["n_burst"].sum() / max(len(mons["E"].t), 1)))
    out.update(summarize({k: m.t for k, m in mons.items()}, dict(E=E.n, PV=PV.n, SOM=SOM.n), duration))
    return out


# one step of a cell (plastisim.neurons.l5, update()): decay, dendrite, burst flag, soma
PYR_STEP = """
g_ampa = g_ampa * dec_ampa
g_nmda = g_nmda * dec_nmda
g_gaba = g_gaba * dec_gaba
g_adapt = g_adapt * dec_adapt
g_ampa_d = g_ampa_d * dec_ampa
g_nmda_d = g_nmda_d * dec_nmda
g_gaba_d = g_gaba_d * dec_gaba
bap_since = bap_since + 1
bap_prev = bap_prev + 1
bap_is_on = int((bap_since > bap_first + 0.5 and bap_since < bap_last + 0.5) or (bap_prev > bap_first + 0.5 and bap_prev < bap_last + 0.5))
bap = p_d * bap_is_on * int(rand() < gamma)
vd_old = v_d
xd = (vd_old + 0.08) / 0.06
i_syn = g_ampa_d * (E_ampa - vd_old) + xd * xd / (1 + xd * xd) * g_nmda_d * (E_nmda - vd_old) + (g_gaba_d + g_tonic_d) * (E_gaba - vd_old)
v_d = vd_old + dt_Cd * (-l_d * (vd_old - v_dr) + k_d / (1 + exp((E_d - vd_old) / D_d)) + bap + u_d + i_syn + I_d)
u_d = u_d + DT * a_d * (b_d * (vd_old - v_dr) - u_d)
burst = int(v_d >= v_plateau) * int(rand() < gamma)
xs = (v + 0.08) / 0.06
g_n = clip(xs * xs / (1 + xs * xs) * g_nmda, 0, nmda_cap)
g_sum = g_ampa + g_n + g_gaba + g_tonic + g_adapt
gE_sum = g_ampa * E_ampa + g_n * E_nmda + (g_gaba + g_tonic) * E_gaba + g_adapt * E_adapt
v_old = v
v = (v + DT / C * (k * (v - v_r) * (v - v_t) - u + gE_sum + I_ext)) / (1 + g_sum * DT / C)
u = u + DT * a * (b * (v_old - v_r) - u)
"""
PYR_RESET = """
n_burst = n_burst + burst
v = burst * c_burst + (1 - burst) * c
u = u + burst * d_burst + (1 - burst) * d
g_adapt = g_adapt + delta_adapt
bap_prev = bap_since
bap_since = 0
"""
INT_STEP = """
g_ampa = g_ampa * dec_ampa
g_nmda = g_nmda * dec_nmda
g_gaba = g_gaba * dec_gaba
xs = (v + 0.08) / 0.06
g_n = clip(xs * xs / (1 + xs * xs) * g_nmda, 0, nmda_cap)
g_sum = g_ampa + g_n + g_gaba + g_tonic
gE_sum = g_ampa * E_ampa + g_n * E_nmda + (g_gaba + g_tonic) * E_gaba
v_old = v
v = (v + DT / C * (k * (v - v_r) * (v - v_t) - u + gE_sum + I_ext)) / (1 + g_sum * DT / C)
u = u + DT * a * (b * (v_old - v_r) - u)
"""


def run_brian(variant, duration, seed):
    import numpy as np
    import brian2 as b2
    from brian2 import second
    from plastisim.neurons.l5 import CELLS, SYNAPSES, L5Pyramidal

    start = time.perf_counter()
    b2.set_device("cpp_standalone", directory=tempfile.mkdtemp(prefix="brian_l5_"))
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.defaultclock.dt = DT * second
    b2.seed(seed)
    data = network_data(variant)
    syn = dict(SYNAPSES, dec_ampa=np.exp(-DT / SYNAPSES["tau_ampa"]), dec_nmda=np.exp(-DT / SYNAPSES["tau_nmda"]),
               dec_gaba=np.exp(-DT / SYNAPSES["tau_gaba"]), DT=DT)
    pp = dict(L5Pyramidal.parameters)
    ns_e = dict(syn, **{k: v for k, v in pp.items() if k not in SYNAPSES},
                dec_adapt=np.exp(-DT / pp["tau_adapt"]), dt_Cd=DT / pp["C_d"],
                bap_first=round(pp["bap_delay"] / DT), bap_last=round(pp["bap_delay"] / DT) + round(pp["bap_width"] / DT))
    E = b2.NeuronGroup(data["n_e"], """v : 1
        u : 1
        v_d : 1
        u_d : 1
        I_ext : 1
        I_d : 1
        gamma : 1
        g_ampa : 1
        g_nmda : 1
        g_gaba : 1
        g_tonic : 1
        g_adapt : 1
        g_ampa_d : 1
        g_nmda_d : 1
        g_gaba_d : 1
        g_tonic_d : 1
        burst : 1
        bap_since : 1
        bap_prev : 1
        n_burst : 1""", threshold="v >= v_peak", reset=PYR_RESET, namespace=ns_e, name="E")
    E.run_regularly(PYR_STEP, when="groups", name="E_step")
    E.v, E.v_d, E.bap_since, E.bap_prev = pp["v_r"], pp["v_dr"], 1e9, 1e9
    E.gamma, E.I_d, E.I_ext = data["gamma"], data["I_d"], data["I_ext"]
    int_eqs = "v : 1\nu : 1\nI_ext : 1\ng_ampa : 1\ng_nmda : 1\ng_gaba : 1\ng_tonic : 1"
    groups = dict(E=E)
    for kind in ("PV", "SOM"):
        cell = CELLS[kind]
        reset = "v = c + reset_u * u\nu = " + ("clip(u + d, -1, u_max)" if cell["u_max"] > 0 else "u + d")
        G = b2.NeuronGroup(data["n_" + kind.lower()], int_eqs, threshold="v >= v_peak + peak_u * u", reset=reset,
                           namespace=dict(syn, **cell), name=kind)
        G.run_regularly(INT_STEP, when="groups", name=kind + "_step")
        G.v = cell["v_r"]
        groups[kind] = G
    objs = list(groups.values())
    # (no local variables named like Brian's i, j, w: string expressions would see them)
    for pre, post, pre_idx, post_idx, weights, ports in data["projections"]:
        on_pre = "\n".join(f"g_{port}_post += {factor!r} * w" for port, factor in ports.items())
        S = b2.Synapses(groups[pre], groups[post], "w : 1", on_pre=on_pre, name=f"{pre}_{post}")
        S.connect(i=pre_idx, j=post_idx)
        S.w = weights
        objs.append(S)
    for pop, dendrite, rate, w_in in data["inputs"]:
        n = len(groups[pop])
        name = f"input_{pop}{'_d' if dendrite else ''}"
        src = b2.PoissonGroup(n, rate * b2.Hz, name=name)
        suffix = "_d" if dendrite else ""
        S = b2.Synapses(src, groups[pop], on_pre=f"g_ampa{suffix}_post += {w_in!r}\ng_nmda{suffix}_post += {w_in!r}",
                        name=name + "_syn")
        S.connect(j="i")
        objs += [src, S]
    mons = {k: b2.SpikeMonitor(G, name=f"spikes_{k}") for k, G in groups.items()}
    net = b2.Network(*objs, *mons.values())
    net.run(duration * second)
    end = time.perf_counter()
    n_syn = sum(len(o) for o in objs if isinstance(o, b2.Synapses))
    spikes = {k: np.asarray(m.t / second) for k, m in mons.items()}
    out = dict(wall=end - start, run=b2.device._last_run_time, n_syn=n_syn,
               burst_fraction=float(np.sum(E.n_burst[:]) / max(len(spikes["E"]), 1)))
    out.update(summarize(spikes, {k: len(G) for k, G in groups.items()}, duration))
    return out


RUNNERS = {"plastisim": run_plastisim, "brian2": run_brian}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per simulator and variant; the fastest is reported")
    parser.add_argument("--variant", choices=("default", "sparse", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="1 s, one repeat")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random streams (both simulators)")
    parser.add_argument("--brian-python", default="/work/bench-venv/bin/python")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.duration, args.repeat = 1.0, 1
    variants = ("default", "sparse") if args.variant == "both" else (args.variant,)
    if args.one:
        out = RUNNERS[args.one](variants[0], args.duration, args.seed)
        out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT " + json.dumps(out))
        return

    def spawn(name, variant, cache=None):
        python = args.brian_python if name == "brian2" else sys.executable
        env = dict(os.environ)
        if cache:
            env["PLASTISIM_CACHE_DIR"] = cache
        out = subprocess.run([python, __file__, "--one", name, "--variant", variant, "--duration", str(args.duration),
                              "--seed", str(args.seed)],
                             capture_output=True, text=True, env=env)
        lines = [l for l in out.stdout.splitlines() if l.startswith("RESULT ")]
        if not lines:
            print(f"{name} ({variant}) failed:", out.stdout[-1500:], out.stderr[-3000:])
            return None
        return json.loads(lines[-1][7:])

    t0 = time.perf_counter()
    results = {}
    for variant in variants:
        cold = spawn("plastisim", variant, cache=tempfile.mkdtemp(prefix="plastisim_cold_"))  # compile from scratch
        spawn("plastisim", variant)  # fill the regular cache
        rows = {}
        # interleave the simulators so that both see the same machine load
        runs = {"plastisim": [], "brian2": []}
        for _ in range(args.repeat):
            for name in runs:
                r = spawn(name, variant)
                if r is not None:
                    runs[name].append(r)
        for name, rs in runs.items():
            if rs:  # fastest loop and, independently, fastest wall time (the load varies between runs)
                rows[name] = dict(min(rs, key=lambda r: r["run"]), wall=min(x["wall"] for x in rs))
                rows[name]["all"] = [(round(x["wall"], 2), round(x["run"], 2)) for x in rs]
        results[variant] = dict(rows=rows, cold=cold)

        print(f"\n## {variant}: {args.duration:g} s, dt = {DT * 1e3:g} ms, fastest of {args.repeat}")
        print("| simulator | synapses | wall incl. build (s) | run loop (s) | rate E / PV / SOM (Hz) "
              "| E rate after 1 s (Hz) | burst fraction | peak RSS (MiB) |")
        print("|---|---|---|---|---|---|---|---|")
        for name, r in rows.items():
            late = r.get("rate_E_after_1s", float("nan"))
            print(f"| {name} | {r['n_syn']} | {r['wall']:.2f} | {r['run']:.2f} | {r['rate_E']:.2f} / "
                  f"{r['rate_PV']:.2f} / {r['rate_SOM']:.2f} | {late:.2f} | {r['burst_fraction']:.3f} | "
                  f"{r['peak_mib']:.0f} |")
        for name, r in rows.items():
            print(f"  {name} all runs (wall, run): {r['all']}")
        if cold is not None and "plastisim" in rows:
            print(f"  plastisim cold (empty kernel cache): wall {cold['wall']:.2f} s, run {cold['run']:.2f} s; "
                  f"compilation ~ {cold['wall'] - rows['plastisim']['wall']:.1f} s")
        if len(rows) == 2:
            p, b = rows["plastisim"], rows["brian2"]
            print(f"  Brian 2 total / plastisim wall: {b['wall'] / p['wall']:.2f}x; Brian 2 total / plastisim "
                  f"cold wall: {b['wall'] / cold['wall']:.2f}x" if cold else "")
            print(f"  Brian 2 loop / plastisim loop: {b['run'] / p['run']:.2f}x")
            print("  rates Brian 2 / plastisim: " + ", ".join(
                f"{pop} {b['rate_' + pop] / p['rate_' + pop]:.3f}" for pop in ("E", "PV", "SOM") if p["rate_" + pop] > 0))
    print(f"\ntotal benchmark time: {time.perf_counter() - t0:.0f} s")
    with open(os.path.join(tempfile.gettempdir(), "l5_bench_results.json"), "w") as f:
        json.dump(dict(duration=args.duration, repeat=args.repeat, results=results), f, indent=1)


if __name__ == "__main__":
    main()
