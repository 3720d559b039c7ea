"""Reproduction checks against the reference studies, run with stated seeds and written as one
Markdown table (``plastisim validate``), so that the numbers in ``docs/validation.md`` are
regenerated, never typed.

Each check runs a built-in model, compares it with the spec's reference values and reports
the measure the reference uses (relative or absolute error, or values where the reference is
indicative) and whether it is within the stated tolerance. ``long`` checks (hours of
biological time) run only when asked.
"""
from dataclasses import dataclass

import numpy as np

from . import models
from .models.base import make_params


@dataclass
class Row:
    check: str
    reference: str
    result: str
    measure: str
    passed: bool


def _run(name, seed, **overrides):
    module = models.get(name)
    return module.run(make_params(module.Params, {k: str(v) for k, v in overrides.items()}), seed=seed)


def stdp_curve():
    s = _run("stdp-curve", 0)["summary"]
    error = np.max(np.abs(s["weight_change"] - s["expected_change"])) / np.max(np.abs(s["expected_change"]))
    return Row("`stdp-curve`, 100 lags, 1 pairing, seed 0 (§1.5)", "closed form Δw(Δt) at the simulated lags",
               f"max relative error {error:.1e}", "relative error ≤ 1e-10", bool(error <= 1e-10))


def stdp_poisson():
    s = _run("stdp-poisson", 0)["summary"]
    n, w, g = int(s["n_spikes"]), s["final_weight"] * 1e6, s["peak_g_e"] * 1e6
    ok = abs(n - 47) <= 3 and 20 <= w <= 25 and abs(g - 28) <= 2
    return Row("`stdp-poisson`, reference spike lists (§1.4)",
               "≈ 47 spikes, w(1 s) ≈ 20–25 µS, peak g_e ≈ 28 µS (derived, indicative)",
               f"{n} spikes, w(1 s) = {w:.1f} µS, peak g_e = {g:.1f} µS", "values (±3 spikes, ±2 µS)", ok)


def homeostasis():
    rows = []
    for seed in (0, 1):
        s = _run("homeostasis", seed)["summary"]
        rows.append((s["period_rate_homeostasis"], s["period_rate_control"]))
    plastic = np.mean([r[0] for r in rows], axis=0)
    control = np.mean([r[1] for r in rows], axis=0)
    reference = np.array([52.0, 55.0, 46.0, 52.0])
    error = np.max(np.abs(plastic - reference))
    return Row("`homeostasis`, period means, seeds 0 and 1 × 50 trials (§2.4)",
               "with plasticity ≈ 52, 55, 46, 52 Hz; control ≈ 24, 44, 0, 33 Hz (indicative)",
               f"{', '.join(f'{x:.1f}' for x in plastic)} Hz; control {', '.join(f'{x:.1f}' for x in control)} Hz",
               f"max abs. difference {error:.1f} Hz (≤ 6 Hz)", bool(error <= 6.0))


def calcium_stdp_curve():
    s = _run("calcium-stdp-curve", 11)["summary"]
    lags = np.array([-100, -25, 0, 5, 100]) * 1e-3
    reference = np.array([0.98, 0.72, 0.99, 1.24, 0.99])
    at = np.array([s["synaptic_change"][np.argmin(np.abs(s["lag"] - lag))] for lag in lags])
    error = np.max(np.abs(at - reference))
    return Row("`calcium-stdp-curve`, 2000 + 2000 synapses per lag, seed 11 (§3.5)",
               "Δs(−100, −25, 0, +5, +100 ms) = 0.98, 0.72, 0.99, 1.24, 0.99",
               ", ".join(f"{x:.3f}" for x in at), f"max abs. error {error:.3f} (≤ 0.04)", bool(error <= 0.04))


def stc_synapse_early():
    s = _run("stc-synapse", 2)["summary"]
    h100, h200 = s["h_100ms"] * 1e3, s["h_200ms"] * 1e3
    error = max(abs(h100 - 4.345), abs(h200 - 4.232))
    return Row("`stc-synapse` early, 1000 trials, seed 2 (§5.5)", "mean h(100 ms) ≈ 4.345 mV, h(200 ms) ≈ 4.232 mV",
               f"h(100 ms) = {h100:.4f} mV, h(200 ms) = {h200:.4f} mV", f"max abs. error {error:.4f} mV (≤ 0.01 mV)",
               bool(error <= 0.01))


