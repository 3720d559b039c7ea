"""Readouts shared by models: firing rates in a window and the pattern-completion coefficient."""
import numpy as np


def window_rates(t, i, n, window):
    """Spike count of each of ``n`` neurons in [window[0], window[1]) divided by its length (Hz)."""
    inside = (t >= window[0]) & (t < window[1])
    return np.bincount(i[inside], minlength=n) / (window[1] - window[0])


def pattern_completion(rates, n_as, n_assembly):
    """Recall quality Q = (nu_ans - nu_ctrl) / nu_as (Luboeinski & Tetzlaff 2021, Eq. 22).

    ``rates``: excitatory rates ordered as [as (recall-stimulated), ans (rest of the assembly),
    ctrl]; returns (Q, nu_as, nu_ans, nu_ctrl).
    """
    nu_as, nu_ans = rates[:n_as].mean(), rates[n_as:n_assembly].mean()
    nu_ctrl = rates[n_assembly:].mean()
    return (nu_ans - nu_ctrl) / nu_as, nu_as, nu_ans, nu_ctrl
