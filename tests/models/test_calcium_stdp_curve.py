"""DP curve of the Graupner-Brunel rule against the reference points (spec 3.5, test T7)."""
import numpy as np
import pytest

from plastisim.models import calcium_stdp_curve as model
from plastisim.models.base import make_params


def test_readout_formula_reduces_for_beta_half_b_five():
    # spec T8: Delta_s = 1 + (2/3)(P_UA - P_DA) for beta = 0.5, b = 5
    P_UA, P_DA = np.meshgrid(np.linspace(0, 1, 7), np.linspace(0, 1, 7))
    np.testing.assert_allclose(model.synaptic_change(P_UA, P_DA, 0.5, 5.0), 1 + 2 / 3 * (P_UA - P_DA))


@pytest.fixture(scope="module")
def curve():
    # full ensemble of the paper: 2000 + 2000 synapses per lag, 60 pairs at 1 Hz, 5-ms grid
    return model.run(make_params(model.Params), seed=11)["summary"]


def test_reference_points_within_tolerance(curve):
    # spec 3.5: |Delta_s - reference| <= 0.04 (~3.5 standard errors) at the five points
    for lag, reference in model.REFERENCE.items():
        m = np.argmin(np.abs(curve["lag"] - lag))
        assert abs(curve["synaptic_change"][m] - reference) <= 0.04, (lag, curve["synaptic_change"][m])


def test_sign_pattern_and_extrema(curve):
    lag, ds = curve["lag"], curve["synaptic_change"]
    assert -30e-3 - 1e-9 <= lag[np.argmin(ds)] <= -20e-3 + 1e-9
    assert -1e-9 <= lag[np.argmax(ds)] <= 10e-3 + 1e-9
    assert np.all(ds[(lag >= -40e-3) & (lag <= -10e-3)] < 0.9)   # depression at short negative lags
    assert np.all(ds[(lag >= 5e-3) & (lag <= 20e-3)] > 1.1)      # potentiation at small positive lags
    assert np.all(np.abs(ds[np.abs(lag) >= 90e-3] - 1) < 0.05)   # no change at long |lag|
    lo, hi = curve["synaptic_change_ci"].T
    assert np.all((lo <= ds) & (ds <= hi)) and np.all(hi - lo < 0.06)
