"""Recall of the multi-compartment STC network vs PRP diffusivity (Plastic Arbor Fig. 6e-l),
from sweeps of ``stc-network-morpho``, next to the single-compartment network.

Run the sweeps first (resumable, any dask cluster; docs/sweeps.md), e.g.

    plastisim sweep stc-network-morpho --grid D_p=1e-11,1e-15,1e-19 --set recall=8h \
        --set pattern_size=200 --realizations 3 --out out/morpho-8h
    plastisim sweep stc-network-morpho --set recall=10s --set pattern_size=200 \
        --realizations 3 --out out/morpho-10s
    python examples/morpho_diffusivity_scan.py out/morpho-8h out/morpho-10s [--point out/stc-q8 ...]

A grid over ``cell`` and ``dendrites`` (the four cell types of Fig. 6) works the same way.
This prints a Markdown table row per sweep folder and grid point (cell type, D_p): Q (mean, 95 % confidence interval over
the realizations, t distribution), the rates of the recalled assembly without recall input
(nu_ans) and of the controls (nu_ctrl), and the late-phase weights within the assembly and from
it to the rest (hz_aa, hz_ao). ``--point`` adds the same numbers of ``stc-network`` sweeps at the
same pattern size and recall delay.
"""
import argparse
import itertools
import json
from pathlib import Path

import numpy as np
from scipy import stats

import plastisim as ps

COLUMNS = ("Q", "nu_ans", "nu_ctrl", "nu_inh", "hz_aa", "hz_ao")


def mean_ci(values):
    """'mean ± 95 % half-width' over the finite values (t distribution)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else np.nan
    return f"{v.mean():.3g} ± {half:.2g}"


def rows(path, label=None, select=None):
    """Table rows of one sweep folder: one per point of its grid (cell, dendrites, D_p);
    ``label``: the network column (default: cell type and compartments per cell)."""
    ds = ps.load_sweep(path)
    fixed = json.loads(ds.attrs["fixed_params"])
    if select:
        ds = ds.sel({k: v for k, v in select.items() if k in ds.dims})
    ds = ds.squeeze([d for d in ds.dims if d != "realization" and ds.sizes[d] == 1])
    recall = float(ds["recall"].values) if "recall" in ds.coords else fixed["recall"]
    paradigm = f"{recall / 3600:g}-h" if recall >= 3600 else f"{recall:g}-s"
    grid = [d for d in ds.dims if d != "realization"]
    out = []
    for point in itertools.product(*(ds[d].values for d in grid)):
        sub = ds.sel(dict(zip(grid, point)))
        coord = lambda name: sub[name].values.item() if name in sub.coords else fixed.get(name)
        name = label or f"{coord('cell')}/{coord('dendrites')} ({int(np.nanmax(sub['compartments'].values))})"
        d = coord("D_p")
        cells = [mean_ci(sub[c].values.reshape(-1)) for c in COLUMNS]
        n = int(np.isfinite(sub["Q"].values).sum())
        d_text = "—" if d is None or not np.isfinite(d) else f"{d:g}"
        out.append(f"| {name} | {paradigm} | {d_text} | {n} | " + " | ".join(cells) + " |")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sweep", type=Path, nargs="+", help="folders of stc-network-morpho sweeps")
    parser.add_argument("--point", type=Path, nargs="*", default=[], help="stc-network sweeps to compare with")
    parser.add_argument("--pattern-size", type=int, default=200, help="pattern size of the point-network rows")
    args = parser.parse_args()
    print("| network | recall | D_p (m^2/s) | n | Q | nu_ans (Hz) | nu_ctrl (Hz) | nu_inh (Hz) | hz_aa (V) | hz_ao (V) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for path in args.sweep:
        print("\n".join(rows(path)))
    for path in args.point:
        print("\n".join(rows(path, "point (1)", dict(pattern_size=args.pattern_size, psc_scheme="exact"))))


if __name__ == "__main__":
    main()
