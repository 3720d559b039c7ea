"""Model l5-network (spec l5_gain.md §8-§10): the ring kernel, the PV drive and the threshold
interpolation against their closed forms, independence of the rings simulated together, STDP
bounds and the AMPA/NMDA ratio, the network effects that hold with the [RECON] defaults, and
claims 4-5 of §14 at the network level (fixed seeds; no reference numbers exist)."""
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


def test_threshold_interpolation():
    A = np.array([0.0, 100e-12, 200e-12, 300e-12])
    rate = np.array([[10.0, 30.0, 50.0, 70.0],   # crosses 40 Hz half-way between 100 and 200 pA
                     [45.0, 50.0, 60.0, 70.0],   # already above at the smallest amplitude
                     [10.0, 20.0, 30.0, 35.0],   # never reaches the criterion
                     [10.0, 40.0, 20.0, 60.0]])  # first crossing counts; equality reaches it
    np.testing.assert_allclose(l5_network.threshold(A, rate, 40.0), [150e-12, np.nan, np.nan, 100e-12])
    assert l5_network.threshold(A, rate[None], 40.0).shape == (1, 4)


def test_pv_drive_is_a_gaussian_patch_on_the_ring():
    # n_e = 89: 88 pyramidal spacings = 2 pi; PV cell j of 45 sits at pyramidal position 2 j
    np.testing.assert_allclose(l5_network.ring_offset(5, 0.0, 89), [0, 22, 44, -22, 0], atol=1e-9)
    np.testing.assert_allclose(l5_network.ring_offset(3, 10.0, 89), [-10, 34, -10], atol=1e-9)  # wraps around
    p = make_params(l5_network.Params, dict(SMALL, n_e="89", n_pv="45", gamma="1,1", I_d="0,0", som_scale="1,1",
                                            pv_scale="1,1", pv_drive="1nA,0", pv_center="44,0", pv_width="5",
                                            amplitudes="0", realizations="2"))
    net, (E, PV, SOM), _, _ = l5_network.build(p, seed=0)
    drive = PV.state["I_ext"].reshape(2, 2, 45)  # condition x realization x cell
    expected = 1e-9 * np.exp(-((2 * np.arange(45) - 44) / 5) ** 2)
    np.testing.assert_allclose(drive[0, 0], expected)
    np.testing.assert_allclose(drive[0, 1], expected)
    assert drive[0, 0, 22] == 1e-9 and np.all(drive[1] == 0) and np.all(SOM.state["I_ext"] == 0)
    assert l5_network.condition_names(p) == ["gamma=1 I_d=0pA PV drive 1000pA at 44", "gamma=1 I_d=0pA"]


def test_rings_simulated_together_are_independent():
    # ring 0 spikes the same whether or not other rings (other conditions, a stimulus) share
    # the network: the block-diagonal synapse lists do not couple rings
    p1 = make_params(l5_network.Params, dict(SMALL, gamma="1,0.5", I_d="800pA,0", som_scale="1,2",
                                             pv_scale="1,3", pv_drive="0,300pA", pv_center="0,6",
                                             amplitudes="0,600pA"))
    p2 = make_params(l5_network.Params, dict(SMALL, gamma="1", I_d="800pA", som_scale="1", pv_scale="1",
                                             pv_drive="0", pv_center="0", amplitudes="0"))
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
    p = make_params(l5_network.Params, dict(SMALL, gamma="1", I_d="800pA", som_scale="1", pv_scale="1", pv_drive="0",
                                            pv_center="0", amplitudes="600pA", stdp="true", stdp_amplitude="0.05"))
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
    message = "pv_center has 2 values; it needs one per condition, as gamma (5)"
    with pytest.raises(ps.ParameterError, match=re.escape(message)):
        make_params(l5_network.Params, dict(pv_center="0,1"))
    with pytest.raises(ps.ParameterError, match=re.escape("pv_drive = -1e-09 is outside the allowed range [0.0, inf)")):
        make_params(l5_network.Params, dict(pv_drive="-1nA,0,0,0,0"))
    with pytest.raises(ps.ParameterError, match=re.escape("baseline = 2.0 is outside the allowed range [0.0, stim_start = 1.0)")):
        make_params(l5_network.Params, dict(baseline="2s"))


