"""Sweeps on dask: swept numbers equal direct runs, resume after a kill, failed tasks, bad input."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr

import plastisim as ps
from plastisim.cli import main
from plastisim.models import get
from plastisim.models.base import make_params
from plastisim.sweep import plan

MODEL = "stdp-poisson"
GRID = {"rate_e": ["20Hz", "80Hz"], "w0": ["1uS", "2uS"]}
FIXED = {"inputs": "poisson", "duration": "4s"}
CLI_ARGS = ["sweep", MODEL, "--grid", "rate_e=20Hz,80Hz", "--grid", "w0=1uS,2uS", "--set",
            "inputs=poisson", "--set", "duration=4s", "--realizations", "2", "--quiet"]


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def full(client, tmp_path_factory):
    out = tmp_path_factory.mktemp("full")
    return out, ps.sweep(MODEL, GRID, realizations=2, out=out, fixed=FIXED, scheduler=client,
                         progress=False)


def test_swept_numbers_equal_direct_runs(full):
    _, ds = full
    assert dict(ds.sizes) == {"rate_e": 2, "w0": 2, "realization": 2}
    assert ds.rate_e.values.tolist() == [20.0, 80.0] and ds.rate_e.attrs["units"] == "Hz"
    assert len(set(ds.seed.values.ravel())) == 8
    module = get(MODEL)
    for rate in ds.rate_e.values:
        for w0 in ds.w0.values:
            for r in range(2):
                at = ds.sel(rate_e=rate, w0=w0, realization=r)
                params = make_params(module.Params, {**FIXED, "rate_e": rate, "w0": w0})
                summary = module.run(params, seed=int(at.seed))["summary"]
                for name, value in summary.items():
                    assert at[name].item() == value, (name, rate, w0, r)
    assert (ds.error == "").all()
    assert ds.n_spikes.values.min() > 0  # the inputs do drive the neuron


def test_seeds_depend_on_point_not_on_grid_order_or_size():
    a = plan(MODEL, GRID, 2, seed=5, fixed=FIXED)["tasks"]
    b = plan(MODEL, {"w0": ["2uS", "1uS", "3uS"], "rate_e": ["80Hz", "20Hz"]}, 3, seed=5, fixed=FIXED)["tasks"]
    c = plan(MODEL, GRID, 2, seed=6, fixed=FIXED)["tasks"]

    def by_point(tasks):
        return {(t["point"]["rate_e"], t["point"]["w0"], t["realization"]): (t["seed"], t["key"]) for t in tasks}

    a, b, c = by_point(a), by_point(b), by_point(c)
    assert all(b[k] == v for k, v in a.items())  # same point, same seed and key: results reused
    assert len({s for s, _ in b.values()}) == len(b)
    assert not {s for s, _ in a.values()} & {s for s, _ in c.values()}  # another sweep's seeds


def test_killed_sweep_reruns_only_missing_tasks(full, client, tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "plastisim.cli", *CLI_ARGS, "--workers", "1",
                             "--out", str(out)], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 40
    while not list(out.glob("tasks/*.h5")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its dask scheduler and worker
    proc.wait()
    time.sleep(0.5)
    done = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("tasks/*.h5")}
    assert 0 < len(done) < 8, len(done)
    assert not list(out.glob("sweep.nc"))

    ds = ps.sweep(MODEL, GRID, realizations=2, out=out, fixed=FIXED, scheduler=client, progress=False)
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("tasks/*.h5")}
    assert len(after) == 8 and all(after[name] == stamp for name, stamp in done.items())
    assert not list(out.glob("**/*.tmp"))
    xr.testing.assert_identical(ds, full[1])
    xr.testing.assert_identical(ps.load_sweep(out), ps.load_sweep(full[0]))


def test_failing_task_is_reported_and_others_complete(client, tmp_path, capsys):
    out = tmp_path / "fail"
    args = ["sweep", MODEL, "--grid", "inputs=poisson,bogus", "--set", "duration=0.2s", "--out",
            str(out), "--scheduler", client.scheduler.address, "--quiet"]
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("plastisim: task failed: inputs='bogus', realization 0")
    assert "ParameterError: inputs = 'bogus' must be 'reference' or 'poisson'" in err[0]
    ds = ps.load_sweep(out)
    assert ds.error.sel(inputs="poisson", realization=0).item() == ""
    assert "bogus" in ds.error.sel(inputs="bogus", realization=0).item()
    assert np.isnan(ds.peak_g_e.sel(inputs="bogus", realization=0))
    assert ds.peak_g_e.sel(inputs="poisson", realization=0) > 0
    record = json.loads(next(out.glob("tasks/*.error.json")).read_text())
    assert record["point"] == {"inputs": "bogus"} and "Traceback" in record["traceback"]


def test_array_summaries_get_an_index_dimension(client, tmp_path):
    ds = ps.sweep("stdp-curve", {"tau_pre": ["10ms", "20ms"]}, out=tmp_path, fixed={"n_lags": 5},
                  scheduler=client, progress=False)
    assert ds.weight_change.dims == ("tau_pre", "realization", "weight_change_index")
    assert ds.weight_change.shape == (2, 1, 5) and ds.max_relative_error.dims == ("tau_pre", "realization")
    assert (ds.weight_change.sel(tau_pre=0.01)[0, 0] > 0).item()  # first lag: pre before post


@pytest.mark.parametrize("extra, message", [
    (["--grid", "nope=1,2"], "unknown grid parameter 'nope' of stdp-poisson"),
    (["--grid", "rate_e="], "grid parameter rate_e has an empty value"),
    (["--grid", "rate_e=20Hz,"], "grid parameter rate_e has an empty value"),
    (["--grid", "rate_e=20Hz,-5Hz"], "rate_e = -5.0 is outside the allowed range [0.0, inf)"),
    (["--grid", "rate_e=20Hz,20"], "grid parameter rate_e has repeated values"),
    (["--grid", "rate_e=20Hz", "--realizations", "0"], "realizations = 0 must be an integer in [1, inf)"),
    (["--grid", "rate_e=20Hz", "--workers", "0"], "workers = 0 must be an integer in [1, inf)"),
    (["--grid", "rate_e=20Hz", "--scheduler", "tcp://127.0.0.1:1", "--timeout", "0.5"],
     "scheduler 'tcp://127.0.0.1:1' is unreachable within 0.5 s"),
])
def test_bad_input_is_one_line_error(extra, message, tmp_path, capsys):
    assert main(["sweep", MODEL, "--out", str(tmp_path), "--quiet", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plastisim: error: ") and message in err and err.count("\n") == 1


def test_long_task_resumes_from_its_checkpoint(tmp_path):
    # a task of a protocol model keeps a checkpoint; a task killed after its last checkpoint
    # resumes from it (here: from the end of the protocol) to the same numbers, and the
    # checkpoint is removed once the result is written
    from plastisim.core.simulator import Checkpointing
    from plastisim.sweep import run_task
    fixed = {"protocol": "late", "trials": "20", "duration": "1h", "stim_duration": "2s", "sample": "1s"}
    task = plan("stc-synapse", {}, 1, seed=3, fixed=fixed)["tasks"][0]
    (tmp_path / "tasks").mkdir()
    assert run_task(task, "stc-synapse", tmp_path)["error"] is None
    first = ps.load_results(tmp_path / "tasks" / f"{task['key']}.h5")[0]["summary"]
    assert not list((tmp_path / "tasks").glob("*checkpoint*"))
    module = get("stc-synapse")
    checkpoint = tmp_path / "tasks" / f"{task['key']}.checkpoint.h5"
    module.run(module.Params(**task["params"]), seed=task["seed"], checkpoint=Checkpointing(checkpoint, 0.0))
    os.remove(tmp_path / "tasks" / f"{task['key']}.h5")
    assert run_task(task, "stc-synapse", tmp_path)["error"] is None
    again = ps.load_results(tmp_path / "tasks" / f"{task['key']}.h5")[0]["summary"]
    for key, value in first.items():
        np.testing.assert_array_equal(value, again[key], err_msg=key)
    assert not checkpoint.exists()
