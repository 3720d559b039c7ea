"""Where the time of plastisim's cable step goes, and what two other ways of doing the same solve
would cost (helper of ``benchmarks/morphology.py``; nothing here is used by plastisim).

For the workloads of ``morphology.py`` (10 Rallpack-2 trees, 100 ball-and-stick cells,
Rallpack 1) it times, in ns per node and step (fastest of 5 runs of 400 steps, dt = 25 us):

* ``cable_step``: plastisim's kernel (``plastisim.neurons.cable.cable_step``) called in a loop;
* ``solve_tree only``: the Hines elimination + substitution of every cell (``solve_tree``);
* ``fill + update``: the rest of the step (diagonal and right-hand side, V update);
* ``factorised once``: a sketch, not in plastisim: for a passive cell at fixed dt the matrix is
  the same every step, so the elimination factors and 1/diagonal can be computed once and a
  step is two sweeps of multiply-adds on the right-hand side (no division on the dependency
  chain);
* ``+ cells interleaved``: the same with the nodes of identical cells stored node-major
  (``[node, cell]``), so the inner loop runs over cells, which are independent (vectorised).

The sketches are checked to give the same voltages as each other (to the last bit) and as
``cable_step`` (to rounding). Usage: python benchmarks/morphology_profile.py
"""
import os
import sys
import time

os.environ["NUMBA_NUM_THREADS"] = "1"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

import plastisim as ps  # noqa: E402
from plastisim.morphology.solver import solve_tree  # noqa: E402
from plastisim.neurons.cable import cable_step  # noqa: E402

import morphology as bench  # noqa: E402

DT, STEPS = 25e-6, 400


@njit
def run_cable_step(steps, dt, V, I_inj, cap, g_m, gE, a_ax, parent, cell_start, site_in, site_node, detect, v_det,
                   d, b, spikes):
    for _ in range(steps):
        cable_step(dt, 1.0, 1.0, V, I_inj, cap, g_m, gE, a_ax, parent, cell_start, site_in, site_node, detect, 0.0,
                   v_det, d, b, spikes)


@njit
def run_solve_only(steps, d0, b0, a_ax, parent, cell_start, d, b):
    for _ in range(steps):
        d[:] = d0
        b[:] = b0
        for c in range(cell_start.shape[0] - 1):
            solve_tree(d, b, a_ax, parent, cell_start[c], cell_start[c + 1])


@njit
def run_fill_only(steps, dt, V, I_inj, cap, g_m, gE, d, b):
    for _ in range(steps):
        for i in range(V.shape[0]):
            ch = cap[i] / dt
            d[i] = ch + g_m[i]
            b[i] = ch * V[i] + gE[i] + I_inj[i]
        for i in range(V.shape[0]):
            V[i] += (b[i] - V[i]) / 1.0


@njit
def factorise(d, a, parent, lo, hi, f):
    """Elimination on the matrix alone: factors f, and d becomes 1 / pivot."""
    for i in range(hi - 1, lo, -1):
        p = parent[i]
        d[i] += a[i]
        f[i] = a[i] / d[i]
        d[p] += a[i] - f[i] * a[i]
    for i in range(lo, hi):
        d[i] = 1.0 / d[i]


@njit
def run_factorised(steps, ch, V, rhs0, f, inv_d, a, parent, cell_start, b):
    for _ in range(steps):
        for i in range(V.shape[0]):
            b[i] = ch[i] * V[i] + rhs0[i]
        for c in range(cell_start.shape[0] - 1):
            lo, hi = cell_start[c], cell_start[c + 1]
            for i in range(hi - 1, lo, -1):
                b[parent[i]] += f[i] * b[i]
            b[lo] *= inv_d[lo]
            for i in range(lo + 1, hi):
                b[i] = (b[i] + a[i] * b[parent[i]]) * inv_d[i]
        V[:] = b


