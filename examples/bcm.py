"""BCM rule with a sliding threshold (Bienenstock, Cooper & Munro 1982, J. Neurosci. 2:32;
threshold <y^2>/y0 as in Intrator & Cooper 1992), rates estimated from spike traces.

    tau_x dx/dt = -x + sum_n delta(t - t_pre^n)      presynaptic rate (Hz), per group
    tau_y dy/dt = -y + sum_m delta(t - t_post^m)     postsynaptic rate (Hz), per neuron
    tau_theta dtheta/dt = -theta + y^2 / y0          sliding threshold (Hz), theta ~ <y^2>/y0
    dw/dt = eta x y (y - theta),   w clipped to [0, w_max]

Units: x, y, theta, y0 in Hz; tau_* in s; w in the units of the projection (here S,
conductance synapses onto LIF port "exc"); eta in S s^2 (w per Hz^3 per s).

Scheme, per step: a spike adds 1/tau to its trace; w += dt eta x y (y - theta) with the
values at t; then x, y decay exactly and theta <- y^2/y0 + (theta - y^2/y0) e^(-dt/tau_theta)
(y frozen over the step).

Run: ``python examples/bcm.py``: Poisson inputs at 5-40 Hz onto LIF neurons; prints the final
weights and thresholds next to an independent NumPy computation on the recorded spikes.
"""
import numpy as np

import plastisim as ps


class BCM(ps.Rule):
    parameters = dict(eta=2e-15, y0=20.0, tau_x=50e-3, tau_y=50e-3, tau_theta=1.0, w_max=10e-9)
    group_state = dict(x=0.0)
    neuron_state = dict(y=0.0, theta="y0")

    def on_pre_group(grp, p, g):
        grp.x[g] += 1.0 / p.tau_x

    def on_post_neuron(n, p, j):
        n.y[j] += 1.0 / p.tau_y

    def on_step(s, p, n, grp, k, j, g, dt):
        dw = dt * p.eta * grp.x[g] * n.y[j] * (n.y[j] - n.theta[j])
        s.w[k] = min(max(s.w[k] + dw, 0.0), p.w_max)

    def on_neuron_step(n, p, j, dt):
        target = n.y[j] * n.y[j] / p.y0
        n.theta[j] = target + (n.theta[j] - target) * exp(-dt / p.tau_theta)
        n.y[j] *= exp(-dt / p.tau_y)

    def on_group_step(grp, p, g, dt):
        grp.x[g] *= exp(-dt / p.tau_x)


def build(n_pre=20, n_post=4, dt=1e-4, seed=7, w0=1e-9):
    net = ps.Network(dt=dt, seed=seed)
    pre = net.add(ps.PoissonSource(n_pre, rate=np.linspace(5.0, 40.0, n_pre)))
    lif = net.add(ps.LIF(n_post, C=200e-12, g_L=10e-9, E_L=-70e-3, V_reset=-70e-3, V_th=-50e-3))
    syn = net.connect(pre, lif, "all_to_all", weight=w0, delay=dt, port="exc", rule=BCM())
    net.add(ps.PoissonInput(lif, rate=500.0, weight=1.0e-9, port="exc"))
    return net, syn, net.record_spikes(pre), net.record_spikes(lif)


def reference(syn, pre_mon, post_mon, w0, nsteps):
    """NumPy: the same equations and step order on the recorded spikes (a presynaptic spike of
    step m arrives at m + 1; postsynaptic spikes act in the step they are emitted)."""
    p, dt = syn.rule.params, syn.delay[0]
    n_pre, n_post = syn.pre_pop.n, syn.post_pop.n
    arrivals = np.zeros((nsteps + 1, n_pre))
    np.add.at(arrivals, (np.rint(pre_mon.t / dt).astype(int) + 1, pre_mon.i), 1.0)
    fired = np.zeros((nsteps, n_post))
    np.add.at(fired, (np.rint(post_mon.t / dt).astype(int), post_mon.i), 1.0)
    w = np.zeros((n_pre, n_post))
    w[syn.pre, syn.post] = w0
    x, y, theta = np.zeros(n_pre), np.zeros(n_post), np.full(n_post, p["y0"])
    for m in range(nsteps):
        x += arrivals[m] * (1.0 / p["tau_x"])
        y += fired[m] * (1.0 / p["tau_y"])
        dw = dt * p["eta"] * x[:, None] * (y * (y - theta))[None, :]
        w = np.minimum(np.maximum(w + dw, 0.0), p["w_max"])
        target = y * y / p["y0"]
        theta = target + (theta - target) * np.exp(-dt / p["tau_theta"])
        y *= np.exp(-dt / p["tau_y"])
        x *= np.exp(-dt / p["tau_x"])
    return w[syn.pre, syn.post], theta


def compare(duration=2.0, **kwargs):
    net, syn, pre_mon, post_mon = build(**kwargs)
    w0 = syn.w.copy()
    ps.Simulator(net).run(duration)
    w, theta = reference(syn, pre_mon, post_mon, w0, int(round(duration / net.dt)))
    return dict(w=syn.w.copy(), w_ref=w, theta=syn.neuron_state["theta"].copy(), theta_ref=theta, w0=w0,
                rate=np.bincount(post_mon.i, minlength=syn.post_pop.n) / duration, syn=syn)


if __name__ == "__main__":
    r = compare()
    print("post  rate (Hz)  theta plastisim (Hz)  theta NumPy (Hz)")
    for j, (f, a, b) in enumerate(zip(r["rate"], r["theta"], r["theta_ref"])):
        print(f"{j:4d} {f:10.1f} {a:21.12f} {b:17.12f}")
    syn = r["syn"]
    print("pre rate (Hz)  mean dw over post (nS) plastisim, NumPy")
    for i in range(0, syn.pre_pop.n, 4):
        sel = syn.pre == i
        print(f"{syn.pre_pop.state['rate_values'][0, i]:13.1f} {np.mean(r['w'][sel] - r['w0'][sel]) * 1e9:+.12f} "
              f"{np.mean(r['w_ref'][sel] - r['w0'][sel]) * 1e9:+.12f}")
    print(f"max |w - w_NumPy| / w_max = {np.abs(r['w'] - r['w_ref']).max() / syn.rule.params['w_max']:.1e}")
