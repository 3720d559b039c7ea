"""Elementary functions written with arithmetic only, so that LLVM can vectorise the loops
that call them (numba's ``math.exp`` is a call into the C library, one element at a time).

``exp(x)``: x = k ln 2 + r with k = round(x / ln 2) and |r| <= ln(2) / 2 (ln 2 split into a
high part, exact times any k here, and a low part: Cody & Waite 1980); exp(r) by its Taylor
series to r^13 (truncation error < 1e-17 relative); times 2^k built from the exponent bits, in
two factors so that results down to the subnormals and up to overflow come out right. Error
at most 1 ulp against the C library's exp over the whole range (``tests/core/test_vmath.py``);
exp(-inf) = 0, exp(inf) = inf, exp(nan) = nan. Usable from Python as well (returns a numpy
float64).
"""
import math

import numpy as np

LOG2E = 1.4426950408889634
LN2_HI = 6.93147180369123816490e-01  # 32 significant bits: k * LN2_HI is exact for |k| < 2^21
LN2_LO = 1.90821492927058770002e-10  # ln 2 - LN2_HI


def exp(x):
    """e^x (see the module docstring)."""
    xc = min(max(x, -760.0), 720.0)  # beyond: 0 or inf all the same; keeps the exponent bits in range
    k = math.floor(xc * LOG2E + 0.5)
    r = (xc - k * LN2_HI) - k * LN2_LO
    p = 1.0 + r * (1.0 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (
        1 / 5040 + r * (1 / 40320 + r * (1 / 362880 + r * (1 / 3628800 + r * (1 / 39916800 + r * (
            1 / 479001600 + r * (1 / 6227020800)))))))))))))
    k1 = k >> 1
    y = p * np.int64((k1 + 1023) << 52).view(np.float64) * np.int64((k - k1 + 1023) << 52).view(np.float64)
    return y if x == x else x
