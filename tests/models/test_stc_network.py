"""Reduced STC network: learning strengthens the assembly and recall completes the pattern."""
import numpy as np

from plastisim.models import stc_network
from plastisim.models.base import make_params

H0 = 4.20075e-3


def test_reduced_network_learns_and_recalls():
    # 400 E + 100 I, p_c = 0.4 keeps the in-degree of the full network (160 E inputs);
    # assembly of 100 neurons, recall 10 s after learning; 2 realizations (~10 s)
    p = make_params(stc_network.Params, {"n_exc": 400, "n_inh": 100, "p_c": 0.4, "pattern_size": 100,
                                         "realizations": 2})
    s = stc_network.run(p, seed=1)["summary"]
    assert np.all(s["h_assembly"] > H0 + 2e-3)             # early phase of the assembly rises
    assert np.all(s["h_assembly"] > s["h_outside"] + 1e-3)
    assert np.all(s["Q"] > 0) and s["Q_mean"] > 0.02        # pattern completion
    assert np.all(s["nu_as"] > 80)                          # recall-stimulated neurons saturate
    assert s["pattern_size"] == 100 and s["recall_time"] == 20.0


def test_phase_schedule():
    short = make_params(stc_network.Params, {"recall": "10s"})
    assert stc_network.schedule(short) == ([(0.0, 25.0, "rich")], 20.0)
    long = make_params(stc_network.Params, {"recall": "8h"})
    phases, t_recall = stc_network.schedule(long)
    assert t_recall == 28810.0
    assert [ph for *_, ph in phases] == ["rich", "fast", "rich"]
    assert phases[0][1] == 16.1 and phases[2] == (28805.0, 28815.0, "rich")
