"""Units of weight and length, and the input grammar: how people may write a number, a quantity,
an amount of money, a yes/no and a date.

The same text means the same wherever it is given: a command-line flag, a Python keyword or a CSV
cell. The grammar is data, kept here: number forms (:data:`PLAIN_NUMBER`, :data:`QUANTITY`,
:data:`GROUP_SEPARATORS`, :data:`DIGITS`), units with their aliases (:data:`UNITS`), currency signs
(:data:`CURRENCY_SIGNS`), yes/no words (:data:`YES_WORDS`, :data:`NO_WORDS`), date forms
(:data:`DATE_FORMS`) and the words of every refusal (:data:`MESSAGES`). Two engines read it:

- the value engine here (:mod:`re`): :func:`read_number`, :func:`read_date` and
  :func:`read_yes_no` read one value (flags, keywords, a default for a batch column);
  :func:`parse_number`, :func:`parse_weight`, :func:`parse_length` and :func:`parse_dims` are it,
  raising :class:`~calculator.errors.InputError`;
- the column engine, :mod:`calculator.batch.cells` (:mod:`pyarrow.compute`), reads a CSV column
  at a time.

Both accept and refuse the same texts, with the same words (``tests/test_grammar.py``).

Internally every weight is in grams and every length in centimetres. Conversions go through
:class:`decimal.Decimal` so that a value written as ``1.1 kg`` and one written as ``1100 g`` become
the same float: band limits in tariffs are inclusive, and a conversion error of one ulp would move a
parcel into the next band. The factors are the international definitions: 1 lb = 0.45359237 kg
exactly and 1 oz = 1/16 lb; 1 in = 2.54 cm exactly (International Yard and Pound Agreement, 1959).
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from .errors import InputError
from .i18n import N_, _
from .inputs import field as _field

__all__ = ["GRAMS_PER", "CM_PER", "UNITS", "CURRENCY_SIGNS", "YES_WORDS", "NO_WORDS", "DATE_FORMS", "MESSAGES",
           "SPACES", "Reading", "read_number", "read_input", "read_date", "read_yes_no", "parse_weight",
           "parse_length", "parse_dims", "parse_number", "parse_yes_no", "is_country",
           "is_currency"]

# --------------------------------------------------------------------------------------------
# the grammar, as data

#: Spellings of yes and no in a CSV cell, a flag or a Python keyword (lower case).
YES_WORDS: tuple[str, ...] = ("1", "true", "yes", "y", "t", "x", "да", "ja", "oui", "si")
NO_WORDS: tuple[str, ...] = ("0", "false", "no", "n", "f", "нет", "nein", "non")

#: White space around a value; inside a number the no-break, narrow no-break, thin and figure
#: spaces that spreadsheets and locales put between thousands count as a plain space.
SPACES = " \t\n\r\f\v\u00a0\u2007\u2009\u202f\u3000"
#: Minus signs that are not the ASCII hyphen-minus (a word processor's "−5").
MINUS_SIGNS = "\u2212"
#: Digits of other scripts, read as 0-9: Arabic-Indic, Eastern Arabic-Indic (Persian, Urdu),
#: Devanagari, and the full-width digits of East Asian input methods.
DIGITS: dict[str, str] = {script: "".join(chr(ord(zero) + i) for i in range(10)) for script, zero in {
    "Arabic-Indic": "\u0660", "Eastern Arabic-Indic": "\u06f0", "Devanagari": "\u0966", "full-width": "\uff10",
}.items()}
#: Characters that may separate groups of three digits: a space, an apostrophe (Swiss), a right
#: single quote, an underscore (as in Python, 1_000).
GROUP_SEPARATORS = " '’_"

#: A number without units, as most cells hold it: read by a plain cast. With a decimal comma,
#: commas are read as points first.
PLAIN_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
#: A quantity as typed (after spaces are made plain and other digits read as 0-9): a sign, a
#: currency sign or code before the number, another sign, the digits with group and decimal
#: separators, a unit or currency after the number.
QUANTITY = (r"(?P<s1>[+-]?) *(?P<pre>[^0-9 .,+-]*) *(?P<s2>[+-]?) *"
            r"(?P<num>[0-9](?:[0-9 .,'’_]*[0-9])?[.,]?|[.,][0-9]+) *(?P<unit>[^0-9 .,+-][^0-9]*)?")
#: How the digits of a quantity may be grouped: thousands separated by one of GROUP_SEPARATORS;
#: or by commas, or by points, when the other mark is the decimal one (1,234.5 or 1.234,5).
GROUPED = r"[0-9]{1,3}(?:[ '’_][0-9]{3})+(?:[.,][0-9]*)?"
ONE_MARK = r"[0-9]*[.,][0-9]*"
COMMA_GROUPS = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"
POINT_GROUPS = r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]*)?"
#: One mark followed by exactly three digits (1,200): a thousands separator or a decimal mark?
#: Refused when the mark is not the file's decimal mark.
THREE_AFTER_MARK = r"[1-9][0-9]{0,2}[.,][0-9]{3}"

GRAMS_PER: dict[str, Decimal] = {"g": Decimal(1), "kg": Decimal(1000), "lb": Decimal("453.59237"),
                                  "oz": Decimal("453.59237") / 16}  # 28.349523125 g
CM_PER: dict[str, Decimal] = {"mm": Decimal("0.1"), "cm": Decimal(1), "m": Decimal(100), "in": Decimal("2.54")}
_ALIASES = {
    "gr": "g", "gram": "g", "grams": "g", "г": "g", "гр": "g",
    "kilo": "kg", "kilos": "kg", "kgs": "kg", "кг": "kg",
    "lbs": "lb", "pound": "lb", "pounds": "lb",
    "ounce": "oz", "ounces": "oz",
    "inch": "in", "inches": "in", '"': "in", "см": "cm", "мм": "mm",
}

#: Units a quantity may carry, by kind of input (lower case), each with its factor to the input's
#: own unit: grams, centimetres, hours, a fraction. Money carries currency signs instead.
UNITS: dict[str, dict[str, Decimal]] = {
    "weight": {**GRAMS_PER, **{a: GRAMS_PER[u] for a, u in _ALIASES.items() if u in GRAMS_PER}},
    "length": {**CM_PER, **{a: CM_PER[u] for a, u in _ALIASES.items() if u in CM_PER}},
    "fraction": {"%": Decimal("0.01")},
    "number": dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "ч"), Decimal(1)), "int": {}, "plain": {},
}
#: What a unit of each kind is called in a refusal ("unknown weight unit 'st'"); English, marked for
#: translation like every word of a refusal below (shown in the current language by :func:`message`
#: and :func:`parts`).
UNIT_NOUNS = {"weight": N_("weight unit"), "length": N_("length unit"), "other": N_("unit")}
#: Words for a value that is not finite (any case, a sign allowed): refused as such.
NOT_FINITE = r"[+-]?(?:[nN][aA][nN]|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)"
#: What to write instead of an unknown unit, by kind.
UNIT_HELP = {
    "weight": N_("use g, kg, oz or lb"), "length": N_("use mm, cm, m or in"), "fraction": N_("write e.g. 0.4 or 40%"),
    "number": N_("write hours, e.g. 0.5"), "int": N_("write a whole number"),
    "plain": N_("write a number without a unit"),
}
#: An example of each kind, for "write e.g. ...".
EXAMPLES = {
    "weight": N_("450, 450 g or 1.2 kg"), "length": N_("30 or 30 cm"), "money": N_("12.99"),
    "fraction": N_("0.4 or 40%"), "number": N_("0.5"), "int": "2", "plain": N_("12.5"),
}

_DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN")
#: Currency signs an amount may carry (lower case): sign → (the currency it names when the order
#: does not say, None if that is ambiguous; every currency it may stand for). An ISO 4217 code
#: (``5 USD``) names itself.
CURRENCY_SIGNS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "$": ("USD", _DOLLARS), "us$": ("USD", ("USD",)), "€": ("EUR", ("EUR",)), "£": ("GBP", ("GBP",)),
    "₽": ("RUB", ("RUB",)), "руб": ("RUB", ("RUB",)), "р": ("RUB", ("RUB",)), "₴": ("UAH", ("UAH",)),
    "грн": ("UAH", ("UAH",)), "₸": ("KZT", ("KZT",)), "тг": ("KZT", ("KZT",)), "br": ("BYN", ("BYN",)),
    "zł": ("PLN", ("PLN",)), "kč": ("CZK", ("CZK",)), "₺": ("TRY", ("TRY",)), "₹": ("INR", ("INR",)),
    "元": ("CNY", ("CNY",)), "¥": (None, ("CNY", "JPY")), "kr": (None, ("SEK", "NOK", "DKK", "ISK")),
}

#: A time of day after a date, as spreadsheets and databases export it (it is not used).
TIME_OF_DAY = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?: ?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?))?)?"
#: How a date may be written, each form followed by an optional time of day. The day written must
#: exist (2026-02-30 is refused, not moved into March).
DATE_FORMS: dict[str, str] = {
    "YYYY-MM-DD": r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})",
    "DD.MM.YYYY": r"(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})\.(?P<year>[0-9]{4})",
}

#: The words of each refusal; ``{name}`` is the input (a column, a flag or a keyword), ``{value}``
#: the text as written (one line, in quotes, at most 40 characters). English, marked for translation:
#: both engines show them as ``_(MESSAGES[key])``, with the words of :func:`parts`.
MESSAGES = {
    "not_a_number": N_("{name}: {value} is not a number; write e.g. {example}"),
    "not_finite": N_("{name}: {value} is not a finite number; write e.g. {example}"),
    "ambiguous": N_("{name}: {value} is ambiguous (thousands separator or decimal mark?); write the number without "
                    "thousands separators"),
    "unknown_unit": N_("{name}: unknown {noun} '{unit}' in {value}; {fix}"),
    "unknown_currency": N_("{name}: unknown currency '{unit}' in {value}; use the currency column for the currency"),
    # TRANSLATORS: {what} is a column name (currency or postage_currency), {currency} an ISO code
    "other_currency": N_("{name}: {value} is in '{sign}' but the {what} is {currency}; fix the {what} column or the "
                         "amount"),
    "out_of_range": N_("{name}: {value} is out of range; give {range} [{unit}]"),
    "not_whole": N_("{name}: {value} is not a whole number"),
    "not_a_date": N_("{name}: {value} is not a date; write YYYY-MM-DD (or DD.MM.YYYY)"),
    "not_yes_no": N_("{name}: {value} is not yes or no; write yes/no, true/false or 1/0"),
    # a yes/no column (Parquet) where a number belongs: the column engine's alone
    "yes_no_not_number": N_("{name}: {value} is yes/no, not a number; write e.g. {example}"),
}
#: Characters of a value shown in a refusal.
SHOW = 40


# --------------------------------------------------------------------------------------------
# the value engine


@dataclass(frozen=True, slots=True, kw_only=True)
class Reading:
    """One value read from text: ``value`` (NaN when none was given, or the text was refused),
    the currency ``sign`` written next to an amount (lower case, "" for none) and the
    ``problem``, in the words of :data:`MESSAGES` ("" when the text was read)."""

    value: float = math.nan
    sign: str = ""
    problem: str = ""


def quote(text: object) -> str:
    """A value as a refusal shows it: one line, at most :data:`SHOW` characters, in quotes."""
    s = re.sub(r"[\r\n\t]+", " ", str(text))
    return f"'{s[: SHOW - 1] + '…' if len(s) > SHOW else s}'"


def message(key: str, *, name: str, value: object, **parts: object) -> str:
    """The words of refusal ``key`` of :data:`MESSAGES` for the text ``value`` of input ``name``, in
    the current language (``parts`` already in it: see :func:`parts`)."""
    return _(MESSAGES[key]).format(name=name, value=quote(value), **parts)


def parts(key: str, kind: str) -> dict[str, str]:
    """The words a refusal ``key`` of a number of ``kind`` takes besides the value and the unit
    written, in the current language: the example, the unit's noun and the fix. Both engines take
    them from here (the column engine once per column, not per row)."""
    if key in ("not_a_number", "not_finite", "yes_no_not_number"):
        return {"example": _(EXAMPLES[kind])}
    if key == "unknown_unit":
        return {"noun": _(UNIT_NOUNS.get(kind, UNIT_NOUNS["other"])), "fix": _(UNIT_HELP[kind])}
    return {}


_PLAIN = re.compile(PLAIN_NUMBER)
_NOT_FINITE = re.compile(NOT_FINITE)
_QUANTITY = re.compile(QUANTITY)
_OTHER_SPACES = re.compile(f"[{SPACES.replace(' ', '')}]")
_OTHER_DIGITS = str.maketrans({d: str(i) for digits in DIGITS.values() for i, d in enumerate(digits)})
_GROUP_CHARS = re.compile(f"[{GROUP_SEPARATORS}]")


def read_number(text: object, kind: str = "plain", *, name: str = "value", decimal: str = ".") -> Reading:
    """Read a number as people write it, with a unit or currency sign of its ``kind``.

    Parameters
    ----------
    text
        The text (a number is taken as it is; None, NaN and "" are no value).
    kind
        ``money`` (currency signs and codes), ``weight`` (→ g), ``length`` (→ cm), ``fraction``
        (``40%``), ``number`` (hours), ``int``, or ``plain`` (no unit).
    name
        The input, for the problem text.
    decimal
        The decimal mark (``"."`` or ``","``); the other mark is read where it cannot be a
        thousands separator.

    Examples
    --------
    >>> read_number("1 450,5 g", "weight").value, read_number("$12.99", "money")
    (1450.5, Reading(value=12.99, sign='$', problem=''))
    >>> read_number("12 stone", "weight", name="weight_g").problem
    "weight_g: unknown weight unit 'stone' in '12 stone'; use g, kg, oz or lb"
    """
    if _no_value(text):
        return Reading()
    if isinstance(text, (int, float, Decimal, np.integer, np.floating)) and not isinstance(text, (bool, np.bool_)):
        return Reading(value=float(text))
    n = _number(str(text), kind, decimal)
    if n.problem:
        key, written = n.problem
        return Reading(problem=message(key, name=name, value=text, **written, **parts(key, kind)))
    return Reading(value=math.nan if n.exact is None else float(n.exact), sign=n.sign)


@dataclass(frozen=True, slots=True)
class _Number:
    exact: Decimal | None  # None: no value given
    sign: str = ""  # money: the currency sign or code, lower case
    unit: str = ""  # the unit written, lower case ("" none)
    problem: tuple[str, dict[str, str]] | None = None  # (refusal of MESSAGES, the unit written)


def _number(text: str, kind: str, decimal: str) -> _Number:
    """The value engine: ``text`` read as a number of ``kind``, exactly."""
    not_number = _Number(None, problem=("not_a_number", {}))
    not_finite = _Number(None, problem=("not_finite", {}))
    if text == "":
        return _Number(None)
    plain = text.replace(",", ".") if decimal == "," else text
    mark = "." if decimal == "," else ","
    if mark not in text and _PLAIN.fullmatch(plain):  # what a cell without units holds: a plain cast
        value = Decimal(plain)
        return _Number(value) if math.isfinite(float(value)) else not_finite
    s = _OTHER_SPACES.sub(" ", text).translate(_OTHER_DIGITS)
    for minus in MINUS_SIGNS:
        s = s.replace(minus, "-")
    s = s.strip(" ")
    if s == "":
        return _Number(None)
    if _NOT_FINITE.fullmatch(s):
        return not_finite
    m = _QUANTITY.fullmatch(s)
    if not m or (m["s1"] and m["s2"]) or (m["pre"] and m["unit"]):
        return not_number
    digits, ambiguous = _digits(m["num"], decimal)
    if digits is None:
        return not_number
    if ambiguous:
        return _Number(None, problem=("ambiguous", {}))
    unit = (m["pre"] + (m["unit"] or "")).strip(" ").lower().rstrip(".")
    factor, sign = Decimal(1), ""
    if unit and kind == "money":
        if not is_sign(unit):
            return _Number(None, problem=("unknown_currency", {"unit": unit}))
        sign = unit
    elif unit:
        if unit not in UNITS[kind]:
            return _Number(None, problem=("unknown_unit", {"unit": unit}))
        factor = UNITS[kind][unit]
    value = scaled(digits, factor)
    return _Number(-value if "-" in (m["s1"], m["s2"]) else value, sign, unit)


def _digits(num: str, decimal: str) -> tuple[str | None, bool]:
    """The digits of a quantity as ``1234.5`` (None: not a number), and whether the grouping is
    ambiguous."""
    other = "." if decimal == "," else ","
    grouped = _GROUP_CHARS.search(num) is not None
    if grouped and not re.fullmatch(GROUPED, num):
        return None, False
    bare = _GROUP_CHARS.sub("", num)
    one_mark = re.fullmatch(ONE_MARK, bare) is not None
    if one_mark:
        ambiguous = not grouped and other in bare and re.fullmatch(THREE_AFTER_MARK, bare) is not None
        return bare.replace(",", "."), ambiguous
    if re.fullmatch(COMMA_GROUPS, bare):
        return bare.replace(",", ""), False
    if re.fullmatch(POINT_GROUPS, bare):
        return bare.replace(".", "").replace(",", "."), False
    if re.fullmatch(r"[0-9]+", bare):
        return bare, False
    return None, False


def scaled(digits: str, factor: Decimal) -> Decimal:
    """``digits`` (``1234.5``) times the unit's factor, exactly (both engines round it once)."""
    return Decimal(digits) * factor


