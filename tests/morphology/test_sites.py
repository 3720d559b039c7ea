"""Synapses spread over a region of compartmental cells: where they land, where their weight
goes, what their rule reads; synapses at explicit nodes; bad sites."""
import numpy as np
import pytest
from scipy.stats import chisquare

import plastisim as ps


def tapered_cells(n_cells=3):
    """Soma (one compartment) and a dendrite of 20 compartments tapering from 2 to 0.5 um
    radius, with an exponential synaptic current in every dendritic compartment."""
    morph = ps.Morphology.from_segments([-1, 0], [20e-6, 200e-6], [10e-6, 2e-6], [10e-6, 0.5e-6],
                                        region=["soma", "dend"])
    return ps.CableCells(morph, n=n_cells, n_per_branch=[1, 20], Rm=1.0, name="cells",
                         mechanisms=[("dend", ps.ExpCurrent(name="syn", tau=2e-3))])


class NodeVoltage(ps.Rule):
    """Keeps the membrane voltage of its synapse's node."""
    synapse_state = dict(v=0.0)

    def on_step(s, p, site, k):
        s.v[k] = site.V[k]


def test_synapses_spread_over_a_region_in_proportion_to_membrane_area():
    """20 000 synapses onto the dendrite: the counts per compartment follow the membrane
    areas (chi-square test, p > 0.001 with the fixed seed), none on the soma."""
    net = ps.Network(dt=1e-4, seed=5)
    cells = net.add(tapered_cells(4))
    src = net.add(ps.PoissonSource(5000, 1.0))
    proj = net.connect(src, cells, "all_to_all", weight=1e-12, port="syn")
    local = proj.site_node // cells.n  # interleaved: node k of cell c is k * n + c
    assert np.all(proj.site_node % cells.n == proj.post)  # each synapse on its own cell
    dend = cells.compartments.region_nodes("dend")
    counts = np.bincount(local, minlength=cells.compartments.n)
    assert counts.sum() == counts[dend].sum() == 20000
    area = cells.compartments.area[dend]
    assert chisquare(counts[dend], 20000 * area / area.sum()).pvalue > 1e-3
    assert area[0] / area[-1] > 3  # the test can tell areas from a uniform spread


def test_weights_arrive_at_each_synapse_node_and_rules_read_that_node():
    """One presynaptic spike: the current of every dendritic compartment jumps by the summed
    weights of the synapses at that node (then decays by e^(-dt/tau) in the step), the voltage
    rises where the current is largest, and the rule of each synapse reads its own node."""
    net = ps.Network(dt=1e-4, seed=2)
    cells = net.add(tapered_cells())
    src = net.add(ps.SpikeTimes(40, np.arange(40), np.full(40, 1e-4)))
    w = np.linspace(1e-12, 4e-11, 120)
    proj = net.connect(src, cells, "all_to_all", weight=w, port="syn", rule=NodeVoltage())
    sim = ps.Simulator(net)
    sim.run(3e-4)  # spike at step 1, delivered at step 2, which ends at 3e-4 s
    instance = {node: q for q, node in enumerate(cells.mechanisms[0][1])}
    expected = np.zeros(len(instance))
    np.add.at(expected, [instance[node] for node in proj.site_node], proj.w)
    np.testing.assert_allclose(cells.state["syn_I"], expected * np.exp(-1e-4 / 2e-3), rtol=1e-12)
    np.testing.assert_array_equal(proj.state["v"], cells.state["V"][proj.site_node])
    assert np.ptp(proj.state["v"]) > 0


def test_explicit_nodes_and_bad_sites():
    net = ps.Network(dt=1e-4)
    cells = net.add(tapered_cells(2))
    src = net.add(ps.SpikeTimes(2, [0], [1e-3]))
    proj = net.connect(src, cells, "one_to_one", weight=1e-12, port="syn", site=np.array([3, 20]))
    np.testing.assert_array_equal(proj.site_node, [3 * 2 + 0, 20 * 2 + 1])
    with pytest.raises(ps.ParameterError, match="port = 'syn' is placed on region 'dend'; the synapses' site must lie inside it"):
        net.connect(src, cells, "one_to_one", port="syn", site="soma")
    with pytest.raises(ps.ParameterError, match=r"site of cells: 'axon' is neither a location \['root'\] nor a region \['soma', 'dend'\]"):
        net.connect(src, cells, "one_to_one", port="syn", site="axon")
    with pytest.raises(ps.ParameterError, match=r"site: node indices must be in \[0, 20\]"):
        net.connect(src, cells, "one_to_one", port="syn", site=np.array([3, 21]))
    with pytest.raises(ps.ParameterError, match="one per synapse"):
        net.connect(src, cells, "one_to_one", port="syn", site=np.array([3]))
