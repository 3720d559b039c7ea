"""Bad input raises a clear ParameterError; a run producing NaN stops with variable, element, time."""
import math

import pytest

import plastisim as ps
from plastisim.cli import main
from plastisim.models import get
from plastisim.models.base import make_params


@pytest.mark.parametrize("dt", [0.0, -1e-4, math.nan])
def test_bad_time_step(dt):
    with pytest.raises(ps.ParameterError, match=r"dt = .* outside the allowed range \(0"):
        ps.Network(dt=dt)


def test_delay_shorter_than_dt():
    net = ps.Network(dt=1e-4)
    a, b = net.add(ps.PoissonSource(2, 5.0)), net.add(ps.LIF(2))
    with pytest.raises(ps.ParameterError, match=r"delay = 5e-05 s is outside the allowed range \[dt"):
        net.connect(a, b, delay=0.5e-4)


@pytest.mark.parametrize("p", [-0.1, 1.5, math.nan])
def test_probability_outside_unit_interval(p):
    with pytest.raises(ps.ParameterError, match=r"p = .* outside the allowed range \[0.0, 1.0\]"):
        ps.FixedProbability(p)


def test_unknown_model_and_parameter_names():
    with pytest.raises(ps.ParameterError, match="unknown model 'stdp'; known models: stdp-curve"):
        get("stdp")
    with pytest.raises(ps.ParameterError, match="unknown parameter 'tau'"):
        make_params(get("stdp-curve").Params, {"tau": "1"})
    with pytest.raises(ps.ParameterError, match=r"unknown parameter\(s\) \['tau'\]"):
        ps.PairSTDP(tau=1.0)
    with pytest.raises(ps.ParameterError, match=r"unknown parameter\(s\) \['tau_x'\]"):
        ps.LIF(3, tau_x=1.0)
    assert main(["run", "stdp-curve", "--set", "nope=1"]) == 2


def test_nan_parameters():
    with pytest.raises(ps.ParameterError, match="LIF.C = nan is outside"):
        ps.LIF(2, C=math.nan)
    with pytest.raises(ps.ParameterError, match="PairSTDP.A_pre is NaN"):
        ps.PairSTDP(A_pre=math.nan)
    with pytest.raises(ps.ParameterError, match="tau_pre = nan is outside"):
        make_params(get("stdp-curve").Params, {"tau_pre": "nan"})
    with pytest.raises(ps.ParameterError, match="weight contains NaN"):
        net = ps.Network()
        net.connect(net.add(ps.PoissonSource(1, 1.0)), net.add(ps.LIF(1)), weight=math.nan)


def test_range_errors_name_the_allowed_range():
    with pytest.raises(ps.ParameterError, match=r"dt = -1.0 is outside the allowed range \(0.0, inf\)"):
        make_params(get("stdp-curve").Params, {"dt": "-1"})
    with pytest.raises(ps.ParameterError, match=r"rate must be <= 1/dt"):
        net = ps.Network(dt=1e-3)
        net.add(ps.PoissonSource(1, 5000.0))
        ps.Simulator(net)


class Diverging(ps.Rule):
    """Test rule whose weight becomes NaN once t > t_bad."""

    parameters = dict(t_bad=0.0123)

    def on_step(s, p, k, t):
        s.w[k] = sqrt(p.t_bad - t) if k == 2 or t <= p.t_bad else s.w[k]


def test_nan_during_run_stops_with_variable_element_and_time():
    net = ps.Network(dt=1e-4)
    a, b = net.add(ps.PoissonSource(4, 1.0)), net.add(ps.LIF(1))
    net.connect(a, b, "all_to_all", weight=1e-12, rule=Diverging())
    sim = ps.Simulator(net, chunk_steps=1000)
    with pytest.raises(ps.SimulationError, match=r"synapse/w, element 2, at t = 0.0124 s \(step 124\)"):
        sim.run(1.0)


class Exploding(ps.Rule):
    """Test rule with continuous dynamics that overflow after t_bad."""

    parameters = dict(t_bad=100.0)

    def on_step(s, p, k, t):
        s.w[k] = s.w[k] if t < p.t_bad else s.w[k] / 0.0


def test_nan_during_fast_forward_stops_with_variable_and_interval():
    net = ps.Network(dt=1e-3)
    a, b = net.add(ps.PoissonSource(2, 1.0)), net.add(ps.LIF(1))
    net.connect(a, b, "all_to_all", weight=1e-12, rule=Exploding())
    sim = ps.Simulator(net)
    sim.fast_forward(50.0, 10.0)
    with pytest.raises(ps.SimulationError, match=r"synapse/w, element 0, during the fast-forward "
                                                  r"from t = 50 s to 250 s"):
        sim.fast_forward(200.0, 10.0)


def test_rule_callback_names_are_checked():
    class Unindexed(ps.Rule):
        synapse_state = dict(x=0.0)

        def on_pre(s, p, k):
            s.x = 1.0

    class UnknownGroupVariable(ps.Rule):
        def on_pre_group(grp, p, g):
            grp.trace[g] += 1.0

    for rule, message in ((Unindexed(), r"Unindexed.on_pre: s.x must be indexed, e.g. s.x\[k\] \(.*test_errors.py, line \d+\)"),
                          (UnknownGroupVariable(), r"unknown name grp.trace; known: \[\]")):
        net = ps.Network()
        src = net.add(ps.PoissonSource(2, 10.0))
        net.connect(src, net.add(ps.LIF(2)), "one_to_one", rule=rule)
        with pytest.raises(ps.ParameterError, match=message):
            ps.Simulator(net)
