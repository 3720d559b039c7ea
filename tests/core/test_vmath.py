"""plastisim.core.vmath.exp (arithmetic, vectorisable) against the C library's exp."""
import math

import numpy as np
from numba import njit

from plastisim.core.vmath import exp

vexp = njit(error_model="numpy")(exp)


@njit
def _both(x, ours, ref):
    for k in range(x.shape[0]):
        ours[k] = vexp(x[k])
        ref[k] = math.exp(x[k])


def test_exp_within_one_ulp_of_the_c_library():
    """2e5 random arguments in each range, from underflow (subnormal results) to overflow."""
    rng = np.random.default_rng(7)
    for lo, hi in [(-1.0, 1.0), (-40.0, 40.0), (-708.0, 709.7), (-745.0, -708.0)]:
        x = rng.uniform(lo, hi, 200_000)
        ours, ref = np.empty_like(x), np.empty_like(x)
        _both(x, ours, ref)
        assert np.all(np.abs(ours - ref) <= np.spacing(ref)), (lo, hi)


def test_exp_special_values_and_python():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 709.79, -745.2, 1e-300, -800.0, 1e4])
    ours, ref = np.empty_like(x), np.empty_like(x)
    _both(x, ours, ref)
    np.testing.assert_array_equal(ours, ref)  # exact: 1, inf, 0, nan
    assert exp(1.0) == vexp(1.0) and abs(exp(1.0) - math.e) <= math.ulp(math.e)
