"""PRP spreading in one cell of the reference code's Arbor model (run in an Arbor 0.10 venv).

    arbor-build-catalogue ref REPO/mechanisms      # REPO: jlubo/arbor_network_consolidation_mc @ 332034f
    python benchmarks/prp_diffusion_reference.py --catalogue ref-catalogue.so \\
        [--D 1e-4 1e-8 1e-12] [--radius 6] [--out tests/data/prp_diffusion_arbor.npz]

The reference code gives PRP diffusivities as Arbor code values (1e-4, 1e-8, 1e-12), which the
spec (section 0.7) reads as 1e-11, 1e-15, 1e-19 m^2/s (a factor 1e-7, arbor-sim/arbor issue
#2084). This script measures what they were in the paper's Arbor generation: it runs the
reference mechanisms (``lif``: PRP decay with tau_p = 1 h everywhere; ``protein_synthesis``:
synthesis in the 1-um pss segment) on the small cell with small dendrites (basal 5 um - soma
6 um - pss 1 um - soma 6 um - apical 12.5 um, radius ``--radius``, ``max-extent 1`` CVs as the
reference) with synthesis on from t = 0 (SPS held above threshold everywhere) and stores PRP
per CV at 1, 2, 3 and 8 h (50-s steps, the reference's fast-forward step) and the Arbor
version. Result with Arbor 0.10.0 (the paper used 0.10.0 / 0.10.1-dev, before Arbor PRs #2226
and #2439 of 2025): the diffusive couplings were divided by the CV's membrane area, not its
volume, so a code value D acts as D x 1e-6 m^2/s x r / (2 um): 1e-8 spreads PRP exactly as
3e-14 m^2/s does in plastisim for r = 6 um (tests/models/test_stc_network_morpho.py), not as
1e-15.
"""
import argparse

import arbor as A
import numpy as np
from arbor import units as U

R, LENGTHS = 6.0, (5.0, 6.0, 1.0, 6.0, 12.5)  # um: basal, soma, pss, soma, apical
TAGS = (1, 2, 3, 2, 4)
DT_MS, T_END_MS, HOURS = 50e3, 8 * 3600e3, (1, 2, 3, 8)


def cell(D):
    tree, x, parent = A.segment_tree(), 0.0, A.mnpos
    for length, tag in zip(LENGTHS, TAGS):
        parent = tree.append(parent, A.mpoint(x, 0, 0, R), A.mpoint(x + length, 0, 0, R), tag=tag)
        x += length
    labels = A.label_dict({"pss": "(tag 3)"})
    decor = A.decor()
    decor.set_ion("sps_", int_con=10 * U.mM, diff=1e-9 * U.m2 / U.s)  # uniform, above threshold
    decor.set_ion("pc_", int_con=0 * U.mM, diff=D * U.m2 / U.s)
    decor.paint('(region "pss")', A.density("protein_synthesis"))
    decor.paint("(all)", A.density("lif"))  # V stays at rest: only its PRP decay acts
    decor.discretization(A.cv_policy("(max-extent 1)"))  # Arbor 0.10 API
    return A.cable_cell(A.morphology(tree), decor, labels)


class Recipe(A.recipe):
    def __init__(self, D, catalogue):
        super().__init__()
        self.D = D
        self.props = A.neuron_cable_properties()
        self.props.catalogue.extend(A.load_catalogue(catalogue), "")
        self.props.set_ion("sps_", valence=1, int_con=0 * U.mM, ext_con=0 * U.mM, rev_pot=0 * U.mV)
        self.props.set_ion("pc_", valence=1, int_con=0 * U.mM, ext_con=0 * U.mM, rev_pot=0 * U.mV)

    def num_cells(self):
        return 1

    def cell_kind(self, gid):
        return A.cell_kind.cable

    def cell_description(self, gid):
        return cell(self.D)

    def global_properties(self, kind):
        return self.props

    def probes(self, gid):
        return [A.cable_probe_ion_diff_concentration_cell("pc_", "cvs")]


def run(D, catalogue):
    """PRP per CV (hours x CVs) at HOURS for code diffusivity ``D``."""
    sim = A.simulation(Recipe(D, catalogue))
    handle = sim.sample((0, "cvs"), A.regular_schedule(DT_MS * U.ms))
    sim.run(T_END_MS * U.ms + DT_MS * U.ms / 2, DT_MS * U.ms)
    (cvs, _), = sim.samples(handle)
    t = cvs[:, 0] * 1e-3
    return cvs[[np.argmin(abs(t - 3600 * h)) for h in HOURS], 1:]


def main():
    global R
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catalogue", required=True, help="catalogue built from the reference mechanisms")
    ap.add_argument("--D", type=float, nargs="+", default=[1e-4, 1e-8, 1e-12], help="code diffusivities")
    ap.add_argument("--radius", type=float, default=R, help="cable radius (um; segment lengths unchanged)")
    ap.add_argument("--out", default="tests/data/prp_diffusion_arbor.npz")
    args = ap.parse_args()
    if not A.__version__.startswith("0.10"):
        raise SystemExit(f"Arbor {A.__version__}: this measures Arbor 0.10 (the paper's); pip install arbor==0.10.0")
    R = args.radius
    out = {"D_code": np.array(args.D), "hours": np.array(HOURS), "radius": R * 1e-6, "arbor_version": A.__version__}
    for k, D in enumerate(args.D):
        out[f"prp_{k}"] = prp = run(D, args.catalogue)
        print(f"Arbor {A.__version__}, r = {R:g} um, D = {D:g}: basal tip / mean PRP at {HOURS} h: "
              + ", ".join(f"{row[0] / row.mean():.4f}" for row in prp))
    np.savez(args.out, **out)


if __name__ == "__main__":
    main()
