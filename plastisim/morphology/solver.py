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
    """Solve in place (``b`` becomes x) with the factorisation of :func:`factorise_tree`. Along
    a chain (parent = the previous node) the running value stays in a register instead of
    making a round trip through memory every node (same operations, same result)."""
    x = b[hi - 1]
    for i in range(hi - 1, lo, -1):
        p = parent[i]
        if p == i - 1:
            x = b[p] + f[i] * x
            b[p] = x
        else:
            b[p] += f[i] * x
            x = b[i - 1]
    b[lo] *= inv[lo]
    x = b[lo]
    for i in range(lo + 1, hi):
        p = parent[i]
        x = (b[i] + a[i] * (x if p == i - 1 else b[p])) * inv[i]
        b[i] = x


# ---- n identical cells, interleaved (node k of cell c at k * n + c) ------------------------------
# ``parent`` is the tree of one cell (local indices); ``a``, ``f`` and ``inv`` are per node of
# that one cell (the cells are identical: one factorisation serves all); ``b`` and ``d`` per
# global node, seen as rows of n cells (node k: row k). Each sweep applies one row kernel per
# node, over the cells: independent and contiguous. The row kernels are separate compiled
# functions (inline="never") on purpose: there the rows are distinct arguments, LLVM checks
# at run time that they do not overlap and vectorises the loop; inlined into the sweep, rows
# of one array are offsets of one pointer and the loop stayed scalar (10x slower, measured).
# Every cell gets the operations of the one-cell functions above in the same order, except that
# the substitution multiplies by 1 / diagonal (as :func:`solve_factorised`), so that a full solve
# and a factorised one of the same matrix agree to the last bit.


@njit(cache=True, inline="never")
def add_row(x, x_child, f):
    """x += f x_child (elimination of a factorised matrix)."""
    for c in range(x.shape[0]):
        x[c] += f * x_child[c]


@njit(cache=True, inline="never")
def substitute_row(x, x_parent, a, inv):
    """x = (x + a x_parent) inv (substitution of a factorised matrix)."""
    for c in range(x.shape[0]):
        x[c] = (x[c] + a * x_parent[c]) * inv


@njit(cache=True, inline="never")
def eliminate_row(d, b, d_parent, b_parent, a):
    """Elimination of one node of every cell into its parent (full solve)."""
    for c in range(d.shape[0]):
        d[c] += a
        fi = a / d[c]
        d_parent[c] += a - fi * a
        b_parent[c] += fi * b[c]


@njit(cache=True, inline="never")
def substitute_full_row(b, b_parent, d, a):
    """b = (b + a b_parent) / d, as a multiplication by 1 / d (full solve)."""
    for c in range(b.shape[0]):
        b[c] = (b[c] + a * b_parent[c]) * (1.0 / d[c])


@njit(cache=True)
def solve_factorised_cells(b, a, parent, n, f, inv):
    """:func:`solve_factorised` for the ``n`` interleaved cells (``b`` becomes x; the
    factorisation of the one-cell matrix by :func:`factorise_tree`)."""
    if n == 1:
        solve_factorised(b, a, parent, 0, parent.shape[0], f, inv)
        return
    rows = b.reshape(parent.shape[0], n)
    for k in range(parent.shape[0] - 1, 0, -1):
        add_row(rows[parent[k]], rows[k], f[k])
    for c in range(n):
        b[c] *= inv[0]
    for k in range(1, parent.shape[0]):
        substitute_row(rows[k], rows[parent[k]], a[k], inv[k])


@njit(cache=True)
def solve_cells(d, b, a, parent, n):
    """:func:`solve_tree` for the ``n`` interleaved cells (``d`` per global node, overwritten;
    ``b`` becomes x)."""
    if n == 1:
        solve_one_cell(d, b, a, parent, 1, 0)
        return
    m = parent.shape[0]
    d_rows, b_rows = d.reshape(m, n), b.reshape(m, n)
    for k in range(m - 1, 0, -1):
        eliminate_row(d_rows[k], b_rows[k], d_rows[parent[k]], b_rows[parent[k]], a[k])
    for c in range(n):
        b[c] *= 1.0 / d[c]
    for k in range(1, m):
        substitute_full_row(b_rows[k], b_rows[parent[k]], d_rows[k], a[k])


@njit(cache=True)
def solve_one_cell(d, b, a, parent, n, c):
    """:func:`solve_cells` for cell ``c`` alone (strided access). Along a chain of the tree
    the running diagonal and right-hand side stay in registers (as :func:`solve_factorised`)."""
    m = parent.shape[0]
    i = (m - 1) * n + c
    di, bi = d[i], b[i]  # node k, its children eliminated
    for k in range(m - 1, 0, -1):
        i, p = k * n + c, parent[k] * n + c
        ak = a[k]
        di += ak
        fi = ak / di
        d[i], b[i] = di, bi
        if parent[k] == k - 1:
            di = d[p] + (ak - fi * ak)
            bi = b[p] + fi * bi
        else:
            d[p] += ak - fi * ak
            b[p] += fi * bi
            di, bi = d[i - n], b[i - n]
    x = bi * (1.0 / di)
    d[c], b[c] = di, x
    for k in range(1, m):
        i = k * n + c
        x = (b[i] + a[k] * (x if parent[k] == k - 1 else b[parent[k] * n + c])) * (1.0 / d[i])
        b[i] = x
