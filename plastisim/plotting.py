"""Figures of the built-in models (PNG). One function per model name, ``(result, params, out)``
-> list of written paths."""
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .models.calcium_stdp_curve import REFERENCE  # noqa: E402


def _save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def stdp_curve(result, params, out):
    s = result["summary"]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(s["lag"] * 1e3, s["expected_change"] * 1e6, "-", color="0.6", lw=3, label="closed form")
    ax.plot(s["lag"] * 1e3, s["weight_change"] * 1e6, ".", color="C0", label="plastisim")
    ax.axhline(0, color="k", lw=0.5)
    ax.set(xlabel="Δt = t_post − t_pre (ms)", ylabel="Δw (µS)",
           title=f"STDP window, {params.n_pairs} pairing(s)")
    ax.legend(frameon=False)
    return [_save(fig, out / "stdp_curve.png")]


def stdp_poisson(result, params, out):
    d = result["data"]
    fig, axes = plt.subplots(3, 1, figsize=(6, 6), sharex=True)
    axes[0].plot(d["t"], d["w"] * 1e6)
    axes[0].set_ylabel("w (µS)")
    axes[1].plot(d["t"], d["g_e"] * 1e6, label="g_e")
    axes[1].plot(d["t"], d["g_i"] * 1e6, label="g_i")
    axes[1].set_ylabel("conductance (µS)")
    axes[1].legend(frameon=False)
    axes[2].plot(d["t"], d["V"] * 1e3, lw=0.6)
    axes[2].plot(d["spikes"]["t"], [params.V_th * 1e3 + 5] * len(d["spikes"]["t"]), "|k")
    axes[2].set(ylabel="V (mV)", xlabel="t (s)")
    return [_save(fig, out / "stdp_poisson.png")]


def homeostasis(result, params, out):
    d = result["data"]
    fig, axes = plt.subplots(2, 1, figsize=(6, 5), sharex=True)
    axes[0].plot(d["t_w"], d["w_mean"] * 1e9)
    axes[0].set_ylabel("mean plastic w (nA)")
    axes[1].plot(d["t_bins"], d["rate_control"], color="0.6", label="control")
    axes[1].plot(d["t_bins"], d["rate_homeostasis"], color="C1", label="homeostasis")
    axes[1].axhline(result["summary"]["target_rate"], color="k", ls="--", lw=0.8)
    axes[1].set(xlabel="t (s)", ylabel="rate (Hz)")
    axes[1].legend(frameon=False)
    return [_save(fig, out / "homeostasis.png")]



def calcium_stdp_curve(result, params, out):
    s = result["summary"]
    lag = s["lag"] * 1e3
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.fill_between(lag, s["synaptic_change_ci"][:, 0], s["synaptic_change_ci"][:, 1], alpha=0.3,
                    label="95 % CI")
    ax.plot(lag, s["synaptic_change"], "-", label="plastisim")
    ax.plot(np.array(list(REFERENCE)) * 1e3, list(REFERENCE.values()), "ko", ms=4, label="reference")
    ax.axhline(1, color="k", lw=0.5)
    ax.set(xlabel="Δt = t_post − t_pre (ms)", ylabel="synaptic change Δs",
           title=f"DP curve: {params.n_pairs} pairs, {2 * params.trials} synapses per lag")
    ax.legend(frameon=False, fontsize=8)
    return [_save(fig, out / "calcium_stdp_curve.png")]


def stc_synapse(result, params, out):
    d = result["data"]
    scale, unit = (1e3, "ms") if params.protocol == "early" else (1 / 3600, "h")
    t = d["t"] * scale
    fig, axes = plt.subplots(4, 1, figsize=(6, 7), sharex=True)
    axes[0].plot(t, d["h"] * 1e3, label="h (early)")
    axes[0].plot(t, d["hz"] * 1e3, label="h0·z (late)")
    axes[0].set_ylabel("weight (mV)")
    axes[0].legend(frameon=False)
    axes[1].plot(t, d["c"])
    axes[1].axhline(3.0, ls="--", color="C3", lw=0.8)
    axes[1].axhline(1.2, ls="--", color="C2", lw=0.8)
    axes[1].set_ylabel("calcium")
    axes[2].plot(t, d["p"] * 1e3)
    axes[2].set_ylabel("PRP (µmol/l)")
    axes[3].plot(t, d["V"] * 1e3)
    axes[3].set(ylabel="V (mV)", xlabel=f"t ({unit})")
    fig.suptitle(f"STC synapse, basic {params.protocol} protocol, mean of {params.trials} trials")
    return [_save(fig, out / "stc_synapse.png")]


