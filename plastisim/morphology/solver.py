"""Implicit solve on a tree of nodes in O(nodes) (Hines elimination).

The system of one cell (nodes ``lo`` .. ``hi - 1`` in Hines order: every node after its
parent) is

    (d_i + sum over the couplings of i) x_i - sum_j a_ij x_j = b_i,

where node i is coupled to its parent with strength ``a[i]`` (and so to each child c with
``a[c]``): the form of a backward-Euler step of the cable equation and of diffusion on a
tree. Elimination runs from the last node to the first, substitution back; there is no fill-in.
A matrix that stays the same from step to step (passive cells, diffusion at a fixed dt) is
factorised once (:func:`factorise_tree`) and each step costs two sweeps (:func:`solve_factorised`).
"""
from numba import njit


@njit(cache=True)
def solve_tree(d, b, a, parent, lo, hi):
    """Solve the system above in place: ``d`` (diagonal without the couplings) is overwritten,
    ``b`` becomes the solution x."""
    for i in range(hi - 1, lo, -1):  # elimination: children before parents
        p = parent[i]
        ai = a[i]
        d[i] += ai
        f = ai / d[i]
        d[p] += ai - f * ai
        b[p] += f * b[i]
    b[lo] = b[lo] / d[lo]
    for i in range(lo + 1, hi):  # substitution: parents before children
        b[i] = (b[i] + a[i] * b[parent[i]]) / d[i]


@njit(cache=True)
def factorise_tree(d, a, parent, lo, hi, f, inv):
    """The elimination of :func:`solve_tree` for the matrix alone (``d`` is overwritten):
    ``f[i]`` = a[i] / eliminated diagonal of i, ``inv[i]`` = 1 / eliminated diagonal. A matrix
    that does not change between steps is factorised once; each step is then
    :func:`solve_factorised` (two sweeps of multiply-adds)."""
    for i in range(hi - 1, lo, -1):
        d[i] += a[i]
        f[i] = a[i] / d[i]
        d[parent[i]] += a[i] - f[i] * a[i]
    for i in range(lo, hi):
        inv[i] = 1.0 / d[i]


@njit(cache=True)
def solve_factorised(b, a, parent, lo, hi, f, inv):
    """Solve in place (``b`` becomes x) with the factorisation of :func:`factorise_tree`."""
    for i in range(hi - 1, lo, -1):
        b[parent[i]] += f[i] * b[i]
    b[lo] *= inv[lo]
    for i in range(lo + 1, hi):
        b[i] = (b[i] + a[i] * b[parent[i]]) * inv[i]
