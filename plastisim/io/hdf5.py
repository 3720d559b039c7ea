"""Results files (HDF5).

Layout of ``results.h5``: datasets and groups of recordings (e.g. ``spikes/t``,
``spikes/i``), a group ``summary`` with the model's headline numbers as named datasets
in SI units, and attributes ``model``, ``seed``, ``plastisim_version``, ``run_time``
(wall-clock seconds) and ``params`` (JSON of the parameters).
"""
import json

import h5py
import numpy as np


def save_results(path, data, summary=None, **attrs):
    """Write nested dict ``data`` (arrays) and ``summary`` to ``path``; ``attrs`` become attributes."""
    from .. import __version__

    with h5py.File(path, "w") as f:
        _write(f, data)
        _write(f.require_group("summary"), summary or {})
        f.attrs["plastisim_version"] = __version__
        for key, value in attrs.items():
            f.attrs[key] = json.dumps(value) if isinstance(value, dict) else value


def _write(group, data):
    for key, value in data.items():
        if isinstance(value, dict):
            _write(group.require_group(key), value)
        else:
            group[key] = np.asarray(value)


def load_results(path):
    """Read a results file back: ``(data, attrs)``, nested dicts of NumPy arrays and attributes.

    ``attrs['params']`` is decoded from JSON to a dict.
    """
    with h5py.File(path, "r") as f:
        data = _read(f)
        attrs = dict(f.attrs)
    if "params" in attrs:
        attrs["params"] = json.loads(attrs["params"])
    return data, attrs


def _read(group):
    return {key: _read(item) if isinstance(item, h5py.Group) else item[()] for key, item in group.items()}