def stc_protocols(result, params, out):
    d = result["data"]
    names = [g.decode() for g in d["groups"]]
    fig, axes = plt.subplots(1, len(names), figsize=(3 * len(names), 3), sharey=True)
    for ax, name, k in zip(np.atleast_1d(axes), names, range(len(names))):
        h0 = 4.20075
        ax.plot(d["t"] / 3600, (d["h"][:, k] * 1e3 - h0) / h0 * 100, label="early")
        ax.plot(d["t"] / 3600, d["hz"][:, k] * 1e3 / h0 * 100, label="late")
        ax.plot(d["t"] / 3600, (d["h"][:, k] * 1e3 + d["hz"][:, k] * 1e3 - h0) / h0 * 100, "k", label="total")
        ax.set(title=name, xlabel="t (h)")
    np.atleast_1d(axes)[0].set_ylabel("weight change (% of h0)")
    np.atleast_1d(axes)[0].legend(frameon=False, fontsize=8)
    return [_save(fig, out / "stc_protocols.png")]


def stc_network(result, params, out, name="stc_network"):
    d, s = result["data"], result["summary"]
    t_recall = float(np.atleast_1d(s["recall_time"])[0])
    fig, axes = plt.subplots(2, 2, figsize=(10, 6), sharey="row",
                             gridspec_kw=dict(width_ratios=[1.1, 0.5]))
    windows = [(9.8, 11.4, "learning"), (t_recall - 0.3, t_recall + 0.5, "recall")]
    n_as = int(params.p_r * params.pattern_size)
    groups = [("as", 0, n_as, "C3"), ("ans", n_as, params.pattern_size, "C1"),
              ("ctrl", params.pattern_size, params.n_exc, "C0")]
    for col, (lo, hi, title) in enumerate(windows):
        inside = (d["spikes_exc_t"] >= lo) & (d["spikes_exc_t"] < hi)
        t, i = d["spikes_exc_t"][inside], d["spikes_exc_i"][inside]
        axes[0, col].plot(t, i, ",k")
        axes[0, col].axhline(params.pattern_size, color="C1", lw=0.8)
        axes[0, col].set(title=title, xlim=(lo, hi))
        edges = np.arange(lo, hi + 1e-9, 0.01)
        for name, a, b, color in groups:
            sel = (i >= a) & (i < b)
            axes[1, col].plot(edges[:-1], np.histogram(t[sel], edges)[0] / ((b - a) * 0.01), color=color,
                              label=name)
        axes[1, col].set(xlabel="t (s)", xlim=(lo, hi))
    axes[0, 0].set_ylabel("excitatory neuron")
    axes[1, 0].set_ylabel("rate (Hz)")
    axes[1, 1].legend(frameon=False)
    q = float(np.atleast_1d(s["Q"]).mean())
    fig.suptitle(f"N_CA = {params.pattern_size}, recall {params.recall:g} s after learning: Q = {q:.3f}")
    return [_save(fig, out / f"{name}.png")]


def _rallpack(result, params, out, name, labels):
    s = result["summary"]
    t = s["t"] * 1e3
    fig, axes = plt.subplots(2, 1, figsize=(6, 5), sharex=True, gridspec_kw=dict(height_ratios=[2, 1]))
    for key, label, color in (("x0", labels[0], "C0"), ("x1", labels[1], "C1")):
        axes[0].plot(t, s[f"v_analytic_{key}"] * 1e3, "-", color="0.6", lw=3)
        axes[0].plot(t, s[f"v_{key}"] * 1e3, "-", color=color, lw=1, label=f"{label} (plastisim)")
        axes[1].plot(t, (s[f"v_{key}"] - s[f"v_analytic_{key}"]) * 1e3, color=color,
                     label=f"{label}: RMS {s[f'rms_error_{key}'] * 1e3:.3g} mV")
    axes[0].plot([], [], "-", color="0.6", lw=3, label="analytic")
    axes[0].set(ylabel="V (mV)", title=f"{name}: {params.scheme}, dt = {params.dt * 1e6:g} µs")
    axes[0].legend(frameon=False, fontsize=8)
    axes[1].set(xlabel="t (ms)", ylabel="error (mV)")
    axes[1].legend(frameon=False, fontsize=8)
    return [_save(fig, out / f"{name.lower().replace(' ', '')}.png")]


def rallpack1(result, params, out):
    return _rallpack(result, params, out, "Rallpack 1", ("x = 0", "x = 1 mm"))


def rallpack2(result, params, out):
    return _rallpack(result, params, out, "Rallpack 2", ("root", "tip"))


