"""The column engine: CSV cells as people write them, read a column at a time.

The grammar is :mod:`calculator.units`: its number forms, units, currency signs, yes/no words,
date forms and the words of each refusal. This module reads it with :mod:`pyarrow.compute`, and
accepts and refuses exactly what the value engine there (:func:`~calculator.units.read_number`,
:func:`~calculator.units.read_date`, :func:`~calculator.units.read_yes_no`) accepts and refuses,
with the same words (``tests/test_grammar.py`` runs every example through both).

A plain number (``12.5``, ``-3``, ``1e5``) is read by one cast of the column; only cells with other
bytes (units, signs, separators) go through the regular expressions. Python loops run over the
distinct units and signs of a column, and over the rare cell whose digits are too many to scale
exactly in floating point; never over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..i18n import _
from ..units import (COMMA_GROUPS, DATE_FORMS, DIGITS, GROUP_SEPARATORS, GROUPED, MESSAGES, MINUS_SIGNS, NO_WORDS,
                     NOT_FINITE, ONE_MARK, PLAIN_NUMBER, POINT_GROUPS, QUANTITY, SPACES, THREE_AFTER_MARK, TIME_OF_DAY,
                     UNITS, YES_WORDS, is_sign, parts, scaled, shown_sign, signs_disagree)
from ._arrow import fill, lengths, quote, rows_with, string


@dataclass(slots=True, eq=False)
class Numbers:
    """A column of numbers as read: ``values`` (NaN where empty or refused), ``bad`` (refused),
    the refusals' texts, and for money the currency sign written in each cell ("" none)."""

    values: np.ndarray
    bad: np.ndarray
    text: np.ndarray | None = None  # object, "" where fine; None while no cell is refused
    signs: np.ndarray | None = None  # object; None while no cell has a sign

    @classmethod
    def empty(cls, n: int) -> Numbers:
        return cls(values=np.full(n, np.nan), bad=np.zeros(n, bool))

    def refuse(self, rows: np.ndarray, texts: np.ndarray | str) -> None:
        """Refuse the cells at ``rows`` (a mask or indices) with ``texts``."""
        if self.text is None:
            self.text = np.full(len(self.values), "", dtype=object)
        self.text[rows] = texts
        self.bad[rows] = True
        self.values[rows] = np.nan

    def sign(self, rows: np.ndarray, signs: np.ndarray | str) -> None:
        if self.signs is None:
            self.signs = np.full(len(self.values), "", dtype=object)
        self.signs[rows] = signs


#: Bytes a plain number is made of; a cell with any other byte is read by the regular expressions.
#: With a decimal comma the comma is plain and a point may be a thousands separator ("1.450").
_PLAIN_BYTES = np.zeros(256, bool)
_PLAIN_BYTES[np.frombuffer(b"0123456789.+-eE", np.uint8)] = True
_OTHER_BYTES = {".": ~_PLAIN_BYTES, ",": ~_PLAIN_BYTES}
_OTHER_BYTES[","][[ord(","), ord(".")]] = [False, True]

_OTHER_SPACES = f"[{SPACES.replace(' ', '')}]"
_ALL_DIGITS = "".join(DIGITS.values())
_GROUP_CHARS = f"[{GROUP_SEPARATORS}]"
def _ratio(factor: Decimal) -> tuple[int, int]:
    """A unit's factor as (integer, power of ten): 28.349523125 → (28349523125, 9)."""
    _, digits, exponent = factor.normalize().as_tuple()
    return int("".join(map(str, digits))) * 10 ** max(exponent, 0), max(-exponent, 0)


_RATIOS = {kind: {u: _ratio(f) for u, f in units.items()} for kind, units in UNITS.items()}


def refusals(key: str, kind: str = "", **cells: object) -> np.ndarray:
    """The texts of refusal ``key`` of :data:`calculator.units.MESSAGES` for the refused cells, in the
    current language: the message and its words (:func:`calculator.units.parts`) are translated
    once, then filled with ``cells`` (scalars, or one value per refused cell)."""
    return fill(_(MESSAGES[key]), **parts(key, kind), **cells)

