"""Morphology construction and finite-volume discretisation: geometry conserved exactly."""
import numpy as np
import pytest

import plastisim as ps
from plastisim.morphology import Morphology


def chain_resistance(comp, a, b):
    """Sum of the geometric resistances (1/m) on the tree path between nodes a and b."""
    def up(k):
        path = []
        while k >= 0:
            path.append(k)
            k = comp.parent[k]
        return path
    pa, pb = up(a), up(b)
    common = set(pa) & set(pb)
    return sum(comp.r_own[k] + comp.r_parent[k] for k in pa + pb if k not in common)


def test_uniform_cable_areas_volumes_resistances():
    L, d, n = 1e-3, 1e-6, 40
    comp = Morphology.cable(L, d).discretise(n_per_branch=n)
    assert comp.n == n and np.all(comp.parent == np.arange(n) - 1)
    np.testing.assert_allclose(comp.area, np.pi * d * L / n, rtol=1e-12)
    np.testing.assert_allclose(comp.volume, np.pi * d * d / 4 * L / n, rtol=1e-12)
    # centre to centre: (L - L/n) of cylinder, 1 / (pi r^2) per metre
    assert chain_resistance(comp, 0, n - 1) == pytest.approx((L - L / n) / (np.pi * d * d / 4), rel=1e-12)
    assert comp.locations == {"root": 0, "x0": 0, "x1": n - 1}


@pytest.mark.parametrize("n", [1, 3, 7])
def test_tapered_segments_not_aligned_with_compartments(n):
    # two frusta (radius 2 -> 1 um over 30 um, then 1 -> 0.5 um over 10 um): compartment edges
    # fall inside segments; totals must equal the closed forms of the frusta
    length, r0, r1 = np.array([30e-6, 10e-6]), np.array([2e-6, 1e-6]), np.array([1e-6, 0.5e-6])
    comp = Morphology.from_segments([-1, 0], length, r0, r1).discretise(n_per_branch=n)
    area = np.sum(np.pi * (r0 + r1) * np.sqrt(length ** 2 + (r1 - r0) ** 2))
    volume = np.sum(np.pi * length * (r0 ** 2 + r0 * r1 + r1 ** 2) / 3)
    assert comp.area.sum() == pytest.approx(area, rel=1e-12)
    assert comp.volume.sum() == pytest.approx(volume, rel=1e-12)
    # end to end resistance = proximal half of the first + path + distal half of the last
    total = np.sum(length / (np.pi * r0 * r1))
    path = chain_resistance(comp, 0, comp.n - 1) + comp.r_own[0]
    assert path < total  # the distal half of the last compartment is not on the path
    # the distal half of the last compartment closes the sum exactly
    last = comp.n - 1
    tail = total - path
    if n > 1:  # last centre at 40 - 20/n um, inside segment 1 where r = 1 - (s - 30)/20 um
        c = 40 - 20 / n
        r_c = 1 - (c - 30) / 20
        assert tail == pytest.approx((40 - c) * 1e-6 / (np.pi * r_c * 0.5 * 1e-12), rel=1e-9)
    if n == 1:  # centre at s = 20 um inside segment 0, where r = 4/3 um: closed-form integral
        assert comp.r_own[0] == pytest.approx(20e-6 / (np.pi * 2e-6 * (4 / 3) * 1e-6), rel=1e-12)
    assert last == n - 1


def test_binary_tree_hines_order_junctions_and_rall_equivalence():
    morph = Morphology.tree(6, 32e-6, 16e-6)
    comp = morph.discretise(n_per_branch=3)
    assert morph.n_branches == 63
    assert np.all(comp.parent[1:] < np.arange(1, comp.n)) and comp.parent[0] == -1
    assert comp.junction.sum() == 31 and np.all(comp.area[comp.junction] == 0)
    assert (~comp.junction).sum() == 63 * 3
    # 3/2 rule: every level has the same membrane area (d L constant x 2 per level)
    level_area = [comp.area[np.isin(comp.branch, np.arange(2 ** k - 1, 2 ** (k + 1) - 1))].sum() for k in range(6)]
    np.testing.assert_allclose(level_area, level_area[0], rtol=1e-12)
    tip = comp.locations["tip"]
    assert morph.segment_branch[-1] in morph.terminals()
    assert comp.branch[tip] in morph.terminals() and comp.x[tip] == pytest.approx(5 / 6)
    # path length to the tip centre
    lengths = 32e-6 * 2 ** (-np.arange(6) / 3)
    assert comp.distance[tip] == pytest.approx(lengths.sum() - lengths[-1] / 6, rel=1e-12)


