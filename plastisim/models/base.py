"""Parameter handling shared by the built-in models: one place for parsing and checking."""
import dataclasses

from ..core.errors import ParameterError
from ..core.params import check, check_int, parse_value


def param(default, unit="", help="", low=None, high=None, positive=False, low_open=False,
          high_open=False):
    """A model parameter: dataclass field with unit, help text and allowed range
    [low, high] (``positive`` means (0, inf); ``low_open``/``high_open`` exclude a bound).
    ``low``/``high`` may name another field (e.g. ``low="dt"``: at least one time step); a
    Params class may also define ``validate(self)`` for conditions on several fields.
    A tuple default is a list of numbers (text '20Hz,30Hz'), each in the range."""
    if positive:
        low, low_open = 0.0, True
    return dataclasses.field(default=default, metadata=dict(unit=unit, help=help, low=low, high=high,
                                                            low_open=low_open, high_open=high_open))


def make_params(cls, overrides=None):
    """Build ``cls`` with ``overrides`` ({name: value or text with unit}); check names, units,
    types and ranges (also of the defaults, and bounds given by other fields)."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for name, value in (overrides or {}).items():
        if name not in fields:
            raise ParameterError(f"unknown parameter {name!r}; known: {', '.join(fields)}")
        values[name] = _convert(fields[name], value)
    params = cls(**values)
    for f in fields.values():
        _check(f, getattr(params, f.name), params)
    if hasattr(params, "validate"):  # conditions that involve several parameters
        params.validate()
    return params


def convert(cls, name, value):
    """One parameter's ``value`` (number or text with unit) converted to its type and unit;
    ranges are checked when the whole set is built (``make_params``), as bounds may name other
    parameters."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if name not in fields:
        raise ParameterError(f"unknown parameter {name!r}; known: {', '.join(fields)}")
    return _convert(fields[name], value)


def _convert(f, value):
    """``value`` (number or text) converted to the type of ``f.default``."""
    default = f.default
    if isinstance(default, bool):
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise ParameterError(f"{f.name} = {value!r} must be true or false")
        return value
    if isinstance(default, tuple):
        items = value.split(",") if isinstance(value, str) else list(value)
        return tuple(_number(f, item) for item in items)
    if isinstance(default, (int, float)):
        value = _number(f, value)
        return check_int(f.name, value, -float("inf"), float("inf")) if isinstance(default, int) else value
    return value


def _number(f, value):
    if isinstance(value, str):
        text = value
        value = parse_value(value, f.metadata.get("unit", ""), f.name)
        if isinstance(value, str):
            try:
                value = float(text)  # nan, inf: refused by the range check with the range
            except ValueError:
                raise ParameterError(f"{f.name} = {text!r} is not a number") from None
    if isinstance(value, bool):
        raise ParameterError(f"{f.name} = {value!r} is not a number")
    return value


def _bounds(f, params=None):
    """(low, high, low_open, high_open, low_name, high_name); bounds naming a field take its
    value in ``params`` (or the field's default)."""
    out = []
    for key, missing in (("low", -float("inf")), ("high", float("inf"))):
        bound = f.metadata.get(key)
        if isinstance(bound, str):
            out.append((getattr(params, bound) if params is not None else None, bound))
        else:
            out.append((missing if bound is None else bound, None))
    (low, low_name), (high, high_name) = out
    return low, high, f.metadata.get("low_open", False), f.metadata.get("high_open", False), low_name, high_name


def _check(f, value, params):
    low, high, low_open, high_open, low_name, high_name = _bounds(f, params)
    if isinstance(value, bool) or isinstance(f.default, bool):
        return
    if isinstance(f.default, int):
        check_int(f.name, value, low, high, low_name, high_name)  # int ranges are closed
    elif isinstance(value, tuple):
        if not value:
            raise ParameterError(f"{f.name} must list at least one value")
        for item in value:
            check(f.name, item, low, high, low_open, high_open, low_name, high_name)
    elif isinstance(value, (int, float)):
        check(f.name, value, low, high, low_open, high_open, low_name, high_name)


def range_text(f):
    """Allowed range of field ``f`` as text, e.g. '(0, inf)', '[0, period)', '[1, n_exc]'."""
    low, high, low_open, high_open, low_name, high_name = _bounds(f)
    if isinstance(f.default, (str, bool)):
        return ""
    low_open = low_open and not isinstance(f.default, int)
    high_open = high_open or (high == float("inf") and high_name is None)
    text = lambda v, n: n or (f"{v:g}" if isinstance(v, float) else f"{v}")
    return f"{'(' if low_open or low == -float('inf') else '['}{text(low, low_name)}, " \
           f"{text(high, high_name)}{')' if high_open else ']'}"


def describe(cls):
    """Lines 'name = default unit range  help' for ``--help``."""
    lines = [f"  {'name':<16}   {'default':<12} {'unit':<6} {'allowed':<16} help"]
    for f in dataclasses.fields(cls):
        unit = f.metadata.get("unit", "")
        default = ",".join(f"{v:g}" for v in f.default) if isinstance(f.default, tuple) else repr(f.default)
        lines.append(f"  {f.name:<16} = {default:<12} {unit:<6} {range_text(f):<16} "
                     f"{f.metadata.get('help', '')}")
    return "\n".join(lines)
