"""Benchmark: this checkout against another version of plastisim on the same workloads (speed
regressions of the engine), side by side in one script, reported as ratios.

Workloads (each in its own process, kernels warm, single thread, fastest of ``--repeat``):
* ``pair-stdp``: the 2000-neuron network of ``network_peers.py`` with pair STDP, 3 s;
* ``static``: the same network without plasticity, 3 s;
* ``stc-network``: the STC network model (``stc-network``, 10-s recall, 25 s biological time).

Usage: python benchmarks/versions.py OTHER_CHECKOUT [--repeat 3]
(e.g. ``git worktree add ../base <commit>`` first). Both checkouts run in this interpreter's
environment with ``PYTHONPATH`` pointing at each, and separate kernel caches.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

WORKLOADS = {
    "pair-stdp": "import network_peers as b; r = b.run_plastisim(3.0, True); print(r['run'], r['spikes'])",
    "static": "import network_peers as b; r = b.run_plastisim(3.0, False); print(r['run'], r['spikes'])",
    "stc-network": ("import stc_network as b; r = b.run_plastisim(150, '10s'); "
                    "print(r['loop'], r['spikes'])"),
}


def measure(checkout, workload, cache):
    env = dict(os.environ, PYTHONPATH=str(checkout), PLASTISIM_CACHE_DIR=cache, NUMBA_NUM_THREADS="1")
    code = (f"import sys; sys.path.insert(0, {str(checkout / 'benchmarks')!r}); import plastisim; "
            f"assert plastisim.__file__.startswith({str(checkout)!r}), plastisim.__file__; " + WORKLOADS[workload])
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=checkout, capture_output=True, text=True,
                         check=True)  # cwd: "-c" puts the working directory first on sys.path
    seconds, spikes = out.stdout.split()[-2:]
    return float(seconds), int(spikes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("other", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    checkouts = {"this": HERE, "other": args.other.resolve()}
    with tempfile.TemporaryDirectory() as tmp:
        caches = {name: str(Path(tmp) / name) for name in checkouts}
        print("| workload | this (s) | other (s) | this / other | spikes this, other |")
        print("|---|---|---|---|---|")
        for workload in WORKLOADS:
            best = {}
            for name, path in checkouts.items():
                measure(path, workload, caches[name])  # compile into the cache
                runs = [measure(path, workload, caches[name]) for _ in range(args.repeat)]
                best[name] = min(runs)
            ratio = best["this"][0] / best["other"][0]
            print(f"| {workload} | {best['this'][0]:.2f} | {best['other'][0]:.2f} | {ratio:.2f} | "
                  f"{best['this'][1]}, {best['other'][1]} |", flush=True)


if __name__ == "__main__":
    main()
