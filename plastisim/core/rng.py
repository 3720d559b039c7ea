"""Counter-based random numbers (Philox4x32-10, Salmon et al. 2011).

Every random draw is a pure function of ``(seed, stream, element, step, draw)``:
no generator state is carried between steps, so results do not depend on the
chunk size, on the number of threads, or on checkpoint/resume.

* ``seed``    -- the run's seed (64 bit, the Philox key)
* ``stream``  -- one id per noise source (a population, a projection, ...)
* ``element`` -- neuron or synapse index inside that source
* ``step``    -- time-step index (64 bit: the low word is a counter word, the high word is
  mixed into the key, so the numbers never wrap; a seed s and step n give the same key as
  seed s ^ (n >> 32 << 32) at step n mod 2**32 -- two runs whose seeds differ only in the high
  word and which both pass 2**32 steps share numbers there)
* ``draw``    -- index of the draw within one element and step (< 2**32)
"""
import math

import numpy as np
from numba import njit

_MASK = np.uint64(0xFFFFFFFF)
_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = np.uint64(0x9E3779B9)
_W1 = np.uint64(0xBB67AE85)
_SHIFT = np.uint64(32)


@njit(cache=True, inline="always")
def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 block: four 32-bit counter words and two key words in, four words out."""
    c0 = np.uint64(c0) & _MASK
    c1 = np.uint64(c1) & _MASK
    c2 = np.uint64(c2) & _MASK
    c3 = np.uint64(c3) & _MASK
    k0 = np.uint64(k0) & _MASK
    k1 = np.uint64(k1) & _MASK
    for _ in range(10):
        p0 = _M0 * c0
        p1 = _M1 * c2
        hi0 = p0 >> _SHIFT
        lo0 = p0 & _MASK
        hi1 = p1 >> _SHIFT
        lo1 = p1 & _MASK
        c0 = hi1 ^ c1 ^ k0
        c1 = lo1
        c2 = hi0 ^ c3 ^ k1
        c3 = lo0
        k0 = (k0 + _W0) & _MASK
        k1 = (k1 + _W1) & _MASK
    return c0, c1, c2, c3


@njit(cache=True, inline="always")
def _block(seed, stream, element, step, draw):
    """Philox block of one counter (step, draw, element, stream) under key (seed, step high word)."""
    step = np.uint64(step)
    seed = np.uint64(seed)
    return philox4x32(step & _MASK, draw, element, stream, seed & _MASK, (seed >> _SHIFT) ^ (step >> _SHIFT))


@njit(cache=True, inline="always")
def _to_unit(a, b):
    """Two 32-bit words -> double in the open interval (0, 1) with 53 random bits."""
    return ((a >> np.uint64(5)) * 67108864.0 + (b >> np.uint64(6)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def uniform(seed, stream, element, step, draw):
    """Uniform double in (0, 1) for the counter (step, draw, element, stream) under key seed."""
    x0, x1, _, _ = _block(seed, stream, element, step, draw)
    return _to_unit(x0, x1)


@njit(cache=True, inline="always")
def uniform32x4(seed, stream, block, step, draw):
    """Four uniforms in (0, 1) with 32 random bits each, for elements 4 block ... 4 block + 3
    (word e % 4 of the Philox block with counter e // 4): a 4x cheaper stream for Bernoulli
    draws of populations."""
    x = _block(seed, stream, block, step, draw)
    scale = 1.0 / 4294967296.0
    return (x[0] + 0.5) * scale, (x[1] + 0.5) * scale, (x[2] + 0.5) * scale, (x[3] + 0.5) * scale


@njit(cache=True, inline="always")
def normal_pair(seed, stream, element, step, draw):
    """Two independent standard normals (Box-Muller: r cos a, r sin a) from one Philox block."""
    x0, x1, x2, x3 = _block(seed, stream, element, step, draw)
    r = math.sqrt(-2.0 * math.log(_to_unit(x0, x1)))
    a = 2.0 * math.pi * _to_unit(x2, x3)
    return r * math.cos(a), r * math.sin(a)


@njit(cache=True, inline="always")
def normal(seed, stream, element, step, draw):
    """Standard normal N(0, 1): the first of :func:`normal_pair`."""
    return normal_pair(seed, stream, element, step, draw)[0]


def _ziggurat_tables(layers=128, r=3.442619855899, area=9.91256303526217e-3):
    """Layer tables of the ziggurat for N(0, 1) (Marsaglia & Tsang 2000): ``k`` acceptance
    bounds (scaled to 2**31), ``w`` widths (per unit of a 32-bit integer), ``f`` densities."""
    k, w, f = np.zeros(layers), np.zeros(layers), np.zeros(layers)
    m = 2.0 ** 31
    x = tail = r
    q = area / math.exp(-0.5 * r * r)
    k[0], k[1] = x / q * m, 0.0
    w[0], w[-1] = q / m, x / m
    f[0], f[-1] = 1.0, math.exp(-0.5 * x * x)
    for i in range(layers - 2, 0, -1):
        x = math.sqrt(-2.0 * math.log(area / x + math.exp(-0.5 * x * x)))
        k[i + 1] = x / tail * m
        tail = x
        f[i] = math.exp(-0.5 * x * x)
        w[i] = x / m
    return k, w, f


_ZK, _ZW, _ZF = _ziggurat_tables()
_ZR = 3.442619855899


@njit(cache=True, inline="always")
def _zig(word, layer, seed, stream, element, step, draw):
    """Standard normal from a 32-bit ``word`` (sign and magnitude) and a 7-bit ``layer``; the
    rare wedge and tail cases draw further uniforms from blocks draw + 2**20 (1, 2, ...)."""
    hz = np.int64(word) - 2147483648  # signed 32-bit
    x = hz * _ZW[layer]
    if abs(hz) < _ZK[layer]:
        return x
    extra = 1
    while True:
        u0, u1, u2, u3 = _block(seed, stream, element, step, draw + (extra << 20))
        extra += 1
        if layer == 0:  # tail beyond r (Marsaglia's exponential method, repeated until accepted)
            a = -math.log((u0 + 0.5) / 4294967296.0) / _ZR
            b = -math.log((u1 + 0.5) / 4294967296.0)
            if b + b >= a * a:
                return _ZR + a if hz > 0 else -_ZR - a
            continue
        if _ZF[layer] + (u0 + 0.5) / 4294967296.0 * (_ZF[layer - 1] - _ZF[layer]) < math.exp(-0.5 * x * x):
            return x  # inside the wedge under the density
        hz = np.int64(u2) - 2147483648
        layer = u3 & 127
        x = hz * _ZW[layer]
        if abs(hz) < _ZK[layer]:
            return x


@njit(cache=True, inline="always")
def normal_triple(seed, stream, element, step, draw):
    """Three independent standard normals from one Philox block (ziggurat: words 0-2 give
    sign and magnitude, word 3 the three 7-bit layer indices, so layer and magnitude never
    share bits, as Doornik 2005 advises); about 3x cheaper than Box-Muller on 53-bit uniforms."""
    w0, w1, w2, w3 = _block(seed, stream, element, step, draw)
    return (_zig(w0, w3 & 127, seed, stream, element, step, draw),
            _zig(w1, (w3 >> 7) & 127, seed, stream, element, step, draw + 1),
            _zig(w2, (w3 >> 14) & 127, seed, stream, element, step, draw + 2))


@njit(cache=True, inline="always")
def normal_shared(seed, stream, element, step, draw, cache):
    """N(0, 1) for ``element``, where elements 3m, 3m + 1, 3m + 2 get the three values of
    ``normal_triple(..., m, ...)``; ``cache`` (4 floats: m, three values) keeps the last triple
    and must be reset to m = -1 at every step (neuron models: one cache per ``randn()`` site)."""
    m = element // 3
    if cache[0] != m:
        cache[1], cache[2], cache[3] = normal_triple(seed, stream, m, step, draw)
        cache[0] = m
    return cache[1 + element - 3 * m]


@njit(cache=True)
def sample_array(seed, stream, n, step, draw, gaussian):
    """Draws for elements 0..n-1: N(0, 1) if ``gaussian`` else U(0, 1) (set-up and tests)."""
    out = np.empty(n)
    for i in range(n):
        out[i] = normal(seed, stream, i, step, draw) if gaussian else uniform(seed, stream, i, step, draw)
    return out
