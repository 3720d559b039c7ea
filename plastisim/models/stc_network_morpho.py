"""The STC network with multi-compartment neurons and diffusing SPS and PRP (Luboeinski &
Tetzlaff; Plastic Arbor section 3.6, Fig. 6; spec plastic_arbor.md section 7).

Cells (spec 7.1-7.3): one unbranched cable of radius r: basal dendrite (l_B) - soma half (r) -
PRP-synthesis segment "pss" (1 um) - soma half (r) - apical dendrite (l_A), compartments of at
most 1 um aligned to these segments (31 / 48 / 43 / 60 for small/small, small/extended,
large/small, large/extended). ``cell``: small (r = 6 um) or large (12 um); ``dendrites``:
small (l_A = 12.5, l_B = 5 um) or extended (25, 10 um). Membrane C_m = C / A_tot, leak
R A_tot (C = 1 nF, R = 10 MOhm, A_tot = 2 pi r (2 r + l_A + l_B), the pss not included, as in
the reference code, so the cell has 1.7-3.4 % more membrane than the point neuron;
``membrane=total``: the pss included, so that the cell's total C and R are those of the point
neuron, spec 7.8 option), R_a = 35.4 ohm cm; per-compartment threshold/reset with refractory
clamp (:class:`plastisim.ThresholdReset`, as the reference) or, with ``reset=cell``, a reset of the
whole cell when its soma centre crosses threshold (spec 7.2 option; it costs less). The two
differ when the network is active: input at the basal tip depolarises the tip more than the
soma, so with per-compartment reset the basal compartments cross threshold first and clamp
themselves, losing spikes (the controls fire at about half the point network's rate around
recall); with ``reset=cell`` and ``membrane=total`` the network fires and recalls like the
point network (docs/validation.md). ``cable_scheme``: backward-euler (implicit, as Arbor) or,
with ``reset=cell``, exact (the passive cable advanced exactly in its eigenmodes, see
:class:`plastisim.CableCells`; the network then costs 1.2x the point network instead of 3-7x,
benchmarks/RESULTS.md). Spikes detected at the soma centre. Inputs at the soma
centre: background and stimulus OU currents, inhibitory and E->I synapses (exponential
currents, 5 ms); all E->E plastic synapses at the basal tip with weight c_morpho (h + h0 z) / R.

c_morpho (spec 7.4) makes the somatic PSP peak of one h0 synapse at the basal tip equal the
single-compartment value (h0 / 4 for tau_m = 2 tau_syn). With ``c_morpho = 0`` (default) it is
calibrated for this discretisation and dt by one simulated PSP (the cable is linear below
threshold); the spec's values (1.035, 1.020, 1.030, 1.018) belong to Arbor's discretisation.

SPS and PRP (spec 7.5) are :class:`plastisim.Species` on the excitatory cells: every E->E
synapse adds the change of its |h - h0| to the SPS of its compartment (no decay, D_sps =
1e-11 m^2/s); PRP p diffuses with ``D_p`` and decays with tau_p = 1 h; it is synthesised in
the pss compartment at p_max V_tot / tau_p (mol/s) while the local SPS concentration is at
least theta_pro / V_tot (:class:`plastisim.plasticity.stc.PRPSynthesis`); each synapse reads
the PRP of its own compartment. In the limit of fast diffusion this is the single-compartment
PRP equation of ``stc-network``. Diffusion and synthesis advance every ``fields_dt`` (10 ms,
50 steps: SPS and PRP change over seconds to hours, and the diffusion time of one 1-um
compartment is 0.1 s at 1e-11 m^2/s; the reference advances them every 50 s in its
fast-forward) and continue during the fast-forward.

Diffusivities are physical (m^2/s), as the spec reads the paper's 1e-11, 1e-15, 1e-19. The
published runs (reference code values 1e-4, 1e-8, 1e-12 on Arbor 0.10) diffused faster: Arbor
then divided the diffusive couplings by the CV area instead of its volume (fixed in Arbor
0.11), so they acted as D = code value x 1e-6 m^2/s x r / (2 um): 3e-10, 3e-14, 3e-18 m^2/s in
small cells, 6e-10, 6e-14, 6e-18 in large cells (measured with the reference mechanisms,
benchmarks/prp_diffusion_reference.py; docs/validation.md). ``--set D_p=3e-14`` reruns the
paper's "1e-15" in small cells.
Protocol, readouts and summary as ``stc-network`` (:mod:`plastisim.models.stc_network`: ``Q``,
``nu_as``, ``nu_ans``, ``nu_ctrl``, ``nu_inh`` (Hz), ``pattern_size``, ``recall_time``,
``recall_delay`` (s), ``spikes``, and the weight classes ``h_aa``, ``hz_aa``, ``h_ao``, ``hz_ao``,
``h_oa``, ``hz_oa``, ``h_oo``, ``hz_oo`` (V)), plus ``c_morpho``, ``compartments`` (per cell),
``D_p`` (m^2/s) and ``cell_type`` (e.g. "small/extended").
"""
import dataclasses
from dataclasses import dataclass

