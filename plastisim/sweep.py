"""Parameter sweeps x realizations of a built-in model on dask.distributed, resumable.

Every point of the Cartesian product of the grid values, times ``realizations``, is one task.
Its seed comes from ``numpy.random.SeedSequence(base_seed, spawn_key=(hash of the point's
parameters, realization))``: reproducible, independent of the grid's order and size, and
different for every point, realization and base seed (two tasks collide with probability 2**-63).
Its key is a hash of (model, parameters, seed, plastisim version).

Layout of the output folder ``DIR``:

* ``sweep.json``        the sweep: model, grid, fixed parameters, realizations, base seed, tasks
* ``tasks/KEY.h5``      a finished task (``save_results`` layout: summary only, no recordings)
* ``tasks/KEY.error.json``  a failed task: parameters, realization, seed, error, traceback
* ``sweep.nc``          the gathered dataset (netCDF4 via h5netcdf), read by :func:`load_sweep`

Files are written under a temporary name and renamed, so a killed sweep leaves no partial
result; the same command again runs only the tasks without ``tasks/KEY.h5`` (failed ones
included). Run one sweep per folder at a time. Tasks of models that run a protocol
(``stc-network``, ``stc-synapse``, ``stc-protocols``) keep ``tasks/KEY.checkpoint*.h5`` every
``CHECKPOINT_EVERY`` seconds of wall time; a killed task resumes from it with the same numbers,
and the file is removed when the task is done.
"""
import dataclasses
import hashlib
import inspect
import itertools
import json
import logging
import os
import time
import traceback
from pathlib import Path

import numpy as np

from . import models
from .core.errors import ParameterError
from .core.simulator import Checkpointing
from .io.hdf5 import load_results, save_results
from .models.base import convert, make_params

CHECKPOINT_EVERY = 300.0  # s of wall time between checkpoints of a long task


def _canonical(model, params):
    """Text that identifies a model run's parameters (sorted JSON of the SI values)."""
    return json.dumps([model, dataclasses.asdict(params)], sort_keys=True)


def task_seed(base_seed, canonical, realization):
    """Network seed (int in [0, 2**63)) of one realization of the point ``canonical``."""
    words = np.frombuffer(hashlib.sha256(canonical.encode()).digest()[:16], dtype=np.uint32)
    sequence = np.random.SeedSequence(base_seed, spawn_key=(*map(int, words), realization))
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))


def task_key(canonical, seed):
    """Hash of (model and parameters, seed, plastisim version): the name of a task's files."""
    from . import __version__

    return hashlib.sha256(json.dumps([canonical, seed, __version__]).encode()).hexdigest()[:24]


def plan(model, grid, realizations=1, seed=0, fixed=None):
    """The sweep's description (what ``sweep.json`` holds); checks every input.

    ``grid``: {parameter: [values]} (numbers in SI or text with a unit, e.g. '20ms');
    ``fixed``: {parameter: value} for every task. Raises ParameterError on bad input.
    """
    module = models.get(model)
    realizations = _integer("realizations", realizations, 1)
    seed = _integer("seed", seed, 0, 2**63 - 1)
    fixed = dict(fixed or {})
    names = [f.name for f in dataclasses.fields(module.Params)]
    values = {}
    for name, items in (grid or {}).items():
        if name not in names:
            raise ParameterError(f"unknown grid parameter {name!r} of {model}; known: {', '.join(names)}")
        if name in fixed:
            raise ParameterError(f"{name} is both a grid parameter and a fixed (--set) one")
        items = list(items) if isinstance(items, (list, tuple, np.ndarray)) else [items]
        if not items or any(isinstance(v, str) and not v.strip() for v in items):
            raise ParameterError(f"grid parameter {name} has an empty value; give name=v1,v2,...")
        parsed = [convert(module.Params, name, v) for v in items]
        if len(set(parsed)) != len(parsed):
            raise ParameterError(f"grid parameter {name} has repeated values {parsed}")
        values[name] = parsed
    tasks = []
    for index in itertools.product(*(range(len(v)) for v in values.values())):
        point = {name: values[name][i] for name, i in zip(values, index)}
        params = make_params(module.Params, {**fixed, **point})
        canonical = _canonical(model, params)
        for r in range(realizations):
            s = task_seed(int(seed), canonical, r)
            tasks.append(dict(key=task_key(canonical, s), index=list(index), point=point,
                              realization=r, seed=s, params=dataclasses.asdict(params)))
    from . import __version__

    fixed_all = {k: v for k, v in tasks[0]["params"].items() if k not in values}  # every other parameter
    return dict(model=model, grid=values, fixed=fixed_all, realizations=realizations,
                seed=int(seed), plastisim_version=__version__, tasks=tasks)


