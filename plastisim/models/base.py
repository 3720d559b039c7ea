"""Parameter handling shared by the built-in models."""
import dataclasses

from ..core.errors import ParameterError
from ..core.params import check, parse_value


def param(default, unit="", help="", low=None, high=None, positive=False):
    """A model parameter: dataclass field with unit, help text and allowed range
    ([low, high]; ``positive`` means (0, inf))."""
    if positive:
        low = 0.0
    return dataclasses.field(default=default, metadata=dict(unit=unit, help=help, low=low, high=high,
                                                            open=positive))


def make_params(cls, overrides=None):
    """Build ``cls`` with ``overrides`` ({name: value or text with unit}); check names and ranges."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for name, value in (overrides or {}).items():
        if name not in fields:
            raise ParameterError(f"unknown parameter {name!r}; known: {', '.join(fields)}")
        if isinstance(value, str):
            value = parse_value(value)
        default = fields[name].default
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ParameterError(f"{name} must be true or false, got {value!r}")
        elif isinstance(default, (int, float)):
            value = check(name, value, *_range(fields[name]))
            if isinstance(default, int):
                if value != int(value):
                    raise ParameterError(f"{name} must be an integer, got {value!r}")
                value = int(value)
        values[name] = value
    params = cls(**values)
    for f in fields.values():
        value = getattr(params, f.name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            check(f.name, value, *_range(f))
    return params


def _range(f):
    low, high = f.metadata.get("low"), f.metadata.get("high")
    return (-float("inf") if low is None else low, float("inf") if high is None else high,
            f.metadata.get("open", False))


def describe(cls):
    """Lines 'name = default unit  help' for ``--help``."""
    lines = []
    for f in dataclasses.fields(cls):
        unit = f.metadata.get("unit", "")
        lines.append(f"  {f.name:<16} = {f.default!r:<12} {unit:<6} {f.metadata.get('help', '')}")
    return "\n".join(lines)