def read_numbers(col: pa.Array, name: str, kind: str, decimal: str) -> Numbers:
    """A text column of numbers of ``kind`` (see :func:`calculator.units.read_number`)."""
    n = len(col)
    col = string(col)
    given = lengths(col) > 0  # null and "" are not given
    slow = given & rows_with(col, _OTHER_BYTES[decimal])
    cast_from = pc.replace_substring(col, ",", ".") if decimal == "," else col
    try:
        values = _cast(cast_from, given & ~slow, given)
    except pa.ArrowInvalid:  # plain bytes that are no plain number ("1.2.3", "-"): the grammar decides
        plain = np.asarray(pc.fill_null(pc.match_substring_regex(cast_from, f"^{PLAIN_NUMBER}$"), False))
        slow |= given & ~plain
        values = _cast(cast_from, given & ~slow, given)
    p = Numbers(values=values, bad=np.zeros(n, bool))
    infinite = ~np.isfinite(values) & given & ~slow  # "1e999" casts to inf; it is not an amount
    if infinite.any():
        p.refuse(infinite, refusals("not_finite", kind, name=name, value=quote(col.filter(pa.array(infinite)))))
    if slow.any():
        _read_quantities(p, col, np.flatnonzero(slow), name, kind, decimal)
    return p


def _cast(col: pa.Array, keep: np.ndarray, given: np.ndarray) -> np.ndarray:
    """The cells at ``keep`` as float64, NaN elsewhere (cells not given are null or "")."""
    if not (np.array_equal(keep, given) and col.null_count == len(col) - np.count_nonzero(given)):
        col = pc.if_else(pa.array(keep), col, pa.scalar(None, col.type))
    return pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False, writable=True)


def _read_quantities(p: Numbers, col: pa.Array, idx: np.ndarray, name: str, kind: str, decimal: str) -> None:
    """The cells at ``idx``: units, currency signs, separators, or no number at all."""
    raw = col.take(pa.array(idx))
    s = pc.replace_substring_regex(raw, _OTHER_SPACES, " ")
    if pc.any(pc.match_substring_regex(s, f"[{_ALL_DIGITS}]")).as_py():
        for digits in DIGITS.values():
            for i, d in enumerate(digits):
                s = pc.replace_substring(s, d, str(i))
    for minus in MINUS_SIGNS:
        s = pc.replace_substring(s, minus, "-")
    s = pc.utf8_trim(s, " ")
    blank = np.asarray(pc.equal(s, ""))
    not_finite = np.asarray(pc.match_substring_regex(s, f"^{NOT_FINITE}$"))
    m = pc.extract_regex(s, f"^{QUANTITY}$")
    parts = {k: pc.fill_null(pc.struct_field(m, k), "") for k in ("s1", "pre", "s2", "num", "unit")}
    two_signs = np.asarray(pc.and_(pc.not_equal(parts["s1"], ""), pc.not_equal(parts["s2"], "")))
    two_units = np.asarray(pc.and_(pc.not_equal(parts["pre"], ""), pc.not_equal(parts["unit"], "")))
    digits, ambiguous, malformed = _digits(parts["num"], decimal)
    unit = pc.utf8_lower(pc.utf8_trim(pc.binary_join_element_wise(parts["pre"], parts["unit"], ""), " "))
    unit = pc.utf8_rtrim(unit, ".")
    negative = np.asarray(pc.or_(pc.equal(parts["s1"], "-"), pc.equal(parts["s2"], "-")))
    not_number = (~np.asarray(pc.is_valid(m)) | two_signs | two_units | malformed) & ~blank & ~not_finite
    ambiguous &= ~not_number & ~not_finite
    # units: a loop over the distinct units written in this column, not over rows
    ratio, power = np.ones(len(idx)), np.zeros(len(idx))
    unknown = np.zeros(len(idx), bool)
    signs = np.full(len(idx), "", dtype=object)
    unit_np = unit.to_numpy(zero_copy_only=False)
    for u in pc.unique(unit).to_pylist():
        if not u:
            continue
        rows = unit_np == u
        if kind == "money" and is_sign(u):
            signs[rows] = u
        elif kind != "money" and u in UNITS[kind]:
            ratio[rows], power[rows] = _RATIOS[kind][u]
        else:
            unknown[rows] = True
    unknown &= ~not_number & ~ambiguous & ~not_finite
    problem = not_finite | not_number | ambiguous | unknown
    value = _scaled(pc.if_else(pa.array(problem | blank), "0", digits), ratio, power, kind, unit_np)
    value = np.where(negative, -value, value)
    value[blank] = np.nan
    p.values[idx] = value
    shown = quote(raw)
    for refused, key in ((not_finite, "not_finite"), (not_number, "not_a_number"), (ambiguous, "ambiguous"),
                         (unknown, "unknown_currency" if kind == "money" else "unknown_unit")):
        if refused.any():
            at = pa.array(refused)
            p.refuse(idx[refused], refusals(key, kind, name=name, value=shown.filter(at),
                                            unit=unit.filter(at).to_numpy(zero_copy_only=False)))
    signed = (signs != "") & ~problem
    if signed.any():
        p.sign(idx[signed], signs[signed])


