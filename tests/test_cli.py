"""Command line: list, run with overrides, results file readable, per-model help."""
import numpy as np

import plastisim as ps
from plastisim.cli import main


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("stdp-curve", "stdp-poisson", "homeostasis"):
        assert name in out


def test_run_writes_results_and_figure(tmp_path, capsys):
    assert main(["run", "stdp-curve", "--out", str(tmp_path), "--seed", "4", "--quiet",
                 "--set", "n_lags=11", "--set", "tau_pre=10ms"]) == 0
    data, attrs = ps.load_results(tmp_path / "results.h5")
    assert attrs["seed"] == 4 and attrs["model"] == "stdp-curve"
    assert attrs["params"]["tau_pre"] == 0.01 and attrs["params"]["n_lags"] == 11
    assert attrs["plastisim_version"] == ps.__version__ and attrs["run_time"] > 0
    s = data["summary"]
    assert s["lag"].shape == (11,) and s["weight_change"].shape == (11,)
    # potentiation for pre-before-post, decaying with tau_pre = 10 ms
    assert s["weight_change"][0] > 0 and s["weight_change"][-1] < 0
    assert np.isclose(s["weight_change"][0], 0.01e-6 * np.exp(-s["lag"][0] / 0.01), rtol=1e-9)
    assert (tmp_path / "stdp_curve.png").stat().st_size > 1000
    assert "results.h5" in capsys.readouterr().out


def test_model_help_lists_parameters_with_units(capsys):
    assert main(["run", "homeostasis", "--help"]) == 0
    out = capsys.readouterr().out
    assert "dw_plus" in out and "3.5e-10" in out and " A " in out
