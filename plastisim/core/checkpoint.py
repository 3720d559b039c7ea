"""Checkpoints: the complete state of a running network in one HDF5 file.

Layout: attributes ``format``, ``step``, ``dt``, ``seed``; group ``state`` (every array of
``Simulator.state_arrays()``); group ``monitors`` (recordings so far); dataset ``structure``
(JSON text {component: {aspect: value or SHA-1 digest}}: sizes and names of the populations, their
parameters and fixed arrays, connectivity, delays, sites, ports and rules of the projections, the
inputs and monitors); group ``extra`` (attributes for callers, e.g. a protocol's position:
``save(sim, path, extra={...})``, returned by ``load``).

A checkpoint loads only into a network of the same structure (rebuilt the same way, also in
another process; the run then resumes bit-identically); parameters may be changed after
loading. Loading is all-or-nothing: everything is read and checked before anything is assigned.
"""
import hashlib
import json

import h5py
import numpy as np

from ..io.hdf5 import write_atomic
from .errors import ParameterError
from .network import RateMonitor, SpikeMonitor, StateMonitor

FORMAT = 2  # 2: nodes of compartmental cells interleaved (node k of cell c at k * cells + c)


def save(sim, path, extra=None):
    """Write the state of ``sim`` (and monitor data so far) to ``path``; ``extra`` ({name:
    number or text}) is stored as attributes of group ``extra``."""
    with write_atomic(path) as f:
        f.attrs.update(format=FORMAT, step=sim.step, dt=sim.net.dt, seed=sim.net.seed)
        f["structure"] = json.dumps(structure(sim.net))  # a dataset: attributes are limited to 64 kB
        for key, arr in sim.state_arrays():
            f[f"state/{key}"] = arr
        for m, mon in enumerate(sim.net.monitors):
            for key, parts in _monitor_lists(mon).items():
                if parts:
                    f[f"monitors/{m}/{key}"] = np.concatenate(parts)
        f.require_group("extra").attrs.update(extra or {})


def load(sim, path):
    """Restore a checkpoint written by :func:`save` into ``sim``; returns its ``extra`` dict.

    Raises ParameterError, leaving ``sim`` untouched, if the file is not a readable checkpoint
    or was written for a network of another structure (the message names the component).
    """
    attrs, saved, state, monitors, extra = _read(path)
    net = sim.net
    if attrs["dt"] != net.dt:
        raise ParameterError(f"checkpoint {path}: dt differs (checkpoint {attrs['dt']}, network {net.dt})")
    _compare(path, saved, structure(net))
    for key, arr in sim.state_arrays():
        if key not in state or state[key].shape != arr.shape:
            raise ParameterError(f"checkpoint {path}: state {key} is missing or has another shape")
    # everything is read and checked: assign
    for key, arr in sim.state_arrays():
        arr[...] = state[key]
    for m, mon in enumerate(net.monitors):
        for key, parts in _monitor_lists(mon).items():
            name = f"{m}/{key}"
            parts[:] = [monitors[name]] if name in monitors else []
    sim.step = int(attrs["step"])
    net.seed = int(attrs["seed"])
    return extra


def _read(path):
    """(attributes, structure, state arrays, monitor arrays, extra) of the file; one
    ParameterError naming the file if it cannot be read."""
    try:
        with h5py.File(path, "r") as f:
            attrs = {key: f.attrs[key] for key in ("format", "step", "dt", "seed")}
            if attrs["format"] != FORMAT:
                raise ParameterError(f"checkpoint {path} has format {attrs['format']}; this "
                                     f"version reads format {FORMAT}")
            state, monitors = {}, {}
            f["state"].visititems(lambda key, item: _take(state, key, item))
            if "monitors" in f:
                f["monitors"].visititems(lambda key, item: _take(monitors, key, item))
            extra = dict(f["extra"].attrs) if "extra" in f else {}
            saved = json.loads(f["structure"][()])
    except ParameterError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ParameterError(f"checkpoint {path} cannot be read: not a complete plastisim "
                             f"checkpoint ({reason})") from None
    return attrs, saved, state, monitors, extra


