"""Exact propagator of a passive cell over one step: its eigenmodes (``scheme="exact"`` of
:class:`~plastisim.CableCells`).

For the nodes of one cell, C dV/dt = -K V + g E_m + u(t), with C = diag(c_i) (F), K the
conductance matrix (leak g_i on the diagonal, axial conductances a_ij coupling neighbours,
S) and u the input current per node (A). Junction nodes (c_i = 0) hold no charge: their
voltage follows from their neighbours (Kirchhoff), which reduces K to the capacitive nodes,
K_r = K_cc - K_cj K_jj^-1 K_jc, and maps the input to u_r = P u (P = [1, -K_cj K_jj^-1]). In
the eigenbasis of C^-1/2 K_r C^-1/2 = U diag(lambda) U^T the cell is a set of independent
modes a = U^T C^1/2 (V - V_rest), V_rest = K^-1 g E_m:

    da_k/dt = -lambda_k a_k + B_k u,      B = U^T C^-1/2 P,

so over a step of length dt with u held, exactly,

    a_k(t + dt) = e^(-lambda_k dt) a_k(t) + (1 - e^(-lambda_k dt)) / lambda_k B_k u.

Modes with e^(-lambda_k dt) > ``tol`` (default 1e-12) are *kept* (their amplitudes are the
cell's state); the others forget their past within one step to that tolerance: at the end of
the step they are (1 - e^(-lambda_k dt)) / lambda_k B_k u, a fixed map from the step's input to
the node voltages (the *feed-through*). A charge q put into node i at the start of a step adds
B[:, i] q to the amplitudes (its fast part decays within the step). Exact for inputs held over
each step, to ``tol`` relative, at any dt: the error is that of the compartments in space only.
Set-up: one dense eigen-decomposition per cell type (O(m^3) time, m^2 memory: 0.5 s for the
1000 nodes of Rallpack 1), so the scheme is for cells of up to a few thousand nodes.
"""
from dataclasses import dataclass

import numpy as np

from ..core.errors import ParameterError
from ..core.params import check_memory


@dataclass
class PassiveModes:
    """Per step of length ``dt``: ``decay`` (r,) e^(-lambda dt) of the r kept modes;
    ``gain`` (r, m) from the input current of each node (A) to the amplitudes; ``charge``
    (r, m) from a charge (C) put into a node; ``project`` (r, m) from V - V_rest (V) to the
    amplitudes; ``phi`` (m, r) from the amplitudes to the node voltages; ``feed`` (m, m) from
    the step's input current to the node voltages (the modes not kept) and ``V_rest`` (m,)
    (V)."""

    decay: np.ndarray
    gain: np.ndarray
    charge: np.ndarray
    project: np.ndarray
    phi: np.ndarray
    feed: np.ndarray
    V_rest: np.ndarray


def conductance_matrix(g_m, a_ax, parent):
    """K (S): leak ``g_m`` on the diagonal and the coupling ``a_ax[k]`` of each node k to its
    parent."""
    K = np.diag(np.asarray(g_m, dtype=float))
    for k in np.flatnonzero(parent >= 0):
        j, g = parent[k], a_ax[k]
        K[k, k] += g
        K[j, j] += g
        K[k, j] -= g
        K[j, k] -= g
    return K


def passive_modes(cap, g_m, E_m, a_ax, parent, dt, tol=1e-12):
    """:class:`PassiveModes` of one cell: capacitances ``cap`` (F, 0 for junctions), leak
    ``g_m`` (S) and reversal ``E_m`` (V) per node, couplings ``a_ax`` (S) to the ``parent``
    of each node, step ``dt`` (s)."""
    cap = np.asarray(cap, dtype=float)
    m = cap.shape[0]
    check_memory(f"scheme = 'exact' with {m} nodes per cell (dense m x m matrices)", 8.0 * 6 * m * m)
    K = conductance_matrix(g_m, a_ax, parent)
    junction = cap == 0.0
    if junction.all():
        raise ParameterError("scheme = 'exact': the cell has no membrane capacitance (all nodes are junctions)")
    c = ~junction
    # junctions: V_j = K_jj^-1 (u_j - K_jc V_c); X = K_jj^-1 K_jc
    X = np.zeros((0, c.sum()))
    if junction.any():
        X = np.linalg.solve(K[np.ix_(junction, junction)], K[np.ix_(junction, c)])
    P = np.zeros((c.sum(), m))
    P[:, c] = np.eye(c.sum())
    P[:, junction] = -X.T
    K_r = K[np.ix_(c, c)] - K[np.ix_(c, junction)] @ X
    s = 1.0 / np.sqrt(cap[c])
    lam, U = np.linalg.eigh(s[:, None] * K_r * s[None, :])
    leak = np.asarray(g_m) > 0
    lam = np.maximum(lam, 0.0)
    if not leak.any():
        lam[0] = 0.0  # the uniform mode of a cell without leak (eigh: ascending), not round-off
    decay = np.exp(-lam * dt)
    held = np.where(lam > 0, -np.expm1(-lam * dt) / np.where(lam > 0, lam, 1.0), dt)
    B = (U.T * s[None, :]) @ P
    keep = decay > tol
    voltage_c = s[:, None] * U  # V_c - V_rest,c = voltage_c a

    def to_all_nodes(on_c, on_junction):
        out = np.zeros((m, on_c.shape[1]))
        out[c] = on_c
        out[junction] = on_junction - X @ on_c
        return out

    phi = to_all_nodes(voltage_c[:, keep], 0.0)
    feed_c = voltage_c[:, ~keep] @ (held[~keep, None] * B[~keep])
    direct = np.linalg.solve(K[np.ix_(junction, junction)], np.eye(m)[junction]) if junction.any() else 0.0
    feed = to_all_nodes(feed_c, direct)
    project = np.zeros((int(keep.sum()), m))
    project[:, c] = U[:, keep].T * np.sqrt(cap[c])[None, :]
    # V_rest = E0 + K^-1 g (E_m - E0): exactly E0 where E_m is uniform
    E_m = np.asarray(E_m, dtype=float)
    E0 = E_m[leak][0] if leak.any() else 0.0
    V_rest = E0 + np.linalg.solve(K, np.asarray(g_m) * (E_m - E0)) if leak.any() else np.zeros(m)
    return PassiveModes(decay=decay[keep], gain=held[keep, None] * B[keep], charge=B[keep], project=project,
                        phi=phi, feed=feed, V_rest=V_rest)
