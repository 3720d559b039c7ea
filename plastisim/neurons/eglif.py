"""Extended generalized LIF with escape noise (EGLIF) of the cerebellar NODS network.

Specification: ``shared/specs/nods.md`` section 6.4 (NEST model ``eglif_cond_alpha_multisyn`` of
``dbbs-lab/cereb-nest`` as used by Trapani et al., APL Bioeng. 9:026125 (2025); model of
Geminiani et al., Front. Neuroinform. 12:88 (2018)), implemented "exactly as implemented" there:

    dV/dt      = leak_sign (V - E_L) / tau_m + (I_dep - I_adap + I_e + I_syn) / C_m
    dI_dep/dt  = -k1 I_dep
    dI_adap/dt = -k2 I_adap + k_adap (V - E_L)
    I_syn      = sum_k G_k (E_rev_k - V)
    dDG_k/dt   = -DG_k / tau_syn_k,   dG_k/dt = DG_k - G_k / tau_syn_k

leak_sign = +1 reproduces the code (an anti-restoring leak; spec quirk Q14 and open item 5);
-1 gives the restoring leak. A spike of weight w (S) at receptor port ``rec<k>`` adds
w e / tau_syn_k to DG_k (conductance peak w at tau_syn_k after the spike).

Spikes (escape noise), every step h = dt: lambda = lambda_0 exp((V - V_th) / tau_V), spike with
probability 1 - exp(-lambda h), tested also during refractoriness (spec quirk Q15). On a spike:
V <- V_reset, I_dep <- A1 (set), I_adap <- I_adap + A2, and for the next n_ref steps the ODEs
are frozen (not integrated; incoming spikes still add to DG_k). n_ref = ceil(t_ref / dt)
(NEST's rounding of times to steps up, as we read it; the spec says "t_ref/h steps").
At the start of every step V <- max(V, V_min); in the first two steps of a simulation V is
set to V_init (NEST sets it on its first two update calls, one step each at the reference
1-ms resolution and 1-ms minimal delay). Random numbers come from plastisim's seeded
per-neuron streams (the reference seeds C rand() from the wall clock, quirk Q9).

Units (SI): V, E_L, V_th, V_reset, V_min, V_init, tau_V, E_rev_k in V; C_m in F; tau_m,
tau_syn_k, t_ref in s; lambda_0, k1, k2 in 1/s; k_adap in A/(V s) (1 pA/(ms mV) = 1e-6);
I_e, A1, A2, I_dep, I_adap in A; G_k in S. Defaults: the Purkinje cell; ``EGLIF.cell(kind, n)``
builds any cell type of the spec's table (:data:`CELLS`: 'GrC', 'GoC', 'PC', 'BC', 'SC',
'DCN_glut', 'DCN_GABA', 'DCN_GlyI'); cells without V_min in the configuration get NEST's module
default -110 mV (spec open item 7). I_e is a state variable (per neuron).

Integration: NEST uses GSL RKF45 (adaptive, absolute tolerance 1e-6) over each step. Here:
classical RK4 over each step for (V, I_dep, I_adap), with the alpha conductances evaluated
exactly at t, t + h/2, t + h (they do not depend on V) and advanced exactly. Measured error
against an adaptive solution (PC, 150 ms with alpha inputs): 1.0-1.4 uV at h = 1 ms, falling
as h^4 (tests/neurons/test_eglif.py). Stable for h times the fastest rate < 2.78 (at 1 ms the
spec's fastest rate is k1 = 1.887/ms, BC/SC; very large conductances need a smaller dt).
Incoming spikes are added to DG_k after the step's integration (as NEST does), so a spike
delivered in step n shapes V from step n + 1 on. The escape test uses V after the step.
"""
import math

import numpy as np

from ..core.params import check
from .model import NeuronModel

E = math.e


def _si(t_ref, C_m, V_th, V_reset, E_L, V_min, lambda_0, tau_V, tau_m, I_e, k_adap, k1, k2, A1, A2, tau_syn):
    """One row of the spec's table (NEST units: ms, pF, mV, pA, nS) in SI."""
    ms, mV, pA = 1e3, 1e3, 1e12  # divisors (a division rounds the table's decimals correctly)
    p = dict(t_ref=t_ref / ms, C_m=C_m / 1e12, V_th=V_th / mV, V_reset=V_reset / mV, E_L=E_L / mV,
             V_init=E_L / mV, V_min=V_min / mV, lambda_0=lambda_0 * ms, tau_V=tau_V / mV,
             tau_m=tau_m / ms, I_e=I_e / pA, k_adap=k_adap / 1e6, k1=k1 * ms, k2=k2 * ms,
             A1=A1 / pA, A2=A2 / pA)
    for k, tau in enumerate(tau_syn, 1):
        p[f"tau_syn{k}"] = tau / ms
    return p


