"""An interrupted long run (Ctrl-C) continues with --resume to the same numbers."""
import os
import signal
import subprocess
import sys
import time

import numpy as np

from plastisim import load_results

ARGS = ["run", "stc-synapse", "--set", "protocol=late", "--set", "trials=200", "--set", "duration=4h",
        "--set", "stim_duration=40s", "--set", "sample=1s", "--quiet"]


def interruptible():
    """In the child before exec: SIGINT unblocked and at its default, whatever the test worker
    inherited (a worker with SIGINT blocked or ignored passes that on, and the run then
    ignores Ctrl-C: it ended normally under CI's two test workers although seconds were left)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "plastisim.cli", *args], capture_output=True, text=True, **kw)


def test_interrupted_run_resumes_to_the_same_numbers(tmp_path):
    whole = cli(*ARGS, "--out", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    out = tmp_path / "resumed"
    proc = subprocess.Popen([sys.executable, "-m", "plastisim.cli", *ARGS, "--out", str(out),
                             "--checkpoint-every", "0.05s"], stderr=subprocess.PIPE, text=True,
                            preexec_fn=interruptible)
    deadline = time.time() + 120
    while not (out / "checkpoint.h5").exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before the first checkpoint could be interrupted"
    proc.send_signal(signal.SIGINT)  # at once: the run has seconds left (first checkpoint ~1.5 s of ~4 s)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "checkpoints kept" in err and err.count("\n") == 1, err
    resumed = cli(*ARGS, "--out", str(out), "--checkpoint-every", "0.05s", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    a, b = load_results(tmp_path / "whole" / "results.h5")[0], load_results(out / "results.h5")[0]
    for key in ("h", "hz", "c", "p", "V", "t"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    for key, value in a["summary"].items():
        np.testing.assert_array_equal(value, b["summary"][key], err_msg=key)
    assert not list(out.glob("checkpoint*.h5"))


def test_checkpoint_options_need_a_protocol_model(tmp_path):
    result = cli("run", "stdp-curve", "--checkpoint-every", "1min", "--out", str(tmp_path))
    assert result.returncode == 2 and "runs without a protocol" in result.stderr
    assert os.listdir(tmp_path) == []
