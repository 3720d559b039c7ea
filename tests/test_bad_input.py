"""Bad input, from the command line and the API: a one-line error naming the input and the
allowed range, exit code != 0, no traceback."""
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import plastisim as ps
from plastisim.cli import main
from plastisim.models import get
from plastisim.models.base import make_params

SEED_MAX = "9223372036854775807"

# (argv after "run", text the one-line message must contain)
CLI_CASES = [
    (["stdp-poisson", "--set", "duration=inf"], "duration = inf is not finite; allowed range [dt"),
    (["stdp-poisson", "--set", "duration=1us"], "duration = 1e-06 is outside the allowed range [dt = 1e-05"),
    (["stdp-curve", "--out", "{file}"], "is a file"),
    (["stdp-curve", "--out", "/proc/plastisim-no/out"], "cannot create the folder"),
    (["homeostasis", "--set", "rates=20Hz,30V"], "rates = 30V: unit V is not a frequency (expected Hz)"),
    (["homeostasis", "--set", "rates=20Hz,-3Hz"], "rates = -3.0 is outside the allowed range [0.0, inf)"),
    (["homeostasis", "--set", "period=0.5V"], "period = 0.5V: unit V is not a time (expected s)"),
    (["homeostasis", "--set", "period=0.5s"], "settle = 1.0 is outside the allowed range [0.0, period = 0.5)"),
    (["homeostasis", "--set", "trials=true"], "trials = True is not a number"),
    (["homeostasis", "--set", "trials=2.5"], "trials = 2.5 is not an integer"),
    (["homeostasis", "--set", "trials=1e12"], "trials = 1000000000000 needs about"),
    (["calcium-stdp-curve", "--set", "trials=1e12"], "trials = 1000000000000 with 41 lags needs about"),
    (["stc-synapse", "--set", "tau_syn=5mm"], "tau_syn = 5mm: unit mm is not a time (expected s)"),
    (["stc-synapse", "--set", "c_pre=1V"], "c_pre = 1V: a unit is not allowed here"),
    (["stc-synapse", "--set", "tau_syn=5parsec"], "tau_syn = 5parsec: unknown unit 'parsec'"),
    (["stc-network", "--set", "pattern_size=1601"],
     "pattern_size = 1601 is outside the allowed range [1, n_exc = 1600]"),
    (["stc-network-morpho", "--set", "cable_scheme=exact"], "cable_scheme = 'exact' needs reset = 'cell'"),
    (["stc-network-morpho", "--set", "cable_scheme=implicit"], "cable_scheme = 'implicit' must be one of"),
    (["stdp-curve", "--seed", "2**70"], f"--seed = '2**70' is not an integer; allowed range [0, {SEED_MAX}]"),
    (["stdp-curve", "--seed", str(2**70)], f"--seed = {2**70} is outside the allowed range [0, {SEED_MAX}]"),
    (["stdp-curve", "--seed", "-1"], "--seed = -1 is outside the allowed range [0,"),
    (["stdp-poisson", "--set", "duration=1e7"], "recording duration = 1e+07 s needs about"),
    (["stdp-poisson", "--set", "dt=1"], "dt = 1.0 is outside the allowed range (0.0, 0.001]"),
    (["stdp-curve", "--set", "dt=1"], "dt = 1.0 is outside the allowed range (0.0, lag spacing 2 lag_max/(n_lags - 1) = 0.00101"),
]


@pytest.mark.parametrize("argv, message", CLI_CASES, ids=[" ".join(a) for a, _ in CLI_CASES])
def test_cli_bad_input(argv, message, tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    argv = [a.replace("{file}", str(tmp_path / "file")) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "out")]
    assert main(["run", *argv, "--quiet"]) != 0
    err = capsys.readouterr().err
    assert err.startswith("plastisim: error: ") and err.count("\n") == 1, err
    assert message in err


@pytest.mark.parametrize("argv", [["stdp-poisson", "--set", "duration=inf"], ["stdp-curve", "--seed", "2**70"],
                                  ["homeostasis", "--set", "trials=1e12"]])
def test_cli_bad_input_in_a_real_process_prints_no_traceback(argv, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "plastisim.cli", "run", *argv, "--out", str(tmp_path)],
                          capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"})
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert argv[-1].split("=")[0] in proc.stderr


def test_list_values_with_units_parse():
    p = make_params(get("homeostasis").Params, {"rates": "20Hz, 30Hz,0.04kHz"})
    assert p.rates == (20.0, 30.0, 40.0)
    assert make_params(get("homeostasis").Params, {"rates": [5, 6]}).rates == (5.0, 6.0)


def test_sizes_given_as_integral_numbers_are_accepted():
    assert ps.LIF(5.0).n == 5 and ps.LIF(np.int64(3)).state["refr"].shape == (3,)
    assert ps.Network(seed=2**63 - 1).seed == 2**63 - 1