def standard_error(s, key, a, b, R):
    """Standard error of the difference of the realization means of ``key`` in conditions a, b."""
    return np.hypot(s[key + "_sd"][a], s[key + "_sd"][b]) / np.sqrt(R)


@pytest.fixture(scope="module")
def pv_claim():
    """Claim 5 protocol at sigma_pv = 0.5 (narrow) and 2 (the [RECON] default): control, 1 nA to
    the PV cells at the stimulated cells (near) and on the opposite side (far); 8 rings each."""
    runs = {}
    for sigma in ("0.5", "2"):
        p = make_params(l5_network.Params, dict(l5_network.PV_PROTOCOL, sigma_pv=sigma))
        runs[float(sigma)] = l5_network.run(p, seed=0)["summary"]
    return p, runs


def test_pv_activity_raises_the_threshold_of_neighbouring_cells(pv_claim):
    # claim 5, network: with a narrow PV -> E kernel, PV activity at the stimulated cells raises
    # their threshold (amplitude for 40 Hz) by > 400 pA (measured 626-766 pA, seeds 0-3; s.e. of
    # the difference over 8 rings about 65 pA); PV activity on the far side of the ring does not
    # raise it (measured 158-228 pA lower: the bump moves away from the inhibited side)
    p, runs = pv_claim
    control, near, far = range(3)
    s = runs[0.5]
    threshold = s["threshold_stimulated"]
    assert threshold[near] > threshold[control] + 400e-12
    assert threshold[far] < threshold[control]
    assert np.all(s["rate_stimulated"][near, 1:] < s["rate_stimulated"][control, 1:])


def test_lateral_extent_of_pv_inhibition_follows_sigma_pv(pv_claim):
    # with sigma_pv = 2 (about the ring diameter) the position of the PV activity matters little
    # for the stimulated cells: |near - far| < 150 pA (measured 33-105 pA, seeds 0-3; s.e. 25-50
    # pA), against > 800 pA with sigma_pv = 0.5 (854-954 pA); PV activity anywhere raises the
    # threshold of the population rate by > 200 pA (measured 210-423 pA; per-ring s.d. 35-220 pA)
    p, runs = pv_claim
    control, near, far = range(3)
    wide, narrow = runs[2.0]["threshold_stimulated"], runs[0.5]["threshold_stimulated"]
    assert abs(wide[near] - wide[far]) < 150e-12
    assert narrow[near] - narrow[far] > 800e-12
    population = runs[2.0]["threshold"]
    assert population[near] > population[control] + 200e-12 and population[far] > population[control] + 200e-12


def test_som_activity_lowers_network_gain_and_bursts():
    # claim 4, network (ring without recurrent excitation, w_ee = 0): I_d = 800 pA raises the
    # gain of the stimulated cells and the burst fraction; SOM x4 brings the gain back to (or
    # below) the no-drive value and lowers the burst fraction; differences beyond 3 standard
    # errors over 8 rings (measured gains 25.0, 29.6, 24.0 Hz/nA, s.d. 0.4-0.8 Hz/nA, seed 0);
    # at A = 0 the SOM cells are silent (< 1 Hz) and the burst fractions equal
    p = make_params(l5_network.Params, l5_network.SOM_PROTOCOL)
    s = l5_network.run(p, seed=0)["summary"]
    control, drive, som = range(3)
    gain, R = s["gain_stimulated"], p.realizations
    assert gain[drive] - gain[control] > 3 * standard_error(s, "gain_stimulated", drive, control, R)
    assert gain[drive] - gain[som] > 3 * standard_error(s, "gain_stimulated", drive, som, R)
    assert gain[som] < gain[control] + 3 * standard_error(s, "gain_stimulated", som, control, R)
    bf = s["burst_fraction"]
    assert np.all(bf[control] < 0.05) and np.all(bf[drive] > 0.5) and np.all(bf[som, 1:] < bf[drive, 1:] - 0.1)
