"""Connectivity rules: each returns presynaptic and postsynaptic index arrays."""
import numpy as np

from .errors import ParameterError
from .params import check


class FixedProbability:
    """Each (pre, post) pair is connected independently with probability ``p``."""

    def __init__(self, p, autapses=True):
        self.p = check("p", p, 0.0, 1.0)
        self.autapses = autapses

    def __call__(self, n_pre, n_post, rng):
        # blocks of presynaptic rows bound the memory (the random stream is the same as one
        # (n_pre, n_post) draw)
        rows = max(1, 2**24 // n_post)
        pre, post = [], []
        for first in range(0, n_pre, rows):
            i, j = np.nonzero(rng.random((min(rows, n_pre - first), n_post)) < self.p)
            i += first
            keep = (i != j) | self.autapses
            pre.append(i[keep])
            post.append(j[keep])
        return np.concatenate(pre), np.concatenate(post)


def build(rule, n_pre, n_post, rng):
    """Index arrays (pre, post) for ``rule``: 'all_to_all', 'one_to_one', a callable or a pair."""
    if isinstance(rule, str):
        if rule == "all_to_all":
            pre, post = np.divmod(np.arange(n_pre * n_post), n_post)
        elif rule == "one_to_one":
            if n_pre != n_post:
                raise ParameterError(f"one_to_one needs equal sizes, got {n_pre} and {n_post}")
            pre = post = np.arange(n_pre)
        else:
            raise ParameterError(f"connectivity {rule!r} is unknown; use 'all_to_all', "
                                 "'one_to_one', FixedProbability(p) or (pre, post) index arrays")
    elif callable(rule):
        pre, post = rule(n_pre, n_post, rng)
    else:
        pre, post = (np.asarray(a).reshape(-1) for a in rule)
        if len(pre) != len(post):
            raise ParameterError("explicit connection lists must have equal length")
        for name, idx in (("presynaptic", pre), ("postsynaptic", post)):
            if idx.size and idx.dtype.kind not in "iu":
                raise ParameterError(f"{name} indices must be integers, got {idx.dtype} values "
                                     f"such as {idx[0]}")
    pre, post = np.asarray(pre, dtype=np.int64), np.asarray(post, dtype=np.int64)
    if pre.size and (pre.min() < 0 or pre.max() >= n_pre):
        raise ParameterError(f"presynaptic indices must lie in [0, {n_pre - 1}]")
    if post.size and (post.min() < 0 or post.max() >= n_post):
        raise ParameterError(f"postsynaptic indices must lie in [0, {n_post - 1}]")
    return pre, post
