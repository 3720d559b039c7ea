"""Command line: ``plastisim list``, ``plastisim run [MODEL] [--set name=value] ...`` and
``plastisim sweep MODEL --grid name=v1,v2 ... --realizations N --out DIR``."""
import argparse
import dataclasses
import inspect
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from . import models
from .core.errors import ParameterError, SimulationError
from .core.params import SEED_MAX, check, check_int, parse_value
from .core.simulator import Checkpointing
from .io.hdf5 import save_results
from .models.base import describe, make_params
from .plotting import PLOTS


def _list(_args):
    for name in models.MODELS:
        default = " (default)" if name == models.DEFAULT_MODEL else ""
        print(f"{name:<20} {models.get(name).DESCRIPTION}{default}")


def _split(item, flag, form):
    """'name=value' -> (name, value), stripped; a one-line error naming ``flag`` otherwise."""
    if "=" not in item:
        raise ParameterError(f"{flag} expects {form}, got {item!r}")
    name, value = item.split("=", 1)
    return name.strip(), value.strip()


def _parse_sets(items):
    return dict(_split(item, "--set", "name=value") for item in items)


def _run(args):
    module = models.get(args.model)
    if args.help:
        print(f"usage: plastisim run {args.model} [--set name=value ...] [--out DIR] [--seed N] "
              "[--overwrite] [--quiet] [--checkpoint-every DURATION] [--resume]\n")
        print(f"{args.model}: {module.DESCRIPTION}\n\nparameters (SI units; values may carry a "
              "unit, e.g. 20ms, 0.35nA, 8h):")
        print(describe(module.Params))
        return
    params = make_params(module.Params, _parse_sets(args.set))
    seed = check_int("--seed", args.seed, 0, SEED_MAX)
    out = _output_folder(Path(args.out or Path("out") / args.model), args.overwrite)
    options = {}
    if args.checkpoint_every or args.resume:
        if "checkpoint" not in inspect.signature(module.run).parameters:
            resumable = [m for m in models.MODELS if "checkpoint" in inspect.signature(models.get(m).run).parameters]
            raise ParameterError(f"--checkpoint-every/--resume: {args.model} runs without a protocol to "
                                 f"checkpoint; available for {', '.join(resumable)}")
        every = check("--checkpoint-every", parse_value(args.checkpoint_every or "600s", "s", "--checkpoint-every"), 0.0, low_open=True)
        options["checkpoint"] = Checkpointing(out / "checkpoint.h5", every, args.resume)
        _interrupted.folder = out
    start = time.perf_counter()
    result = module.run(params, seed=seed, progress=not args.quiet, **options)
    run_time = time.perf_counter() - start
    for old in out.glob("checkpoint*.h5"):  # the run is complete
        old.unlink()
    path = out / "results.h5"
    units = module.SUMMARY_UNITS
    save_results(path, result["data"], result["summary"], units=units, model=args.model, seed=seed,
                 run_time=run_time, params=dataclasses.asdict(params))
    figures = PLOTS[args.model](result, params, out)
    print(f"{args.model}: finished in {run_time:.2f} s (seed {seed})")
    for key, value in result["summary"].items():
        value = np.asarray(value)
        if value.dtype.kind in "SU":
            shown = ", ".join(v.decode() if isinstance(v, bytes) else str(v) for v in value.reshape(-1))
        else:
            shown = (np.array2string(value, threshold=6, max_line_width=10**6,
                                     formatter={"float_kind": lambda v: f"{v:.4g}"})
                     if value.ndim else f"{value:.6g}")
        print(f"  {key:<26} {shown} {units.get(key, '?')}".rstrip())
    print(f"results: {path}")
    for fig in figures:
        print(f"figure:  {fig}")


def _interrupted():
    """One line after Ctrl-C: what was kept and how to continue."""
    folder = getattr(_interrupted, "folder", None)
    kept = sorted(folder.glob("checkpoint*.h5")) if folder else []
    if kept:
        return (f"plastisim: interrupted; checkpoints kept in {folder} ({len(kept)} file(s)): "
                "run the same command with --resume to continue")
    return "plastisim: interrupted; nothing was kept (use --checkpoint-every to be able to resume)"


def _validate(args):
    from . import validate

    rows = validate.validate(args.only or None, long=args.long)
    table = validate.table(rows)
    print(table)
    if args.write:
        path = Path(args.write)
        text = path.read_text() if path.exists() else ""
        begin, end = "<!-- plastisim validate: begin -->", "<!-- plastisim validate: end -->"
        block = f"{begin}\n{table}\n{end}"
        if begin in text and end in text:
            text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
        else:
            text = text + ("\n" if text else "") + block + "\n"
        path.write_text(text)
        print(f"table written to {path}")
    return 0 if all(r.passed for r in rows) else 1


