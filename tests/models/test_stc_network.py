"""Reduced STC network: learning strengthens the assembly and recall completes the pattern."""
import numpy as np

import plastisim as ps

from plastisim.models import stc_network
from plastisim.models.base import make_params

H0 = 4.20075e-3


def test_reduced_network_learns_and_recalls():
    # 400 E + 100 I, p_c = 0.4 keeps the in-degree of the full network (160 E inputs);
    # assembly of 100 neurons, recall 10 s after learning; 2 realizations (~10 s)
    p = make_params(stc_network.Params, {"n_exc": 400, "n_inh": 100, "p_c": 0.4, "pattern_size": 100})
    runs = [stc_network.run(p, seed=seed)["summary"] for seed in (1, 2)]
    s = {key: np.array([r[key] for r in runs]) for key in runs[0]}
    assert np.all(s["h_aa"] > H0 + 2e-3)             # early phase of the assembly rises
    assert np.all(s["h_aa"] > s["h_oo"] + 1e-3)
    assert np.all(s["Q"] > 0) and s["Q"].mean() > 0.02       # pattern completion
    assert np.all(s["nu_as"] > 80)                          # recall-stimulated neurons saturate
    assert np.all(s["pattern_size"] == 100) and np.all(s["recall_time"] == 20.0)


def test_protocol_phases():
    exc = ps.LIF(10)

    def phases(recall):
        p = make_params(stc_network.Params, {"recall": recall, "pattern_size": 4})
        proto, t_recall, _ = stc_network.protocol(p, exc, None, None, np.arange(4), {})
        return proto, t_recall, [(a.time, a.time + a.payload[0]) for a in proto.actions if a.kind == "fast_forward"]

    proto, t_recall, ff = phases("10s")
    assert (proto.duration, t_recall, ff) == (25.0, 20.0, [])
    proto, t_recall, ff = phases("8h")
    assert (proto.duration, t_recall) == (28815.0, 28810.0)
    assert ff == [(16.1, 28805.0)]
    switches = sorted(a.time for a in proto.actions if a.kind == "call" and a.label == "switch_ou")
    assert switches == [10.0, 10.1, 10.5, 10.6, 11.0, 11.1, 28810.0, 28810.1]
