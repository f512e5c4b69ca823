"""Errors the user can act on.

Each class is a different thing to fix, and each also derives from the matching built-in so that
callers who catch ``ValueError`` keep working.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CalculatorError", "InputError", "DataFileError", "TariffError", "RouteError", "FxError"]


#: How a message is translated: :mod:`calculator.i18n` installs gettext here when it is imported
#: (this module is below it and cannot import it).
_translate = str


def _(message: str) -> str:
    return _translate(message)


class CalculatorError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(CalculatorError, ValueError):
    """A value the user passed is invalid (unit, range, code); the message names the field."""


class DataFileError(CalculatorError, ValueError):
    """A data file (a tariff, the rules, marketplace profiles, exchange rates) is malformed or
    cannot be read.

    The place is kept as attributes, so a caller can point at it without parsing the message:
    ``path`` (the file, or None for text that came from no file), ``line`` (1-based, or None) and
    ``key`` (the dotted key path, e.g. ``services[0] 'fcpis'.zones``, or None). ``str()`` gives the
    one line a user reads: ``<file>, line <n>: <key>: <what>``.

    Examples
    --------
    >>> e = DataFileError("2 prices but 3 weight limits", path="us-usps/2026-04-26.yaml", line=41,
    ...                   key="services[0] 'fcpis'.zones[0] 'group14'.prices")
    >>> str(e)
    "us-usps/2026-04-26.yaml, line 41: services[0] 'fcpis'.zones[0] 'group14'.prices: 2 prices but 3 weight limits"
    >>> e.line, e.key
    (41, "services[0] 'fcpis'.zones[0] 'group14'.prices")
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None,
                 key: str | None = None, label: str | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.key = key or None
        #: how the file is named in the message (``us-usps/2026-04-26.yaml``); the path if None
        self.label = label if label is not None else (str(path) if path is not None else None)
        super().__init__(self._text())

    def _text(self) -> str:
        head = ""
        if self.label and self.line:
            head = _("{file}, line {line}: ").format(file=self.label, line=self.line)
        elif self.label:
            head = f"{self.label}: "
        elif self.line:
            head = _("line {line}: ").format(line=self.line)
        return head + (f"{self.key}: " if self.key else "") + self.message

    def __reduce__(self):
        return (_rebuild, (type(self), self.message, self.path, self.line, self.key, self.label))


def _rebuild(cls, message, path, line, key, label):
    return cls(message, path=path, line=line, key=key, label=label)


class TariffError(DataFileError):
    """A tariff or rules file is malformed, or no tariff (version) answers a name or a date; the
    message names the file, the line and the key where there is one."""


class RouteError(CalculatorError, LookupError):
    """No tariff can price the route; the message says which tariffs exist and how to pass a quote."""


class FxError(CalculatorError, LookupError):
    """No exchange rate for a currency; the message says how to pass one with ``--fx``."""
