"""Benchmark of a candidate scheme: exact modal integration of passive cells (issue 10, the
<= 1.5x target of the compartmental STC network).

    python benchmarks/modal_cable_prototype.py

The STC cell (small cell, extended dendrites: 48 nodes, spec 7.1) is passive between resets,
its inputs sit at two sites (soma centre, basal tip) and, with the cell reset, only the soma
voltage is tested. In the eigenbasis of C^-1/2 K C^-1/2 (K: leak + axial conductances, C:
capacitances) the cable is a set of independent modes with rates lambda_k; over a step with
the site currents I_s held, a_k -> e^(-lambda_k dt) a_k + (1 - e^(-lambda_k dt)) / lambda_k
B_ks I_s exactly. Only modes with e^(-lambda_k dt) > 1e-12 carry memory (2 of 48 here: tau =
10 ms and 15 us); the others are in their steady state for the step's input, a fixed matrix
from the site currents to the soma voltage. This script times that update for 2000 cells
(numba, one thread) against plastisim's implicit Hines step of the same cells (``CableCells``,
currents injected at the two sites, cell reset, no mechanisms), and checks the soma voltage
against the matrix exponential of the full 48-node system. Not a plastisim scheme (yet): the
result says what a modal scheme for such cells would cost.
"""
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.linalg as sl  # noqa: E402
from numba import njit  # noqa: E402

import plastisim as ps  # noqa: E402
from plastisim.models import stc_network_morpho as M  # noqa: E402
from plastisim.models.base import make_params  # noqa: E402

N_CELLS, STEPS = 2000, 2000


@njit
def modal_steps(a, I, decay, gain, readout, feedthrough, V_th, a_reset, refr, refr_steps, steps, spikes):
    """``steps`` exact steps of the kept modes ``a`` (modes x cells) with site currents ``I``
    (sites x cells); soma voltage (relative to rest) = readout . a + feedthrough . I; a cell
    reset sets the modes to ``a_reset`` and holds them for ``refr_steps`` steps."""
    r, n = a.shape
    for _ in range(steps):
        for c in range(n):
            if refr[c] > 0:
                refr[c] -= 1
                continue
            i0, i1 = I[0, c], I[1, c]
            v = feedthrough[0] * i0 + feedthrough[1] * i1
            for k in range(r):
                x = decay[k] * a[k, c] + gain[k, 0] * i0 + gain[k, 1] * i1
                a[k, c] = x
                v += readout[k] * x
            if v >= V_th:
                spikes[0] += 1
                refr[c] = refr_steps
                for k in range(r):
                    a[k, c] = a_reset[k]


def main():
    p = make_params(M.Params, {"dendrites": "extended", "reset": "cell"})
    one = M.cells(p, 1, "cell", plastic=False)
    m, dt = one.compartments.n, p.dt
    K = np.diag(one.g_m.copy())
    for k in range(1, m):
        j, g = one.local_parent[k], one.a_ax[k]
        K[k, k] += g
        K[j, j] += g
        K[k, j] -= g
        K[j, k] -= g
    scale = 1.0 / np.sqrt(one.cap)
    lam, U = np.linalg.eigh(scale[:, None] * K * scale[None, :])
    decay = np.exp(-lam * dt)
    keep = decay > 1e-12
    sites = np.array([one.node("soma_centre"), one.node("basal_tip")])
    det = one.node("soma_centre")
    phi = scale[:, None] * U  # V = phi a
    gain = ((1.0 - decay) / lam)[:, None] * (U[sites, :].T * scale[sites][None, :])
    feedthrough = phi[det, ~keep] @ gain[~keep, :]
    readout = phi[det, keep]
    a_reset = (U * np.sqrt(one.cap)[:, None])[:, keep].T @ np.full(m, M.V_RESET + 65e-3)
    r = int(keep.sum())

    # accuracy: soma voltage of one cell with constant site currents vs the matrix exponential
    i = np.array([0.2e-9, 0.15e-9])
    e = np.zeros(m)
    e[sites] = i
    P, V_inf = sl.expm(-(K / one.cap[:, None]) * dt), np.linalg.solve(K, e)
    V, a1, err = np.zeros(m), np.zeros(r), 0.0
    for _ in range(200):
        V = V_inf + P @ (V - V_inf)
        a1 = decay[keep] * a1 + gain[keep] @ i
        err = max(err, abs(readout @ a1 + feedthrough @ i - V[det]))

    print(f"{m} nodes, {r} modes kept (tau {', '.join(f'{1e3 / x:.3g}' for x in lam[keep])} ms); soma voltage vs "
          f"matrix exponential: max |dV| {err:.2g} V over 200 steps")
    # timing: modal update vs plastisim's implicit step of the same cells, one process; site
    # currents below threshold (no spikes) and above (regular firing: clamped cells in full)
    rng = np.random.default_rng(0)
    for label, low, high in (("subthreshold", 0.15e-9, 0.35e-9), ("firing", 0.5e-9, 0.8e-9)):
        I = rng.uniform(low, high, (2, N_CELLS))
        a, refr, spikes = np.zeros((r, N_CELLS)), np.zeros(N_CELLS, np.int64), np.zeros(1, np.int64)
        args = (decay[keep], gain[keep], readout, feedthrough, M.V_TH + 65e-3, a_reset, refr, round(M.T_REF / dt))
        modal_steps(a, I, *args, 10, spikes)
        modal = min(_timed(lambda: modal_steps(a, I, *args, STEPS, spikes)) for _ in range(5)) / STEPS / N_CELLS
        net = ps.Network(dt=dt)
        area = 2 * np.pi * M.RADIUS[p.cell] * (2 * M.RADIUS[p.cell] + sum(M.DENDRITES[p.dendrites]))
        cells = net.add(ps.CableCells(M.morphology(p), n=N_CELLS, Cm=M.C_MEM / area, Rm=M.R_MEM * area, Ra=p.R_a,
                                      E_m=-65e-3, dx=M.UM, detector="soma_centre", V_th=M.V_TH, V_reset=M.V_RESET,
                                      t_ref=M.T_REF))
        for s_, loc in enumerate(("soma_centre", "basal_tip")):
            cells.state["I_inj"][cells.node(loc, np.arange(N_CELLS))] = I[s_]
        recorded = net.record_spikes(cells)
        sim = ps.Simulator(net)
        sim.run(10 * dt)
        hines = min(_timed(lambda: sim.run(STEPS * dt)) for _ in range(5)) / STEPS / N_CELLS
        print(f"{label}: {N_CELLS} cells, dt {dt * 1e3:g} ms, one thread: modal {modal * 1e9:.2f} ns per cell-step, "
              f"implicit Hines step (CableCells) {hines * 1e9:.2f} ns, ratio {hines / modal:.1f}; spikes in "
              f"{5 * STEPS + 10} steps: modal {spikes[0]}, implicit {len(recorded.t)}")


def _timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
