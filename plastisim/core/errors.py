"""Errors raised by plastisim."""


class ParameterError(ValueError):
    """A parameter is unknown, not finite or outside its allowed range."""


class SimulationError(RuntimeError):
    """A run produced a non-finite value or otherwise cannot continue."""
