"""Reference spike times of Rallpack 3 from NEURON at a fine step (run in the benchmark venv).

    /work/bench-venv/bin/python benchmarks/rallpack3_reference.py [--dt 1e-6] [--out tests/data/rallpack3_neuron.npz]

Rallpack 3 (Bhalla, Bilitch & Bower 1992): the Rallpack 1 cable (1 mm, diameter 1 um, Rm = 4
ohm m^2, Ra = 1 ohm m, Cm = 0.01 F/m^2) with squid Hodgkin-Huxley channels (gbar_Na = 1200,
gbar_K = 360 S/m^2, E_Na = 50 mV, E_K = -77 mV, leak 1/Rm at -65 mV, 6.3 C), 1000 segments,
0.1 nA into x = 0 for 250 ms. Writes the upward 0-V crossing times (s, linear interpolation)
at x = 0 and x = 1 mm and the NEURON version; plastisim's test compares ``rallpack3`` with them.
Rate tables are off (``usetable_hh = 0``) so that both simulators evaluate the same functions.
"""
import argparse

import numpy as np
from neuron import h


def crossings(t, v, level=0.0):
    """Times of upward crossings of ``level`` (linear interpolation between samples)."""
    k = np.flatnonzero((v[:-1] < level) & (v[1:] >= level))
    return t[k] + (level - v[k]) / (v[k + 1] - v[k]) * (t[k + 1] - t[k])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dt", type=float, default=1e-6, help="time step (s)")
    ap.add_argument("--out", default="tests/data/rallpack3_neuron.npz")
    ap.add_argument("--secondorder", type=int, default=0, help="NEURON's secondorder (0: backward Euler)")
    args = ap.parse_args()
    h.load_file("stdrun.hoc")
    cable = h.Section(name="cable")
    cable.L, cable.diam, cable.nseg, cable.Ra, cable.cm = 1000.0, 1.0, 1000, 100.0, 1.0
    cable.insert("hh")
    for seg in cable:
        seg.hh.gnabar, seg.hh.gkbar, seg.hh.gl, seg.hh.el = 0.12, 0.036, 1.0 / 4.0 * 1e-4, -65.0
        seg.ena, seg.ek = 50.0, -77.0
    h.celsius = 6.3
    h.usetable_hh = 0  # exact rate functions, not NEURON's 1-mV rate tables
    clamp = h.IClamp(cable(0.0))
    clamp.delay, clamp.dur, clamp.amp = 0.0, 1e9, 0.1
    t, v0, v1 = h.Vector().record(h._ref_t), h.Vector().record(cable(0.0)._ref_v), h.Vector().record(cable(1.0)._ref_v)
    h.secondorder = args.secondorder
    h.dt = args.dt * 1e3
    h.finitialize(-65.0)
    h.continuerun(250.0)
    t, v0, v1 = (np.array(x) for x in (t, v0, v1))
    out = dict(spike_times_x0=crossings(t, v0) * 1e-3, spike_times_x1=crossings(t, v1) * 1e-3,
               dt=args.dt, secondorder=args.secondorder, neuron_version=h.nrnversion(5))
    np.savez(args.out, **out)
    print({k: (np.round(v, 6) if isinstance(v, np.ndarray) else v) for k, v in out.items()})


if __name__ == "__main__":
    main()