def test_units_of_the_right_dimension_are_converted():
    p = make_params(get("stc-synapse").Params, {"tau_syn": "5ms", "duration": "1min"})
    assert p.tau_syn == 5e-3 and p.duration == 60.0


class FromUnknownParameter(ps.Rule):
    parameters = dict(a=1.0)
    synapse_state = dict(x="b")


def _net(n_pre=2, n_post=5):
    net = ps.Network(dt=1e-4)
    return net, net.add(ps.PoissonSource(n_pre, 5.0)), net.add(ps.LIF(n_post))


def _connect_inf_delay():
    net, a, b = _net()
    net.connect(a, b, delay=math.inf)


def _record_spikes_outside():
    net, _, b = _net()
    net.record_spikes(b, indices=[7])


def _rule_from_exec():
    namespace = {"ps": ps}
    exec("class Hidden(ps.Rule):\n    def on_pre(s, p, k):\n        s.w[k] += 1.0\n", namespace)
    net, a, b = _net()
    net.connect(a, b, rule=namespace["Hidden"]())
    ps.Simulator(net)


def _connect_wrong_weight_length():
    net, a, b = _net(2, 2)
    net.connect(a, b, "one_to_one", weight=np.ones(3))


def _connect_fractional_pairs():
    net, a, b = _net()
    net.connect(a, b, ([0.5], [1]))


API_CASES = [
    (_connect_fractional_pairs, r"presynaptic indices must be integers, got float64 values such as 0.5"),
    (lambda: ps.Simulator(ps.Network()).save_checkpoint("/proc/no/cp.h5"), r"cannot write /proc/no/cp.h5"),
    (_connect_wrong_weight_length, r"weight has shape \(3,\); expected a scalar or one value per synapse, shape \(2,\)"),
    (lambda: ps.PoissonSource(3, rate=[1.0, 2.0]), r"PoissonSource.rate has shape \(2,\); expected"),
    (lambda: ps.RegularSource(3, rate=[1.0, 2.0]), r"RegularSource.rate has shape \(2,\); expected"),
    (lambda: ps.LIF(2, V_init="low"), r"LIF.V = 'low' is not a number"),
    (lambda: ps.LIF(5, I_ext=np.ones(3)), r"LIF.I_ext has shape \(3,\); expected a scalar or one value per element, shape \(5,\)"),
    (_connect_inf_delay, r"delay = inf s is outside the allowed range \[dt = 0.0001, inf\)"),
    (_record_spikes_outside, r"indices \[7\] of LIF spikes must be integers in \[0, 4\]"),
    (FromUnknownParameter, r"FromUnknownParameter.synapse_state\['x'\] = 'b' is not a parameter; known: \['a'\]"),
    (lambda: ps.PairSTDP(A_pre=math.inf), r"PairSTDP.A_pre = inf is not finite"),
    (lambda: ps.PairSTDP(A_pre="big"), r"PairSTDP.A_pre = 'big' is not a number"),
    (lambda: ps.Network(dt=math.inf), r"dt = inf is not finite; allowed range \(0.0, inf"),
    (lambda: ps.Network(seed=2**64), r"seed = 18446744073709551616 is outside the allowed range \[0, " + SEED_MAX),
    (lambda: ps.Network(seed=1.5), r"seed = 1.5 is not an integer"),
    (lambda: ps.LIF("abc"), r"LIF size n = 'abc' is not an integer; allowed range \[1, "),
    (lambda: ps.LIF(float("nan")), r"LIF size n = nan is not an integer"),
    (lambda: ps.LIF(10**13), r"LIF size n = 10000000000000 needs about .* GB of memory; the limit is"),
    (lambda: ps.Simulator(ps.Network()).run(math.inf), r"duration = inf is not finite"),
    (_rule_from_exec, r"Hidden.on_pre: its source cannot be read .* define it in a .py file"),
    (lambda: make_params(get("homeostasis").Params, {"trials": True}), r"trials = True is not a number"),
    (lambda: make_params(get("homeostasis").Params, {"period": 2.0, "settle": 2.0}),
     r"settle = 2.0 is outside the allowed range \[0.0, period = 2.0\)"),
    (lambda: ps.LIF(5).switch_ou("bg", [7], mu=1e-10), r"indices \[7\] of LIF.switch_ou must be integers in \[0, 4\]"),
    (lambda: ps.load_results("/no/such/results.h5"), r"results file /no/such/results.h5 does not exist"),
    (lambda: ps.load_results(__file__), r"results file .* cannot be read: not a complete HDF5 file"),
    (lambda: make_params(get("stdp-poisson").Params, {"duration": "5us"}),
     r"duration = 5e-06 is outside the allowed range \[dt = 1e-05, inf\)"),
]


@pytest.mark.parametrize("call, message", API_CASES, ids=[m[:40] for _, m in API_CASES])
def test_api_bad_input(call, message):
    with pytest.raises((ps.ParameterError, OSError), match=message) as info:
        call()
    assert "\n" not in str(info.value)
