"""Units of weight and length, and parsing of the spellings people type.

Internally every weight is in grams and every length in centimetres. Conversions go through
:class:`decimal.Decimal` so that a value written as ``1.1 kg`` and one written as ``1100 g`` become
the same float: band limits in tariffs are inclusive, and a conversion error of one ulp would move a
parcel into the next band.

The factors are the international definitions: 1 lb = 0.45359237 kg exactly and 1 oz = 1/16 lb;
1 in = 2.54 cm exactly (International Yard and Pound Agreement, 1959).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

from .errors import InputError

__all__ = [
    "GRAMS_PER",
    "CM_PER",
    "parse_weight",
    "parse_length",
    "parse_dims",
    "parse_number",
    "format_weight",
    "YES_WORDS",
    "NO_WORDS",
    "parse_yes_no",
    "is_country",
    "is_currency",
]

#: Spellings of yes and no in a CSV cell, a flag or a Python keyword (lower case).
YES_WORDS: tuple[str, ...] = ("1", "true", "yes", "y", "t", "x", "да", "ja", "oui", "si")
NO_WORDS: tuple[str, ...] = ("0", "false", "no", "n", "f", "нет", "nein", "non")


def parse_yes_no(value: object, *, field: str = "value") -> bool | None:
    """Read yes/no: a bool, 1/0, or a word of :data:`YES_WORDS` / :data:`NO_WORDS`; ``None``, NaN
    and "" mean not given (``None``).

    Examples
    --------
    >>> parse_yes_no("Yes"), parse_yes_no(0), parse_yes_no(""), parse_yes_no(None)
    (True, False, None, None)
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, (int, float)) or type(value).__name__.startswith(("int", "float")):
        if value in (0, 1):
            return bool(value)
        raise InputError(f"{field}: {value!r} is not yes or no; write yes/no, true/false or 1/0")
    word = str(value).strip().lower()
    if word == "":
        return None
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise InputError(f"{field}: {value!r} is not yes or no; write yes/no, true/false or 1/0")

GRAMS_PER: dict[str, Decimal] = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "lb": Decimal("453.59237"),
    "oz": Decimal("453.59237") / 16,  # 28.349523125 g
}
CM_PER: dict[str, Decimal] = {
    "mm": Decimal("0.1"),
    "cm": Decimal(1),
    "m": Decimal(100),
    "in": Decimal("2.54"),
}
_ALIASES = {
    "gr": "g", "gram": "g", "grams": "g", "г": "g", "гр": "g",
    "kilo": "kg", "kilos": "kg", "kgs": "kg", "кг": "kg",
    "lbs": "lb", "pound": "lb", "pounds": "lb",
    "ounce": "oz", "ounces": "oz",
    "inch": "in", "inches": "in", '"': "in", "см": "cm", "мм": "mm",
}

_NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*([^\d\s.,+-][^\s]*)?\s*$")