def _digits(num: pa.Array, decimal: str) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Digits with group separators → ``1234.5`` (as :func:`calculator.units._digits`); returns
    (text, ambiguous, not a number)."""
    other = "." if decimal == "," else ","

    def full(a: pa.Array, pattern: str) -> np.ndarray:
        return np.asarray(pc.match_substring_regex(a, f"^{pattern}$"))

    grouped = np.asarray(pc.match_substring_regex(num, _GROUP_CHARS))
    bare = pc.replace_substring_regex(num, _GROUP_CHARS, "")
    malformed = grouped & ~full(num, GROUPED)
    one_mark = full(bare, ONE_MARK)
    ambiguous = one_mark & ~grouped & np.asarray(pc.match_substring(bare, other)) & full(bare, THREE_AFTER_MARK)
    comma_groups = full(bare, COMMA_GROUPS) & ~one_mark
    point_groups = full(bare, POINT_GROUPS) & ~one_mark
    malformed |= ~(one_mark | comma_groups | point_groups | full(bare, "[0-9]+"))
    out = pc.if_else(pa.array(comma_groups), pc.replace_substring(bare, ",", ""), bare)
    out = pc.if_else(pa.array(point_groups), pc.replace_substring(out, ".", ""), out)
    return pc.replace_substring(out, ",", "."), ambiguous & ~malformed, malformed


def _scaled(digits: pa.Array, ratio: np.ndarray, power: np.ndarray, kind: str, units: np.ndarray) -> np.ndarray:
    """``digits`` ("1234.5") times each unit's factor, rounded once, as :func:`calculator.units.scaled`:
    in floating point where that is exact (the mantissa times the factor's integer below 2**53,
    the power of ten at most 22), else with :class:`~decimal.Decimal`."""
    point = np.asarray(pc.find_substring(digits, "."))
    scale = np.where(point >= 0, np.asarray(pc.utf8_length(digits)) - point - 1, 0)
    mantissa = pc.replace_substring(digits, ".", "")
    short = np.asarray(pc.utf8_length(mantissa)) <= 15
    mant = pc.cast(pc.if_else(pa.array(short), mantissa, "0"), pa.int64()).to_numpy(zero_copy_only=False)
    value = mant.astype(np.float64) * ratio / np.power(10.0, scale + power)
    inexact = ~short | (mant.astype(np.float64) * ratio >= 2.0**53) | (scale + power > 22)
    if inexact.any():
        text = digits.to_numpy(zero_copy_only=False)
        for i in np.flatnonzero(inexact):  # rare: cells with more digits than a float holds
            factor = UNITS.get(kind, {}).get(units[i], Decimal(1))
            value[i] = float(scaled(text[i], factor))
    return value


def check_signs(p: Numbers, name: str, shown: pa.Array, currency: np.ndarray, postage_currency: np.ndarray | None = None,
                ) -> None:
    """A currency sign must agree with the currency its amount is in: the order currency, or for
    the postage ``postage_currency`` ("" where not given), which takes the sign's currency where
    it is empty (changed in place; see :func:`calculator.units.signs_disagree`). ``shown`` is the
    text of each cell as written."""
    if p.signs is None:
        return
    wrong, target = signs_disagree(p.signs, currency, postage_currency)
    if wrong.any():
        what = "currency" if postage_currency is None else "postage_currency"
        at = pa.array(wrong)
        sign = np.array([shown_sign(s) for s in p.signs[wrong]], dtype=object)
        p.refuse(wrong, refusals("other_currency", name=name, value=quote(shown.filter(at)), sign=sign, what=what,
                                 currency=target[wrong]))
        p.signs[wrong] = ""


def read_yes_no(col: pa.Array, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(value, given, refused, texts) of yes/no cells (see :func:`calculator.units.read_yes_no`)."""
    s = pc.utf8_lower(pc.utf8_trim(pc.fill_null(string(col), ""), SPACES))
    yes = np.asarray(pc.is_in(s, value_set=pa.array(YES_WORDS)))
    no = np.asarray(pc.is_in(s, value_set=pa.array(NO_WORDS)))
    given = np.asarray(pc.not_equal(s, ""))
    bad = given & ~yes & ~no
    text = np.full(len(s), "", dtype=object)
    if bad.any():
        text[bad] = refusals("not_yes_no", name=name, value=quote(string(col).filter(pa.array(bad))))
    return yes, given & ~bad, bad, text