def _take(out, key, item):
    if isinstance(item, h5py.Dataset):
        out[key] = item[()]


def _compare(path, saved, current):
    """Raise ParameterError naming the first component of ``current`` that differs from ``saved``."""
    for component in list(saved) + [c for c in current if c not in saved]:
        if component not in current:
            raise ParameterError(f"checkpoint {path}: {component} is not in this network")
        if component not in saved:
            raise ParameterError(f"checkpoint {path}: {component} of this network is not in the checkpoint")
        for aspect, value in saved[component].items():
            now = current[component].get(aspect)
            if now != value:
                shown = "" if _is_digest(value) else f" (checkpoint {value}, network {now})"
                verb = "differ" if aspect.endswith("s") else "differs"
                raise ParameterError(f"checkpoint {path}: {component}: {aspect} {verb}{shown}")


def _is_digest(value):
    return isinstance(value, str) and value.startswith("sha1:")


def _digest(*values):
    """SHA-1 of arrays, numbers, text and dicts (sorted by key)."""
    h = hashlib.sha1()
    for value in values:
        if isinstance(value, dict):
            h.update(json.dumps({k: _plain(v) for k, v in value.items()}, sort_keys=True).encode())
        else:
            arr = np.ascontiguousarray(value)
            h.update(f"{arr.dtype.str}{arr.shape}".encode())
            h.update(arr.tobytes())
    return "sha1:" + h.hexdigest()


def _plain(value):
    return value.tolist() if isinstance(value, np.ndarray) else value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


def _qualname(obj):
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def structure(net):
    """{component: {aspect: value}} identifying the structure of ``net`` (see module docstring)."""
    out = {"network": {"seed": net.seed, "populations": [p.name for p in net.populations],
                       "projections": len(net.projections), "inputs": len(net.inputs),
                       "monitors": len(net.monitors)}}
    for pop in net.populations:
        out[f"population {pop.name}"] = {
            "class": _qualname(pop), "size": pop.n, "parameters": _digest(pop.params),
            **{key: _digest(pop.state[key]) for key in pop.fixed_state}}
    for m, inp in enumerate(net.inputs):
        out[f"input {m}"] = {"class": _qualname(inp), "target": inp.post_pop.name, "port": inp.port,
                             "bernoulli": getattr(inp, "bernoulli", None),
                             **{key: _digest(inp.state[key]) for key in getattr(inp, "fixed_state", ())}}
    names = [proj.name for proj in net.projections]
    for x, proj in enumerate(net.projections):
        name = proj.name if names.count(proj.name) == 1 else f"{proj.name} #{x}"
        rule = proj.rule
        out[f"projection {name}"] = {
            "pre": proj.pre_pop.name, "post": proj.post_pop.name, "port": proj.port,
            "size": proj.n_syn, "connectivity": _digest(proj.pre, proj.post),
            "delays": _digest(proj.delay_steps),
            "sites": None if proj.site_node is None else _digest(proj.site_node),
            "rule": None if rule is None else _qualname(rule),
            "rule parameters": None if rule is None else _digest(rule.params)}
    for m, mon in enumerate(net.monitors):
        what = {"class": type(mon).__name__, "target": getattr(mon.target, "name", repr(mon.target))}
        if isinstance(mon, SpikeMonitor):
            what["indices"] = _digest(mon.mask)
        elif isinstance(mon, StateMonitor):
            what.update(variable=mon.var, every=mon.every, indices=_digest(mon.index))
        out[f"monitor {m}"] = what
    return out


def _monitor_lists(mon):
    if isinstance(mon, SpikeMonitor):
        return {"steps": mon.steps, "indices": mon.indices}
    if isinstance(mon, StateMonitor):
        return {"steps": mon.steps, "values": mon.values}
    if isinstance(mon, RateMonitor):
        return {"counts": mon.counts}
    raise TypeError(f"unknown monitor {mon!r}")