def parse_number(text: str | float | int, *, field: str = "value") -> Decimal:
    """Read a number written with a decimal point or a decimal comma (``1.2`` or ``1,2``).

    Thousands separators are not accepted: ``1,200`` is ambiguous, so it is read as 1.2 only when
    the comma is the sole separator and is followed by other than exactly three digits.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return Decimal(repr(text)) if isinstance(text, float) else Decimal(text)
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if s.count(",") == 1 and "." not in s:
        head, tail = s.split(",")
        if len(tail) == 3 and head.lstrip("+-").isdigit() and head.lstrip("+-") != "0":
            raise InputError(
                f"{field}: {text!r} is ambiguous (thousands separator or decimal comma?); "
                f"write {head}{tail} or {head}.{tail}"
            )
        s = f"{head}.{tail}"
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise InputError(f"{field}: {text!r} is not a number") from None
    if not value.is_finite():
        raise InputError(f"{field}: {text!r} is not a finite number")
    return value


def _split(text: str | float | int, field: str) -> tuple[Decimal, str | None]:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return parse_number(text, field=field), None
    m = _QUANTITY.match(str(text))
    if not m:
        raise InputError(f"{field}: {text!r} is not a quantity (write e.g. 450g, 0.45kg, 8oz)")
    unit = m.group(2)
    if unit is not None:
        unit = unit.lower()
        unit = _ALIASES.get(unit, unit)
    return parse_number(m.group(1), field=field), unit


def parse_weight(text: str | float | int, *, default_unit: str = "g", field: str = "weight") -> float:
    """Parse a weight such as ``450g``, ``0.45 kg``, ``8oz``, ``1lb`` or ``450`` into grams.

    Parameters
    ----------
    text
        The weight; a bare number is in ``default_unit``.
    default_unit
        Unit of a bare number: one of g, kg, oz, lb.
    field
        Name used in the error message.

    Returns
    -------
    float
        The weight. [g]

    Examples
    --------
    >>> parse_weight("8oz")
    226.796185
    >>> parse_weight("1,2 kg")
    1200.0
    """
    value, unit = _split(text, field)
    unit = unit or default_unit
    if unit not in GRAMS_PER:
        raise InputError(f"{field}: unknown weight unit {unit!r} in {text!r}; use g, kg, oz or lb")
    if value < 0:
        raise InputError(f"{field}: {text!r} is negative; a weight must be zero or more")
    return float(value * GRAMS_PER[unit])


def parse_length(text: str | float | int, *, default_unit: str = "cm", field: str = "length") -> float:
    """Parse a length such as ``24in``, ``60 cm`` or ``600mm`` into centimetres.

    Examples
    --------
    >>> parse_length("24in")
    60.96
    """
    value, unit = _split(text, field)
    unit = unit or default_unit
    if unit not in CM_PER:
        raise InputError(f"{field}: unknown length unit {unit!r} in {text!r}; use mm, cm, m or in")
    if value < 0:
        raise InputError(f"{field}: {text!r} is negative; a length must be zero or more")
    return float(value * CM_PER[unit])


_DIMS = re.compile(
    rf"^\s*({_NUMBER})\s*[x×*]\s*({_NUMBER})\s*[x×*]\s*({_NUMBER})\s*([a-zA-Zа-я\"]+)?\s*$"
)


def parse_dims(text: str, *, default_unit: str = "cm", field: str = "dims") -> tuple[float, float, float]:
    """Parse parcel dimensions such as ``20x15x8cm`` or ``8x6x3in`` into centimetres.

    The three sides are returned in the order given; the rate engine sorts them itself.

    Examples
    --------
    >>> parse_dims("8x6x3in")
    (20.32, 15.24, 7.62)
    """
    m = _DIMS.match(str(text))
    if not m:
        raise InputError(
            f"{field}: {text!r} is not three sizes; write LxWxH with a unit, e.g. 20x15x8cm or 8x6x3in"
        )
    unit = (m.group(4) or default_unit).lower()
    unit = _ALIASES.get(unit, unit)
    if unit not in CM_PER:
        raise InputError(f"{field}: unknown length unit {unit!r} in {text!r}; use mm, cm, m or in")
    sides = tuple(float(parse_number(m.group(i), field=field) * CM_PER[unit]) for i in (1, 2, 3))
    if min(sides) < 0:
        raise InputError(f"{field}: {text!r} has a negative side")
    return sides  # type: ignore[return-value]


def format_weight(grams: float) -> str:
    """Readable weight: ``450 g``, ``1.25 kg``."""
    if grams != grams:  # NaN
        return "?"
    if grams == float("inf"):
        return "no limit"
    if grams >= 1000:
        return f"{grams / 1000:g} kg"
    return f"{grams:.6g} g"


@functools.cache
def _countries() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


@functools.cache
def _currencies() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_country(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code such as ``CN``."""
    return isinstance(code, str) and code in _countries()


def is_currency(code: str) -> bool:
    """True for an ISO 4217 code such as ``USD``."""
    return isinstance(code, str) and code in _currencies()