@njit
def run_interleaved(steps, ch, V, rhs0, f, inv_d, a, parent, b):
    """V, rhs0, b: (nodes of one cell, cells); the other arrays per node of one cell."""
    n, n_cells = V.shape
    for _ in range(steps):
        for i in range(n):
            for c in range(n_cells):
                b[i, c] = ch[i] * V[i, c] + rhs0[i, c]
        for i in range(n - 1, 0, -1):
            p, fi = parent[i], f[i]
            for c in range(n_cells):
                b[p, c] += fi * b[i, c]
        for c in range(n_cells):
            b[0, c] *= inv_d[0]
        for i in range(1, n):
            p, ai, inv = parent[i], a[i], inv_d[i]
            for c in range(n_cells):
                b[i, c] = (b[i, c] + ai * b[p, c]) * inv
        V[:, :] = b


def best_of(fn, repeat=5):
    fn()  # compile
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print("| workload | nodes | cable_step | solve_tree only | fill + update | factorised once | + cells interleaved |")
    print("|---|---|---|---|---|---|---|")
    for workload, n in (("trees", 10), ("ball-and-stick", 100), ("rallpack1", 1)):
        morph, counts, inj, _ = bench.geometry(workload)
        cells = ps.CableCells(morph, n, Cm=bench.CM, Rm=bench.RM, Ra=bench.RA, E_m=bench.EM, n_per_branch=counts)
        cells.inject(inj, bench.I0)
        N, m = cells.n_nodes, cells.n_nodes // n
        V0, I_inj = cells.state["V"].copy(), cells.state["I_inj"]
        d, b = np.zeros(N), np.zeros(N)
        per = lambda seconds: f"{seconds / STEPS / N * 1e9:.2f}"
        V = V0.copy()
        step_args = (V, I_inj, cells.cap, cells.g_m, cells.gE, cells.a_ax, cells.parent, cells.cell_start,
                     cells._site_in, cells.site_node, cells.detect, np.zeros(n), d, b, np.zeros(n, np.int64))
        t_step = best_of(lambda: run_cable_step(STEPS, DT, *step_args))
        ch = cells.cap / DT
        t_solve = best_of(lambda: run_solve_only(STEPS, ch + cells.g_m, V0.copy(), cells.a_ax, cells.parent,
                                                 cells.cell_start, d, b))
        t_fill = best_of(lambda: run_fill_only(STEPS, DT, V0.copy(), I_inj, cells.cap, cells.g_m, cells.gE, d, b))
        inv_d, f = ch + cells.g_m, np.zeros(N)
        for c in range(n):
            factorise(inv_d, cells.a_ax, cells.parent, cells.cell_start[c], cells.cell_start[c + 1], f)
        rhs0 = cells.gE + I_inj
        Vf = V0.copy()
        t_fact = best_of(lambda: run_factorised(STEPS, ch, Vf, rhs0, f, inv_d, cells.a_ax, cells.parent,
                                                cells.cell_start, b))
        # check: same number of steps from rest in plastisim's kernel and in the sketches
        Vp, Vq = V0.copy(), V0.copy()
        run_cable_step(50, DT, Vp, *step_args[1:])
        run_factorised(50, ch, Vq, rhs0, f, inv_d, cells.a_ax, cells.parent, cells.cell_start, b)
        assert np.max(np.abs(Vp - Vq)) < 1e-12, np.max(np.abs(Vp - Vq))
        t_inter = "—"
        if n > 1:
            node_major = lambda x: np.ascontiguousarray(x.reshape(n, m).T)
            Vi, bi, r0 = node_major(V0), np.zeros((m, n)), node_major(rhs0)
            args = (ch[:m], f[:m], inv_d[:m], cells.a_ax[:m], cells.parent[:m], bi)
            run = lambda V, steps: run_interleaved(steps, args[0], V, r0, *args[1:])
            t_inter = per(best_of(lambda: run(Vi, STEPS)))
            Vi = node_major(V0)
            run(Vi, 50)
            assert np.array_equal(Vi.T.reshape(-1), Vq)
        print(f"| {workload} x{n} | {N} | {per(t_step)} | {per(t_solve)} | {per(t_fill)} | {per(t_fact)} | {t_inter} |",
              flush=True)
    print("(ns per node and step; nodes include plastisim's zero-area junction nodes)")


if __name__ == "__main__":
    main()
