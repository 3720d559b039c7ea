"""Regression tests, named after the bug they guard."""
import inspect

import plastisim as ps
from plastisim.core import codegen


def test_kernel_cache_key_changes_when_an_imported_kernel_changes(monkeypatch):
    # numba kept a stale cached run_chunk after plastisim's own kernels changed (the cache of a
    # caller is not invalidated by its callees); the generated source now carries their digest
    def build():
        net = ps.Network()
        net.add(ps.PoissonSource(2, 5.0))
        return codegen.Kernel(net).source

    before = build()
    original = inspect.getsource
    monkeypatch.setattr(codegen.inspect, "getsource",
                        lambda obj: original(obj) + ("# changed" if obj.__name__ == "plastisim.neurons.sources" else ""))
    assert build() != before


class _EveryFiveSteps(ps.Rule):
    parameters = dict(period=5e-4)
    neuron_state = dict(count=0.0)
    regular_period = "period"

    def on_regular(s, p, k, dt):
        s.w[k] += dt

    def on_neuron_regular(n, j):
        n.count[j] += 1.0


def test_regular_callbacks_run_every_period():
    # a rule with regular_period failed at the first Simulator: the projection had no ``dt``
    # (AttributeError in the getter of the kernel argument ``every``)
    net = ps.Network(dt=1e-4)
    src = net.add(ps.PoissonSource(2, 0.0))
    syn = net.connect(src, src, "all_to_all", port=None, rule=_EveryFiveSteps())
    ps.Simulator(net).run(2.3e-3)  # 23 steps: the regular callbacks end steps 5, 10, 15, 20
    assert list(syn.neuron_state["count"]) == [4.0, 4.0]
    assert abs(syn.w[0] - 4 * 5e-4) < 1e-15
def test_stdp_curve_closed_form_agrees_at_lag_zero():
    # with an odd n_lags the middle lag is -7e-18 s after floating-point rounding: the closed form
    # counted it as depression while the simulation (same step: pre first) potentiates
    from plastisim.models import stdp_curve
    from plastisim.models.base import make_params

    s = stdp_curve.run(make_params(stdp_curve.Params, {"n_lags": 5}))["summary"]
    assert s["lag"][2] == 0.0 and s["weight_change"][2] > 0
    assert s["max_relative_error"] < 1e-9


# ---- review of the restructured engine --------------------------------------------------
import importlib
import sys
import textwrap

import numpy as np
import pytest

from plastisim.core.errors import ParameterError
from plastisim.core.simulator import Checkpointing


class _Summed(ps.Rule):
    synapse_state = dict(x=1.0)
    neuron_state = dict(tot=0.0)
    pre_neuron_state = dict(ptot=0.0)
    neuron_sums = dict(tot="x")
    pre_sums = dict(ptot="x")


def test_pre_sums_of_projections_sharing_neuron_state_write_their_own_array():
    # with shared neuron state, every projection summed its pre_sums into the first projection's
    # array (one kernel argument name): the others stayed 0 and the first was written past its end
    net = ps.Network(dt=1e-4)
    sources = [net.add(ps.PoissonSource(n, 0.0)) for n in (2, 3, 4)]
    lif = net.add(ps.LIF(2))
    projs = [net.connect(src, lif, "all_to_all", rule=_Summed()) for src in sources]
    assert projs[1].neuron_owner is projs[0] and projs[2].neuron_owner is projs[0]
    ps.Simulator(net).run(3e-4)
    assert list(projs[0].neuron_state["tot"]) == [9.0, 9.0]
    for proj, n in zip(projs, (2, 3, 4)):
        assert list(proj.pre_neuron_state["ptot"]) == [2.0] * n


class _OddPeriod(ps.Rule):
    parameters = dict(period=2.5e-4)
    neuron_state = dict(count=0.0)
    regular_period = "period"

    def on_neuron_regular(n, j):
        n.count[j] += 1.0


def test_regular_period_not_a_multiple_of_dt_is_refused():
    # the period was silently rounded to whole steps (2.5 dt ran every 2 dt, 25 % too often)
    net = ps.Network(dt=1e-4)
    src = net.add(ps.PoissonSource(1, 0.0))
    with pytest.raises(ParameterError, match="multiple of dt"):
        net.connect(src, src, port=None, rule=_OddPeriod())
    net.connect(src, src, port=None, rule=_OddPeriod(period=3e-4))


class _Clock(ps.Rule):
    neuron_state = dict(x=0.0)

    def on_neuron_step(n, j, dt):
        n.x[j] += dt


def _clock_sim():
    net = ps.Network(dt=1e-3)
    src = net.add(ps.PoissonSource(1, 0.0))
    lif = net.add(ps.LIF(1))
    net.connect(src, lif, rule=_Clock())
    return ps.Simulator(net)


def test_second_protocol_runs_all_its_actions():
    # run_protocol kept the position of the previous protocol: the first actions of a second
    # protocol were skipped without a word
    sim, got = _clock_sim(), []
    first = ps.Protocol(0.005).call(0.001, got.append, "a1").call(0.002, got.append, "a2")
    sim.run_protocol(first)
    second = ps.Protocol(0.01).call(0.006, got.append, "b1").call(0.007, got.append, "b2")
    sim.run_protocol(second)
    assert got == ["a1", "a2", "b1", "b2"]
    late = ps.Protocol(0.02).call(0.001, got.append, "past")
    with pytest.raises(ParameterError, match="before the current time"):
        sim.run_protocol(late)


def test_protocol_resumed_from_its_end_checkpoint_does_nothing(tmp_path):
    got = []
    path = tmp_path / "end.h5"
    sim = _clock_sim()
    sim.run_protocol(ps.Protocol(0.005).call(0.001, got.append, "a").call(0.005, got.append, "end"),
                     checkpoint=Checkpointing(path))
    again = _clock_sim()
    again.run_protocol(ps.Protocol(0.005).call(0.001, got.append, "a").call(0.005, got.append, "end"),
                       checkpoint=Checkpointing(path, resume=True))
    assert got == ["a", "end"] and again.step == 5
