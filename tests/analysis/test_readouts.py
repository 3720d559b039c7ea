"""Window rates and the pattern-completion coefficient on hand-made spike trains."""
import numpy as np

from plastisim.analysis import pattern_completion, window_rates


def test_window_rates_count_half_open_window():
    t = np.array([0.9, 1.0, 1.2, 1.49, 1.5, 1.3])
    i = np.array([0, 0, 0, 1, 1, 2])
    np.testing.assert_allclose(window_rates(t, i, 4, (1.0, 1.5)), [4.0, 2.0, 2.0, 0.0])


def test_pattern_completion_coefficient():
    rates = np.array([100.0, 80.0, 30.0, 10.0, 5.0, 5.0, 5.0])  # as: 2, ans: 2, ctrl: 3
    Q, nu_as, nu_ans, nu_ctrl = pattern_completion(rates, 2, 4)
    assert (nu_as, nu_ans, nu_ctrl) == (90.0, 20.0, 5.0)
    assert Q == (20.0 - 5.0) / 90.0