def rallpack3(result, params, out):
    s = result["summary"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for key, label in (("x0", "x = 0"), ("x1", "x = 1 mm")):
        n = len(s[f"spike_times_{key}"])
        ax.plot(s["t"] * 1e3, s[f"v_{key}"] * 1e3, lw=1, label=f"{label}: {n} spikes")
    ax.set(xlabel="t (ms)", ylabel="V (mV)", title=f"Rallpack 3: {params.scheme}, dt = {params.dt * 1e6:g} µs")
    ax.legend(frameon=False, fontsize=8)
    return [_save(fig, out / "rallpack3.png")]


def heterosynaptic_spines(result, params, out):
    d = result["data"]
    t = d["t"] * 1e3
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharex=True)
    for m in range(4):
        axes[0].plot(t, d["calcium"][:, m] * 1e3, label=f"spine {m + 1}" + (" (input)" if m in (0, 2) else ""))
        axes[2].plot(t, d["weight"][:, m], label=f"spine {m + 1}")
    for q, (a, b) in enumerate(((-1, 0), (0, 1), (2, 3))):
        axes[1].plot(t, d["calcium"][:, 4 + q] * 1e3, label=f"dendrite [{a}, {b}] µm")
    for ax in axes[:2]:
        ax.axhline(params.theta_p * 1e3, ls="--", color="k", lw=0.7)
        ax.axhline(params.theta_d * 1e3, ls=":", color="k", lw=0.7)
        ax.set(ylabel="calcium (µmol/l)", xlabel="t (ms)")
    axes[2].set(ylabel="weight", xlabel="t (ms)", ylim=(0, 1.05))
    for ax, title in zip(axes, ("spine heads", "dendrite", "weights")):
        ax.set_title(title)
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle("Heterosynaptic plasticity: calcium diffusing between four spines (θp dashed, θd dotted)")
    return [_save(fig, out / "heterosynaptic_spines.png")]
def l5_cell(result, params, out):
    d, s = result["data"], result["summary"]
    fig, axes = plt.subplots(3, 1, figsize=(7, 7.5))
    window = (d["t"] >= params.discard) & (d["t"] < params.discard + 0.3)
    for k, (name, color) in enumerate((("regular", "C0"), ("burst", "C3"))):
        label = f"{name}: I_d = {[0.0, params.I_d_burst][k] * 1e12:g} pA, {s['rate'][k]:.1f} Hz"
        axes[0].plot(d["t"][window], d["v"][window, k] * 1e3, color=color, lw=0.8, label=label)
        axes[1].plot(d["t"][window], d["v_d"][window, k] * 1e3, color=color, lw=0.8)
    axes[0].set(ylabel="soma v (mV)", title=f"I_s = {params.I_s * 1e12:g} pA, γ = {params.gamma:g}")
    axes[0].legend(frameon=False, fontsize=8, loc="upper right")
    axes[1].axhline(params.plateau * 1e3, color="k", ls="--", lw=0.6)
    axes[1].set(xlabel="t (s)", ylabel="dendrite v_d (mV)")
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(s["bac_I_d"])))
    for k, color in enumerate(colors):
        axes[2].plot(d["bac_t"] * 1e3, d["bac_v_d"][:, k] * 1e3, color=color, lw=0.8,
                     label=f"{s['bac_I_d'][k] * 1e12:g} pA: {s['bac_plateau'][k] * 1e3:.1f} ms")
    axes[2].axhline(params.plateau * 1e3, color="k", ls="--", lw=0.6)
    axes[2].set(xlabel="time after the BAP (ms)", ylabel="v_d (mV)", title="BAC: one BAP on top of I_d")
    axes[2].legend(frameon=False, fontsize=6, ncol=3, title="I_d: plateau", title_fontsize=6)
    return [_save(fig, out / "l5_cell.png")]


def l5_gain(result, params, out):
    s = result["summary"]
    names = [c.decode() for c in s["condition"]]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), gridspec_kw=dict(width_ratios=[1.4, 1]))
    for k, name in enumerate(names):
        axes[0].plot(s["I_s"] * 1e12, s["rate"][k], "o-", ms=3, lw=1, color=plt.cm.tab20(k % 20),
                     label=f"{name}: {s['gain'][k] * 1e-12:.3f} Hz/pA")
    axes[0].set(xlabel="somatic current I_s (pA)", ylabel="rate (Hz)", title="f–I curves (gain = fitted slope)")
    axes[0].legend(frameon=False, fontsize=6)
    axes[1].barh(np.arange(len(names)), s["gain"] * 1e-12, color=[plt.cm.tab20(k % 20) for k in range(len(names))])
    axes[1].set_yticks(np.arange(len(names)), names, fontsize=6)
    axes[1].invert_yaxis()
    axes[1].set(xlabel="gain (Hz/pA)")
    return [_save(fig, out / "l5_gain.png")]