def _parse_grid(items):
    grid = {}
    for item in items:
        name, values = _split(item, "--grid", "name=v1,v2,...")
        if name in grid:
            raise ParameterError(f"--grid {name} is given twice")
        grid[name] = [v.strip() for v in values.split(",")] if values else []
    return grid


def _sweep(args):
    from .sweep import describe_task, sweep

    out = Path(args.out or Path("out") / f"{args.model}-sweep")
    start = time.perf_counter()
    ds = sweep(args.model, _parse_grid(args.grid), args.realizations, out, seed=args.seed,
               fixed=_parse_sets(args.set), scheduler=args.scheduler, workers=args.workers,
               progress=not args.quiet, timeout=args.timeout)
    spec = json.loads((out / "sweep.json").read_text())
    failed = [t for t in spec["tasks"] if (out / "tasks" / f"{t['key']}.error.json").exists()]
    print(f"{args.model} sweep: {len(spec['tasks'])} tasks, {len(failed)} failed, "
          f"{time.perf_counter() - start:.2f} s")
    print(f"dataset: {out / 'sweep.nc'} (variables: {', '.join(ds.data_vars)})")
    for task in failed:
        error = json.loads((out / "tasks" / f"{task['key']}.error.json").read_text())["error"]
        print(f"plastisim: task failed: {describe_task(task, args.model)}: {error}", file=sys.stderr)
    return 1 if failed else 0
def _output_folder(out, overwrite):
    """Create folder ``out`` (checked before the run); refuse one holding results unless
    ``overwrite``, then remove its results.h5 and figures (*.png) first."""
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {out} is a file; give a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ParameterError(f"--out {out}: cannot create the folder ({err.strerror})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise ParameterError(f"--out {out}: the folder is not writable")
    old = out / "results.h5"
    if old.exists():
        if not overwrite:
            raise ParameterError(f"--out {out} already holds results.h5; use --overwrite to replace "
                                 "it (its *.png are removed too) or choose another folder")
        for f in [old, *out.glob("*.png")]:
            f.unlink()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="plastisim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the built-in models").set_defaults(func=_list)
    run = sub.add_parser("run", add_help=False, help="run a built-in model")
    run.add_argument("model", nargs="?", default=models.DEFAULT_MODEL)
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--out", help="output folder (default out/MODEL)")
    run.add_argument("--seed", default="0", help=f"random seed, an integer in [0, {SEED_MAX}]")
    run.add_argument("--overwrite", action="store_true",
                     help="replace results.h5 and figures already in --out")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--checkpoint-every", metavar="DURATION",
                     help="save a checkpoint in --out this often (wall time, e.g. 10min)")
    run.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    run.add_argument("-h", "--help", action="store_true", help="show the model's parameters")
    run.set_defaults(func=_run)
    sw = sub.add_parser("sweep", help="run a model over a parameter grid x realizations (dask)",
                        description="Cartesian product of the --grid values x realizations, one "
                        "task each, on a local dask cluster or a running scheduler; resumable.")
    sw.add_argument("model")
    sw.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...",
                    help="values of one parameter (units allowed: 20ms,50ms)")
    sw.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="fixed parameter for every task")
    sw.add_argument("--realizations", type=int, default=1, metavar="N", help="seeds per point (default 1)")
    sw.add_argument("--out", metavar="DIR", help="output folder (default out/MODEL-sweep)")
    sw.add_argument("--seed", type=int, default=0, metavar="N", help="base seed of the sweep")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler, e.g. tcp://host:8786 "
                    "(default: local cluster)")
    sw.add_argument("--workers", type=int, metavar="N", help="local cluster workers (default one per core)")
    sw.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                    help="time to reach the scheduler (default 10 s)")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.set_defaults(func=_sweep)
    val = sub.add_parser("validate", help="run the reproduction checks and print their table")
    val.add_argument("--only", action="append", metavar="CHECK", help="run only this check (repeatable)")
    val.add_argument("--long", action="store_true", help="include the long checks (hours of biological time)")
    val.add_argument("--write", metavar="FILE", help="also write the table into FILE (e.g. docs/validation.md)")
    val.set_defaults(func=_validate)
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except (ParameterError, SimulationError) as err:
        print(f"plastisim: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_interrupted(), file=sys.stderr)
        return 130
    except OSError as err:  # e.g. the output folder became unwritable or the disk is full
        where = f": {err.filename}" if err.filename else ""
        print(f"plastisim: error: {err.strerror or err}{where}", file=sys.stderr)
        return 1
    except MemoryError as err:
        print(f"plastisim: error: not enough memory ({err or 'allocation failed'}); use smaller "
              "settings", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
