"""The column engine: cells as people write them (numbers with units and signs, yes/no, dates) read a column at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..units import _ALIASES, CM_PER, GRAMS_PER, NO_WORDS, YES_WORDS
from ._arrow import _lengths, _quote, _rows_with, _string, _texts


def _ratio(d: Decimal) -> tuple[int, int]:
    """``d`` as (integer, power of ten): 28.349523125 → (28349523125, 9)."""
    sign, digits, exp = d.normalize().as_tuple()
    num = int("".join(map(str, digits)))
    return (num * 10**exp, 0) if exp >= 0 else (num, -exp)


def _unit_table(base: Mapping[str, Decimal]) -> dict[str, tuple[int, int]]:
    """unit and its aliases → (multiplier, power of ten), exact."""
    table = {u: _ratio(f) for u, f in base.items()}
    table.update({alias: table[u] for alias, u in _ALIASES.items() if u in base})
    return table


#: Units a cell may carry, by kind of input, with the spellings calculator.units accepts on the
#: command line (450g, 0.45 кг, 8 oz, 24in).
_UNITS: dict[str, dict[str, tuple[int, int]]] = {
    "weight": _unit_table(GRAMS_PER),
    "length": _unit_table(CM_PER),
    "fraction": {"%": (1, 2)},
    "number": {"h": (1, 0), "hr": (1, 0), "hrs": (1, 0), "hour": (1, 0), "hours": (1, 0), "ч": (1, 0)},
    "int": {},
}


_UNIT_HELP = {
    "weight": "use g, kg, oz or lb", "length": "use mm, cm, m or in", "fraction": "write e.g. 0.4 or 40%",
    "number": "write hours, e.g. 0.5", "int": "write a whole number",
}


_EXAMPLE = {
    "weight": "450, 450 g or 1.2 kg", "length": "30 or 30 cm", "money": "12.99", "fraction": "0.4 or 40%",
    "number": "0.5", "int": "2",
}


#: Currency symbols accepted next to an amount: symbol → (the currency it names when the row does
#: not say, or None if ambiguous; every currency it may stand for).
_DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN")


_SYMBOLS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "$": ("USD", _DOLLARS), "us$": ("USD", ("USD",)), "€": ("EUR", ("EUR",)), "£": ("GBP", ("GBP",)),
    "₽": ("RUB", ("RUB",)), "руб": ("RUB", ("RUB",)), "р": ("RUB", ("RUB",)), "₴": ("UAH", ("UAH",)),
    "грн": ("UAH", ("UAH",)), "₸": ("KZT", ("KZT",)), "тг": ("KZT", ("KZT",)), "br": ("BYN", ("BYN",)),
    "zł": ("PLN", ("PLN",)), "kč": ("CZK", ("CZK",)), "₺": ("TRY", ("TRY",)), "₹": ("INR", ("INR",)),
    "元": ("CNY", ("CNY",)), "¥": (None, ("CNY", "JPY")), "kr": (None, ("SEK", "NOK", "DKK", "ISK")),
}


_TRUE, _FALSE = YES_WORDS, NO_WORDS


_QUANTITY = (
    r"^(?P<s1>[+-]?)\s*(?P<pre>[^\d\s.,+-]*)\s*(?P<s2>[+-]?)\s*"
    r"(?P<num>\d(?:[\d .,'’]*\d)?[.,]?|[.,]\d+)\s*(?P<unit>[^\d\s.,+-][^\d]*)?$"
)


def _normalise_number(num: pa.Array, decimal: str) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Digits with group separators → ``1234.5``; returns (text, ambiguous, bad)."""
    other = "." if decimal == "," else ","
    grouped = pc.match_substring_regex(num, r"[ '’]")
    num_g = pc.replace_substring_regex(num, r"[ '’]", "")
    bad = np.asarray(grouped) & ~np.asarray(pc.match_substring_regex(num, r"^\d{1,3}(?:[ '’]\d{3})+(?:[.,]\d*)?$"))
    single = np.asarray(pc.match_substring_regex(num_g, r"^\d*[.,]\d*$"))
    sep_other = np.asarray(pc.match_substring(num_g, other))
    three = np.asarray(pc.match_substring_regex(num_g, r"^[1-9]\d{0,2}[.,]\d{3}$"))
    ambiguous = single & sep_other & three & ~np.asarray(grouped)
    comma_groups = np.asarray(pc.match_substring_regex(num_g, r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$")) & ~single
    dot_groups = np.asarray(pc.match_substring_regex(num_g, r"^\d{1,3}(?:\.\d{3})+(?:,\d*)?$")) & ~single
    plain = np.asarray(pc.match_substring_regex(num_g, r"^\d+$"))
    bad |= ~(single | comma_groups | dot_groups | plain)
    out = pc.if_else(pa.array(comma_groups), pc.replace_substring(num_g, ",", ""), num_g)
    out = pc.if_else(pa.array(dot_groups), pc.replace_substring(out, ".", ""), out)
    out = pc.replace_substring(out, ",", ".")
    return out, ambiguous & ~bad, bad


def _exact(digits: pa.Array, ratio: np.ndarray, power: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``digits`` ("1234.5") times ratio / 10**power, rounded once (as calculator.units does)."""
    point = np.asarray(pc.find_substring(digits, "."))
    length = np.asarray(pc.utf8_length(digits))
    scale = np.where(point >= 0, length - point - 1, 0)
    mant_text = pc.replace_substring(digits, ".", "")
    too_long = np.asarray(pc.utf8_length(mant_text)) > 15
    mant_text = pc.if_else(pa.array(too_long), "0", mant_text)
    mant = pc.cast(mant_text, pa.int64()).to_numpy(zero_copy_only=False)
    value = mant.astype(np.float64) * ratio / np.power(10.0, scale + power)
    # exact while mantissa x ratio fits in 53 bits; beyond (huge weights in oz), Decimal per row
    for i in np.flatnonzero(mant.astype(np.float64) * ratio >= 2.0**53):
        value[i] = float(Decimal(int(mant[i])) * Decimal(int(ratio[i])).scaleb(-int(scale[i] + power[i])))
    return value, too_long


@dataclass(slots=True, eq=False)
class _Parsed:
    values: np.ndarray  # float64, NaN where empty or bad
    bad: np.ndarray  # bool: the row has a problem text in `text`
    text: np.ndarray | None = None  # object: problem texts for `bad` rows (None: no bad row)
    symbol_rows: np.ndarray | None = None  # money only: rows written with a currency sign or code ...
    symbol: np.ndarray | None = None  # ... and that sign, lower case (object)

    def note(self, rows: np.ndarray, texts: np.ndarray | str) -> None:
        """Problem texts for ``rows`` (a mask or indices)."""
        if self.text is None:
            self.text = np.full(len(self.values), "", dtype=object)
        self.text[rows] = texts


#: Bytes a plain number ("12.5", "-3", "1e5") is made of; a cell with any other byte is read by
#: the regular expressions (units, currency signs, separators), a cell without by one cast.
_PLAIN_BYTES = np.zeros(256, bool)
_PLAIN_BYTES[np.frombuffer(b"0123456789.+-eE", np.uint8)] = True


#: Bytes that send a cell to the regular expressions, by decimal mark: with a decimal comma the
#: comma is plain and a point may be a thousands separator ("1.450").
_ODD_BYTES = {".": ~_PLAIN_BYTES, ",": ~_PLAIN_BYTES}
_ODD_BYTES[","][[ord(","), ord(".")]] = [False, True]


def _cast_floats(a: pa.Array, keep: np.ndarray) -> np.ndarray:
    """The cells of ``a`` where ``keep`` cast to float64 (NaN elsewhere): the other cells are hidden
    behind a new validity bitmap, not copied out."""
    bits = np.packbits(np.concatenate([np.zeros(a.offset, bool), keep]), bitorder="little")
    bufs = a.buffers()
    masked = pa.Array.from_buffers(a.type, len(a), [pa.py_buffer(bits), bufs[1], bufs[2]], offset=a.offset)
    return pc.cast(masked, pa.float64()).to_numpy(zero_copy_only=False, writable=True)


def _parse_numbers(col: pa.Array, name: str, kind: str, decimal: str) -> _Parsed:
    """Numbers as people type them, vectorized: plain numbers by one cast; units, currency
    symbols, decimal commas and thousands separators by regular expressions over the rest."""
    n = len(col)
    col = _string(col)
    given = _lengths(col) > 0  # null and "" are not given
    cast_from = col
    slow = given & _rows_with(col, _ODD_BYTES[decimal])
    if decimal == ",":  # "12,99" → 12.99 by the cast (a "." may be a thousands separator: slow)
        cast_from = pc.replace_substring(col, ",", ".")
    try:
        values = _cast_floats(cast_from, given & ~slow)
    except pa.ArrowInvalid:  # digits and signs that are no number ("1.2.3", "-"): the rest decide
        plain = pc.match_substring_regex(cast_from, r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
        slow |= given & ~np.asarray(pc.fill_null(plain, False))
        values = _cast_floats(cast_from, given & ~slow)
    p = _Parsed(values=values, bad=np.zeros(n, bool))
    finite_bad = (np.isinf(values) | np.isnan(values)) & ~slow & given
    # "1e999" casts to inf without complaint; it is not an amount
    if finite_bad.any():
        values[finite_bad] = np.nan
        p.bad |= finite_bad
        p.note(finite_bad, _texts(f"{name}: ", _quote(col.filter(pa.array(finite_bad))),
                                  f" is not a number; write e.g. {_EXAMPLE[kind]}"))
    if slow.any():
        _parse_slow(p, col, np.flatnonzero(slow), name, kind, decimal)
    return p


def _parse_slow(p: _Parsed, col: pa.Array, idx: np.ndarray, name: str, kind: str, decimal: str) -> None:
    """Cells at ``idx`` with units, currency signs, separators or no number at all."""
    raw = col.take(pa.array(idx))
    s = pc.replace_substring_regex(raw, "[\u00a0\u202f\u2009]", " ")
    s = pc.utf8_trim_whitespace(pc.replace_substring(s, "\u2212", "-"))
    blank = np.asarray(pc.equal(s, ""))
    m = pc.extract_regex(s, _QUANTITY)
    matched = np.asarray(pc.is_valid(m)) & ~blank
    parts = {k: pc.fill_null(pc.struct_field(m, k), "") for k in ("s1", "pre", "s2", "num", "unit")}
    two_signs = np.asarray(pc.and_(pc.not_equal(parts["s1"], ""), pc.not_equal(parts["s2"], "")))
    two_units = np.asarray(pc.and_(pc.not_equal(parts["pre"], ""), pc.not_equal(parts["unit"], "")))
    digits, ambiguous, malformed = _normalise_number(parts["num"], decimal)
    unit = pc.utf8_lower(pc.utf8_trim_whitespace(pc.binary_join_element_wise(parts["pre"], parts["unit"], "")))
    unit = pc.utf8_rtrim(unit, ".")
    negative = np.asarray(pc.or_(pc.equal(parts["s1"], "-"), pc.equal(parts["s2"], "-")))
    not_number = (~matched | two_signs | two_units | malformed) & ~blank
    # units: a loop over the distinct units written in this column, not over rows
    ratio = np.ones(len(idx))
    power = np.zeros(len(idx))
    unknown = np.zeros(len(idx), bool)
    sym = np.full(len(idx), "", dtype=object)
    table = _UNITS.get(kind, {})
    unit_np = unit.to_numpy(zero_copy_only=False)
    for u in pc.unique(unit).to_pylist():
        if not u:
            continue
        rows = unit_np == u
        if kind == "money":
            if u in _SYMBOLS or (len(u) == 3 and u.isalpha() and _is_currency(u.upper())):
                sym[rows] = u
            else:
                unknown[rows] = True
        elif u in table:
            ratio[rows], power[rows] = table[u]
        else:
            unknown[rows] = True
    value, too_long = _exact(pc.if_else(pa.array(not_number | blank), "0", digits), ratio, power)
    value = np.where(negative, -value, value)
    problem = ~blank & (not_number | ambiguous | too_long | unknown)
    value[problem | blank] = np.nan
    p.values[idx] = value
    p.bad[idx[problem]] = True
    shown = _quote(raw)
    sub = not_number | too_long
    if sub.any():
        p.note(idx[sub & problem], _texts(f"{name}: ", shown.filter(pa.array(sub & problem)),
                                          f" is not a number; write e.g. {_EXAMPLE[kind]}"))
    sub = ambiguous & ~not_number & ~too_long
    if sub.any():
        p.note(idx[sub], _texts(f"{name}: ", shown.filter(pa.array(sub)),
                                " is ambiguous (thousands separator or decimal mark?); "
                                "write the number without thousands separators"))
    sub = unknown & ~not_number & ~ambiguous & ~too_long
    if sub.any():
        what = "currency" if kind == "money" else "unit"
        fix = "use the currency column for the currency" if kind == "money" else _UNIT_HELP[kind]
        p.note(idx[sub], _texts(f"{name}: unknown {what} '", unit.filter(pa.array(sub)), "' in ",
                                shown.filter(pa.array(sub)), f"; {fix}"))
    if kind == "money":
        signed = (sym != "") & ~problem
        p.symbol_rows, p.symbol = idx[signed], sym[signed]


def _is_currency(code: str) -> bool:
    from ..tariffs import is_currency

    return is_currency(code)


def _check_symbols(p: _Parsed, name: str, raw: pa.Array, currency: np.ndarray,
                   fill: np.ndarray | None = None) -> None:
    """A currency symbol must agree with the row's currency; ``fill`` (postage_currency) takes the
    symbol's currency where it is empty. A loop over distinct symbols, not rows."""
    if p.symbol is None or not p.symbol.size:
        return
    n = len(p.values)
    for s in np.unique(p.symbol):
        rows = np.zeros(n, bool)
        rows[p.symbol_rows[p.symbol == s]] = True
        default, accepted = _SYMBOLS.get(s, (s.upper(), (s.upper(),)))
        target = currency
        if fill is not None:
            empty = rows & (fill == "")
            if default is not None:
                fill[empty & ~np.isin(currency, accepted)] = default
            target = np.where(fill == "", currency, fill)
        wrong = rows & ~np.isin(target, accepted)
        if wrong.any():
            p.bad[wrong] = True
            p.values[wrong] = np.nan
            sign = s.upper() if len(s) == 3 and s.isalpha() else s
            what = "postage_currency" if fill is not None else "currency"
            p.note(wrong, _texts(f"{name}: ", _quote(_string(raw).filter(pa.array(wrong))),
                                 f" is in '{sign}' but the {what} is ", pa.array(target[wrong].astype(str)),
                                 f"; fix the {what} column or the amount"))


def _parse_bool(col: pa.Array, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(value, given, bad, text) for yes/no cells."""
    s = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(_string(col), "")))
    yes = np.asarray(pc.is_in(s, value_set=pa.array(_TRUE)))
    no = np.asarray(pc.is_in(s, value_set=pa.array(_FALSE)))
    given = np.asarray(pc.not_equal(s, ""))
    bad = given & ~yes & ~no
    text = np.full(len(s), "", dtype=object)
    if bad.any():
        text[bad] = _texts(f"{name}: ", _quote(_string(col).filter(pa.array(bad))),
                           " is not yes or no; write yes/no, true/false or 1/0")
    return yes, given & ~bad, bad, text


def _parse_dates(col: pa.Array, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(datetime64[D] with NaT where empty or bad, bad, text) for YYYY-MM-DD or DD.MM.YYYY cells."""
    if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
        d = pc.cast(col, pa.date32()) if not pa.types.is_date32(col.type) else col
        v = np.asarray(d.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
        return v, np.zeros(len(col), bool), np.full(len(col), "", dtype=object)
    s = pc.utf8_trim_whitespace(_string(col))
    try:
        d = pc.cast(s, pa.date32())
    except pa.ArrowInvalid:
        # a date, or a date and a time of day (what spreadsheets and databases export)
        day = pc.if_else(pc.match_substring_regex(s, r"^\d{4}-\d\d-\d\d(?:[ T][\d:.]+(?:Z|[+-][\d:]+)?)?$"),
                         pc.utf8_slice_codeunits(s, 0, 10), pa.scalar(None, pa.string()))
        iso = pc.strptime(day, format="%Y-%m-%d", unit="s", error_is_null=True)
        eu = pc.strptime(s, format="%d.%m.%Y", unit="s", error_is_null=True)
        # strptime moves an impossible day into the next month (2026-02-30 → 2026-03-02): the
        # day written must be the day read
        written = pc.coalesce(pc.utf8_slice_codeunits(day, 8, 10),
                              pc.struct_field(pc.extract_regex(s, r"^(?P<d>\d{1,2})\."), "d"))
        when = pc.coalesce(iso, eu)
        moved = pc.fill_null(pc.not_equal(pc.day(when), pc.cast(written, pa.int64(), safe=False)), False)
        d = pc.cast(pc.if_else(moved, pa.scalar(None, when.type), when), pa.date32())
    v = np.asarray(d.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
    bad = np.isnat(v) & np.asarray(pc.fill_null(pc.not_equal(s, ""), False))
    text = np.full(len(s), "", dtype=object)
    if bad.any():
        text[bad] = _texts(f"{name}: ", _quote(_string(col).filter(pa.array(bad))),
                           " is not a date; write YYYY-MM-DD (or DD.MM.YYYY)")
    return v, bad, text


def _as_floats(col: pa.Array) -> np.ndarray | None:
    """A numeric column (Parquet, pandas) as float64, NaN where null; None for text. Integers
    beyond 2**53 are rounded here and refused by the range check."""
    t = col.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return np.asarray(pc.cast(col, pa.float64(), safe=False).to_numpy(zero_copy_only=False), dtype=np.float64)
    return None


#: Arrow types that hold several values per cell: not an input, and not writable to CSV as they are.
def _nested(t: pa.DataType) -> bool:
    return pa.types.is_nested(t) or pa.types.is_union(t)


def _usable(c: pa.Array) -> tuple[pa.Array, str | None]:
    """An input column as the parsers take it, or why it cannot be one (every non-empty cell of it
    is then a problem)."""
    if pa.types.is_dictionary(c.type):
        c = c.dictionary_decode()
    if _nested(c.type):
        return c, f"holds {c.type} values, not one value per cell; give plain numbers or text"
    if pa.types.is_binary(c.type) or pa.types.is_large_binary(c.type):
        try:
            return c.cast(pa.large_string() if pa.types.is_large_binary(c.type) else pa.string()), None
        except pa.ArrowInvalid:
            return c, "holds bytes that are not UTF-8 text; save the file as UTF-8"
    if pa.types.is_boolean(c.type):
        return c, None  # yes/no inputs take it; a number does not (see _evaluate)
    return c, None