def l5_network(result, params, out):
    d, s = result["data"], result["summary"]
    names = [c.decode() for c in s["condition"]]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    ring = d["spikes_e"]["i"] // params.n_e
    last = (len(params.amplitudes) - 1) * params.realizations  # condition 0, largest A, first ring
    sel = ring == last
    axes[0, 0].plot(d["spikes_e"]["t"][sel], d["spikes_e"]["i"][sel] - last * params.n_e, ",k")
    axes[0, 0].axvspan(params.stim_start, params.stim_start + params.stim_duration, color="C1", alpha=0.2)
    axes[0, 0].set(xlabel="t (s)", ylabel="pyramidal cell", title=f"{names[0]}, A = {params.amplitudes[-1] * 1e12:g} pA")
    A = s["A"] * 1e12
    for k, name in enumerate(names):
        color = plt.cm.tab10(k % 10)
        axes[0, 1].plot(A, s["rate"][k], "o-", color=color, label=f"{name}: {s['gain'][k] * 1e-9:.1f} Hz/nA, "
                        f"thresholds {s['threshold'][k] * 1e12:.0f} / {s['threshold_stimulated'][k] * 1e12:.0f} pA")
        axes[0, 1].plot(A, s["rate_stimulated"][k], "s--", ms=3, color=color)
        axes[1, 0].plot(A, s["burst_fraction"][k], "o-", color=color)
        axes[1, 1].plot(s["profile"][k, -1], color=color)
    axes[0, 1].axhline(params.threshold_rate, color="k", ls=":", lw=0.7)
    axes[0, 1].set(xlabel="stimulus amplitude A (pA)", ylabel="pyramidal rate (Hz)",
                   title="f–I: all (solid) / stimulated (dashed) cells")
    axes[0, 1].legend(frameon=False, fontsize=6)
    axes[1, 0].set(xlabel="stimulus amplitude A (pA)", ylabel="burst-reset fraction")
    axes[1, 1].set(xlabel="pyramidal cell (ring position)", ylabel="rate (Hz)",
                   title=f"profile at A = {params.amplitudes[-1] * 1e12:g} pA")
    return [_save(fig, out / "l5_network.png")]


def l5_stdp(result, params, out):
    s = result["summary"]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    names = [g.decode() for g in s["group"]]
    x = np.arange(len(names))
    axes[0, 0].bar(x, s["weight_change"], yerr=s["weight_change_se"], color=["C3", "C0", "C2"])
    axes[0, 0].set_xticks(x, [f"{g}\n{r:.1f} Hz, bursts {b:.2f}" for g, r, b in
                              zip(names, s["rate"], s["burst_fraction"])], fontsize=7)
    axes[0, 0].set(ylabel="|Δw| / w₀ per s (1/s)",
                   title=f"claim 6: burst / regular = {s['ratio'][0]:.2f} (matched), {s['ratio'][1]:.2f} (unmatched)")
    axes[0, 1].plot(s["calibration_I_s"] * 1e12, s["calibration_rate"], "o-", color="C0", label="regular (calibration)")
    axes[0, 1].axhline(s["rate"][0], color="C3", ls="--", lw=0.8, label="burst group")
    axes[0, 1].plot(s["I_s"][2] * 1e12, s["rate"][2], "s", color="C2", label="regular matched")
    axes[0, 1].set(xlabel="somatic current I_s (pA)", ylabel="rate (Hz)", title="rate matching")
    axes[0, 1].legend(frameon=False, fontsize=7)
    labels = ["before", "pulse", "after"]
    for ax, key, scale, ylabel in ((axes[1, 0], "pulse_weight_change", 1.0, "|Δw| / w₀ per s (1/s)"),
                                   (axes[1, 1], "pulse_gain", 1e-12, "gain (Hz/pA)")):
        for k, (name, color) in enumerate((("pulse", "C3"), ("control", "C0"))):
            ax.bar(np.arange(3) + 0.4 * k - 0.2, s[key][k] * scale, width=0.4, color=color, label=name)
        ax.set_xticks(np.arange(3), labels)
        ax.set(ylabel=ylabel)
    axes[1, 0].set_title(f"claim 7: {params.pulse_duration * 1e3:g}-ms pulse of I_d and γ")
    axes[1, 0].legend(frameon=False, fontsize=7)
    axes[1, 1].set_title(f"instantaneous gain; weight change persistence {s['persistence']:.2f}")
    return [_save(fig, out / "l5_stdp.png")]


PLOTS = {"stdp-curve": stdp_curve, "stdp-poisson": stdp_poisson, "homeostasis": homeostasis,
         "calcium-stdp-curve": calcium_stdp_curve, "stc-synapse": stc_synapse,
         "stc-protocols": stc_protocols, "stc-network": stc_network,
         "rallpack1": rallpack1, "rallpack2": rallpack2, "rallpack3": rallpack3, "heterosynaptic-spines": heterosynaptic_spines,
         "stc-network-morpho": lambda result, params, out: stc_network(result, params, out, "stc_network_morpho"),
         "l5-cell": l5_cell, "l5-gain": l5_gain, "l5-network": l5_network,
         "l5-stdp": l5_stdp}
