"""Parameter checks and value parsing with units.

All values are SI internally. Text values may carry a unit suffix
(``20ms``, ``0.35nA``, ``8h``), which is converted to SI; given the unit a parameter is
expressed in, the suffix must have the same dimension (``period = 0.5V`` is refused).
"""
import math
import os
import re
from decimal import Decimal

import numpy as np

from .errors import ParameterError

_PREFIX = {"": 1.0, "k": 1e3, "m": 1e-3, "u": 1e-6, "µ": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15}
_BASE = {"s": "time", "V": "voltage", "A": "current", "S": "conductance", "F": "capacitance",
         "Hz": "frequency", "ohm": "resistance", "m": "length", "M": "concentration"}
_SPECIAL = {"min": (60.0, "s"), "h": (3600.0, "s"), "Mohm": (1e6, "ohm"), "MOhm": (1e6, "ohm")}
_BASE_SI = {"M": 1e3}  # molar: 1 M = 1 mol/l = 1000 mol/m^3 (so 1 mM = 1 mol/m^3, the SI unit)
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµ]*)\s*$")
SEED_MAX = 2**63 - 1  # seeds are integers in [0, SEED_MAX] (signed 64 bit in the kernels)


def unit_info(unit):
    """(SI factor, base unit) of a unit string such as 'ms' -> (1e-3, 's'), 'uM' -> (1e-3, 'M')
    (concentrations in mol/m^3); raises ParameterError."""
    if unit in _SPECIAL:
        return _SPECIAL[unit]
    for base in sorted(_BASE, key=len, reverse=True):
        if unit.endswith(base) and unit[: -len(base)] in _PREFIX:
            return float(Decimal(repr(_PREFIX[unit[: -len(base)]])) * Decimal(repr(_BASE_SI.get(base, 1.0)))), base
    raise ParameterError(f"unknown unit {unit!r}; known: {', '.join(_BASE)}, min, h with prefixes "
                         f"{', '.join(p for p in _PREFIX if p)}")


def unit_scale(unit):
    """SI factor of a unit string such as 'ms', 'nA', 'uS', 'h'; raises ParameterError."""
    return unit_info(unit)[0]


def parse_value(text, unit=None, name="value"):
    """'20ms' -> 0.02, '3' -> 3.0, 'true' -> True; other text is returned unchanged.

    With ``unit`` (the unit the parameter ``name`` is expressed in, '' if dimensionless) a
    suffix of another dimension raises ParameterError ("unit V is not a time (expected s)").
    """
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    match = _NUMBER.match(text)
    if not match:
        return text
    value, given = match.groups()
    if not given:
        return float(value)
    try:
        scale, base = unit_info(given)
    except ParameterError as err:
        raise ParameterError(f"{name} = {text.strip()}: {err}") from None
    if unit is not None:
        expected = unit_info(unit)[1] if _known_unit(unit) else None
        if expected is None:
            raise ParameterError(f"{name} = {text.strip()}: a unit is not allowed here "
                                 f"(give a plain number{' in ' + unit if unit else ''})")
        if base != expected:
            raise ParameterError(f"{name} = {text.strip()}: unit {given} is not a {_BASE[expected]} "
                                 f"(expected {unit})")
    return float(Decimal(value) * Decimal(repr(scale)))  # correctly rounded: 5us -> 5e-06


def _known_unit(unit):
    try:
        unit_info(unit)
        return True
    except ParameterError:
        return False


def _bound(value, name):
    return f"{name} = {value}" if name else f"{value}"


def check(name, value, low=-math.inf, high=math.inf, low_open=False, high_open=False,
          low_name=None, high_name=None, allow_inf=False):
    """Return float(value) if it is a finite number inside the range, else raise ParameterError.

    The message names the parameter and the allowed range, e.g.
    ``dt = -1e-4 is outside the allowed range (0, inf)``; ``low_name``/``high_name`` label
    bounds that are other parameters (``[0.0, period = 10.0)``). Infinite values are refused
    unless ``allow_inf`` (e.g. a membrane resistance without leak).
    """
    lb = "(" if low_open or (math.isinf(low) and not allow_inf) else "["
    rb = ")" if high_open or (math.isinf(high) and not allow_inf) else "]"
    allowed = f"{lb}{_bound(low, low_name)}, {_bound(high, high_name)}{rb}"
    if isinstance(value, (bool, str, bytes)):
        raise ParameterError(f"{name} = {value!r} is not a number; allowed range {allowed}")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} = {value!r} is not a number; allowed range {allowed}") from None
    lo_ok = value > low if low_open else value >= low
    hi_ok = value < high if high_open else value <= high
    if math.isinf(value) and not (allow_inf and lo_ok and hi_ok):
        raise ParameterError(f"{name} = {value!r} is not finite; allowed range {allowed}")
    if math.isnan(value) or not (lo_ok and hi_ok):
        raise ParameterError(f"{name} = {value!r} is outside the allowed range {allowed}")
    return value


def check_int(name, value, low=0, high=SEED_MAX, low_name=None, high_name=None):
    """Return ``value`` as int if it is an integer in [low, high] (bool is not), else raise."""
    allowed = f"[{_bound(low, low_name)}, {_bound(high, high_name)}]"
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ParameterError(f"{name} = {value!r} is not an integer; allowed range {allowed}") from None
    try:
        is_int = not isinstance(value, bool) and math.isfinite(value) and int(value) == value
    except (TypeError, ValueError, OverflowError):
        is_int = False
    if not is_int:
        raise ParameterError(f"{name} = {value!r} is not an integer; allowed range {allowed}")
    if not low <= int(value) <= high:
        raise ParameterError(f"{name} = {int(value)} is outside the allowed range {allowed}")
    return int(value)


def memory_limit():
    """Largest memory (bytes) a run may plan to allocate: ``$PLASTISIM_MAX_MEMORY`` if set,
    else the physical memory of the machine."""
    if os.environ.get("PLASTISIM_MAX_MEMORY"):
        return float(os.environ["PLASTISIM_MAX_MEMORY"])
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return math.inf


def check_memory(what, nbytes):
    """Raise ParameterError, before allocating, if ``what`` (e.g. 'trials = 1e12') needs more
    than :func:`memory_limit` bytes (estimate ``nbytes``)."""
    limit = memory_limit()
    if nbytes > limit:
        raise ParameterError(f"{what} needs about {nbytes / 1e9:.3g} GB of memory; the limit is "
                             f"{limit / 1e9:.3g} GB (physical memory or PLASTISIM_MAX_MEMORY)")


def check_indices(indices, size, what):
    """``indices`` as an int64 array, checked to lie in [0, size - 1]; raises ParameterError."""
    index = np.asarray(indices).reshape(-1)
    if index.size and (index.dtype.kind not in "iu" or index.min() < 0 or index.max() >= size):
        raise ParameterError(f"indices {index.tolist()[:5]} of {what} must be integers in [0, {size - 1}]")
    return index.astype(np.int64)
