"""Benchmark: Graupner-Brunel DP curve (60 pairs at 1 Hz, 41 lags, dt = 0.1 ms), plastisim vs Brian 2.

Usage (benchmark environment with brian2 installed; single thread):

    python benchmarks/calcium_stdp_curve.py [--trials 2000] [--brian-trials 50]

1. plastisim, full size (``--trials`` synapses per initial state per lag; 2000 = the paper's 4000
   synapses per lag), event-driven exact scheme.
2. The same model on a subset (``--brian-trials``) in plastisim (exact and Euler-Maruyama schemes)
   and in Brian 2 (Euler-Maruyama, clock-driven synapses, cpp_standalone device), side by side.
   Brian 2 cost is linear in synapses x steps, so its full-size time is extrapolated from the
   subset (stated as such).
Prints a Markdown table for benchmarks/RESULTS.md.
"""
import argparse
import os
import shutil
import tempfile
import time

import numpy as np

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

from plastisim.models import calcium_stdp_curve as model  # noqa: E402
from plastisim.models.base import make_params  # noqa: E402


def run_plastisim(trials, scheme="exact"):
    params = make_params(model.Params, {"trials": trials, "scheme": scheme})
    model.run(make_params(model.Params, {"trials": 1, "n_pairs": 1, "scheme": scheme}))  # compile/cache
    start = time.perf_counter()
    result = model.run(params)
    return time.perf_counter() - start, result["summary"]


def run_brian(trials):
    """The same model in Brian 2 (cpp_standalone): returns (total wall time, run time, summary)."""
    import brian2 as b2

    p = make_params(model.Params)
    lags = np.arange(-p.lag_max, p.lag_max + p.lag_step / 2, p.lag_step)
    start_t = p.lag_max + 2 * p.dt
    n_lags = len(lags)
    build_dir = tempfile.mkdtemp(prefix="brian_gb_")
    b2.set_device("cpp_standalone", directory=build_dir)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.defaultclock.dt = p.dt * b2.second
    idx = np.repeat(np.arange(n_lags), p.n_pairs)
    pre_t = np.tile(start_t + np.arange(p.n_pairs), n_lags)
    post_t = pre_t + np.repeat(lags, p.n_pairs)
    pre = b2.SpikeGeneratorGroup(n_lags, idx, pre_t * b2.second)
    post = b2.SpikeGeneratorGroup(n_lags, idx, np.round(post_t / p.dt) * p.dt * b2.second)
    eqs = """
    dc/dt = -c / tau_c : 1 (clock-driven)
    drho/dt = (-rho * (1 - rho) * (rho_star - rho) + gamma_p * (1 - rho) * int(c >= theta_p)
               - gamma_d * rho * int(c >= theta_d)) / tau_w : 1 (clock-driven)
    """
    # Brian's state updaters reject noise that depends on another state variable (c), so the
    # Euler-Maruyama noise increment is applied explicitly every step
    ns = dict(tau_c=p.tau_c * b2.second, tau_w=p.tau_w * b2.second, rho_star=p.w_star,
              gamma_p=p.gamma_p, gamma_d=p.gamma_d, theta_p=p.theta_p, theta_d=p.theta_d,
              sigma=p.sigma, c_pre=p.c_pre, c_post=p.c_post)
    syn = b2.Synapses(pre, post, eqs, on_pre="c += c_pre", on_post="c += c_post",
                      method="euler", namespace=ns)
    syn.connect(j="i", n=2 * trials)
    syn.pre.delay = p.D * b2.second
    syn.run_regularly("rho += sigma * sqrt((int(c >= theta_p) + int(c >= theta_d)) * dt / tau_w)"
                      " * randn()", dt=p.dt * b2.second)
    rho0 = np.tile(np.repeat([0.0, 1.0], trials), n_lags)
    syn.rho = rho0
    start = time.perf_counter()
    b2.run((start_t + p.n_pairs) * b2.second)
    total = time.perf_counter() - start
    run_time = b2.device._last_run_time
    rho = np.asarray(syn.rho[:]).reshape(n_lags, 2, trials)
    P_UA = np.mean(rho[:, 0] > 0.5, axis=1)
    P_DA = np.mean(rho[:, 1] < 0.5, axis=1)
    b2.device.reinit()
    b2.device.activate()
    shutil.rmtree(build_dir, ignore_errors=True)
    return total, run_time, dict(lag=lags, synaptic_change=model.synaptic_change(P_UA, P_DA, 0.5, 5.0))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--brian-trials", type=int, default=50)
    args = parser.parse_args()
    full, full_summary = run_plastisim(args.trials)
    sub_exact, _ = run_plastisim(args.brian_trials)
    sub_euler, _ = run_plastisim(args.brian_trials, "euler")
    rows = [("plastisim exact", args.trials, full, "measured")]
    rows += [("plastisim exact", args.brian_trials, sub_exact, "measured"),
             ("plastisim Euler-Maruyama", args.brian_trials, sub_euler, "measured")]
    try:
        total, run_time, brian_summary = run_brian(args.brian_trials)
    except ImportError:
        brian_summary = None
        print("brian2 not installed: only plastisim timings")
    if brian_summary is not None:
        scale = args.trials / args.brian_trials
        rows += [("Brian 2 cpp_standalone (incl. code generation and compilation)", args.brian_trials,
                  total, "measured"),
                 ("Brian 2 cpp_standalone (simulation loop only)", args.brian_trials, run_time, "measured"),
                 ("Brian 2 cpp_standalone (simulation loop only)", args.trials, run_time * scale,
                  f"extrapolated x{scale:g} from {args.brian_trials}")]
        err = np.abs(brian_summary["synaptic_change"] - full_summary["synaptic_change"])
        print(f"max |Delta_s(Brian, {2 * args.brian_trials}/lag) - Delta_s(plastisim, "
              f"{2 * args.trials}/lag)| = {err.max():.3f}")
    print("\n| implementation | synapses per initial state per lag | wall time (s) | note |")
    print("|---|---|---|---|")
    for name, trials, seconds, note in rows:
        print(f"| {name} | {trials} | {seconds:.2f} | {note} |")
    if brian_summary is not None:
        print(f"\nratio Brian 2 loop only / plastisim exact, same subset: {run_time / sub_exact:.1f}x")
        print(f"ratio Brian 2 (extrapolated) / plastisim exact, full size: {run_time * scale / full:.1f}x")


if __name__ == "__main__":
    main()