def is_sign(unit: str) -> bool:
    """A currency sign of :data:`CURRENCY_SIGNS` or an ISO 4217 code (lower case)."""
    return unit in CURRENCY_SIGNS or (len(unit) == 3 and unit.isalpha() and is_currency(unit.upper()))


def sign_currency(sign: str) -> tuple[str | None, tuple[str, ...]]:
    """The currency a sign names when the order does not say (None: ambiguous), and every
    currency it may stand for: ``$`` → (USD, (USD, CAD, ...)), ``usd`` → (USD, (USD,)).

    Examples
    --------
    >>> sign_currency("¥"), sign_currency("eur")
    ((None, ('CNY', 'JPY')), ('EUR', ('EUR',)))
    """
    return CURRENCY_SIGNS.get(sign, (sign.upper(), (sign.upper(),)))


def signs_disagree(signs: NDArray[np.object_], currency: NDArray[np.str_],
                   fill: NDArray[np.str_] | None = None) -> tuple[NDArray[np.bool_], NDArray[np.str_]]:
    """Where a currency sign disagrees with the currency its amount is in; and that currency.

    ``signs`` holds the sign written per row ("" none), ``currency`` the order currency per row.
    For a postage, ``fill`` is its own currency per row ("" where not given): where it is empty
    and the order currency is not one the sign may stand for, the sign names it (changed in
    place: ``5 USD`` on a EUR order is a postage in USD). A loop over distinct signs, not rows.
    """
    distinct = set(np.unique(signs).tolist()) - {""}
    for s in distinct if fill is not None else ():
        default, accepted = sign_currency(s)
        if default is not None:
            fill[(signs == s) & (fill == "") & ~np.isin(currency, accepted)] = default
    target = currency if fill is None else np.where(fill == "", currency, fill)
    wrong = np.zeros(len(signs), bool)
    for s in distinct:
        wrong |= (signs == s) & ~np.isin(target, sign_currency(s)[1])
    return wrong, target


