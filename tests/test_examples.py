"""examples/ are run as tests (Arbor habit): the triplet rule is a user rule outside the package."""
import importlib.util
from pathlib import Path

import numpy as np

import plastisim as ps


def load(name):
    path = Path(__file__).parents[1] / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_triplet_rule_matches_closed_form():
    triplet = load("triplet_stdp")
    cases, simulated, expected = triplet.pairing()
    np.testing.assert_allclose(simulated, expected, rtol=1e-9)
    # Pfister & Gerstner (2006): pairing at 1 Hz depresses for both lags, at 50 Hz potentiates
    by_case = dict(zip(cases, simulated))
    assert by_case[(1.0, -10e-3)] < 0 and by_case[(50.0, 10e-3)] > 0 and by_case[(50.0, -10e-3)] > 0


# ---- user rules and a user neuron model (examples/*.py) against independent NumPy code ----
# Tolerances: the NumPy code repeats the engine's scheme and step order, so results agree to
# rounding (exp from NumPy vs libm, summation order): 1e-12 relative to the largest value.

def close(a, b, scale, rtol=1e-12):
    assert np.abs(np.asarray(a) - np.asarray(b)).max() <= rtol * scale


def test_clopath_rule_matches_numpy_on_recorded_voltage():
    clopath = load("clopath_stdp")
    w, expected, w0, mons = clopath.compare(duration=0.5)
    dw = w - w0
    assert np.abs(dw).max() > 1e-12 and mons["V"].data.max() > clopath.ClopathSTDP.parameters["theta_plus"]
    close(w, expected, np.abs(dw).max())


def test_reward_stdp_with_concentration_and_schedule_matches_numpy():
    reward = load("reward_stdp")
    for kind in ("concentration", "schedule"):
        w, expected = reward.compare(kind, duration=2.0)
        close(w, expected, np.abs(w).max())
        assert np.all(w[:3] > 0) and np.all(w[3:] < 0)  # pre->post potentiates after the reward
    net, syn, _, _ = reward.build("concentration")
    ps.Simulator(net).run(1.5)  # the reward comes at 1.5 s: no change before it
    assert np.all(syn.w == 0.0) and np.any(syn.state["c"] != 0.0)


def test_bcm_matches_numpy_and_threshold_follows_rate():
    bcm = load("bcm")
    r = bcm.compare(duration=1.0)
    close(r["w"], r["w_ref"], r["w0"].max())
    close(r["theta"], r["theta_ref"], r["theta"].max())
    assert np.abs(r["w"] - r["w0"]).max() > 1e-12 and not np.allclose(r["theta"], r["theta"][0])


def test_normalisation_keeps_sums_exact_in_any_pair_order():
    norm = load("heterosynaptic_normalisation")
    pre, post, w0 = norm.pairs()
    results = []
    for order in (np.arange(len(pre)), np.random.default_rng(5).permutation(len(pre))):
        net, syn, pre_mon, post_mon = norm.build(pre[order], post[order], w0[order])
        sim, total, period = ps.Simulator(net), syn.rule.params["w_total"], syn.rule.params["period"]
        for _ in range(30):  # each run ends with a normalisation step
            sim.run(period)
            close(norm.summed(syn.post, syn.w, syn.post_pop.n), total, total)
        assert len(post_mon.t) > 10
        results.append({(a, b): w for a, b, w in zip(syn.pre, syn.post, syn.w)})
    assert results[0] == results[1]  # bit-identical for the same connectivity in two orders
    syn, expected, _ = norm.compare(duration=0.3)
    close(syn.w, expected, syn.w.max())


def test_izhikevich_network_is_forward_euler():
    izh = load("izhikevich_network")
    sim, ref, v, trace = izh.compare(duration=0.3)
    assert len(sim) > 50 and set(sim[:, 1]) == set(range(10))
    np.testing.assert_array_equal(sim, ref)
    np.testing.assert_array_equal(v, trace)  # same operations in the same order


def test_user_model_and_user_rule_resume_bit_identically(tmp_path):
    izh, bcm = load("izhikevich_network"), load("bcm")

    def build():
        net = ps.Network(dt=1e-4, seed=11)
        state, _ = izh.parameters()
        neurons = net.add(izh.Izhikevich(10, **state))
        src = net.add(ps.PoissonSource(30, rate=np.linspace(5.0, 50.0, 30)))
        syn = net.connect(src, neurons, ps.FixedProbability(0.5), weight=2e-3, delay=1e-3, port="syn",
                          rule=bcm.BCM(eta=1e-9, w_max=5e-3))
        return net, neurons, syn, net.record_spikes(neurons)

    def outcome(neurons, syn, mon):
        return [neurons.state["v"].copy(), neurons.state["u"].copy(), syn.w.copy(),
                syn.neuron_state["theta"].copy(), syn.group_state["x"].copy(), mon.t, mon.i]

    net, neurons, syn, mon = build()
    ps.Simulator(net).run(0.4)
    full = outcome(neurons, syn, mon)
    net, neurons, syn, mon = build()
    sim = ps.Simulator(net, chunk_steps=777)
    sim.run(0.1733)
    sim.save_checkpoint(tmp_path / "state.h5")
    net, neurons, syn, mon = build()
    sim = ps.Simulator(net)
    sim.load_checkpoint(tmp_path / "state.h5")
    sim.run(0.4 - 0.1733)
    resumed = outcome(neurons, syn, mon)
    assert len(full[-1]) > 20 and np.abs(full[2] - 2e-3).max() > 1e-9
    for a, b in zip(full, resumed):
        np.testing.assert_array_equal(a, b)


def test_spnet_rule_matches_a_numpy_loop():
    """Izhikevich's spnet STDP (option B of the L5 spec) as a user rule: weights after 3 s of
    random 20-Hz pre and post trains equal a NumPy loop over 1-ms steps to 1e-12 relative, and
    the rule moved them (both directions)."""
    simulated, expected = load("spnet_stdp").simulate()
    np.testing.assert_allclose(simulated, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())
    assert simulated.min() < 4.5 and simulated.max() > 5.5