# spec nods.md section 6.4 (network_configuration.json of NODS, HEAD); E_rev = 0/-80/0/-80 mV
CELLS = {
    "GrC": _si(1.5, 7, -41, -70, -62, -150, 1, 0.3, 24.15, -0.888, 0.022, 0.311, 0.041, 0.01, -0.94, (1.9, 4.5)),
    "GoC": _si(2, 145, -55, -75, -62, -150, 1, 0.4, 44, 16.214, 0.217, 0.031, 0.023, 259.988, 178.01,
               (0.23, 3.3, 0.5, 2.4)),
    "PC": _si(0.5, 334, -43, -69, -59, -350, 4, 3.5, 47, 742.543, 1.492, 0.195, 0.041, 157.622, 172.622,
              (1.1, 2.8, 0.4)),
    "BC": _si(1.59, 14.6, -53, -78, -68, -110, 1.8, 1.1, 9.125, 3.711, 2.025, 1.887, 1.096, 5.953, 5.863,
              (0.64, 2.0, 1.2)),
    "DCN_glut": _si(1.5, 142, -36, -55, -45, -110, 3.5, 3, 33, 185, 0.408, 0.697, 0.047, 13.857, 3.477, (1.0, 0.7)),
    "DCN_GABA": _si(3, 56, -39, -55, -40, -110, 0.9, 1, 56, 2.384, 0.079, 0.041, 0.044, 176.358, 176.358,
                    (3.64, 1.14)),
    "DCN_GlyI": _si(1.65, 104, -30, -50, -40, -110, 1.5, 1, 45.76, -116.8147, 0.9501, 0.5759, 0.0469, 600, 79.865,
                    (1.0, 0.7)),
}
CELLS["SC"] = dict(CELLS["BC"])


def alpha_at(g, x, s, decay):
    """Alpha conductance s seconds after a state (G = g, DG = x); decay = exp(-s / tau)."""
    return (g + x * s) * decay


def receptor(gs0, gs1, gs2, ge0, ge1, ge2, G, DG, E_rev, dt, half, full):
    """Add one receptor's alpha conductance at t, t + dt/2, t + dt to the sums gs (S) and
    ge = sum G E_rev (A); returns the sums and the receptor's new state (G, DG)."""
    g1 = alpha_at(G, DG, 0.5 * dt, half)
    g2 = alpha_at(G, DG, dt, full)
    return (gs0 + G, gs1 + g1, gs2 + g2, ge0 + G * E_rev, ge1 + g1 * E_rev, ge2 + g2 * E_rev,
            g2, DG * full)


