"""Recall quality Q of the STC network vs pattern size, 10-s and 8-h recall (Plastic Arbor Fig. 5h).

Runs ``plastisim``'s ``stc-network`` model for N_CA in {100, 150, 200, 250} and both recall
delays, ``--realizations`` networks each (seeds 0, 1, ...), in ``--workers`` processes; writes
``OUT/q_vs_pattern_size.png`` and ``OUT/q_vs_pattern_size.h5`` and prints a Markdown table of
mean Q and 95 % confidence intervals.

    python examples/stc_network_sweep.py --realizations 10 --out docs

Kept to reproduce the seeds (0, 1, ... at every point) of the table in docs/validation.md. New
sweeps: ``plastisim sweep stc-network --grid pattern_size=100,150,200,250 --grid recall=10s,8h
--realizations 10 --out out/stc-q`` (resumable, any dask cluster; docs/sweeps.md).
"""
import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats

SIZES = (100, 150, 200, 250)
RECALLS = {"10 s": "10s", "8 h": "8h"}


def one(args):
    size, recall, seed = args
    from plastisim.models import stc_network
    from plastisim.models.base import make_params

    s = stc_network.run(make_params(stc_network.Params, {"pattern_size": size, "recall": recall}), seed=seed)
    return size, recall, seed, float(s["summary"]["Q"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--realizations", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="out/stc-network-sweep")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(size, recall, seed) for recall in RECALLS.values() for size in SIZES
            for seed in range(args.realizations)]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(one, jobs))
    q = {(size, recall): np.array([r[3] for r in results if r[0] == size and r[1] == recall])
         for size in SIZES for recall in RECALLS.values()}

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import plastisim as ps

    fig, ax = plt.subplots(figsize=(5, 3.5))
    print("| N_CA | recall | Q mean | 95 % CI | realizations |")
    print("|---|---|---|---|---|")
    summary = {}
    for label, recall in RECALLS.items():
        means, cis = [], []
        for size in SIZES:
            values = q[(size, recall)]
            ci = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
            means.append(values.mean())
            cis.append(ci)
            print(f"| {size} | {label} | {values.mean():.4f} | ± {ci:.4f} | {len(values)} |")
        summary[f"Q_mean_{recall}"], summary[f"Q_ci95_{recall}"] = np.array(means), np.array(cis)
        summary[f"Q_{recall}"] = np.array([q[(size, recall)] for size in SIZES])
        ax.errorbar(SIZES, means, yerr=cis, marker="o", capsize=3, label=f"{label} recall")
    ax.axhline(0, color="k", lw=0.5)
    ax.set(xlabel="pattern size N_CA", ylabel="Q", title=f"STC network, {args.realizations} realizations")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(out / "q_vs_pattern_size.png", dpi=120)
    ps.save_results(out / "q_vs_pattern_size.h5", {"pattern_size": np.array(SIZES)}, summary,
                    model="stc-network-sweep", realizations=args.realizations)


if __name__ == "__main__":
    main()
