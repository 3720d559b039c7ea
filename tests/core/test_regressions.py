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
