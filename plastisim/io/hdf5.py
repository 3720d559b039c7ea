"""Results files (HDF5).

Layout of ``results.h5``: datasets and groups of recordings (e.g. ``spikes/t``,
``spikes/i``), a group ``summary`` with the model's headline numbers as named datasets
in SI units (attribute ``unit`` of each, '' if dimensionless), and attributes ``model``,
``seed``, ``plastisim_version``, ``run_time`` (wall-clock seconds) and ``params`` (JSON of
the parameters). Files are written to a temporary file in the same folder and renamed, so a
reader never sees a half-written file.
"""
import contextlib
import json
import os
from pathlib import Path

import h5py
import numpy as np

from ..core.errors import ParameterError


@contextlib.contextmanager
def write_atomic(path):
    """Open a temporary HDF5 file beside ``path`` for writing; rename it to ``path`` on success,
    remove it on error."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        try:
            f = h5py.File(tmp, "w")
        except OSError as err:
            raise OSError(err.errno, f"cannot write {path} ({err.strerror or err})") from None
        with f:
            yield f
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def save_results(path, data, summary=None, units=None, **attrs):
    """Write nested dict ``data`` (arrays) and ``summary`` to ``path``; ``units`` ({summary key:
    unit}) become attributes ``unit`` of the summary datasets, ``attrs`` file attributes."""
    from .. import __version__

    with write_atomic(path) as f:
        _write(f, data)
        _write(f.require_group("summary"), summary or {})
        for key, unit in (units or {}).items():
            if key in f["summary"]:
                f["summary"][key].attrs["unit"] = unit
        f.attrs["plastisim_version"] = __version__
        for key, value in attrs.items():
            f.attrs[key] = json.dumps(value) if isinstance(value, dict) else value


def _write(group, data):
    for key, value in data.items():
        if isinstance(value, dict):
            _write(group.require_group(key), value)
        else:
            value = np.asarray(value)
            group[key] = np.char.encode(value, "utf-8") if value.dtype.kind == "U" else value  # HDF5 has no UCS-4 text


def load_results(path):
    """Read a results file back: ``(data, attrs)``, nested dicts of NumPy arrays and attributes.

    ``attrs['params']`` is decoded from JSON to a dict; ``attrs['units']`` is {summary key: unit}.
    """
    try:
        with h5py.File(path, "r") as f:
            data = _read(f)
            attrs = dict(f.attrs)
            if "summary" in f:
                attrs["units"] = {key: item.attrs.get("unit", "") for key, item in f["summary"].items()}
    except FileNotFoundError:
        raise ParameterError(f"results file {path} does not exist") from None
    except OSError as err:
        raise ParameterError(f"results file {path} cannot be read: not a complete HDF5 file "
                             f"({str(err).splitlines()[0]})") from None
    if "params" in attrs:
        attrs["params"] = json.loads(attrs["params"])
    return data, attrs


def _read(group):
    return {key: _read(item) if isinstance(item, h5py.Group) else item[()] for key, item in group.items()}
