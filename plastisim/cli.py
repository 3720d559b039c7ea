"""Command line: ``plastisim list`` and ``plastisim run [MODEL] [--set name=value] ...``."""
import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

from . import models
from .core.errors import ParameterError, SimulationError
from .io.hdf5 import save_results
from .models.base import describe, make_params
from .plotting import PLOTS


def _list(_args):
    for name in models.MODELS:
        default = " (default)" if name == models.DEFAULT_MODEL else ""
        print(f"{name:<20} {models.get(name).DESCRIPTION}{default}")


def _parse_sets(items):
    overrides = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"--set expects name=value, got {item!r}")
        name, value = item.split("=", 1)
        overrides[name.strip()] = value.strip()
    return overrides


def _run(args):
    module = models.get(args.model)
    if args.help:
        print(f"usage: plastisim run {args.model} [--set name=value ...] [--out DIR] [--seed N]\n")
        print(f"{args.model}: {module.DESCRIPTION}\n\nparameters (SI units; values may carry a "
              "unit, e.g. 20ms, 0.35nA, 8h):")
        print(describe(module.Params))
        return
    params = make_params(module.Params, _parse_sets(args.set))
    out = Path(args.out or Path("out") / args.model)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    result = module.run(params, seed=args.seed, progress=not args.quiet)
    run_time = time.perf_counter() - start
    path = out / "results.h5"
    save_results(path, result["data"], result["summary"], model=args.model, seed=args.seed,
                 run_time=run_time, params=dataclasses.asdict(params))
    figures = PLOTS[args.model](result, params, out)
    print(f"{args.model}: finished in {run_time:.2f} s (seed {args.seed})")
    for key, value in result["summary"].items():
        value = np.asarray(value)
        shown = np.array2string(value, precision=4, threshold=6) if value.ndim else f"{value:.6g}"
        print(f"  {key:<26} {shown}")
    print(f"results: {path}")
    for fig in figures:
        print(f"figure:  {fig}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="plastisim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the built-in models").set_defaults(func=_list)
    run = sub.add_parser("run", add_help=False, help="run a built-in model")
    run.add_argument("model", nargs="?", default=models.DEFAULT_MODEL)
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument("--out", help="output folder (default out/MODEL)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("-h", "--help", action="store_true", help="show the model's parameters")
    run.set_defaults(func=_run)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (ParameterError, SimulationError) as err:
        print(f"plastisim: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