import numpy as np

import plastisim as ps
from plastisim.plasticity.stc import PRPSynthesis, STCEvent

from . import stc_network
from .base import param

SUMMARY_UNITS = dict(stc_network.SUMMARY_UNITS, c_morpho="", compartments="", D_p="m^2/s", cell_type="")
DESCRIPTION = "STC network of multi-compartment cells with diffusing SPS/PRP: 10-s / 8-h recall (Fig. 6)"

UM = 1e-6
RADIUS = {"small": 6 * UM, "large": 12 * UM}
DENDRITES = {"small": (12.5 * UM, 5 * UM), "extended": (25 * UM, 10 * UM)}  # (apical, basal)
C_MEM, R_MEM, TAU_SYN = 1e-9, 10e6, 5e-3
V_TH, V_RESET, T_REF = -55e-3, -70e-3, 2e-3


@dataclass
class Params(stc_network.Params):
    cell: str = param("small", "", "cell size: small (r = 6 um) or large (r = 12 um)")
    dendrites: str = param("small", "", "dendrites: small (12.5/5 um) or extended (25/10 um)")
    D_p: float = param(1e-11, "m^2/s", "PRP diffusivity", positive=True)
    D_sps: float = param(1e-11, "m^2/s", "SPS diffusivity", positive=True)
    R_a: float = param(0.354, "ohm m", "axial resistivity", positive=True)
    c_morpho: float = param(0.0, "", "weight factor of E->E synapses (0: calibrate by the PSP)", 0.0)
    reset: str = param("compartment", "", "threshold/reset: per compartment (reference) or cell (at the soma centre)")
    membrane: str = param("reference", "", "area that C and R are spread over: reference (A_tot, without the pss "
                                           "segment, as the reference code) or total (with it)")
    cable_scheme: str = param("backward-euler", "", "cable time stepping: backward-euler (implicit, as the "
                                                    "reference) or exact (eigenmodes; needs reset=cell)")
    fields_dt: float = param(10e-3, "s", "step of the SPS/PRP diffusion and PRP synthesis (a multiple of dt)",
                             positive=True)

    def validate(self):
        for name, value, allowed in (("cell", self.cell, RADIUS), ("dendrites", self.dendrites, DENDRITES),
                                     ("reset", self.reset, ("compartment", "cell")),
                                     ("membrane", self.membrane, ("reference", "total")),
                                     ("cable_scheme", self.cable_scheme, ("backward-euler", "exact"))):
            if value not in allowed:
                raise ps.ParameterError(f"{name} = {value!r} must be one of {list(allowed)}")
        if self.cable_scheme == "exact" and self.reset != "cell":
            raise ps.ParameterError("cable_scheme = 'exact' needs reset = 'cell' (a per-compartment reset adds a "
                                    "clamp conductance, which the exact scheme does not take)")
        if self.psc_scheme != "exact":
            raise ps.ParameterError(f"psc_scheme = {self.psc_scheme!r}: the compartmental cells have "
                                    "only the 'exact' scheme (exact charge of the exponential current)")


def morphology(p):
    """Basal - soma - pss - soma - apical cable with locations basal_tip and soma_centre."""
    r = RADIUS[p.cell]
    l_a, l_b = DENDRITES[p.dendrites]
    morph = ps.Morphology.from_segments([-1, 0, 1, 2, 3], [l_b, r, UM, r, l_a], r,
                                        region=["basal", "soma", "pss", "soma", "apical"])
    morph.add_location("basal_tip", 0, 0.0)
    morph.add_location("soma_centre", 2, 0.5)
    return morph


