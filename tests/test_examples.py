"""examples/ are run as tests (Arbor habit): the triplet rule is a user rule outside the package."""
import importlib.util
from pathlib import Path

import numpy as np


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
