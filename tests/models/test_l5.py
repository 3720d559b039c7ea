"""Models l5-gain and l5-cell against the reference tables of spec l5_gain.md §13.1-§13.3 and
the single-cell claims 1-5 of §14 (numbers from the models, fixed seeds)."""
import re

import numpy as np
import pytest

import plastisim as ps
from plastisim import models
from plastisim.cli import main
from plastisim.models import l5_cell, l5_gain
from plastisim.models.base import make_params

from plastisim.models.l5_gain import (REFERENCE_CURRENTS, REFERENCE_GAINS, REFERENCE_GAINS_HALF, REFERENCE_RATES,
                                      nS, pA, reference_fit_range)

REALIZATIONS = 8


@pytest.fixture(scope="module")
def gain():
    """One l5-gain run: every condition of §13.1/§13.2 once, the gamma = 0.5 rows 8 times."""
    return l5_gain.reference_run(REALIZATIONS, seed=1)


def spec_gain(I, rate, key):
    """Gain (Hz/pA) with the fit range the spec used for this row."""
    return l5_gain.fit_gain(I, rate, *reference_fit_range(key)) * pA


def test_table_13_1_rates(gain):
    I, rows = gain
    at = np.searchsorted(I, REFERENCE_CURRENTS - 1e-15)
    for key, reference in REFERENCE_RATES.items():
        np.testing.assert_allclose(rows[key][0][0][at], reference, atol=1.0, err_msg=str(key))


def test_table_13_2_gain_and_rheobase(gain):
    I, rows = gain
    for key, (reference, rheobase) in REFERENCE_GAINS.items():
        rate, _, rheo = rows[key][0]
        assert abs(spec_gain(I, rate, key) - reference) <= 0.002, key
        assert round(rheo / pA) == rheobase, key


def test_table_13_2_gamma_half(gain):
    # mean gain of 8 independent cells per current (s.d. of one realization ~0.0008 Hz/pA)
    I, rows = gain
    for key, reference in REFERENCE_GAINS_HALF.items():
        gains = [spec_gain(I, rate, key) for rate, _, _ in rows[key]]
        assert len(gains) == REALIZATIONS
        assert abs(np.mean(gains) - reference) <= 0.002, (key, np.mean(gains))


def burst_fraction_at_1200(I, rows, key):
    return np.nanmean([bf[np.argmin(np.abs(I - 1200 * pA))] for _, bf, _ in rows[key]])


def test_claims_1_to_3_drive_and_coupling_raise_gain_through_bursts(gain):
    I, rows = gain
    g = lambda key: np.mean([spec_gain(I, rate, key) for rate, _, _ in rows[key]])
    # claim 1: gain rises monotonically with dendritic drive (gamma = 1), 0.031 -> ~0.053 Hz/pA
    drive = [g((I_d * pA, 1.0, 0.0, 0.0)) for I_d in (0, 400, 600, 800)]
    assert np.all(np.diff(drive) > 0.003) and abs(drive[0] - 0.031) <= 0.002 and abs(drive[-1] - 0.053) <= 0.002
    # claim 2: gain rises with coupling at I_d = 800 pA: 0.031 -> ~0.040 -> ~0.053 Hz/pA
    coupling = [g((800 * pA, gamma, 0.0, 0.0)) for gamma in (0.0, 0.5, 1.0)]
    assert np.all(np.diff(coupling) > 0.005)
    # claim 3: the gain increase goes with burst-reset spikes: none without drive or coupling,
    # about half at gamma = 0.5, all at I_d = 800 pA, gamma = 1 (I_s = 1200 pA)
    assert burst_fraction_at_1200(I, rows, (0.0, 1.0, 0.0, 0.0)) == 0.0
    assert burst_fraction_at_1200(I, rows, (800 * pA, 0.0, 0.0, 0.0)) == 0.0
    assert 0.35 <= burst_fraction_at_1200(I, rows, (800 * pA, 0.5, 0.0, 0.0)) <= 0.65
    assert burst_fraction_at_1200(I, rows, (800 * pA, 1.0, 0.0, 0.0)) == 1.0