def shown_sign(sign: str) -> str:
    """A sign as a refusal shows it: an ISO code in capitals."""
    return sign.upper() if len(sign) == 3 and sign.isalpha() else sign


def out_of_range(values: NDArray[np.float64], name: str) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(outside the input's range, not a whole number where one belongs) for the values of input
    ``name``; NaN is a missing value, neither."""
    f = _field(name)
    low, high = f.range
    with np.errstate(invalid="ignore"):
        out = ~np.isnan(values) & ~((values >= low) & (values <= high))
        fraction = np.isfinite(values) & (values != np.round(values)) & ~out if f.kind == "int" else np.zeros_like(out)
    return out, fraction


def read_input(text: object, name: str, *, label: str | None = None, decimal: str = ".") -> Reading:
    """Read the value of input ``name`` (of :data:`calculator.inputs.FIELDS`) as a CSV cell is read,
    held to the input's range; ``label`` names it in a problem (default: ``name``).

    Examples
    --------
    >>> read_input("40%", "partial_refund").value
    0.4
    >>> read_input("140%", "partial_refund", label="--partial-refund").problem
    "--partial-refund: '140%' is out of range; give 0 to 1 [fraction of price]"
    """
    label = label or name
    r = read_number(text, _field(name).kind, name=label, decimal=decimal)
    if r.problem or math.isnan(r.value):
        return r
    held = _held_to_range(r.value, text, name, label)
    return held if held.problem else Reading(value=held.value, sign=r.sign)


def _held_to_range(value: float, text: object, name: str, label: str) -> Reading:
    """``value``, read from ``text``, if input ``name`` may take it; -0 is 0."""
    f = _field(name)
    out, fraction = out_of_range(np.array([value]), name)
    if out[0]:
        return Reading(problem=message("out_of_range", name=label, value=text, range=f.range_text, unit=_(f.unit)))
    if fraction[0]:
        return Reading(problem=message("not_whole", name=label, value=text))
    return Reading(value=value + 0.0)


def _no_value(x: object) -> bool:
    """None, NaN and NaT (numpy's or pandas') are no value."""
    if x is None:
        return True
    if isinstance(x, (float, np.floating)):
        return math.isnan(x)
    if isinstance(x, np.datetime64):
        return bool(np.isnat(x))
    return type(x).__name__ in ("NaTType", "NAType")


_DATES = {form: re.compile(pattern + TIME_OF_DAY) for form, pattern in DATE_FORMS.items()}


def read_date(text: object, *, name: str = "value") -> tuple[_dt.date | None, str]:
    """Read a date of :data:`DATE_FORMS`: (the date, or None when none was given or the text was
    refused; the problem, "" when read).

    Examples
    --------
    >>> read_date("26.11.2026"), read_date("2026-11-26 14:30")
    ((datetime.date(2026, 11, 26), ''), (datetime.date(2026, 11, 26), ''))
    >>> read_date("2026-02-30", name="received_on")[1]
    "received_on: '2026-02-30' is not a date; write YYYY-MM-DD (or DD.MM.YYYY)"
    """
    if _no_value(text):
        return None, ""
    if isinstance(text, _dt.datetime):
        return text.date(), ""
    if isinstance(text, _dt.date):
        return text, ""
    s = str(text).strip(SPACES)
    if s == "":
        return None, ""
    for pattern in _DATES.values():
        m = pattern.fullmatch(s)
        if m:
            try:
                return _dt.date(int(m["year"]), int(m["month"]), int(m["day"])), ""
            except ValueError:
                break
    return None, message("not_a_date", name=name, value=text)


def read_yes_no(text: object, *, name: str = "value") -> tuple[bool | None, str]:
    """Read yes/no: a bool, 1/0, or a word of :data:`YES_WORDS` / :data:`NO_WORDS`: (the answer,
    or None when none was given or the text was refused; the problem, "" when read)."""
    if _no_value(text):
        return None, ""
    if isinstance(text, (bool, np.bool_)):
        return bool(text), ""
    if isinstance(text, (int, float, np.integer, np.floating)):
        if text in (0, 1):
            return bool(text), ""
        return None, message("not_yes_no", name=name, value=text)
    word = str(text).strip(SPACES).lower()
    if word == "":
        return None, ""
    if word in YES_WORDS:
        return True, ""
    if word in NO_WORDS:
        return False, ""
    return None, message("not_yes_no", name=name, value=text)


# --------------------------------------------------------------------------------------------
# the value engine, raising


def parse_yes_no(value: object, *, field: str = "value") -> bool | None:
    """Read yes/no: a bool, 1/0, or a word of :data:`YES_WORDS` / :data:`NO_WORDS`; ``None``, NaN
    and "" mean not given (``None``).

    Examples
    --------
    >>> parse_yes_no("Yes"), parse_yes_no(0), parse_yes_no(""), parse_yes_no(None)
    (True, False, None, None)
    """
    answer, problem = read_yes_no(value, name=field)
    if problem:
        raise InputError(problem)
    return answer


def parse_number(text: str | float | int, *, field: str = "value") -> Decimal:
    """Read a number written with a decimal point or a decimal comma (``1.2`` or ``1,2``), with
    thousands grouped by spaces, apostrophes or underscores (``1 200``, ``1_200``), or by the
    other mark (``1,200.5``). ``1,200`` alone is ambiguous and refused.

    Examples
    --------
    >>> parse_number("1 200,5"), parse_number("−3"), parse_number(2.5)
    (Decimal('1200.5'), Decimal('-3'), Decimal('2.5'))
    """
    return _exact(text, "plain", field).exact  # type: ignore[return-value]


def _exact(text: str | float | int, kind: str, field: str) -> _Number:
    """``text`` read exactly (a number as it is); raises InputError naming ``field`` for a text
    the grammar refuses, or no value."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return _Number(Decimal(repr(text)) if isinstance(text, float) else Decimal(text))
    n = _number(str(text), kind, ".")
    problem = n.problem or (("not_a_number", {}) if n.exact is None else None)
    if problem is not None:
        key, written = problem
        raise InputError(message(key, name=field, value=text, **written, **parts(key, kind)))
    return n


def _quantity(text: str | float | int, kind: str, default_unit: str, field: str, name: str) -> float:
    """A weight or length in the input's unit (``name`` of FIELDS), a bare number being in
    ``default_unit``; held to the input's range."""
    n = _exact(text, kind, field)
    value = float(n.exact if n.unit else scaled(str(n.exact), UNITS[kind][default_unit]))
    r = _held_to_range(value, text, name, field)
    if r.problem:
        raise InputError(r.problem)
    return r.value


def parse_weight(text: str | float | int, *, default_unit: str = "g", field: str = "weight") -> float:
    """Parse a weight such as ``450g``, ``0.45 kg``, ``8oz``, ``1lb``, ``1 450 g`` or ``450`` into grams.

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
    >>> parse_weight("1,2 kg"), parse_weight("1 450 g")
    (1200.0, 1450.0)
    """
    return _quantity(text, "weight", default_unit, field, "weight_g")


def parse_length(text: str | float | int, *, default_unit: str = "cm", field: str = "length") -> float:
    """Parse a length such as ``24in``, ``60 cm`` or ``600mm`` into centimetres.

    Examples
    --------
    >>> parse_length("24in")
    60.96
    """
    return _quantity(text, "length", default_unit, field, "length_cm")


_SIDE = r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?"
_DIMS = re.compile(rf" *({_SIDE}) *[x×*] *({_SIDE}) *[x×*] *({_SIDE}) *([a-zA-Zа-я\"]+)? *")


def parse_dims(text: str, *, default_unit: str = "cm", field: str = "dims") -> tuple[float, float, float]:
    """Parse parcel dimensions such as ``20x15x8cm`` or ``8x6x3in`` into centimetres.

    The three sides are returned in the order given; the rate engine sorts them itself.

    Examples
    --------
    >>> parse_dims("8x6x3in")
    (20.32, 15.24, 7.62)
    """
    m = _DIMS.fullmatch(_OTHER_SPACES.sub(" ", str(text)).translate(_OTHER_DIGITS))
    if not m:
        raise InputError(_("{field}: {text!r} is not three sizes; write LxWxH with a unit, e.g. 20x15x8cm or "
                           "8x6x3in").format(field=field, text=text))
    unit = (m.group(4) or default_unit).lower()
    if unit not in UNITS["length"]:
        raise InputError(_("{field}: unknown length unit {unit!r} in {text!r}; use mm, cm, m or in").format(
            field=field, unit=unit, text=text))
    sides = tuple(float(scaled(str(parse_number(m.group(i), field=field)), UNITS["length"][unit])) for i in (1, 2, 3))
    if min(sides) < 0:
        raise InputError(_("{field}: {text!r} has a negative side").format(field=field, text=text))
    return sides  # type: ignore[return-value]


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
