"""Philox4x32-10 against the Random123 known-answer vectors; distribution moments."""
import numpy as np
import pytest

from numba import njit

from plastisim.core.rng import normal_pair, normal_triple, philox4x32, sample_array, uniform32x4

M = 0xFFFFFFFF


@pytest.mark.parametrize("counter_key, expected", [
    ((0, 0, 0, 0, 0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((M, M, M, M, M, M), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344, 0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
])
def test_philox_known_answers(counter_key, expected):
    assert tuple(int(x) for x in philox4x32(*counter_key)) == expected


def test_normal_moments_and_stream_independence():
    # 10^6 draws: standard error of the mean 1e-3, of the variance ~1.4e-3; tolerance 5 s.e.
    z = sample_array(7, 3, 1_000_000, 11, 0, True)
    assert abs(z.mean()) < 5e-3 and abs(z.var() - 1) < 7e-3
    other = sample_array(7, 4, 1_000_000, 11, 0, True)
    assert abs(np.corrcoef(z, other)[0, 1]) < 5e-3


def test_uniform_range_and_mean():
    u = sample_array(1, 0, 1_000_000, 0, 0, False)
    assert u.min() > 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 5 * (1 / np.sqrt(12e6))


def test_normal_pair_halves_are_independent_standard_normals():
    # 10^6 pairs: both halves N(0, 1), uncorrelated, also in their squares (Box-Muller halves
    # share the radius; independence means E[x^2 y^2] = 1); tolerance 5 s.e.
    pairs = np.array(_pairs(10**6))
    x, y = pairs[:, 0], pairs[:, 1]
    for z in (x, y):
        assert abs(z.mean()) < 5e-3 and abs(z.var() - 1) < 7e-3
    assert abs(np.mean(x * y)) < 5e-3
    assert abs(np.mean(x**2 * y**2) - 1) < 5 * np.sqrt(8 / 10**6)  # var(x^2 y^2) = 9 - 1
    assert np.array_equal(x, sample_array(2, 9, 10**6, 5, 1, True))  # normal() is the first half


@njit
def _pairs(n):
    return [normal_pair(2, 9, e, 5, 1) for e in range(n)]


def test_uniform32x4_words_and_mean():
    u = np.array(_quads(250_000)).ravel()  # 10^6 values
    assert u.min() > 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 5 * (1 / np.sqrt(12e6))
    words = philox4x32(5, 0, 17, 3, 2, 0)  # block 17 = elements 68..71, counter (step, draw, block, stream)
    np.testing.assert_array_equal(u[68:72], (np.array(words, dtype=float) + 0.5) / 2**32)


@njit
def _quads(n):
    return [uniform32x4(2, 3, b, 5, 0) for b in range(n)]


def test_normal_triple_values_are_independent_standard_normals():
    # 10^6 triples (ziggurat on 32-bit words, layers from a separate word): each of the three
    # N(0, 1) (mean, variance within 5 s.e.; Kolmogorov-Smirnov p > 1e-4 with this fixed
    # seed; the tail beyond r = 3.4426 as often as 2 (1 - Phi(r)) within 5 s.e.), all pairs
    # uncorrelated in values and in squares; a correct generator fails one of these ~1e-5 of
    # the time
    from scipy import stats
    n = 10**6
    q = np.array(_triples(n))
    tail = 2 * stats.norm.sf(3.442619855899)
    for c in range(3):
        z = q[:, c]
        assert abs(z.mean()) < 5 / np.sqrt(n) and abs(z.var() - 1) < 5 * np.sqrt(2 / n)
        assert stats.kstest(z, "norm").pvalue > 1e-4
        assert abs(np.mean(np.abs(z) > 3.442619855899) - tail) < 5 * np.sqrt(tail / n)
    for a, b in ((0, 1), (1, 2), (0, 2)):
        assert abs(np.mean(q[:, a] * q[:, b])) < 5 / np.sqrt(n)
        assert abs(np.mean(q[:, a] ** 2 * q[:, b] ** 2) - 1) < 5 * np.sqrt(8 / n)
    assert np.array_equal(q[:10], np.array(_triples(10)))  # a pure function of the counter


@njit
def _triples(n):
    return [normal_triple(4, 11, e, 3, 2) for e in range(n)]