def _integer(name, value, low, high=None):
    """int(value) if it is an integer in [low, high], else ParameterError naming the range."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (
            high is not None and value > high):
        upper = f"{high}]" if high is not None else "inf)"
        raise ParameterError(f"{name} = {value!r} must be an integer in [{low}, {upper}")
    return int(value)


def run_task(task, model, out):
    """Run one task (on a worker) and write ``tasks/KEY.h5`` or ``tasks/KEY.error.json``.

    Returns {key, error (None or one line), run_time (s)}.
    """
    folder = Path(out) / "tasks"
    start = time.perf_counter()
    try:
        module = models.get(model)
        options = {}
        if "checkpoint" in inspect.signature(module.run).parameters:
            options["checkpoint"] = Checkpointing(folder / f"{task['key']}.checkpoint.h5", CHECKPOINT_EVERY, True)
        result = module.run(module.Params(**task["params"]), seed=task["seed"], progress=False, **options)
        run_time = time.perf_counter() - start
        path = folder / f"{task['key']}.h5"
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        save_results(tmp, {}, result["summary"], model=model, seed=task["seed"], run_time=run_time,
                     params=task["params"], realization=task["realization"], key=task["key"])
        os.replace(tmp, path)
        (folder / f"{task['key']}.error.json").unlink(missing_ok=True)
        for done in folder.glob(f"{task['key']}.checkpoint*.h5"):
            done.unlink()
        return dict(key=task["key"], error=None, run_time=run_time)
    except Exception as err:  # recorded; the other tasks go on
        message = f"{type(err).__name__}: {err}".splitlines()[0]
        write_error(out, task, message, traceback.format_exc())
        return dict(key=task["key"], error=message, run_time=time.perf_counter() - start)


def write_error(out, task, message, trace=""):
    """Record a failed task in ``tasks/KEY.error.json``."""
    path = Path(out) / "tasks" / f"{task['key']}.error.json"
    record = {k: task[k] for k in ("key", "point", "realization", "seed")}
    _write_text(path, json.dumps(dict(record, error=message, traceback=trace), indent=1))


def _write_text(path, text):
    tmp = Path(f"{path}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def describe_task(task, model):
    """'rate_e=20 Hz, w0=1e-06 S, realization 0 (seed N)' for messages."""
    units = {f.name: f.metadata.get("unit", "") for f in dataclasses.fields(models.get(model).Params)}
    point = ", ".join(f"{k}={v!r}{' ' + units[k] if units[k] else ''}" for k, v in task["point"].items())
    return f"{point}, realization {task['realization']} (seed {task['seed']})"


def _client(scheduler, workers, n_tasks, timeout):
    """(client, owned): connect to ``scheduler`` or start a local cluster; ``owned`` lists
    what the sweep must close afterwards."""
    from dask.distributed import Client, LocalCluster

    if scheduler is not None and not isinstance(scheduler, str):
        return scheduler, []  # a Client the caller owns
    if scheduler:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ParameterError(f"scheduler {scheduler!r} is unreachable within {timeout:g} s: {first}") from None
        return client, [client]
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cluster = LocalCluster(n_workers=min(workers, n_tasks), threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.CRITICAL)
    client = Client(cluster)
    return client, [client, cluster]


def sweep(model, grid, realizations=1, out="out/sweep", seed=0, fixed=None, scheduler=None,
          workers=None, progress=True, timeout=10.0):
    """Run ``model`` at every point of ``grid`` x ``realizations`` on dask; return the dataset.

    ``grid``: {parameter: [values]}; ``fixed``: {parameter: value} for all tasks; ``seed``: the
    sweep's base seed; ``scheduler``: None (local cluster of ``workers`` processes, default one
    per core), a scheduler address such as 'tcp://host:8786', or a ``dask.distributed.Client``;
    ``timeout``: seconds to reach the scheduler. Tasks with a result in ``out`` are not run
    again. Returns the gathered ``xarray.Dataset`` (also in ``out/sweep.nc``); failed tasks
    have NaN summaries and their message in the variable ``error``.
    """
    spec = plan(model, grid, realizations, seed, fixed)
    if workers is not None:
        workers = _integer("workers", workers, 1)
    out = Path(out)
    (out / "tasks").mkdir(parents=True, exist_ok=True)
    for stale in (out / "tasks").glob("*.tmp"):  # left by a killed sweep (one sweep per folder)
        stale.unlink()
    _write_text(out / "sweep.json", json.dumps(spec, indent=1))
    missing = [t for t in spec["tasks"] if not (out / "tasks" / f"{t['key']}.h5").exists()]
    if missing:
        _run(spec, missing, out, scheduler, workers, progress, timeout)
    gather(out)
    return load_sweep(out)


def _run(spec, missing, out, scheduler, workers, progress, timeout):
    from dask.distributed import as_completed
    from tqdm import tqdm

    client, owned = _client(scheduler, workers, len(missing), timeout)
    bar = tqdm(total=len(missing), unit="task", disable=not progress,
               desc=f"{spec['model']} sweep ({len(spec['tasks']) - len(missing)} done before)")
    try:
        def submit(task):
            return client.submit(run_task, task, spec["model"], str(out), key=f"plastisim-{task['key']}",
                                 pure=False)

        # the first task alone compiles (or loads) the kernels into the cache before the fan-out
        first = submit(missing[0])
        futures = {first.key: missing[0]}
        _finish(first, missing[0], spec, out, bar)
        rest = [submit(t) for t in missing[1:]]
        futures.update({f.key: t for f, t in zip(rest, missing[1:])})
        for future in as_completed(rest):
            _finish(future, futures[future.key], spec, out, bar)
    finally:
        bar.close()
        for item in owned:
            item.close()


def _finish(future, task, spec, out, bar):
    try:
        future.result()
    except Exception as err:  # the worker died or the task could not run at all
        write_error(out, task, f"{type(err).__name__}: {err}".splitlines()[0], traceback.format_exc())
    bar.update()


def gather(out):
    """Collect ``out/tasks`` into one dataset, write ``out/sweep.nc`` and return the dataset.

    Dimensions: the grid parameters (coordinates in SI, attribute ``units``) and
    ``realization``; an array-valued summary ``x`` gets an extra dimension ``x_index`` (padded
    with NaN if its length varies). A summary named like a grid parameter is ``NAME_summary``.
    """
    import xarray as xr

    out = Path(out)
    spec = json.loads((out / "sweep.json").read_text())
    grid = spec["grid"]
    dims = list(grid) + ["realization"]
    shape = tuple(len(v) for v in grid.values()) + (spec["realizations"],)
    seeds = np.zeros(shape, dtype=np.int64)
    errors = np.full(shape, "", dtype=object)
    values = {}
    for task in spec["tasks"]:
        at = tuple(task["index"]) + (task["realization"],)
        seeds[at] = task["seed"]
        path = out / "tasks" / f"{task['key']}.h5"
        if path.exists():
            for name, value in load_results(path)[0]["summary"].items():
                values.setdefault(name, {})[at] = np.asarray(value)
        else:
            failed = out / "tasks" / f"{task['key']}.error.json"
            errors[at] = json.loads(failed.read_text())["error"] if failed.exists() else "not run"
    complete = not any(errors.flat)
    variables = {}
    for name, by_task in values.items():
        var = f"{name}_summary" if name in grid or name == "realization" else name
        variables[var] = _stack(var, by_task, shape, dims, complete)
    variables["seed"] = (dims, seeds, dict(long_name="network seed of the task"))
    variables["error"] = (dims, errors.astype(str), dict(long_name="error of a failed task ('' if none)"))
    fields = {f.name: f for f in dataclasses.fields(models.get(spec["model"]).Params)}
    coords = {name: (name, np.asarray(v), dict(units=fields[name].metadata.get("unit", ""),
                                             long_name=fields[name].metadata.get("help", "")))
              for name, v in grid.items()}
    coords["realization"] = np.arange(spec["realizations"])
    fixed = {k: v for k, v in spec["fixed"].items() if k not in grid}
    ds = xr.Dataset(variables, coords=coords, attrs=dict(
        model=spec["model"], base_seed=spec["seed"], plastisim_version=spec["plastisim_version"],
        fixed_params=json.dumps(fixed, sort_keys=True)))
    tmp = out / f"sweep.nc.{os.getpid()}.tmp"
    ds.to_netcdf(tmp, engine="h5netcdf")
    os.replace(tmp, out / "sweep.nc")
    return ds


def _stack(name, by_task, shape, dims, complete):
    """One summary over all tasks: (dims, array) with NaN (or '') where a task has none."""
    arrays = list(by_task.values())
    ndim = max(a.ndim for a in arrays)
    extra = ()
    if ndim:
        arrays = [np.atleast_1d(a) for a in arrays]
        extra = tuple(max(a.shape[i] for a in arrays) for i in range(ndim))
    dtype = np.result_type(*{a.dtype for a in arrays})
    padded = any(a.shape != extra for a in arrays) if ndim else False
    if dtype.kind in "US":
        table, dtype = np.full(shape + extra, "", dtype=object), str
    else:
        if not complete or padded:
            dtype = np.result_type(dtype, np.float64)
        table = np.full(shape + extra, np.nan if dtype.kind in "fc" else 0, dtype=dtype)
    for at, a in by_task.items():
        a = np.atleast_1d(a) if ndim else a
        table[at + tuple(slice(0, n) for n in a.shape)] = a
    names = [f"{name}_index"] if ndim == 1 else [f"{name}_index{i}" for i in range(ndim)]
    return dims + names, table.astype(dtype)


def load_sweep(out):
    """The dataset of a finished sweep in folder ``out`` (``out/sweep.nc``), loaded in memory."""
    import xarray as xr

    path = Path(out) / "sweep.nc"
    if not path.exists():
        raise ParameterError(f"{path} does not exist: run (or rerun) the sweep to finish it")
    return xr.load_dataset(path, engine="h5netcdf")