def test_claims_4_5_dendritic_inhibition_removes_gain_somatic_shifts_threshold(gain):
    I, rows = gain
    base = spec_gain(I, rows[(0.0, 1.0, 0.0, 0.0)][0][0], (0.0, 1.0, 0.0, 0.0))
    driven = (800 * pA, 1.0, 0.0, 0.0)
    for g_d in (10 * nS, 20 * nS):  # claim 4: gain back to the no-drive value, no bursts
        key = (800 * pA, 1.0, g_d, 0.0)
        assert abs(spec_gain(I, rows[key][0][0], key) - base) <= 0.002
        assert burst_fraction_at_1200(I, rows, key) == 0.0
    # claim 5: somatic inhibition raises the rheobase (700 -> 800 pA at 4 nS), gain stays high
    key = (800 * pA, 1.0, 0.0, 4 * nS)
    assert rows[key][0][2] > rows[driven][0][2]
    assert abs(spec_gain(I, rows[key][0][0], key) - spec_gain(I, rows[driven][0][0], driven)) <= 0.002
    assert burst_fraction_at_1200(I, rows, key) == 1.0


def test_deterministic_coupling_equals_bernoulli_at_gamma_one():
    # gamma = 1: a draw rand() < 1 always passes, so both coupling schemes give the same cell
    p = dict(I_d="800pA", gamma="1", g_dend="0", g_soma="0", duration="1s", I_min="600pA")
    a = l5_gain.run(make_params(l5_gain.Params, p), seed=2)["summary"]
    b = l5_gain.run(make_params(l5_gain.Params, dict(p, deterministic="true")), seed=2)["summary"]
    np.testing.assert_array_equal(a["rate"], b["rate"])
    assert a["rate"].max() > 20


@pytest.fixture(scope="module")
def cell():
    return l5_cell.run(make_params(l5_cell.Params), seed=0)["summary"]


def test_table_13_3_bac(cell):
    rest, peak, plateau = np.array(list(l5_cell.REFERENCE_BAC.values())).T
    np.testing.assert_allclose(cell["bac_I_d"] / pA, list(l5_cell.REFERENCE_BAC))
    np.testing.assert_allclose(cell["bac_rest"] * 1e3, rest, atol=0.1)
    np.testing.assert_allclose(cell["bac_peak"] * 1e3, peak, atol=0.1)
    np.testing.assert_allclose(cell["bac_plateau"] * 1e3, plateau, atol=1.0)


def test_regular_and_burst_modes(cell):
    # §13.1 at I_s = 1200 pA: 20.0 Hz (I_d = 0), 32.0 Hz (I_d = 800 pA); all burst spikes vs none
    assert [m.decode() for m in cell["mode"]] == ["regular", "burst"]
    np.testing.assert_allclose(cell["rate"], [20.0, 32.0], atol=1.0)
    np.testing.assert_array_equal(cell["burst_fraction"], [0.0, 1.0])


@pytest.mark.parametrize("name, sets", [
    ("l5-gain", ["duration=0.3s", "discard=0.1s", "I_step=400pA"]),
    ("l5-cell", ["duration=0.3s", "discard=0.1s", "bac_settle=0.1s", "bac_window=0.05s"]),
])
def test_cli_run_writes_summary_and_figure(name, sets, tmp_path, capsys):
    args = ["run", name, "--quiet", "--out", str(tmp_path)] + [x for s in sets for x in ("--set", s)]
    assert main(args) == 0
    data, attrs = ps.load_results(tmp_path / "results.h5")
    assert set(data["summary"]) == set(models.get(name).SUMMARY_UNITS)
    assert attrs["units"]["rate"] == "Hz"
    assert (tmp_path / f"{name.replace('-', '_')}.png").stat().st_size > 10_000


@pytest.mark.parametrize("module, overrides, message", [
    (l5_gain, dict(gamma="0.5,1"), "gamma has 2 values; it needs one per condition, as I_d (13)"),
    (l5_gain, dict(gamma="1.5"), "gamma = 1.5 is outside the allowed range [0.0, 1.0]"),
    (l5_gain, dict(dt="1ms"), "dt = 0.001 is outside the allowed range (0.0, 0.0001]"),
    (l5_gain, dict(I_max="100pA", I_min="200pA"), "I_max = 1e-10 is outside the allowed range [I_min = 2e-10, inf)"),
    (l5_cell, dict(discard="3s"), "discard = 3.0 is outside the allowed range [dt = 0.0001, duration = 2.0)"),
])
def test_bad_parameters(module, overrides, message):
    with pytest.raises(ps.ParameterError, match=re.escape(message)):
        make_params(module.Params, overrides)
