"""Errors the user can act on.

Each class is a different thing to fix, and each also derives from the matching built-in so that
callers who catch ``ValueError`` keep working.
"""

from __future__ import annotations

__all__ = ["CalculatorError", "InputError", "TariffError", "RouteError", "FxError"]


class CalculatorError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(CalculatorError, ValueError):
    """A value the user passed is invalid (unit, range, code); the message names the field."""


class TariffError(CalculatorError, ValueError):
    """A tariff file is malformed; the message names the file, the line and the key."""


class RouteError(CalculatorError, LookupError):
    """No tariff can price the route; the message says which tariffs exist and how to pass a quote."""


class FxError(CalculatorError, LookupError):
    """No exchange rate for a currency; the message says how to pass one with ``--fx``."""
