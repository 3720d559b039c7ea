"""Model l5-network (spec l5_gain.md §8-§10): the ring kernel against its closed form,
independence of the rings simulated together, STDP bounds and the AMPA/NMDA ratio, and the
network effects that hold with the [RECON] defaults (fixed seeds; no reference numbers exist)."""
import re

import numpy as np
import pytest

import plastisim as ps
from plastisim.models import l5_network
from plastisim.models.base import make_params

SMALL = dict(n_e="12", n_pv="6", n_som="6", baseline="0.1s", stim_start="0.2s", stim_duration="0.1s",
             stim_center="6", stim_width="3")


def test_ring_weights_closed_form():
    # 5 cells at 0, pi/2, pi, 3 pi/2, 2 pi: the last coincides with the first (MATLAB linspace)
    w, sigma = 3.5, 0.5
    J = l5_network.ring_weights(5, 5, w, sigma)
    peak = w / (sigma * np.sqrt(2 * np.pi))
    assert J[0, 0] == pytest.approx(peak) and J[0, 4] == pytest.approx(peak)
    assert J[0, 2] == pytest.approx(peak * np.exp(-0.5 * (2.0 / sigma) ** 2))  # opposite: d = 2
    assert J[0, 1] == pytest.approx(peak * np.exp(-0.5 * (np.sqrt(2) / sigma) ** 2))  # quarter: d = sqrt 2
    np.testing.assert_allclose(J, J.T)
    # pre and post populations of different sizes: 3 cells onto 5
    K = l5_network.ring_weights(3, 5, 1.0, 2.0)
    assert K.shape == (3, 5) and K[1, 2] == pytest.approx(1.0 / (2 * np.sqrt(2 * np.pi)))  # both at pi


def test_rings_simulated_together_are_independent():
    # ring 0 spikes the same whether or not other rings (other conditions, a stimulus) share
    # the network: the block-diagonal synapse lists do not couple rings
    p1 = make_params(l5_network.Params, dict(SMALL, gamma="1,0.5", I_d="800pA,0", som_scale="1,2",
                                             pv_scale="1,3", amplitudes="0,600pA"))
    p2 = make_params(l5_network.Params, dict(SMALL, gamma="1", I_d="800pA", som_scale="1", pv_scale="1",
                                             amplitudes="0"))
    spikes = []
    for p in (p1, p2):
        s = l5_network.run(p, seed=4)["data"]["spikes_e"]
        ring0 = s["i"] < p.n_e
        spikes.append((s["t"][ring0], s["i"][ring0]))
    assert len(spikes[0][0]) > 10  # enough spikes for the comparison to mean something
    np.testing.assert_array_equal(spikes[0][0], spikes[1][0])
    np.testing.assert_array_equal(spikes[0][1], spikes[1][1])


@pytest.fixture(scope="module")
def network():
    p = make_params(l5_network.Params, dict(amplitudes="0,600pA", realizations="2"))
    return p, l5_network.run(p, seed=0)["summary"]


def test_network_effects(network):
    p, s = network
    names = [c.decode() for c in s["condition"]]
    assert names == ["gamma=1 I_d=0pA", "gamma=1 I_d=800pA", "gamma=0 I_d=800pA", "gamma=1 I_d=800pA SOMx4",
                     "gamma=1 I_d=0pA PVx2"]
    control, drive, uncoupled, som, pv = range(5)
    bf, rate = s["burst_fraction"], s["rate"]
    # dendritic drive raises the burst-reset fraction; no coupling, no bursts; dendritic
    # (SOM) inhibition lowers it again (claims 1-4, network version)
    assert np.all(bf[drive] > 2 * bf[control]) and np.all(bf[uncoupled] == 0)
    assert np.all(bf[som] < bf[drive] - 0.05)
    # somatic (PV) inhibition gates the output: pyramidal rates fall by more than 40 %
    assert np.all(rate[pv] < 0.6 * rate[control]) and np.all(s["rate_pv"][pv] < s["rate_pv"][control])
    # the stimulus raises the rate and places the activity around the stimulated cells
    assert np.all(rate[:, 1] > rate[:, 0]) and np.all(s["gain"] > 0)
    profile = s["profile"][control, 1]
    centre, edge = np.abs(np.arange(p.n_e) - p.stim_center) < 15, np.abs(np.arange(p.n_e) - p.stim_center) > 30
    assert profile[centre].mean() > 5 * profile[edge].mean()
    assert np.all(s["weight_change"] == 0)


def test_stdp_keeps_bounds():
    p = make_params(l5_network.Params, dict(SMALL, gamma="1", I_d="800pA", som_scale="1", pv_scale="1",
                                            amplitudes="600pA", stdp="true", stdp_amplitude="0.05"))
    net, (E, _, _), ampa, stim = l5_network.build(p, seed=2)
    assert ampa.ports == {"ampa": p.ampa_ee, "nmda": p.nmda_ee}  # one weight drives both receptors
    w0 = ampa.w.copy()
    E.state["I_ext"][:] = stim
    ps.Simulator(net).run(0.5)
    change = np.abs(ampa.w - w0) / w0
    assert change.max() > 0.1 and np.mean(change > 1e-3) > 0.5  # weights moved
    assert np.all(ampa.w >= 0) and np.all(ampa.w <= 2 * w0 * (1 + 1e-12))
    assert np.any(ampa.w == 0) or np.any(ampa.w == ampa.state["w_max"])  # a bound was reached


def test_bad_parameters():
    with pytest.raises(ps.ParameterError, match=re.escape("I_d has 1 values; it needs one per condition, as gamma (5)")):
        make_params(l5_network.Params, dict(I_d="0"))
    with pytest.raises(ps.ParameterError, match=re.escape("baseline = 2.0 is outside the allowed range [0.0, stim_start = 1.0)")):
        make_params(l5_network.Params, dict(baseline="2s"))
