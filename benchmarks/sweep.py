"""Benchmark: tasks per minute and overhead per task of ``plastisim.sweep`` vs serial runs.

Tasks: ``stdp-poisson`` with Poisson inputs, ``--duration`` s of biological time each
(dt = 10 us), grid rate_e x w0 (``--points`` values of rate_e, 2 of w0) x ``--realizations``.
Serial: the same tasks (same seeds) run one after another in this process, kernels warm.
Sweep: a local cluster of 1 and of 2 single-threaded worker processes, started before the
timer ("start-up" is reported apart); each timed sweep writes into a fresh folder and
includes the warm-up task that runs alone, the task files and gathering ``sweep.nc``. The
first sweep on a cluster has cold workers (they import plastisim and load the cached kernels
during their first task); the second, same tasks into another folder, has warm workers.
"In task" is the mean time of one task measured inside the worker (``run_time`` of the task
files); overhead per task = (workers x sweep wall time - sum of in-task times) / tasks
(worker-seconds not spent in the model: scheduling, idle workers during the warm-up task,
gathering), which does not depend on how busy the machine was during the serial run.

Usage: python benchmarks/sweep.py [--duration 2] [--points 4] [--realizations 4]
"""
import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=2.0, help="biological time per task (s)")
    parser.add_argument("--points", type=int, default=4, help="values of rate_e")
    parser.add_argument("--realizations", type=int, default=4)
    args = parser.parse_args()

    import numpy as np
    from dask.distributed import Client, LocalCluster

    import plastisim as ps
    from plastisim.models import get
    from plastisim.sweep import plan

    grid = {"rate_e": list(np.linspace(20.0, 80.0, args.points)), "w0": [1e-6, 2e-6]}
    fixed = {"inputs": "poisson", "duration": args.duration}
    tasks = plan("stdp-poisson", grid, args.realizations, fixed=fixed)["tasks"]
    n = len(tasks)
    module = get("stdp-poisson")
    module.run(module.Params(**tasks[0]["params"]), seed=tasks[0]["seed"])  # warm the kernels
    start = time.perf_counter()
    for t in tasks:
        module.run(module.Params(**t["params"]), seed=t["seed"])
    serial = time.perf_counter() - start
    print(f"{n} tasks of {args.duration:g} s biological time (stdp-poisson, dt = 10 us)")
    print("| mode | start-up (s) | wall time (s) | tasks per minute | overhead per task (ms) | in task (ms) |")
    print("|---|---|---|---|---|---|")
    print(f"| serial, one process | 0 | {serial:.2f} | {60 * n / serial:.0f} | 0 | {1e3 * serial / n:.0f} |")
    for workers in (1, 2):
        start = time.perf_counter()
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.wait_for_workers(workers)
            startup = time.perf_counter() - start
            for state in ("cold", "warm"):
                with tempfile.TemporaryDirectory() as out:
                    start = time.perf_counter()
                    ps.sweep("stdp-poisson", grid, args.realizations, out=out, fixed=fixed,
                             scheduler=client, progress=False)
                    wall = time.perf_counter() - start
                    in_task = np.mean([ps.load_results(p)[1]["run_time"] for p in Path(out).glob("tasks/*.h5")])
                overhead = (workers * wall - n * in_task) / n
                print(f"| sweep, {workers} worker{'s' if workers > 1 else ''}, {state} | "
                      f"{startup if state == 'cold' else 0:.2f} | {wall:.2f} | {60 * n / wall:.0f} | "
                      f"{1e3 * overhead:.0f} | {1e3 * in_task:.0f} |")


if __name__ == "__main__":
    main()
