"""Outputs: atomic results file, no silent mixing of runs in one folder, units of every
summary value, allowed ranges in --help."""
import h5py
import numpy as np
import pytest

import plastisim as ps
from plastisim import models
from plastisim.cli import main
from plastisim.models.base import make_params

# tiny settings of the models that run in seconds; stc-network has its own long tests
TINY = {
    "stdp-curve": {"n_lags": 5},
    "stdp-poisson": {"duration": "50ms"},
    "homeostasis": {"trials": 2, "period": "1.5s", "rates": "10,20", "settle": "0.5s"},
    "calcium-stdp-curve": {"trials": 5, "n_pairs": 2, "lag_max": "10ms"},
    "stc-synapse": {"trials": 3},
    "stc-protocols": {"trials": 1, "protocols": "WTET", "duration": "3700s"},
    "heterosynaptic-spines": {"duration": "5ms"},
    "rallpack3": {"n_compartments": 20, "duration": "5ms"},
    "stc-network-morpho": {"n_exc": 20, "n_inh": 5, "pattern_size": 5},  # text summary (cell_type)
    "l5-cell": {"duration": "0.3s", "discard": "0.1s", "bac_settle": "0.1s", "bac_window": "0.05s"},
    "l5-gain": {"duration": "0.3s", "discard": "0.1s", "I_step": "400pA"},
    "l5-network": {"n_e": 12, "n_pv": 6, "n_som": 6, "baseline": "0.1s", "stim_start": "0.2s",
                   "stim_duration": "0.1s", "realizations": 1},
    "l5-stdp": {"n_cells": 4, "n_syn": 5, "window": "0.1s", "pulse_start": "0.1s", "pulse_duration": "0.05s",
                "settle": "0.05s", "calibration_currents": "0,1nA,2nA,3nA"},
}


def test_every_model_documents_a_unit_for_each_summary_key():
    for name in models.MODELS:
        module = models.get(name)
        for key in module.SUMMARY_UNITS:
            assert f"``{key}``" in module.__doc__, f"{name}: summary key {key} is not in the docstring"


@pytest.mark.parametrize("name", list(TINY))
def test_summary_keys_written_have_units(name, tmp_path, capsys):
    module = models.get(name)
    result = module.run(make_params(module.Params, TINY[name]), seed=1)
    missing = set(result["summary"]) - set(module.SUMMARY_UNITS)
    assert not missing, f"{name}: summary keys without a unit in SUMMARY_UNITS: {missing}"
    ps.save_results(tmp_path / "r.h5", result["data"], result["summary"], units=module.SUMMARY_UNITS)
    _, attrs = ps.load_results(tmp_path / "r.h5")
    assert attrs["units"] == {key: module.SUMMARY_UNITS[key] for key in result["summary"]}


def test_printed_summary_shows_units(tmp_path, capsys):
    assert main(["run", "stdp-curve", "--quiet", "--out", str(tmp_path), "--set", "n_lags=3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[0] == "weight_change" and line.endswith(" S") for line in lines if line.strip())
    assert any(line.split()[0] == "lag" and line.endswith(" s") for line in lines if line.strip())
    with h5py.File(tmp_path / "results.h5") as f:
        assert f["summary/lag"].attrs["unit"] == "s"


def test_existing_results_are_not_overwritten_without_overwrite(tmp_path, capsys):
    args = ["run", "stdp-curve", "--quiet", "--out", str(tmp_path), "--set", "n_lags=3"]
    assert main(args) == 0
    before = (tmp_path / "results.h5").read_bytes()
    (tmp_path / "other_model.png").write_bytes(b"old figure")
    assert main(args) == 2
    assert "already holds results.h5; use --overwrite" in capsys.readouterr().err
    assert (tmp_path / "results.h5").read_bytes() == before
    assert main(args + ["--overwrite", "--seed", "3"]) == 0
    assert not (tmp_path / "other_model.png").exists()  # another run's figures are removed
    assert (tmp_path / "stdp_curve.png").exists()
    assert ps.load_results(tmp_path / "results.h5")[1]["seed"] == 3


def test_results_file_is_replaced_atomically(tmp_path):
    path = tmp_path / "results.h5"
    ps.save_results(path, {"x": np.arange(3)}, {"y": 1.0})
    with pytest.raises(TypeError):  # fails while writing: an object array cannot be stored
        ps.save_results(path, {"x": np.arange(4), "bad": np.array([object()])})
    data, _ = ps.load_results(path)
    assert np.array_equal(data["x"], np.arange(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.h5"]  # no temporary left


def test_model_help_shows_allowed_ranges(capsys):
    assert main(["run", "homeostasis", "--help"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if " = " in line}
    assert "[0, period)" in lines["settle"] and "(0, inf)" in lines["period"]
    assert "[1, inf)" in lines["trials"] and "[0, inf)" in lines["rates"]