def test_location_by_distance_and_regions():
    morph = Morphology.from_segments([-1, 0, 1], [10e-6, 20e-6, 30e-6], 1e-6, region=["soma", "dend", "dend"])
    assert morph.n_branches == 2 and morph.region_names == ["soma", "dend"]
    morph.add_location_at_distance("mid", 35e-6, 1)
    comp = morph.discretise(dx=5e-6)
    assert comp.region[comp.node("mid")] == 1
    assert abs(comp.distance[comp.node("mid")] - 35e-6) <= 2.5e-6 + 1e-12
    painted = comp.paint("Rm", {"soma": 1.0, "dend": 4.0})
    assert np.all(painted[comp.region == 0] == 1.0) and np.all(painted[comp.region == 1] == 4.0)
    with pytest.raises(ps.ParameterError, match="region 'dend'"):
        comp.paint("Rm", {"soma": 1.0})
    with pytest.raises(ps.ParameterError, match="unknown region"):
        comp.paint("Rm", {"axon": 1.0, "default": 2.0})


def test_swc_through_morphio(tmp_path):
    pytest.importorskip("morphio")
    swc = tmp_path / "cell.swc"
    swc.write_text("1 1 0 0 0 5 -1\n2 3 5 0 0 1 1\n3 3 15 0 0 0.8 2\n4 3 25 5 0 0.5 3\n"
                   "5 3 25 -5 0 0.5 3\n6 2 -5 0 0 0.5 1\n7 2 -20 0 0 0.4 6\n")
    morph = Morphology.from_swc(swc)
    assert morph.region_names == ["soma", "dend", "axon"]
    comp = morph.discretise(dx=2e-6)
    assert comp.region[comp.node("soma")] == 0
    assert np.all(comp.parent[1:] < np.arange(1, comp.n))
    # soma: cylinder 10 x 10 um (area of the sphere); neurites: frusta
    soma = np.pi * 10e-6 * 10e-6
    seg = lambda a, b, l: np.pi * (a + b) * 1e-6 * np.sqrt((l * 1e-6) ** 2 + ((b - a) * 1e-6) ** 2)
    neurites = (seg(1, 0.8, 10) + 2 * seg(0.8, 0.5, np.hypot(10, 5)) + seg(0.5, 0.4, 15))
    assert comp.area.sum() == pytest.approx(soma + neurites, rel=1e-6)
    # locations from the SWC labels: the tips of each region's terminal branches
    assert {"dend_tip0", "dend_tip1", "axon_tip0"} <= set(comp.locations)
    tips = [comp.node(name) for name in ("dend_tip0", "dend_tip1", "axon_tip0")]
    assert [comp.region_names[r] for r in comp.region[tips]] == ["dend", "dend", "axon"]
    path = {"dend_tip0": 10 + np.hypot(10, 5), "dend_tip1": 10 + np.hypot(10, 5), "axon_tip0": 15}
    for name, node in zip(path, tips):  # path from the soma's distal end to the tip, minus half a compartment
        assert comp.distance[node] + comp.length[node] / 2 == pytest.approx(10e-6 + path[name] * 1e-6)
    with pytest.raises(ps.ParameterError, match="cannot read SWC"):
        Morphology.from_swc(tmp_path / "missing.swc")


@pytest.mark.parametrize("call, match", [
    (lambda: Morphology([-1, 5], [1e-6, 1e-6], 1e-6), "parent"),
    (lambda: Morphology([-1], [1e-6], -1e-6), "radius"),
    (lambda: Morphology.cable(0.0, 1e-6), "length"),
    (lambda: Morphology.cable(1e-3, 1e-6).discretise(dx=-1.0), "dx"),
    (lambda: Morphology.cable(1e-3, 1e-6).add_location("a", 0, 1.5), "x"),
    (lambda: Morphology.cable(1e-3, 1e-6).discretise().node("nowhere"), "nowhere"),
])
def test_bad_input_is_one_line_parameter_error(call, match):
    with pytest.raises(ps.ParameterError, match=match) as err:
        call()
    assert "\n" not in str(err.value)