def stc_protocols():
    s = _run("stc-protocols", 0)["summary"]
    names = [g.decode() for g in s["groups"]]
    late = dict(zip(names, s["late_change"] / 4.20075e-3))
    ok = late["STET"] > 0.3 and abs(late["WTET"]) < 0.05 and late["SLFS"] < -0.1 and abs(late["WLFS"]) < 0.05 \
        and late["capture"] > 0.1
    return Row("`stc-protocols`, 10 trials, 8 h, seed 0 (§5.4)",
               "STET → late LTP, WTET → early only, SLFS → late LTD, WLFS → early only, weak + strong → capture",
               "late phase h0·z/h0 at 8 h: " + ", ".join(f"{k} {v:.2f}" for k, v in late.items()),
               "qualitative", bool(ok))


def heterosynaptic_spines():
    s = _run("heterosynaptic-spines", 0)["summary"]
    peak, w = s["peak_calcium"] * 1e3, s["final_weight"]
    peak_ref, w_ref = np.array([0.66, 0.21, 0.66, 0.090]), np.array([0.91, 0.92, 0.89, 0.30])
    ok = np.all(np.abs(peak - peak_ref) <= [5e-3, 5e-3, 5e-3, 5e-4]) and np.all(np.abs(w - w_ref) <= 5e-3)
    return Row("`heterosynaptic-spines`, finite volumes, I0 = 4 pA (§4.6)",
               "peak C 0.66 / 0.21 / 0.66 / 0.090 µmol/l, w(70 ms) 0.91 / 0.92 / 0.89 / 0.30 (derived); "
               "spines 1–3 potentiate, 4 depresses",
               f"peak C {' / '.join(f'{x:.3g}' for x in peak)} µmol/l, w(70 ms) {' / '.join(f'{x:.3f}' for x in w)}",
               "half a unit of the reference's last digit", bool(ok and np.all(w[:3] > 0.5) and w[3] < 0.5))


def l5_gain():
    from .models.l5_gain import (REFERENCE_CURRENTS, REFERENCE_GAINS, REFERENCE_GAINS_HALF, REFERENCE_RATES,
                                 fit_gain, reference_fit_range, reference_run)
    I, rows = reference_run(realizations=8, seed=1)
    at = np.searchsorted(I, REFERENCE_CURRENTS - 1e-15)
    rate_error = max(np.max(np.abs(rows[c][0][0][at] - r)) for c, r in REFERENCE_RATES.items())
    gain = lambda c: np.mean([fit_gain(I, rate, *reference_fit_range(c)) for rate, _, _ in rows[c]]) * 1e-12
    gain_error = max(abs(gain(c) - ref) for c, (ref, _) in REFERENCE_GAINS.items())
    half_error = max(abs(gain(c) - ref) for c, ref in REFERENCE_GAINS_HALF.items())
    rheobase_ok = all(round(rows[c][0][2] * 1e12) == r for c, (_, r) in REFERENCE_GAINS.items())
    gains = ", ".join(f"{gain(c):.4f}" for c in REFERENCE_GAINS)
    return Row("`l5-gain`, 6 f–I curves and 13 gains, γ = 0.5 rows as mean of 8 cells, seed 1 (l5_gain.md §13.1–§13.2)",
               "rates of §13.1; gains " + ", ".join(f"{ref:g}" for ref, _ in REFERENCE_GAINS.values())
               + " Hz/pA (γ = 0.5: " + ", ".join(f"{ref:g}" for ref in REFERENCE_GAINS_HALF.values()) + ")",
               f"gains {gains} Hz/pA (γ = 0.5: " + ", ".join(f"{gain(c):.4f}" for c in REFERENCE_GAINS_HALF) + ")",
               f"max abs. rate error {rate_error:.2f} Hz (≤ 1 Hz), gain error {gain_error:.4f} "
               f"(γ = 0.5: {half_error:.4f}) Hz/pA (≤ 0.002), rheobases {'equal' if rheobase_ok else 'differ'}",
               bool(rate_error <= 1.0 and gain_error <= 0.002 and half_error <= 0.002 and rheobase_ok))