#: The first day a date may have, and the dates of each form with its time of day.
_FIRST_DAY = np.datetime64("0001-01-01", "D")
_DATES = [f"^{pattern}{TIME_OF_DAY}$" for pattern in DATE_FORMS.values()]


def read_dates(col: pa.Array, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(datetime64[D], NaT where empty or refused; refused; texts) of date cells (see
    :func:`calculator.units.read_date`); a date column (Parquet, pandas) is taken as it is."""
    if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
        d = pc.cast(col, pa.date32()) if not pa.types.is_date32(col.type) else col
        v = np.asarray(d.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
        return v, np.zeros(len(col), bool), np.full(len(col), "", dtype=object)
    s = pc.utf8_trim(string(col), SPACES)
    try:  # every cell YYYY-MM-DD: one cast, which refuses a day that does not exist
        v = np.asarray(pc.cast(s, pa.date32()).to_numpy(zero_copy_only=False), dtype="datetime64[D]")
        v[v < _FIRST_DAY] = np.datetime64("NaT")
    except pa.ArrowInvalid:
        v = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[D]")
        for pattern in _DATES:
            m = pc.extract_regex(s, pattern)
            found = np.asarray(pc.is_valid(m)) & np.isnat(v)
            if found.any():
                ymd = [pc.fill_null(pc.cast(pc.struct_field(m, k), pa.int64()), 0).to_numpy()[found]
                       for k in ("year", "month", "day")]
                v[found] = _day(*ymd)
    bad = np.isnat(v) & np.asarray(pc.fill_null(pc.not_equal(s, ""), False))
    text = np.full(len(s), "", dtype=object)
    if bad.any():
        text[bad] = refusals("not_a_date", name=name, value=quote(string(col).filter(pa.array(bad))))
    return v, bad, text


def _day(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The dates, NaT where the day does not exist (2026-02-30, month 13, year 0)."""
    ok = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    first = (np.where(ok, year, 1970) - 1970) * 12 + np.where(ok, month, 1) - 1
    start = first.astype("datetime64[M]").astype("datetime64[D]")
    days = (first + 1).astype("datetime64[M]").astype("datetime64[D]") - start
    ok &= day <= days.astype(np.int64)
    return np.where(ok, start + (np.where(ok, day, 1) - 1).astype("timedelta64[D]"), np.datetime64("NaT"))


def as_floats(col: pa.Array) -> np.ndarray | None:
    """A numeric column (Parquet, pandas) as float64, NaN where null; None for text. Integers
    beyond 2**53 are rounded here and refused by the range check."""
    t = col.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return pc.cast(col, pa.float64(), safe=False).to_numpy(zero_copy_only=False, writable=True)
    return None


def nested(t: pa.DataType) -> bool:
    """Arrow types that hold several values per cell: not an input, and not writable to CSV as they are."""
    return pa.types.is_nested(t) or pa.types.is_union(t)


def usable(c: pa.Array) -> tuple[pa.Array, str | None]:
    """An input column as the readers take it, or why it cannot be one (every non-empty cell of it
    is then a problem)."""
    if pa.types.is_dictionary(c.type):
        c = c.dictionary_decode()
    if nested(c.type):
        return c, _("holds {type} values, not one value per cell; give plain numbers or text").format(type=c.type)
    if pa.types.is_binary(c.type) or pa.types.is_large_binary(c.type):
        try:
            return c.cast(pa.large_string() if pa.types.is_large_binary(c.type) else pa.string()), None
        except pa.ArrowInvalid:
            return c, _("holds bytes that are not UTF-8 text; save the file as UTF-8")
    return c, None  # a yes/no column (Parquet) is taken by yes/no inputs, refused by numbers (table)
