"""Graupner-Brunel calcium-based plasticity (Graupner & Brunel 2012; Plastic Arbor Eqs. 10-12).

    tau_w dw/dt = -w (1 - w)(w_star - w) + gamma_p (1 - w) H(c - theta_p) - gamma_d w H(c - theta_d)
                  + sigma sqrt(tau_w (H(c - theta_p) + H(c - theta_d))) Gamma(t)
    dc/dt = -c / tau_c + c_pre sum delta(t - t_pre - D) + c_post sum delta(t - t_post)

w (the code's rho) and c are dimensionless; H(x) = 1 for x >= 0 (spec 0.2); Gamma is white
noise. Two integrations of the same model:

* :class:`CalciumGB` (event driven): between calcium jumps c decays exactly and the times at
  which it falls below theta_p and theta_d are known in closed form, c0 exp(-u/tau_c) = theta.
  On each supra-threshold segment the drift is linear in w except for the small cubic term,
  which is linearised at the segment start; the resulting Ornstein-Uhlenbeck equation is
  advanced exactly (mean and variance), in pieces of at most ``max_step``. Below both
  thresholds the noise-free cubic equation is integrated with RK4 (steps <= 0.5 s, tau_w = 150 s).
* :class:`CalciumGBEuler` (clock driven, independent check): exact calcium decay per step and
  Euler-Maruyama for w, dw = drift dt / tau_w + sigma sqrt((H_p + H_d) dt / tau_w) N(0, 1).
"""
from ..core.params import check
from .rule import Rule

GB_PARAMETERS = dict(tau_c=20e-3, tau_w=150.0, gamma_p=321.808, gamma_d=200.0, theta_p=1.3,
                     theta_d=1.0, sigma=2.8248, w_star=0.5, c_pre=1.0, c_post=2.0, D=13.7e-3)


class _GBBase(Rule):
    parameters = dict(GB_PARAMETERS)
    delayed_pre = "D"

    def validate(self, params):
        for key in ("tau_c", "tau_w", "theta_p", "theta_d"):
            check(key, params[key], 0.0, low_open=True)
        for key in ("gamma_p", "gamma_d", "sigma", "c_pre", "c_post"):
            check(key, params[key], 0.0)

    def on_pre_delayed(s, p, k):
        s.c[k] += p.c_pre

    def on_post(s, p, k):
        s.c[k] += p.c_post


class CalciumGB(_GBBase):
    """Event-driven Graupner-Brunel rule (see module docstring); w is the synaptic efficacy rho."""

    parameters = dict(GB_PARAMETERS, max_step=10e-3)
    synapse_state = dict(c=0.0, t_last=0.0)

    def validate(self, params):
        super().validate(params)
        check("theta_p", params["theta_p"], params["theta_d"])
        check("max_step", params["max_step"], 0.0, low_open=True)

    def advance(s, p, k, t):
        total = t - s.t_last[k]
        if total <= 0.0:
            return
        c0 = s.c[k]
        w = s.w[k]
        # time spent above theta_p and above theta_d while c decays from c0
        u_p = min(p.tau_c * log(c0 / p.theta_p), total) if c0 >= p.theta_p else 0.0
        u_d = min(p.tau_c * log(c0 / p.theta_d), total) if c0 >= p.theta_d else 0.0
        draw = 0
        for segment in range(2):
            length = u_p if segment == 0 else u_d - u_p
            on_p = 1.0 if segment == 0 else 0.0
            pieces = int(math.ceil(length / p.max_step))
            for piece in range(pieces):
                h = length / pieces
                g = -w * (1.0 - w) * (p.w_star - w)
                dg = -(p.w_star - 2.0 * (1.0 + p.w_star) * w + 3.0 * w * w)
                a = p.gamma_p * on_p + g - dg * w
                b = p.gamma_p * on_p + p.gamma_d - dg
                rate = b / p.tau_w
                decay = exp(-rate * h)
                diffusion = p.sigma * p.sigma * (on_p + 1.0) / p.tau_w
                var = diffusion * (1.0 - decay * decay) / (2.0 * rate)
                w = a / b + (w - a / b) * decay + sqrt(var) * randn(draw)
                draw += 1
        rest = total - u_d
        n_rk = int(math.ceil(rest / 0.5))
        for step_rk in range(n_rk):
            h = rest / n_rk
            k1 = -w * (1.0 - w) * (p.w_star - w) / p.tau_w
            x = w + 0.5 * h * k1
            k2 = -x * (1.0 - x) * (p.w_star - x) / p.tau_w
            x = w + 0.5 * h * k2
            k3 = -x * (1.0 - x) * (p.w_star - x) / p.tau_w
            x = w + h * k3
            k4 = -x * (1.0 - x) * (p.w_star - x) / p.tau_w
            w += h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0
        s.w[k] = w
        s.c[k] = c0 * exp(-total / p.tau_c)
        s.t_last[k] = t


class CalciumGBEuler(_GBBase):
    """Clock-driven Graupner-Brunel rule: Euler-Maruyama for w, exact calcium decay per step."""

    synapse_state = dict(c=0.0)

    def on_step(s, p, k, dt):
        c = s.c[k]
        w = s.w[k]
        on_p = 1.0 if c >= p.theta_p else 0.0
        on_d = 1.0 if c >= p.theta_d else 0.0
        drift = -w * (1.0 - w) * (p.w_star - w) + p.gamma_p * (1.0 - w) * on_p - p.gamma_d * w * on_d
        w += drift * dt / p.tau_w
        if on_p + on_d > 0.0:
            w += p.sigma * sqrt((on_p + on_d) * dt / p.tau_w) * randn()
        s.w[k] = w
        s.c[k] = c * exp(-dt / p.tau_c)
