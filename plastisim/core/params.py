"""Parameter checks and value parsing with units.

All values are SI internally. Text values may carry a unit suffix
(``20ms``, ``0.35nA``, ``8h``), which is converted to SI.
"""
import math
import re

from .errors import ParameterError

_PREFIX = {"": 1.0, "k": 1e3, "m": 1e-3, "u": 1e-6, "µ": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15}
_BASE = ("s", "V", "A", "S", "F", "Hz", "ohm", "m", "M")
_SPECIAL = {"min": 60.0, "h": 3600.0, "Mohm": 1e6, "MOhm": 1e6}
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµ]*)\s*$")


def unit_scale(unit):
    """SI factor of a unit string such as 'ms', 'nA', 'uS', 'h'; raises ParameterError."""
    if unit in _SPECIAL:
        return _SPECIAL[unit]
    for base in sorted(_BASE, key=len, reverse=True):
        if unit.endswith(base) and unit[: -len(base)] in _PREFIX:
            return _PREFIX[unit[: -len(base)]]
    raise ParameterError(f"unknown unit {unit!r}")


def parse_value(text):
    """'20ms' -> 0.02, '3' -> 3.0, 'true' -> True; other text is returned unchanged."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    match = _NUMBER.match(text)
    if not match:
        return text
    value, unit = match.groups()
    return float(value) * (unit_scale(unit) if unit else 1.0)


def check(name, value, low=-math.inf, high=math.inf, low_open=False, high_open=False):
    """Return float(value) if it is finite and inside the range, else raise ParameterError.

    The message names the parameter and the allowed range, e.g.
    ``dt = -1e-4 is outside the allowed range (0, inf)``.
    """
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} = {value!r} is not a number") from None
    lo_ok = value > low if low_open else value >= low
    hi_ok = value < high if high_open else value <= high
    if math.isnan(value) or not (lo_ok and hi_ok) or (math.isinf(value) and not math.isinf(high)):
        lb = "(" if low_open else "["
        rb = ")" if high_open else "]"
        raise ParameterError(f"{name} = {value!r} is outside the allowed range {lb}{low}, {high}{rb}")
    return value
