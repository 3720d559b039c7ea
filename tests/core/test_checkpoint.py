"""Checkpoint/resume is bit-identical; results do not depend on the chunk size."""
import subprocess
import sys
import textwrap

import numpy as np

import plastisim as ps


def build(seed=5, sigma=2e-3):
    """Noisy LIF network with Poisson sources and Poisson input, plastic STDP synapses and all
    monitors."""
    net = ps.Network(dt=1e-4, seed=seed)
    src = net.add(ps.PoissonSource(50, rate=30.0))
    lif = net.add(ps.LIF(20, sigma=sigma, I_ext=0.8e-9, C=1e-9, g_L=1e-7))
    n_syn = 50 * 20
    proj = net.connect(src, lif, "all_to_all", weight=0.3e-9, delay=(1 + np.arange(n_syn) % 5) * 1e-3,
                       port="current", rule=ps.PairSTDP(A_pre=1e-11, A_post=-1e-11, w_max=5e-9))
    rec = net.connect(lif, lif, ps.FixedProbability(0.2), weight=0.5e-9, delay=2e-3, port="delta")
    net.add(ps.PoissonInput(lif, rate=200.0, weight=0.1e-9, port="delta"))
    mons = dict(spikes=net.record_spikes(lif), v=net.record(lif, "V", indices=[0, 3], interval=5e-4),
                w=net.record(proj, "w", indices=[0, 1, 2]), rate=net.record_rate(lif))
    return net, proj, rec, mons


def outcome(net, proj, mons):
    return dict(w=proj.w.copy(), V=net.populations[1].state["V"].copy(), spikes_t=mons["spikes"].t,
                spikes_i=mons["spikes"].i, v=mons["v"].data, wmon=mons["w"].data,
                rate=mons["rate"].rate)


def assert_identical(a, b):
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_chunk_size_does_not_change_a_noisy_run():
    results = []
    for chunk in (10_000, 777, 1):
        net, proj, _, mons = build()
        sim = ps.Simulator(net, chunk_steps=chunk)
        sim.run(0.3 if chunk > 1 else 0.05)
        results.append(outcome(net, proj, mons))
    assert len(results[0]["spikes_t"]) > 50
    assert_identical(results[0], results[1])
    short = results[2]
    assert np.array_equal(short["spikes_t"], results[0]["spikes_t"][results[0]["spikes_t"] < 0.05])


def test_resume_from_checkpoint_is_bit_identical(tmp_path):
    net, proj, _, mons = build()
    sim = ps.Simulator(net)
    sim.run(0.3)
    full = outcome(net, proj, mons)

    net, proj, _, mons = build()
    sim = ps.Simulator(net, chunk_steps=313)
    sim.run(0.1234)
    sim.save_checkpoint(tmp_path / "state.h5")
    net, proj, _, mons = build()
    sim = ps.Simulator(net)
    sim.load_checkpoint(tmp_path / "state.h5")
    sim.run(0.3 - 0.1234)
    assert_identical(full, outcome(net, proj, mons))


def test_resume_in_a_new_process_is_bit_identical(tmp_path):
    net, proj, _, mons = build()
    sim = ps.Simulator(net)
    sim.run(0.2)
    full = outcome(net, proj, mons)
    np.savez(tmp_path / "full.npz", **full)
    script = textwrap.dedent(f"""
        import sys, numpy as np, plastisim as ps
        sys.path.insert(0, {str(__file__.rsplit('/', 1)[0])!r})
        from test_checkpoint import build, outcome
        net, proj, _, mons = build()
        sim = ps.Simulator(net)
        if sys.argv[1] == "save":
            sim.run(0.05)
            sim.save_checkpoint({str(tmp_path / 'cp.h5')!r})
        else:
            sim.load_checkpoint({str(tmp_path / 'cp.h5')!r})
            sim.run(0.15)
            np.savez({str(tmp_path / 'resumed.npz')!r}, **outcome(net, proj, mons))
    """)
    for mode in ("save", "resume"):
        subprocess.run([sys.executable, "-c", script, mode], check=True)
    resumed = np.load(tmp_path / "resumed.npz")
    assert_identical(full, {k: resumed[k] for k in full})


def test_parameters_may_change_between_save_and_resume(tmp_path):
    net, proj, _, mons = build()
    sim = ps.Simulator(net)
    sim.run(0.1)
    sim.save_checkpoint(tmp_path / "cp.h5")
    n_before = len(mons["spikes"].t)
    net, proj, _, mons = build()
    sim = ps.Simulator(net)
    sim.load_checkpoint(tmp_path / "cp.h5")
    net.populations[1].params["V_th"] = 1.0  # silence the neurons from now on
    sim.run(0.1)
    assert n_before > 10
    assert len(mons["spikes"].t) == n_before and mons["spikes"].t.max() < 0.1
