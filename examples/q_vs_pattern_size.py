"""Recall quality Q of the STC network vs pattern size (Plastic Arbor Fig. 5h), from a sweep.

Run the sweep first (resumable, any dask cluster; docs/sweeps.md), e.g.

    plastisim sweep stc-network --grid pattern_size=100,150,200,250 --grid recall=10s,8h \
        --grid psc_scheme=exact,reference --realizations 50 --out out/stc-q
    python examples/q_vs_pattern_size.py out/stc-q   # or several folders, e.g. one per recall delay

This prints a Markdown table of mean Q with 95 % confidence intervals (t distribution over the
realizations) per pattern size, recall delay and PSC scheme, and writes
``OUT/q_vs_pattern_size.png``.
"""
import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from scipy import stats  # noqa: E402

import plastisim as ps  # noqa: E402


def summarize(q):
    """(mean, 95 % half-width) over the realizations of Q (NaN where a task failed)."""
    q = q[np.isfinite(q)]
    return q.mean(), stats.t.ppf(0.975, len(q) - 1) * q.std(ddof=1) / np.sqrt(len(q)), len(q)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sweep", type=Path, nargs="+", help="folder(s) of stc-network sweeps "
                        "(e.g. one per recall delay; combined by their coordinates)")
    parser.add_argument("--figure", type=Path, help="where to write the figure (default: in the first folder)")
    args = parser.parse_args()
    ds = xr.combine_by_coords([ps.load_sweep(path)[["Q"]] for path in args.sweep], combine_attrs="drop")
    extra = [d for d in ds["Q"].dims if d not in ("pattern_size", "recall", "realization")]
    groups = [{}] if not extra else [{extra[0]: v} for v in ds[extra[0]].values]
    recalls = ds["recall"].values
    fig, ax = plt.subplots(figsize=(5, 3.5))
    labels = [(f"{r / 3600:g}-h recall" if r >= 3600 else f"{r:g}-s recall") + "".join(f", {v}" for v in g.values())
              for r in recalls for g in groups]
    print("| N_CA | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    rows = {}
    sizes = ds["pattern_size"].values
    for label, (recall, group) in zip(labels, [(r, g) for r in recalls for g in groups]):
        sel = ds["Q"].sel(recall=recall, **group)
        points = [summarize(sel.sel(pattern_size=n).values) for n in sizes]
        ax.errorbar(sizes, [p[0] for p in points], [p[1] for p in points], marker="o", capsize=3, label=label)
        for n, p in zip(sizes, points):
            rows.setdefault(n, []).append(f"{p[0]:.3f} ± {p[1]:.3f} (n = {p[2]})")
    for n, cells in rows.items():
        print(f"| {n} | " + " | ".join(cells) + " |")
    ax.set(xlabel="pattern size N_CA", ylabel="recall quality Q")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    figure = args.figure or args.sweep[0] / "q_vs_pattern_size.png"
    fig.savefig(figure, dpi=120)
    print(f"figure: {figure}")


if __name__ == "__main__":
    main()
