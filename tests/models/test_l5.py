"""Models l5-gain and l5-cell against the reference tables of spec l5_gain.md §13.1-§13.3 and
the single-cell claims 1-5 of §14 (numbers from the models, fixed seeds)."""
import re

import numpy as np
import pytest

import plastisim as ps
from plastisim.models import l5_cell, l5_gain
from plastisim.models.base import make_params

pA, nS = 1e-12, 1e-9
I_TABLE = np.arange(600, 1601, 100) * pA
# §13.1 columns: (I_d, gamma, g_dend, g_soma) -> rates (Hz) at I_s = 600 ... 1600 pA
TABLE_13_1 = {
    (0.0, 1.0, 0.0, 0.0): [0.0, 5.3, 8.7, 11.3, 14.7, 17.3, 20.0, 24.0, 27.3, 30.0, 33.3],
    (800 * pA, 1.0, 0.0, 0.0): [0.0, 6.0, 10.7, 15.3, 22.0, 27.3, 32.0, 36.7, 42.7, 48.7, 54.7],
    (800 * pA, 1.0, 10 * nS, 0.0): [0.0, 5.3, 8.7, 11.3, 14.0, 17.3, 20.7, 24.0, 27.3, 29.3, 32.7],
    (800 * pA, 1.0, 20 * nS, 0.0): [0.0, 5.3, 8.7, 11.3, 14.7, 17.3, 20.0, 24.0, 27.3, 30.0, 32.7],
    (800 * pA, 1.0, 0.0, 2 * nS): [0.0, 4.0, 9.3, 13.3, 19.3, 24.7, 29.3, 34.7, 40.7, 46.7, 52.0],
    (800 * pA, 1.0, 0.0, 4 * nS): [0.0, 0.0, 8.0, 12.0, 16.7, 22.7, 28.0, 32.7, 38.7, 44.7, 49.3],
}
# §13.2: deterministic rows (gamma in {0, 1}) -> (gain Hz/pA, rheobase pA); fit over 0-1500 pA
# for the gamma/I_d grid, 600-1600 pA for the inhibition rows
TABLE_13_2 = {
    (0.0, 1.0, 0.0, 0.0): (0.031, 700),
    (400 * pA, 1.0, 0.0, 0.0): (0.038, 700),
    (600 * pA, 1.0, 0.0, 0.0): (0.050, 700),
    (800 * pA, 1.0, 0.0, 0.0): (0.0535, 700),  # "0.053-0.054"
    (1000 * pA, 1.0, 0.0, 0.0): (0.053, 700),
    (800 * pA, 0.0, 0.0, 0.0): (0.031, 700),
    (800 * pA, 1.0, 10 * nS, 0.0): (0.031, 700),
    (800 * pA, 1.0, 20 * nS, 0.0): (0.031, 700),
    (800 * pA, 1.0, 0.0, 2 * nS): (0.053, 700),
    (800 * pA, 1.0, 0.0, 4 * nS): (0.053, 800),
}
# gamma = 0.5 rows (random stream: "values approximate"): mean over REALIZATIONS cells per point
TABLE_13_2_HALF = {(600 * pA, 0.5, 0.0, 0.0): 0.042, (800 * pA, 0.5, 0.0, 0.0): 0.040,
                   (1000 * pA, 0.5, 0.0, 0.0): 0.041}
REALIZATIONS = 8


@pytest.fixture(scope="module")
def gain():
    """One l5-gain run: every condition of §13.1/§13.2 once, the gamma = 0.5 rows 8 times."""
    conditions = list(dict.fromkeys([*TABLE_13_1, *TABLE_13_2])) + list(TABLE_13_2_HALF) * REALIZATIONS
    columns = [",".join(repr(c[k]) for c in conditions) for k in range(4)]
    p = make_params(l5_gain.Params, dict(zip(("I_d", "gamma", "g_dend", "g_soma"), columns)))
    s = l5_gain.run(p, seed=1)["summary"]
    rows = {}
    for c, rate, bf, rheo in zip(conditions, s["rate"], s["burst_fraction"], s["rheobase"]):
        rows.setdefault(c, []).append((rate, bf, rheo))
    return s["I_s"], rows


def spec_gain(I, rate, key):
    """Gain (Hz/pA) with the fit range the spec used for this row."""
    low, high = (600 * pA, 1600 * pA) if key[2] or key[3] else (0.0, 1500 * pA)
    return l5_gain.fit_gain(I, rate, low, high) * pA


def test_table_13_1_rates(gain):
    I, rows = gain
    at = np.searchsorted(I, I_TABLE - 1e-15)
    for key, reference in TABLE_13_1.items():
        np.testing.assert_allclose(rows[key][0][0][at], reference, atol=1.0, err_msg=str(key))


def test_table_13_2_gain_and_rheobase(gain):
    I, rows = gain
    for key, (reference, rheobase) in TABLE_13_2.items():
        rate, _, rheo = rows[key][0]
        assert abs(spec_gain(I, rate, key) - reference) <= 0.002, key
        assert round(rheo / pA) == rheobase, key


def test_table_13_2_gamma_half(gain):
    # mean gain of 8 independent cells per current (s.d. of one realization ~0.0008 Hz/pA)
    I, rows = gain
    for key, reference in TABLE_13_2_HALF.items():
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
    rest = [-69.8, -67.1, -64.2, -61.3, -58.2, -54.7, -25.1, -20.8, -17.4]
    peak = [-42.1, -38.8, -35.3, -25.3, -19.7, -15.9, 2.5, 6.3, 9.5]
    plateau = [0, 0, 0, 26.3, 40.4, 57.4, 300, 300, 300]
    np.testing.assert_allclose(cell["bac_I_d"] / pA, np.arange(0, 801, 100))
    np.testing.assert_allclose(cell["bac_rest"] * 1e3, rest, atol=0.1)
    np.testing.assert_allclose(cell["bac_peak"] * 1e3, peak, atol=0.1)
    np.testing.assert_allclose(cell["bac_plateau"] * 1e3, plateau, atol=1.0)


def test_regular_and_burst_modes(cell):
    # §13.1 at I_s = 1200 pA: 20.0 Hz (I_d = 0), 32.0 Hz (I_d = 800 pA); all burst spikes vs none
    assert [m.decode() for m in cell["mode"]] == ["regular", "burst"]
    np.testing.assert_allclose(cell["rate"], [20.0, 32.0], atol=1.0)
    np.testing.assert_array_equal(cell["burst_fraction"], [0.0, 1.0])


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