def cells(p, n, name, plastic):
    """``n`` cells of the chosen type; excitatory ones (``plastic``) carry SPS, PRP and synthesis."""
    r = RADIUS[p.cell]
    l_a, l_b = DENDRITES[p.dendrites]
    area = 2 * np.pi * r * (2 * r + l_a + l_b + (UM if p.membrane == "total" else 0.0))
    volume = np.pi * r * r * (2 * r + UM + l_a + l_b)
    mechanisms = [("soma_centre", ps.OUCurrent(name="bg")), ("soma_centre", ps.OUCurrent(name="stim")),
                  ("soma_centre", ps.ExpCurrent(name="syn_soma", tau=TAU_SYN))]
    reset = dict(V_reset=V_RESET, t_ref=T_REF) if p.reset == "cell" else {}
    if p.reset == "compartment":
        mechanisms.insert(0, ("all", ps.ThresholdReset(V_th=V_TH, V_reset=V_RESET, t_ref=T_REF)))
    species = []
    if plastic:
        rule = STCEvent.parameters
        mechanisms += [("basal_tip", ps.ExpCurrent(name="syn_basal", tau=TAU_SYN)),
                       ("soma_centre", PRPSynthesis(p_max=rule["p_max"], tau_p=rule["tau_p"],
                                                    theta_pro=rule["theta_pro"], V_tot=volume))]
        species = [ps.Species("sps", D=p.D_sps), ps.Species("p", D=p.D_p, tau=rule["tau_p"])]
    return ps.CableCells(morphology(p), n=n, Cm=C_MEM / area, Rm=R_MEM * area, Ra=p.R_a, E_m=-65e-3, dx=UM,
                         detector="soma_centre", V_th=V_TH, mechanisms=mechanisms, species=species,
                         fields_dt=p.fields_dt if plastic else None, scheme=p.cable_scheme, name=name, **reset)


def calibrate_c_morpho(p):
    """c_morpho such that one h0 synapse at the basal tip gives the somatic PSP peak of the
    single compartment, max_t h0 tau_s / (tau_m - tau_s) (e^(-t/tau_m) - e^(-t/tau_s)) (= h0 / 4
    for tau_m = 2 tau_s)."""
    h0 = STCEvent.parameters["h0"]
    net = ps.Network(dt=p.dt)
    cell = net.add(cells(p, 1, "cell", plastic=True))
    src = net.add(ps.SpikeTimes(1, [0], [1e-3 - p.dt]))
    net.connect(src, cell, weight=h0 / R_MEM, port="syn_basal")
    mon = net.record(cell, "V", cell.node("soma_centre"))
    ps.Simulator(net).run(0.06)
    tau_m, t = R_MEM * C_MEM, np.linspace(0.0, 0.05, 50001)
    peak_point = np.max(h0 * TAU_SYN / (tau_m - TAU_SYN) * (np.exp(-t / tau_m) - np.exp(-t / TAU_SYN)))
    return peak_point / (mon.data[:, 0].max() + 65e-3)


def build(p, seed):
    """The network of one realization: (net, exc, inh, plastic projection, spike monitors)."""
    c_morpho = p.c_morpho or calibrate_c_morpho(p)  # run() calibrates once per realization
    net = ps.Network(dt=p.dt, seed=seed)
    exc = net.add(cells(p, p.n_exc, "exc", plastic=True))
    inh = net.add(cells(p, p.n_inh, "inh", plastic=False))
    for pop in (exc, inh):
        pop.switch_ou("bg", slice(None), mu=p.I_0, sigma=p.sigma_bg)
    rule = STCEvent(sigma_pl=p.sigma_pl, c_pre=p.c_pre, c_post=p.c_post, R_mem=R_MEM / c_morpho)
    h0 = rule.params["h0"]
    ee = net.connect(exc, exc, ps.FixedProbability(p.p_c, autapses=False), weight=c_morpho * h0 / R_MEM,
                     delay=3e-3, port="syn_basal", rule=rule)
    for pre, post, rule_or_list, w in ((exc, inh, ps.FixedProbability(p.p_c), p.w_ei),
                                       (inh, exc, ps.FixedProbability(p.p_c), p.w_ie),
                                       (inh, inh, ps.FixedProbability(p.p_c, autapses=False), p.w_ii)):
        net.connect(pre, post, rule_or_list, weight=w * h0 / R_MEM, delay=3e-3, port="syn_soma")
    return net, exc, inh, ee, (net.record_spikes(exc), net.record_spikes(inh))


def run(p, seed=0, progress=False, checkpoint=None):
    """One network realization (see :func:`plastisim.models.stc_network.run`)."""
    p = dataclasses.replace(p, c_morpho=p.c_morpho or calibrate_c_morpho(p))
    result = stc_network.run(p, seed, progress, checkpoint, build=build)
    result["summary"].update(c_morpho=p.c_morpho, compartments=morphology(p).discretise(dx=UM).n,
                             D_p=p.D_p, cell_type=f"{p.cell}/{p.dendrites}")
    return result
