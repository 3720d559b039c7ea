"""Checkpoints load only into a network of the same structure, all or nothing; unreadable
files give one clear error naming the file."""
import h5py
import numpy as np
import pytest

import plastisim as ps


def build(seed=1, rate=30.0, pairs=((0, 1, 2), (1, 2, 3)), A_pre=1e-11, C=1e-9):
    net = ps.Network(dt=1e-4, seed=seed)
    src = net.add(ps.PoissonSource(3, rate=rate, name="src"))
    lif = net.add(ps.LIF(4, C=C, I_ext=1.2e-9, sigma=1e-3, name="exc"))
    net.connect(src, lif, pairs, weight=1e-9, delay=1e-3, port="current",
                rule=ps.PairSTDP(A_pre=A_pre, A_post=-1e-11, w_max=5e-9), name="src->exc")
    net.connect(lif, lif, ps.FixedProbability(0.5), weight=1e-10, delay=2e-3, port="delta")
    net.record_spikes(lif)
    return net


def saved(tmp_path, **kwargs):
    sim = ps.Simulator(build(**kwargs))
    sim.run(0.05)
    sim.save_checkpoint(tmp_path / "cp.h5")
    return tmp_path / "cp.h5"


@pytest.mark.parametrize("change, message", [
    (dict(pairs=((0, 1, 2), (1, 3, 3))), "projection src->exc: connectivity differs"),
    (dict(seed=2), r"network: seed differs \(checkpoint 1, network 2\)"),
    (dict(rate=40.0), "population src: rate_values differ"),
    (dict(A_pre=2e-11), "projection src->exc: rule parameters differ"),
    (dict(C=2e-9), "population exc: parameters differ"),
])
def test_a_checkpoint_of_another_structure_is_refused(tmp_path, change, message):
    path = saved(tmp_path)
    sim = ps.Simulator(build(**change))
    with pytest.raises(ps.ParameterError, match=f"checkpoint {path}: {message}"):
        sim.load_checkpoint(path)


def snapshot(sim):
    mon = sim.net.monitors[0]
    return {key: arr.copy() for key, arr in sim.state_arrays()}, sim.step, len(mon.t), mon.t.copy()


def test_a_failed_load_leaves_the_network_untouched(tmp_path):
    path = saved(tmp_path)
    sim = ps.Simulator(build())
    sim.run(0.02)
    last = list(dict(sim.state_arrays()))[-1]
    with h5py.File(path, "a") as f:  # the last array is missing: found only after the others
        del f[f"state/{last}"]
    state, step, n_spikes, t = snapshot(sim)
    with pytest.raises(ps.ParameterError, match=f"checkpoint {path}"):
        sim.load_checkpoint(path)
    after, step_after, n_after, t_after = snapshot(sim)
    assert step_after == step and n_after == n_spikes and np.array_equal(t_after, t) and n_spikes > 0
    for key in state:
        np.testing.assert_array_equal(after[key], state[key], err_msg=key)


@pytest.mark.parametrize("damage", ["text", "truncated", "empty_hdf5", "missing"])
def test_unreadable_checkpoint_gives_one_error_naming_the_file(tmp_path, damage):
    path = saved(tmp_path)
    data = path.read_bytes()
    if damage == "text":
        path.write_text("not a checkpoint\n")
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty_hdf5":
        with h5py.File(path, "w") as f:
            f.attrs["step"] = 3
    else:
        path.unlink()
    sim = ps.Simulator(build())
    with pytest.raises(ps.ParameterError, match=f"checkpoint {path} cannot be read") as info:
        sim.load_checkpoint(path)
    assert "\n" not in str(info.value)


def test_extra_attributes_round_trip(tmp_path):
    from plastisim.core import checkpoint
    sim = ps.Simulator(build())
    sim.run(0.01)
    sim.protocol_next = 3
    checkpoint.save(sim, tmp_path / "cp.h5", extra={"phase": 2, "protocol": "STET"})
    sim = ps.Simulator(build())
    assert checkpoint.load(sim, tmp_path / "cp.h5") == {"phase": 2, "protocol": "STET"}
    assert sim.step == 100
    sim.protocol_next = 3
    sim.save_checkpoint(tmp_path / "protocol.h5")  # the simulator keeps its protocol position
    sim = ps.Simulator(build())
    sim.load_checkpoint(tmp_path / "protocol.h5")
    assert sim.protocol_next == 3
