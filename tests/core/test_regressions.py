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
