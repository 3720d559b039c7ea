"""stdp-poisson: LIF with a plastic conductance synapse (spec section 1.4, test T5)."""
import numpy as np

from plastisim.models import stdp_poisson
from plastisim.models.base import make_params


def test_reference_inputs_give_the_indicative_trajectory():
    r = stdp_poisson.run(make_params(stdp_poisson.Params))
    s, d = r["summary"], r["data"]
    # spec 1.4 (derived, simple Euler implementation): ~47 spikes, w ~20-25 uS at 1 s, g_e peak ~28 uS
    assert 42 <= s["n_spikes"] <= 52
    assert 20e-6 <= s["final_weight"] <= 25e-6
    assert 25e-6 <= s["peak_g_e"] <= 31e-6
    # deterministic: a second run gives identical traces
    again = stdp_poisson.run(make_params(stdp_poisson.Params))
    np.testing.assert_array_equal(d["V"], again["data"]["V"])
    # the weight only changes at input or output spikes and stays under the (non-binding) cap
    assert d["w"].max() < 50e-6


def test_poisson_inputs():
    # silent inputs: no spikes, weight unchanged; 48-Hz Poisson inputs: the neuron fires and
    # the weight moves
    silent = stdp_poisson.run(make_params(stdp_poisson.Params, {"inputs": "poisson", "rate_e": 0,
                                                                "rate_i": 0, "duration": "0.5s"}), seed=3)
    assert silent["summary"]["n_spikes"] == 0 and silent["summary"]["final_weight"] == 1e-6
    driven = stdp_poisson.run(make_params(stdp_poisson.Params, {"inputs": "poisson", "duration": "2s"}), seed=3)
    assert driven["summary"]["n_spikes"] > 0 and driven["summary"]["final_weight"] != 1e-6