class EGLIF(NeuronModel):
    """Population of EGLIF neurons (spec nods.md 6.4); SI units (see module docstring)."""

    parameters = dict(CELLS["PC"], tau_syn4=1e-3, E_rev1=0.0, E_rev2=-80e-3, E_rev3=0.0, E_rev4=-80e-3,
                      leak_sign=1.0)
    parameters.pop("I_e")
    state_variables = dict(V="V_init", I_dep=0.0, I_adap=0.0, I_e=CELLS["PC"]["I_e"], r=0.0,
                           G1=0.0, DG1=0.0, G2=0.0, DG2=0.0, G3=0.0, DG3=0.0, G4=0.0, DG4=0.0)
    ports = dict(rec1=None, rec2=None, rec3=None, rec4=None)

    @classmethod
    def cell(cls, kind, n, name=None, **kwargs):
        """``n`` cells of type ``kind`` with the spec's parameters (overridable by ``kwargs``)."""
        return cls(n, name=name or kind, **dict(CELLS[kind], **kwargs))

    def validate(self, p):
        for key in ("C_m", "tau_m", "tau_V", "tau_syn1", "tau_syn2", "tau_syn3", "tau_syn4"):
            check(f"{self.name}.{key}", p[key], 0.0, low_open=True)
        for key in ("t_ref", "lambda_0", "k1", "k2"):
            check(f"{self.name}.{key}", p[key], 0.0)
        if p["leak_sign"] not in (1.0, -1.0):
            check(f"{self.name}.leak_sign", p["leak_sign"], 1.0, 1.0)

    def flags(self, inputs):
        s = self.state
        used = lambda k: (f"rec{k}" in inputs or f"G{k}" in inputs or f"DG{k}" in inputs
                          or bool(np.any(s[f"G{k}"] != 0.0) or np.any(s[f"DG{k}"] != 0.0)))
        return {f"rec{k}": used(k) for k in (1, 2, 3, 4)}

    def prepare(p, d, dt):
        d.n_ref = math.ceil(p.t_ref / dt - 1e-9)
        d.half1 = exp(-0.5 * dt / p.tau_syn1)
        d.half2 = exp(-0.5 * dt / p.tau_syn2)
        d.half3 = exp(-0.5 * dt / p.tau_syn3)
        d.half4 = exp(-0.5 * dt / p.tau_syn4)
        d.full1 = d.half1 * d.half1
        d.full2 = d.half2 * d.half2
        d.full3 = d.half3 * d.half3
        d.full4 = d.half4 * d.half4
        d.leak = p.leak_sign / p.tau_m
        d.inv_C = 1.0 / p.C_m

    def update(s, p, d, f, j, t, dt):
        if t < 1.5 * dt:
            s.V[j] = p.V_init
        if s.V[j] < p.V_min:
            s.V[j] = p.V_min
        if s.r[j] > 0.0:
            s.r[j] -= 1.0
        else:
            # total conductance (gs) and sum G E_rev (ge) at t, t + h/2, t + h
            gs0 = 0.0
            ge0 = 0.0
            gs1 = 0.0
            ge1 = 0.0
            gs2 = 0.0
            ge2 = 0.0
            if f.rec1:
                gs0, gs1, gs2, ge0, ge1, ge2, s.G1[j], s.DG1[j] = receptor(
                    gs0, gs1, gs2, ge0, ge1, ge2, s.G1[j], s.DG1[j], p.E_rev1, dt, d.half1, d.full1)
            if f.rec2:
                gs0, gs1, gs2, ge0, ge1, ge2, s.G2[j], s.DG2[j] = receptor(
                    gs0, gs1, gs2, ge0, ge1, ge2, s.G2[j], s.DG2[j], p.E_rev2, dt, d.half2, d.full2)
            if f.rec3:
                gs0, gs1, gs2, ge0, ge1, ge2, s.G3[j], s.DG3[j] = receptor(
                    gs0, gs1, gs2, ge0, ge1, ge2, s.G3[j], s.DG3[j], p.E_rev3, dt, d.half3, d.full3)
            if f.rec4:
                gs0, gs1, gs2, ge0, ge1, ge2, s.G4[j], s.DG4[j] = receptor(
                    gs0, gs1, gs2, ge0, ge1, ge2, s.G4[j], s.DG4[j], p.E_rev4, dt, d.half4, d.full4)
            # classical RK4 for (V, I_dep, I_adap)
            V = s.V[j]
            Id = s.I_dep[j]
            Ia = s.I_adap[j]
            Ie = s.I_e[j]
            h = dt
            aV = d.leak * (V - p.E_L) + (Id - Ia + Ie + ge0 - gs0 * V) * d.inv_C
            aD = -p.k1 * Id
            aA = -p.k2 * Ia + p.k_adap * (V - p.E_L)
            V2 = V + 0.5 * h * aV
            D2 = Id + 0.5 * h * aD
            A2 = Ia + 0.5 * h * aA
            bV = d.leak * (V2 - p.E_L) + (D2 - A2 + Ie + ge1 - gs1 * V2) * d.inv_C
            bD = -p.k1 * D2
            bA = -p.k2 * A2 + p.k_adap * (V2 - p.E_L)
            V3 = V + 0.5 * h * bV
            D3 = Id + 0.5 * h * bD
            A3 = Ia + 0.5 * h * bA
            cV = d.leak * (V3 - p.E_L) + (D3 - A3 + Ie + ge1 - gs1 * V3) * d.inv_C
            cD = -p.k1 * D3
            cA = -p.k2 * A3 + p.k_adap * (V3 - p.E_L)
            V4 = V + h * cV
            D4 = Id + h * cD
            A4 = Ia + h * cA
            eV = d.leak * (V4 - p.E_L) + (D4 - A4 + Ie + ge2 - gs2 * V4) * d.inv_C
            eD = -p.k1 * D4
            eA = -p.k2 * A4 + p.k_adap * (V4 - p.E_L)
            s.V[j] = V + h / 6.0 * (aV + 2.0 * bV + 2.0 * cV + eV)
            s.I_dep[j] = Id + h / 6.0 * (aD + 2.0 * bD + 2.0 * cD + eD)
            s.I_adap[j] = Ia + h / 6.0 * (aA + 2.0 * bA + 2.0 * cA + eA)
        # spikes of this step reach the conductances after the integration (as in NEST)
        if f.rec1:
            s.DG1[j] += s.in_rec1[j] * E / p.tau_syn1
        if f.rec2:
            s.DG2[j] += s.in_rec2[j] * E / p.tau_syn2
        if f.rec3:
            s.DG3[j] += s.in_rec3[j] * E / p.tau_syn3
        if f.rec4:
            s.DG4[j] += s.in_rec4[j] * E / p.tau_syn4

    def threshold(s, p, j, dt):
        return rand() < 1.0 - exp(-p.lambda_0 * exp((s.V[j] - p.V_th) / p.tau_V) * dt)

    def reset(s, p, d, j):
        s.V[j] = p.V_reset
        s.I_dep[j] = p.A1
        s.I_adap[j] += p.A2
        s.r[j] = d.n_ref