def l5_cell():
    from .models.l5_cell import REFERENCE_BAC
    s = _run("l5-cell", 0)["summary"]
    rest, peak, plateau = np.array(list(REFERENCE_BAC.values())).T
    errors = [np.max(np.abs(s["bac_rest"] * 1e3 - rest)), np.max(np.abs(s["bac_peak"] * 1e3 - peak)),
              np.max(np.abs(s["bac_plateau"] * 1e3 - plateau))]
    return Row("`l5-cell`, one BAP on dendritic DC 0–800 pA, dt = 0.01 ms (l5_gain.md §13.3)",
               "plateau 0, 0, 0, 26.3, 40.4, 57.4, 300, 300, 300 ms",
               "plateau " + ", ".join(f"{x * 1e3:.1f}" for x in s["bac_plateau"]) + " ms",
               f"max abs. error rest {errors[0]:.2f} mV, peak {errors[1]:.2f} mV (≤ 0.1 mV), "
               f"plateau {errors[2]:.2f} ms (≤ 1 ms)",
               bool(errors[0] <= 0.1 and errors[1] <= 0.1 and errors[2] <= 1.0))


def l5_network():
    from .models.l5_network import PV_PROTOCOL, SOM_PROTOCOL
    pv = {sigma: _run("l5-network", 0, **PV_PROTOCOL, sigma_pv=sigma)["summary"]["threshold_stimulated"] * 1e12
          for sigma in (0.5, 2.0)}
    s = _run("l5-network", 0, **SOM_PROTOCOL)["summary"]
    gain, se = s["gain_stimulated"] * 1e-9, s["gain_stimulated_sd"] * 1e-9 / np.sqrt(int(SOM_PROTOCOL["realizations"]))
    bf = np.nanmean(s["burst_fraction"][:, 1:], axis=1)
    ok = pv[0.5][1] > pv[0.5][0] + 400 and pv[0.5][2] < pv[0.5][0] and abs(pv[2.0][1] - pv[2.0][2]) < 150 \
        and gain[1] - gain[2] > 3 * np.hypot(se[1], se[2]) and gain[2] < gain[0] + 3 * np.hypot(se[0], se[2])
    thresholds = lambda t: " / ".join(f"{x:.0f}" for x in t)
    return Row("`l5-network`, claims 4–5 in the ring, 8 rings per point, seed 0 (l5_gain.md §14; "
               "`PV_PROTOCOL`, `SOM_PROTOCOL`)",
               "PV activity raises the threshold of neighbouring pyramidal cells (lateral σ); SOM inhibition "
               "undoes the gain increase of dendritic drive (no reference numbers)",
               f"threshold of the stimulated cells, no PV drive / 1 nA PV drive near / far: σ_PV 0.5: "
               f"{thresholds(pv[0.5])} pA, σ_PV 2: {thresholds(pv[2.0])} pA; w_EE 0, I_d 0 / 800 pA / 800 pA SOM×4: "
               f"gain {' / '.join(f'{g:.1f} ± {e:.1f}' for g, e in zip(gain, se))} Hz/nA (± s.e.), burst fraction "
               f"{' / '.join(f'{b:.2f}' for b in bf)}",
               "qualitative: near − none > 400 pA, far < none at σ_PV 0.5, near − far within ±150 pA at σ_PV 2; "
               "SOM gain drop > 3 s.e., not above the no-drive gain", bool(ok))


CHECKS = {"stdp-curve": stdp_curve, "stdp-poisson": stdp_poisson, "homeostasis": homeostasis,
          "calcium-stdp-curve": calcium_stdp_curve, "stc-synapse": stc_synapse_early,
          "heterosynaptic-spines": heterosynaptic_spines, "l5-gain": l5_gain, "l5-cell": l5_cell,
          "l5-network": l5_network}
LONG_CHECKS = {"stc-protocols": stc_protocols}


def table(rows):
    """Markdown table of the rows."""
    lines = ["| model / check | reference (spec) | plastisim | measure | within tolerance |",
             "|---|---|---|---|---|"]
    lines += [f"| {r.check} | {r.reference} | {r.result} | {r.measure} | {'yes' if r.passed else '**no**'} |"
              for r in rows]
    return "\n".join(lines)


def validate(names=None, long=False):
    """Run the checks ``names`` (default: all, with ``long`` also the long ones); list of rows."""
    available = {**CHECKS, **(LONG_CHECKS if long or names else {})}
    names = names or list(available)
    unknown = [n for n in names if n not in {**CHECKS, **LONG_CHECKS}]
    if unknown:
        from .core.errors import ParameterError
        raise ParameterError(f"unknown check(s) {unknown}; known: {', '.join({**CHECKS, **LONG_CHECKS})}")
    return [{**CHECKS, **LONG_CHECKS}[name]() for name in names]
