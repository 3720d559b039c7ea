"""Built-in published models and protocols, one module each, built from the public API.

Each module has: a docstring with the equations, units and reference; ``Params`` (a
dataclass, SI units, field metadata ``unit`` and ``help``); ``run(params, seed,
progress)`` returning ``{"data": {...}, "summary": {...}}``; ``DESCRIPTION`` (one line).
"""
import importlib

from ..core.errors import ParameterError

MODELS = {
    "stdp-curve": "stdp_curve",
    "stdp-poisson": "stdp_poisson",
    "homeostasis": "homeostasis",
    "calcium-stdp-curve": "calcium_stdp_curve",
    "stc-synapse": "stc_synapse",
    "stc-protocols": "stc_protocols",
    "stc-network": "stc_network",
    "rallpack1": "rallpack1",
    "rallpack2": "rallpack2",
    "rallpack3": "rallpack3",
    "heterosynaptic-spines": "heterosynaptic_spines",
    "stc-network-morpho": "stc_network_morpho",
    "l5-cell": "l5_cell",
    "l5-gain": "l5_gain",
    "l5-network": "l5_network",
    "l5-stdp": "l5_stdp",
}
DEFAULT_MODEL = "stdp-curve"


def get(name):
    """The module of model ``name``; raises ParameterError for unknown names."""
    if name not in MODELS:
        raise ParameterError(f"unknown model {name!r}; known models: {', '.join(MODELS)}")
    return importlib.import_module(f"{__name__}.{MODELS[name]}")
