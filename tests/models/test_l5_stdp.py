"""Model l5-stdp (spec l5_gain.md §10 option A, §14 claims 6 and 7): STDP of identical Poisson
inputs onto L5 cells in burst vs regular mode, at matched and unmatched rates, and a brief
pulse of I_d and gamma during learning. Fixed seed; no reference numbers exist, so the tests
check the claims with stated statistical margins (standard errors over cells)."""
import re

import numpy as np
import pytest

import plastisim as ps
from plastisim.models import l5_stdp
from plastisim.models.base import make_params


@pytest.fixture(scope="module")
def result():
    # defaults: 6 groups x 40 cells x 40 synapses, T = 3.3 s, plus a calibration run of T
    p = make_params(l5_stdp.Params)
    return p, l5_stdp.run(p, seed=0)["summary"]


def test_claim6_bursting_accelerates_stdp(result):
    p, s = result
    assert [g.decode() for g in s["group"]] == ["burst", "regular", "regular matched"]
    burst, regular, matched = s["rate"]
    # the calibration matches the regular rate to the burst rate within 3 %; unmatched: the
    # burst group fires > 30 % faster at the same somatic current
    assert abs(matched - burst) < 0.03 * burst and burst > 1.3 * regular
    assert s["I_s"][2] > p.I_s and s["burst_fraction"][0] > 0.9 and s["burst_fraction"][1] < 0.05
    # |dw|/s larger in burst mode, at matched and unmatched rates: ratio > 1 by more than
    # 4 standard errors and by at least 15 % (seed 0: 1.33 +- 0.04 matched, 1.46 +- 0.04 unmatched)
    for ratio, se in zip(s["ratio"], s["ratio_se"]):
        assert ratio - 4 * se > 1.0 and ratio > 1.15
    assert s["ratio"][1] > s["ratio"][0]  # part of the speed-up is the higher rate


def test_claim7_gain_pulse(result):
    p, s = result
    np.testing.assert_allclose(s["windows"], [[0.5, 1.5], [1.5, 1.8], [2.3, 3.3]])
    (before, during, after), (c_before, c_during, c_after) = s["pulse_weight_change"]
    se_during = np.hypot(*s["pulse_weight_change_se"][:, 1])
    # pulse and control cells are identical before the pulse (same input, deterministic with gamma = 1)
    assert before == c_before and s["pulse_rate"][0, 0] == s["pulse_rate"][1, 0]
    # faster weight change during the pulse than in the control over the same window: by more
    # than 5 standard errors and 20 % (seed 0: 0.074 vs 0.054 /s)
    assert during - c_during > 5 * se_during and during > 1.2 * c_during
    # fast time scale: the gain rises during the pulse and is back after it, within 10 % of the
    # control in the same window and of its own value before the pulse (seed 0: 0.0299 vs 0.0301
    # and 0.0305 Hz/pA); the rate of weight change is back to the control's within 10 %
    gain = s["pulse_gain"]
    assert gain[0, 1] > 1.4 * gain[1, 1] and s["pulse_rate"][0, 1] > 1.3 * s["pulse_rate"][1, 1]
    assert abs(gain[0, 2] - gain[1, 2]) < 0.1 * gain[1, 2] and abs(gain[0, 2] - gain[0, 0]) < 0.1 * gain[0, 0]
    assert abs(after - c_after) < 0.1 * c_after
    # slow time scale: the extra weight change of the pulse is still there at the end (seed 0: 0.97)
    assert s["pulse_msd"][0, 0] > 1.5 * s["pulse_msd"][1, 0] and s["persistence"] > 0.5


def test_calibration_must_bracket_the_burst_rate():
    p = make_params(l5_stdp.Params, dict(n_cells="3", n_syn="5", window="0.1s", pulse_start="0.1s",
                                         settle="0s", calibration_currents="0,100pA"))
    with pytest.raises(ps.ParameterError, match=r"calibration_currents give regular rates .* which do not bracket "
                                                 r"the burst rate .* Hz; widen their range"):
        l5_stdp.run(p, seed=0)


def test_bad_parameters():
    with pytest.raises(ps.ParameterError, match=re.escape("pulse_start = 0.5 is outside the allowed range [window = 1.0, inf)")):
        make_params(l5_stdp.Params, dict(pulse_start="0.5s"))
    with pytest.raises(ps.ParameterError, match=re.escape("gamma_burst = 2.0 is outside the allowed range [0.0, 1.0]")):
        make_params(l5_stdp.Params, dict(gamma_burst="2"))
