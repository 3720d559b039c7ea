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


def _scaled(x):
    return 1.0 * x


class _ScaleHere(ps.Rule):
    def on_pre(s, k):
        s.w[k] += _scaled(1e-12)


def test_helpers_of_the_same_name_in_two_modules_stay_apart(tmp_path, monkeypatch):
    # helper functions were compiled under their own name: the second ``_scaled`` replaced the
    # first in the generated module, and both rules used it
    (tmp_path / "other_rules.py").write_text(textwrap.dedent("""
        import plastisim as ps

        def _scaled(x):
            return 1000.0 * x

        class ScaleThere(ps.Rule):
            def on_pre(s, k):
                s.w[k] += _scaled(1e-12)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    other = importlib.import_module("other_rules")
    net = ps.Network(dt=1e-4)
    src = net.add(ps.PoissonSource(1, 1000.0))
    lif = net.add(ps.LIF(1))
    here = net.connect(src, lif, weight=0.0, rule=_ScaleHere())
    there = net.connect(src, lif, weight=0.0, rule=other.ScaleThere())
    ps.Simulator(net).run(0.005)
    sys.modules.pop("other_rules")
    assert here.w[0] == pytest.approx(5e-12) and there.w[0] == pytest.approx(5e-9)


_gain = 100.0


def _inner(x):
    return 2.0 * x


def _outer(_gain):  # a parameter named like a module constant
    return _inner(_gain) / 2.0


class _Leaky(ps.NeuronModel):
    parameters = dict(tau=0.01, th=1.0)
    state_variables = dict(V=0.0, I=0.0)

    def update(s, p, j, dt):
        s.V[j] += dt * (s.I[j] - s.V[j]) / p.tau

    def threshold(s, p, j):
        return s.V[j] > p.th

    def reset(s, p, j):
        s.V[j] = 0.0


class _LeakyHelpers(_Leaky):
    def update(s, p, j, dt):
        s.V[j] += dt * _outer(s.I[j] - s.V[j]) / p.tau


def _final_v(cls):
    net = ps.Network(dt=1e-4)
    pop = net.add(cls(3, I=np.array([2.0, 0.5, 3.0])))
    ps.Simulator(net).run(5e-3)
    return pop.state["V"].copy()


def test_helper_calling_a_helper_and_helper_locals_named_like_constants():
    # a helper's helpers were not compiled (NameError), and a helper's parameter or local named
    # like a module constant was replaced by the constant's value
    assert np.array_equal(_final_v(_LeakyHelpers), _final_v(_Leaky))


def _noisy(x):
    return x * randn()  # noqa: F821


class _HelperDraws(_Leaky):
    def update(s, j):
        s.V[j] += _noisy(0.0)


class _Nested(_Leaky):
    def update(s, j):
        s.V[j] += (lambda x: x)(0.0)


class _AssignsDt(_Leaky):
    def update(s, p, j, dt):
        dt = 0.5 * dt
        s.V[j] += dt * (s.I[j] - s.V[j]) / p.tau


@pytest.mark.parametrize("cls, message", [
    (_HelperDraws, "helper function _noisy calls randn"),
    (_Nested, "lambdas and nested functions"),
    (_AssignsDt, "'dt' is an argument of the callback and cannot be assigned")])
def test_unsupported_callback_code_is_refused_with_its_line(cls, message):
    # randn() in a helper failed with NameError inside numba; a lambda with "name 'x' is not
    # defined"; assigning an argument of a pasted body leaked into the generated loop (dt
    # halved again for every later neuron)
    net = ps.Network(dt=1e-4)
    net.add(cls(3))
    with pytest.raises(ParameterError, match=message) as err:
        ps.Simulator(net)
    assert "test_regressions.py, line" in str(err.value)


class _LocalsLikeGenerated(_Leaky):
    def prepare(p, d, dt):
        step = 2.0
        spikes = 0.0
        d.gain = step - 1.0 + spikes + 0.0 * t

    def update(s, p, d, j, dt):
        nspk, spikes, u_x, s_V = 5, 0.0, 0.0, s.V[j]
        s.V[j] = s_V + d.gain * dt * (s.I[j] - s_V) / p.tau + 0.0 * (nspk + spikes + u_x)


class _PlasticLocal(ps.Rule):
    def on_pre(s, post, k, j):
        post_V = post.V[j]
        if post_V > -1.0:
            s.w[k] += 1e-12 * (post.V[j] - post_V + 1.0)


def test_callback_locals_named_like_generated_names():
    # prepare's locals were pasted unprefixed into the kernel (``step`` overwrote the step
    # number; it also could not read ``t``), and rule callbacks' locals were not prefixed
    # (``post_V = post.V[j]`` rebound the argument ``post_V``: a typing error)
    assert np.array_equal(_final_v(_LocalsLikeGenerated), _final_v(_Leaky))
    net = ps.Network(dt=1e-4)
    src = net.add(ps.PoissonSource(1, 1000.0))
    lif = net.add(ps.LIF(1))
    syn = net.connect(src, lif, weight=0.0, rule=_PlasticLocal())
    ps.Simulator(net).run(0.005)
    assert syn.w[0] == pytest.approx(5e-12)


class _BadThreshold(_Leaky):
    def threshold(s, p, j):
        return s.V[j] > (1, 2)


class _BadPrepare(_Leaky):
    def prepare(p, d, dt):
        d.x = (1, 2) + 1.0


class _BadUpdate(_Leaky):
    def update(s, p, j, dt):
        s.V[j] += dt / p.tau
        s.V[j] += (1, 2)


@pytest.mark.parametrize("cls, name", [(_BadThreshold, "threshold"), (_BadPrepare, "prepare"),
                                       (_BadUpdate, "update")])
def test_typing_errors_in_threshold_and_prepare_name_the_users_line(cls, name):
    # a threshold expression and the prepare body were pasted without a line map: numba's
    # multi-line error came out unchanged (and an error in update was attributed to threshold
    # once the expression had a map, because a map also claimed the line before the body)
    net = ps.Network(dt=1e-4)
    net.add(cls(2))
    with pytest.raises(ParameterError) as err:
        ps.Simulator(net)
    line = inspect.getsourcelines(getattr(cls, name))[1] + (2 if cls is _BadUpdate else 1)
    assert f"{cls.__name__}.{name} (" in str(err.value) and f"line {line})" in str(err.value)
    assert "\n" not in str(err.value)


def test_random_numbers_in_prepare_are_refused():
    # randn() in prepare drew neuron 0's first number of the step (same element and site)
    class Shaky(ps.NeuronModel):
        state_variables = dict(V=0.0)

        def prepare(p, d, dt):
            d.z = randn()

        def update(s, d, j):
            s.V[j] = d.z + randn()

        def threshold(s, j):
            return False

        def reset(s, j):
            s.V[j] = 0.0

    net = ps.Network()
    net.add(Shaky(3))
    with pytest.raises(ps.ParameterError, match="Shaky.prepare computes constants shared by all neurons"):
        ps.Simulator(net)


def test_rule_cannot_read_per_compartment_state_as_per_neuron():
    # post.V[j] of a multi-compartment population would have read compartment j of cell 0
    class ReadsV(ps.Rule):
        synapse_state = dict(v=0.0)

        def on_pre(s, post, k, j):
            s.v[k] = post.V[j]

    net = ps.Network(dt=1e-4)
    src = net.add(ps.PoissonSource(2, 10.0))
    cells = net.add(ps.CableCells(ps.Morphology.cable(100e-6, 1e-6, 10), n=2, Rm=1.0))
    net.connect(src, cells, "one_to_one", port=cells.ports[0], rule=ReadsV())
    with pytest.raises(ps.ParameterError, match=r"ReadsV.on_pre: unknown name post.V"):
        ps.Simulator(net)
