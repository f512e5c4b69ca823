"""Batch evaluation: CSV or Parquet in, one decision per order out, every row kept (issue 5).

Three layers, each usable on its own:

- :func:`evaluate_frame` decides one chunk of orders: a pandas DataFrame in, a DataFrame out (the
  input columns, then the results). It is what runs under ``dask.dataframe.map_partitions`` and
  Spark's ``mapInPandas``. :func:`evaluate_table` is the same function on a ``pyarrow.Table``.
- :func:`read_chunks` streams a CSV or Parquet file in chunks with pyarrow, keeping rows that a
  CSV parser would drop (ragged rows, empty lines) as rows with a problem, in their place.
- :func:`run_batch` reads, evaluates and writes chunk by chunk into a temporary file that is
  renamed over the output only at the end, and returns a :class:`BatchSummary`.

A cell is read the way a person wrote it: ``450 g``, ``1,2 kg``, ``$12.99``, ``1 450 ₽``,
``40%``, decimal commas, ``26.11.2026``. A row that cannot be evaluated gets NaN results and a
``problem`` text naming the column and the value; nothing is dropped, reordered or duplicated.
Parsing is vectorized with :mod:`pyarrow.compute` and numpy; the only Python loops run over
distinct values (units, currency symbols) or over rows the CSV parser rejected.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import queue
import re
import stat
import sys
import tempfile
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import InputError
from .assessment import round_output, FRACTION_COLUMNS, MONEY_COLUMNS, assess
from .inputs import FIELDS, Coded
from .inputs import groups as group_rows
from .units import _ALIASES, CM_PER, GRAMS_PER, NO_WORDS, YES_WORDS

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "MONEY_RECOVERED",
    "BatchError",
    "BatchSummary",
    "BatchWarning",
    "Chunk",
    "Output",
    "Source",
    "atomic_write",
    "check_columns",
    "check_options",
    "evaluate_frame",
    "evaluate_table",
    "output_ddl",
    "output_meta",
    "read_chunks",
    "run_batch",
    "summarize",
]

#: Rows evaluated at once. The whole run stays near 380 MB with 50,000 (benchmarks/batch.py);
#: 100k and 200k rows per chunk were measured no faster on 1M rows, and use more memory.
DEFAULT_CHUNK_ROWS = 50_000

_FIELD = {f.name: f for f in FIELDS}
#: Outputs that are the answer: never infinite (break-evens may be: "never").
_ANSWERS = ("margin", "ev_return", "ev_partial_keep", "ev_partial_resell", "ev_keep")
_NUMERIC_KINDS = ("money", "fraction", "weight", "length", "number", "int")
_SHOW = 40  # characters of a bad value quoted in a problem text


class BatchError(InputError):
    """The input as a whole cannot be read (empty, binary, no price column); names the file."""


# --------------------------------------------------------------------------------------------
# units and symbols a cell may carry


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

# A quantity as typed: sign, currency sign or code, digits with group and decimal separators, unit.
_QUANTITY = (
    r"^(?P<s1>[+-]?)\s*(?P<pre>[^\d\s.,+-]*)\s*(?P<s2>[+-]?)\s*"
    r"(?P<num>\d(?:[\d .,'’]*\d)?[.,]?|[.,]\d+)\s*(?P<unit>[^\d\s.,+-][^\d]*)?$"
)
_FORMULA_START = np.zeros(256, bool)
_FORMULA_START[np.frombuffer(b"=+-@\t\r", np.uint8)] = True
_NUMBER_LIKE = r"^[+-]?(?:\d[\d\s.,']*)?\d(?:[eE][+-]?\d+)?$|^[+-]?[.,]\d+$"


# --------------------------------------------------------------------------------------------
# small arrow helpers


def _string(a: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous string array (nulls kept)."""
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks() if a.num_chunks != 1 else a.chunk(0)
    return a if pa.types.is_string(a.type) else a.cast(pa.string())


def _offsets(a: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (n+1) and data bytes of a string/binary array, without copying."""
    bufs = a.buffers()
    wide = pa.types.is_large_string(a.type) or pa.types.is_large_binary(a.type)
    off = np.frombuffer(bufs[1], np.int64 if wide else np.int32)[a.offset : a.offset + len(a) + 1]
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return off, data


def _valid(a: pa.Array) -> np.ndarray | None:
    """Validity of each value from the bitmap (None when there are no nulls)."""
    if a.null_count == 0:
        return None
    bits = np.unpackbits(np.frombuffer(a.buffers()[0], np.uint8), bitorder="little")
    return bits[a.offset : a.offset + len(a)].astype(bool)


def _lengths(a: pa.Array, rows: np.ndarray | None = None) -> np.ndarray:
    """Byte length of each value (0 for null), or of the values at ``rows``."""
    off, _ = _offsets(a)
    n = np.diff(off) if rows is None else off[rows + 1] - off[rows]
    valid = _valid(a)
    return n if valid is None else np.where(valid if rows is None else valid[rows], n, 0)


def _first_bytes(a: pa.Array) -> np.ndarray:
    """First byte of each value (0 for empty or null)."""
    off, data = _offsets(a)
    if data.size == 0:
        return np.zeros(len(a), np.uint8)
    start = off[:-1]
    first = np.where(off[1:] > start, data[np.minimum(start, data.size - 1)], 0)
    valid = _valid(a)
    return first if valid is None else np.where(valid, first, 0)


def _encode(col: pa.Array | pa.ChunkedArray, clean: Callable[[str], str] = str.strip,
            default: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (cleaned; ``default`` where empty) and each row's index into them: text is
    handled once per distinct value, not once per row. A dictionary array is taken as it is."""
    col = _contiguous(col)
    enc = col if pa.types.is_dictionary(col.type) else pc.dictionary_encode(_string(col))
    words = np.array([clean("" if w is None else w) for w in enc.dictionary.to_pylist()] + [""], dtype=object)
    if default is not None:
        words[words == ""] = default
    return words, _indices(enc, len(words) - 1)


def _indices(a: pa.DictionaryArray, null: int) -> np.ndarray:
    """The indices of a dictionary array, ``null`` where the value is null."""
    ind = a.indices
    idx = np.frombuffer(ind.buffers()[1], f"i{ind.type.bit_width // 8}")[ind.offset : ind.offset + len(ind)]
    valid = _valid(ind)
    return idx.astype(np.intp) if valid is None else np.where(valid, idx, null).astype(np.intp)


def _text_lengths(a: pa.Array) -> np.ndarray:
    """Byte length of each value of a text or dictionary-of-text array (0 for null)."""
    if pa.types.is_dictionary(a.type):
        return np.append(_lengths(_string(a.dictionary)), 0)[_indices(a, len(a.dictionary))]
    return _lengths(_string(a))


def _code(word: str) -> str:
    return word.strip().upper()


def _quote(values: pa.Array) -> pa.Array:
    """Values for a problem text: one line, at most _SHOW characters, in quotes."""
    v = pc.replace_substring_regex(pc.fill_null(values, ""), r"[\r\n\t]+", " ")
    long = pc.greater(pc.utf8_length(v), _SHOW)
    v = pc.if_else(long, pc.binary_join_element_wise(pc.utf8_slice_codeunits(v, 0, _SHOW - 1), "…", ""), v)
    return pc.binary_join_element_wise("'", v, "'", "")


def _texts(*parts: object) -> np.ndarray:
    """Join scalars and arrays of equal length into problem texts (numpy object array)."""
    arrays = [p if isinstance(p, (pa.Array, pa.ChunkedArray)) else pa.scalar(str(p)) for p in parts]
    return pc.binary_join_element_wise(*arrays, "").to_numpy(zero_copy_only=False).astype(object)


class _Problems:
    """The first problem of each row (later findings do not overwrite earlier ones). The texts
    are kept only once there is one: most chunks have problems in a few rows or none."""

    def __init__(self, n: int, first: np.ndarray | Sequence[str] | None = None) -> None:
        self.n = n
        self.text: np.ndarray | None = None  # object, "" where fine; None while no row has a problem
        self.any = np.zeros(n, bool)  # rows with a problem
        if first is not None:
            first = np.asarray(first, dtype=object)
            has = ~np.equal(first, None) & (first != "")
            if has.any():
                self.text, self.any = np.where(has, first, ""), has

    def add(self, mask: np.ndarray, texts: np.ndarray | str) -> None:
        """Record ``texts`` (one per row, one per True of ``mask``, or one for all) where ``mask``."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if isinstance(texts, np.ndarray) and len(texts) == len(mask):
            texts = texts[mask]
        free = ~self.any[mask]
        rows = np.flatnonzero(mask)[free]
        if not rows.size:
            return
        if self.text is None:
            self.text = np.full(self.n, "", dtype=object)
        self.text[rows] = texts[free] if isinstance(texts, np.ndarray) else texts
        self.any[rows] = True

    def coded(self) -> Coded:
        """The texts as distinct values + codes: "" shares code 0, each problem row has its own."""
        codes = np.zeros(self.n, np.int32)
        rows = np.flatnonzero(self.any)
        codes[rows] = np.arange(1, len(rows) + 1, dtype=np.int32)
        texts = self.text[rows] if self.text is not None else []
        return Coded(np.array(["", *texts], dtype=object), codes)


# --------------------------------------------------------------------------------------------
# parsing cells


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


def _rows_with(a: pa.Array, byte_set: np.ndarray) -> np.ndarray:
    """Rows of a string array that hold at least one byte of ``byte_set`` (a 256-entry mask)."""
    off, data = _offsets(a)
    hit = np.flatnonzero(byte_set[data[off[0] : off[-1]]]) + off[0]
    rows = np.zeros(len(a), bool)
    if hit.size:
        rows[np.searchsorted(off, hit, side="right") - 1] = True
    return rows


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
    from .tariffs import is_currency

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


# --------------------------------------------------------------------------------------------
# header


def _norm_name(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _match_columns(names: Sequence[str], where: str) -> dict[str, int]:
    """Input name → position of the column that holds it (header names matched loosely:
    ``Price``, `` price ``, ``weight-g`` all count)."""
    found: dict[str, int] = {}
    for i, nm in enumerate(names):
        key = _norm_name(nm)
        if key in _FIELD:
            if key in found:
                raise BatchError(
                    f"{where}: columns {found[key] + 1} ({names[found[key]]!r}) and {i + 1} ({nm!r}) are both "
                    f"'{key}'; rename or remove one"
                )
            found[key] = i
    return found


# --------------------------------------------------------------------------------------------
# the chunk function


def _result_template(today: _dt.date | None, tariffs, fx) -> dict[str, np.ndarray]:
    """Output columns with their dtypes for zero rows (assess needs at least one row)."""
    a = assess(price=np.array([1.0]), origin=np.array(["DE"], dtype=object), postage=np.array([1.0]),
               tariffs=tariffs if tariffs is not None else (), fx=fx, today=today)
    return {k: v[:0] for k, v in a.columns().items()}


def evaluate_table(
    table: pa.Table,
    *,
    tariffs: Iterable[Any] | None = None,
    fx: Any = None,
    today: _dt.date | None = None,
    defaults: Mapping[str, object] | None = None,
    decimal: str = ".",
    problems: Sequence[str] | np.ndarray | None = None,
    spreadsheet_safe: bool = False,
) -> pa.Table:
    """Decide every order of ``table`` (a :class:`pyarrow.Table`); see :func:`evaluate_frame`."""
    out = _evaluate(table, tariffs=tariffs, fx=fx, today=today, defaults=defaults, decimal=decimal,
                    problems=problems)
    return _finish(out, spreadsheet_safe)


def _finish(table: pa.Table, spreadsheet_safe: bool) -> pa.Table:
    """The evaluated table as written: dictionary columns decoded to text (a string column keeps
    the same type in every chunk and file format), formula-like text neutralised when asked."""
    arrays = []
    for c in table.columns:
        c = _contiguous(c)
        if pa.types.is_dictionary(c.type):
            if spreadsheet_safe:  # the few distinct words, not every row
                c = pa.DictionaryArray.from_arrays(c.indices, _neutralise(c.dictionary))
            c = c.cast(pa.string())
        elif spreadsheet_safe:
            c = _neutralise(c)
        arrays.append(c)
    names = table.column_names
    if spreadsheet_safe:
        names = _neutralise(pa.array(names, pa.string())).to_pylist()
    return pa.Table.from_arrays(arrays, names=names)


def _evaluate(
    table: pa.Table,
    *,
    tariffs: Iterable[Any] | None,
    fx: Any,
    today: _dt.date | None,
    defaults: Mapping[str, object] | None,
    decimal: str,
    problems: Sequence[str] | np.ndarray | None,
) -> pa.Table:
    """:func:`evaluate_table` up to writing: text outputs with few distinct values (and the problem
    texts) stay dictionary arrays, decoded by :func:`_finish` (in the batch, in the writer's
    thread)."""
    n = table.num_rows
    names = list(table.column_names)
    fx = _rates(fx)
    defaults = {k: v for k, v in (defaults or {}).items() if v is not None and v != ""}
    unknown = sorted(set(defaults) - set(_FIELD))
    if unknown:
        raise InputError(f"defaults: unknown input {unknown[0]!r}; inputs are: {', '.join(_FIELD)}")
    cols = check_columns(names, defaults)
    data = {k: _contiguous(table.column(i)) for k, i in cols.items()}
    label = {k: names[i] for k, i in cols.items()}
    probs = _Problems(n, problems)
    for key in list(data):  # a column of lists or of bytes is no input: its cells are problems
        c, why = _usable(data[key])
        data[key] = c
        if why is not None:
            probs.add(np.asarray(c.is_valid()), f"{label[key]}: {why}")
            del data[key]
    if n:
        # a row with no value at all (an empty line inside the data, or only delimiters); only rows
        # without a price can be one, so only those are looked at
        maybe = np.flatnonzero(_lengths(_string(data["price"])) == 0) if "price" in data else np.arange(n)
        if maybe.size:
            empty = np.zeros(n, bool)
            empty[maybe[_empty_rows(table, maybe)]] = True
            probs.add(empty, "empty row: no values")

    inputs: dict[str, object] = {}
    encoded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, f in _FIELD.items():
        if f.kind not in ("currency", "country", "choice", "text"):
            continue
        d = _clean_text(str(defaults[name]), f.kind) if name in defaults else None
        if name in data:
            words, idx = _encode(data[name], lambda w, k=f.kind: _clean_text(w, k), d)
            encoded[name] = (words, idx)
            inputs[name] = Coded(words, idx)  # assess() then works once per distinct value
        elif d is not None:
            inputs[name] = d
    per_row: dict[str, np.ndarray] = {}  # currency codes per row, made only when an amount has a sign

    def codes(name: str, default: str) -> np.ndarray:
        if name not in per_row:
            per_row[name] = _codes_per_row(encoded, inputs, name, n, default)
        return per_row[name]

    for name, f in _FIELD.items():
        d = defaults.get(name)
        if f.kind in _NUMERIC_KINDS:
            fill = _default_number(d, name, f.kind, decimal) if d is not None else None
            if name not in data:
                if fill is not None:
                    inputs[name] = fill
                continue
            c = data[name]
            bad = np.zeros(n, bool)
            if pa.types.is_boolean(c.type):  # a yes/no column (Parquet) where a number belongs
                bad = np.asarray(c.is_valid())
                values = np.full(n, np.nan)
                probs.add(bad, _texts(f"{label[name]}: ", _quote(_string(c).filter(pa.array(bad))),
                                      f" is yes/no, not a number; write e.g. {_EXAMPLE[f.kind]}"))
            elif (values := _as_floats(c)) is None:
                p = _parse_numbers(c, label[name], f.kind, decimal)
                if p.symbol is not None and p.symbol.size:
                    _check_symbols(p, label[name], c, codes("currency", str(_FIELD["currency"].default)),
                                   fill=codes("postage_currency", "") if name == "postage" else None)
                values, bad = p.values, p.bad
                probs.add(bad, p.text)
            values, bad = _in_range(values, bad, c, label[name], f, probs)
            if fill is not None:
                values = np.where(np.isnan(values) & ~bad, fill, values)
            inputs[name] = values
        elif f.kind == "bool":
            if name in data:
                yes, given, bad, text = _parse_bool(data[name], label[name])
                probs.add(bad, text)
                inputs[name] = np.where(given, yes, bool(d) if d is not None else bool(f.default))
            elif d is not None:
                inputs[name] = bool(d)
        elif f.kind == "date":
            fill = _default_date(d, name) if d is not None else None
            if name in data:
                v, bad, text = _parse_dates(data[name], label[name])
                probs.add(bad, text)
                inputs[name] = v if fill is None else np.where(np.isnat(v) & ~bad, fill, v)
            elif fill is not None:
                inputs[name] = fill
    if "postage_currency" in per_row:  # filled in from currency signs
        inputs["postage_currency"] = per_row["postage_currency"]

    # Rows the batch already knows are broken (a bad cell, a ragged line) go to assess with their
    # problem text, which marks them as not evaluated.
    if n:
        a = assess(inputs, tariffs=tariffs, fx=fx, today=today, problems=probs.text)
        results = a.columns(coded=True)
        probs.add(a.problem != "", a.problem)
        # an answer is a number: a row whose amounts overflow gets a problem, not an infinite EV
        huge = np.zeros(n, bool)
        for k in _ANSWERS:
            huge |= np.isinf(np.asarray(results[k], dtype=np.float64))
        probs.add(huge, "the amounts are too large to compute with; check the price and the postage")
    else:
        results = _result_template(today, tariffs, fx)
    results["problem"] = probs.coded()
    # a row with a problem has no results (assess keeps some for its problem rows, e.g. deadlines)
    missing = probs.any if probs.any.any() else None

    out_names = list(results)  # never an input's name (assessment.OUTPUTS), so inputs pass through
    arrays = [_contiguous(c) for c in table.columns]
    arrays += [_result_array(k, v, None if k == "problem" else missing) for k, v in results.items()]
    return pa.Table.from_arrays(arrays, names=_kept_names(names, out_names) + out_names)


def _kept_names(names: Sequence[str], outputs: Sequence[str]) -> list[str]:
    """The input columns' names in the output: one named like an output (``margin``, ``problem``,
    the results of an earlier run) is kept as ``margin_input`` (``margin_input2``, ... if taken)."""
    clash = set(outputs)
    taken = clash | set(names)
    kept = []
    for nm in names:
        if nm in clash:
            new, k = f"{nm}_input", 2
            while new in taken:
                new, k = f"{nm}_input{k}", k + 1
            taken.add(new)
            nm = new
        kept.append(nm)
    return kept


def _in_range(values: np.ndarray, bad: np.ndarray, c: pa.Array, label: str, f: Any,
              probs: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """Numbers outside the input's range (infinities included; NaN is a missing value) and
    fractions where a whole number belongs become problems; -0 becomes 0."""
    low, high = f.range
    with np.errstate(invalid="ignore"):
        out = ~bad & ~np.isnan(values) & ~((values >= low) & (values <= high))
    if out.any():
        probs.add(out, _texts(f"{label}: ", _quote(_string(c).filter(pa.array(out))),
                              f" is out of range; give {f.range_text} [{f.unit}]"))
    if f.kind == "int":
        frac = ~bad & ~out & np.isfinite(values) & (values != np.round(values))
        if frac.any():
            probs.add(frac, _texts(f"{label}: ", _quote(_string(c).filter(pa.array(frac))), " is not a whole number"))
            out |= frac
    if out.any():
        values = np.where(out, np.nan, values)
        bad = bad | out
    return values + 0.0, bad


def _rates(fx: Any) -> Any:
    """FxRates as given, or the reference rates with overrides from a mapping ({"KZT": 520.0},
    units per 1 EUR): a mapping pickles, so it can travel to dask or Spark workers."""
    if isinstance(fx, Mapping):
        from .fx import reference_rates

        return reference_rates().with_overrides(fx)
    return fx


def _contiguous(c: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(c, pa.ChunkedArray):
        return c.chunk(0) if c.num_chunks == 1 else (c.combine_chunks() if c.num_chunks else pa.array([], c.type))
    return c


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t)


def _codes_per_row(encoded: Mapping[str, tuple[np.ndarray, np.ndarray]], inputs: Mapping[str, object],
                   name: str, n: int, default: str) -> np.ndarray:
    """Upper-case codes of a text input per row, ``default`` where empty: fixed-width text of at
    least 3 characters, so a currency code can be written into it."""
    if name in encoded:
        words, idx = encoded[name]
        codes = [_code(w) or default for w in words]
    else:
        codes, idx = [_code(str(inputs.get(name, ""))) or default], np.zeros(n, np.intp)
    return np.array(codes, dtype=f"U{max(3, *map(len, codes))}")[idx]


def _default_date(value: object, name: str) -> np.datetime64:
    try:
        return np.datetime64(str(value).strip(), "D")
    except ValueError:
        raise InputError(f"{_FIELD[name].flag}: {value!r} is not a date; write YYYY-MM-DD") from None


def _clean_text(word: str, kind: str) -> str:
    w = str(word).strip()
    if kind == "choice":
        return re.sub(r"[\s\-]+", "_", w.lower())
    return w


def _default_number(value: object, name: str, kind: str, decimal: str) -> float:
    """A command-line default, read exactly like a cell and held to the input's range; raises
    InputError naming the flag."""
    f = _FIELD[name]
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        v, shown = float(value), repr(value)
    else:
        p = _parse_numbers(pa.array([str(value)]), f.flag, kind, decimal)
        if p.bad[0] or np.isnan(p.values[0]):
            raise InputError(str(p.text[0]) if p.text is not None else f"{f.flag}: {value!r} is not a number")
        v, shown = float(p.values[0]), repr(str(value))
    low, high = f.range or (-np.inf, np.inf)
    if not low <= v <= high:
        raise InputError(f"{f.flag}: {shown} is out of range; give {f.range_text} [{f.unit}]")
    if kind == "int" and v != round(v):
        raise InputError(f"{f.flag}: {shown} is not a whole number")
    return v + 0.0  # -0 is 0


def _check_defaults(defaults: Mapping[str, object], decimal: str) -> None:
    """Values for missing columns are read like cells: refuse a wrong one before anything is read."""
    unknown = sorted(set(defaults) - set(_FIELD))
    if unknown:
        raise InputError(f"defaults: unknown input {unknown[0]!r}; inputs are: {', '.join(_FIELD)}")
    for name, value in defaults.items():
        if value is None or value == "":
            continue
        kind = _FIELD[name].kind
        if kind in _NUMERIC_KINDS:
            _default_number(value, name, kind, decimal)
        elif kind == "date":
            _default_date(value, name)


def _result_array(name: str, v: np.ndarray | Coded, missing: np.ndarray | None) -> pa.Array:
    """One output column for writing: money to cents, fractions to 4 decimals; NaN, NaT, None and
    the rows in ``missing`` become nulls (empty cells); text as a dictionary array."""
    if isinstance(v, Coded):  # few distinct texts: a dictionary array, decoded by Arrow in C++
        values = np.asarray(v.values, dtype=object)
        none = np.equal(values, None)
        codes = np.asarray(v.codes, dtype=np.int32)
        mask = _or(none[codes], missing) if none.any() else missing
        words = pa.array(np.where(none, "", values), pa.string())
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=mask), words)
    if v.dtype.kind == "f":
        if name in MONEY_COLUMNS:
            v = _round(v, 2)
        elif name in FRACTION_COLUMNS:
            v = _round(v, 4)
        return pa.array(v, type=pa.float64(), mask=_or(np.isnan(v), missing))
    if v.dtype.kind == "M":
        v = v.astype("datetime64[D]")
        return pa.array(v, type=pa.date32(), mask=_or(np.isnat(v), missing))
    if v.dtype.kind == "b":
        return pa.array(v, type=pa.bool_(), mask=missing)
    return pa.array(v, type=pa.string(), mask=_or(np.equal(v, None), missing))


def _or(a: np.ndarray, b: np.ndarray | None) -> np.ndarray | None:
    m = a if b is None else a | b
    return m if m.any() else None


def _round(v: np.ndarray, digits: int) -> np.ndarray:
    """Round for writing, as :func:`calculator.assessment.round_output` does for single estimates
    (the same function, so a batch row and a single estimate agree to the cent)."""
    return round_output(v, digits)


def _neutralise(col: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Prefix ``'`` to text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
    tab, CR at the start), leaving numbers such as ``-5`` or ``+3.2`` alone."""
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return col
    arr = _string(col)
    risky = _FORMULA_START[_first_bytes(arr)]
    if not risky.any():
        return arr
    idx = np.flatnonzero(risky)
    number = np.asarray(pc.match_substring_regex(arr.take(pa.array(idx)), _NUMBER_LIKE))
    risky[idx[number]] = False
    if not risky.any():
        return arr
    return pc.if_else(pa.array(risky), pc.binary_join_element_wise("'", arr, ""), arr)


def evaluate_frame(
    frame,
    *,
    tariffs: Iterable[Any] | None = None,
    fx: Any = None,
    today: _dt.date | None = None,
    defaults: Mapping[str, object] | None = None,
    decimal: str = ".",
    problems: Sequence[str] | None = None,
    spreadsheet_safe: bool = False,
):
    """Decide every order of a pandas DataFrame: the batch's per-chunk function.

    Pandas in, pandas out, no state: it runs unchanged under ``dask.dataframe.map_partitions``
    and Spark's ``mapInPandas``.

    Parameters
    ----------
    frame
        One row per order; columns named as the inputs of :data:`calculator.inputs.FIELDS`
        (``price``, ``currency``, ``origin``, ``weight_g``, ...; header case and spaces do not
        matter). Cells may be numbers or text as people write them (``450 g``, ``1,2 kg``,
        ``$12.99``, ``40%``, ``26.11.2026``). Other columns pass through.
    tariffs, fx, today
        As for :func:`calculator.assessment.assess`; ``today`` makes the run reproducible. ``fx``
        may also be a mapping of rate overrides (``{"KZT": 520.0}``, units per 1 EUR) applied to
        the reference rates, which unlike an ``FxRates`` can be sent to dask or Spark workers.
    defaults
        Values for missing columns and empty cells, by input name (``{"partial_refund": 0.4}``);
        text is read like a cell.
    decimal
        The decimal mark of the file (``"."`` or ``","``); the other mark is accepted where it
        cannot be a thousands separator.
    problems
        Problems already known per row (e.g. a ragged CSV line); those rows are not evaluated.
    spreadsheet_safe
        Prefix ``'`` to text cells a spreadsheet would run as a formula (for CSV output).

    Returns
    -------
    pandas.DataFrame
        The input columns (one named like an output, e.g. from an earlier run, is kept as
        ``NAME_input``), then the outputs of :meth:`calculator.assessment.Assessment.columns`, money rounded to
        cents and fractions to 4 decimals. Outputs named like an input get the suffix ``_used``
        (``postage_used``, ``postage_currency_used``, ``service_used``). A row that cannot be
        evaluated has NaN results and a ``problem`` text naming the column and the value.

    Examples
    --------
    >>> import datetime
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order": ["A1", "A2"], "price": ["18 000 ₽", "n/a"],
    ...                        "origin": "RU", "postage": "1450", "reason": "damaged"})
    >>> out = evaluate_frame(orders, defaults={"currency": "RUB"}, today=datetime.date(2026, 11, 26))
    >>> out[["order", "recommendation", "ev_return", "problem"]].to_dict("list")
    {'order': ['A1', 'A2'], 'recommendation': ['return', nan], 'ev_return': [14190.0, nan], 'problem': ['', "price: 'n/a' is not a number; write e.g. 12.99"]}
    """
    table = _from_pandas(frame)
    out = evaluate_table(table, tariffs=tariffs, fx=fx, today=today, defaults=defaults, decimal=decimal,
                         problems=problems, spreadsheet_safe=spreadsheet_safe)
    return _to_pandas(out, frame)


def _from_pandas(frame) -> pa.Table:
    import pandas as pd

    arrays = []
    for i in range(frame.shape[1]):
        s = frame.iloc[:, i]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        arrays.append(pa.array(s, from_pandas=True))
    return pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])


def _to_pandas(table: pa.Table, like=None):
    import pandas as pd

    def types(t: pa.DataType):
        if pa.types.is_date32(t):
            return pd.ArrowDtype(pa.date32())
        return None

    df = table.to_pandas(types_mapper=types)
    if like is not None and len(df) == len(like):
        df.index = like.index
    return df


def output_meta(frame, **kwargs):
    """The empty DataFrame :func:`evaluate_frame` returns for ``frame``'s columns (dask ``meta``)."""
    return evaluate_frame(frame.iloc[:0], **kwargs)


_SPARK_TYPES = {"string": "string", "large_string": "string", "double": "double", "bool": "boolean",
                "date32[day]": "date", "int64": "bigint", "int32": "int", "float": "float"}


def output_ddl(columns: Sequence[str]) -> str:
    """The Spark schema (DDL) of :func:`evaluate_frame`'s output for text input columns, for
    ``DataFrame.mapInPandas(..., schema=output_ddl(df.columns))``.

    Examples
    --------
    >>> output_ddl(["order_id", "price", "origin"]).split(", ")[:4]
    ['`order_id` string', '`price` string', '`origin` string', '`recommendation` string']
    """
    empty = pa.Table.from_arrays([pa.array([], pa.string()) for _ in columns], names=list(columns))
    schema = evaluate_table(empty, tariffs=()).schema
    return ", ".join(f"`{f.name.replace('`', '``')}` {_SPARK_TYPES.get(str(f.type), 'string')}" for f in schema)


# --------------------------------------------------------------------------------------------
# reading


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """What the reader found out about the input."""

    name: str
    format: str  # csv | parquet
    columns: tuple[str, ...]
    delimiter: str = ","
    decimal: str = "."


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Chunk:
    """A run of consecutive input rows, as text columns named by the header (CSV) or as stored
    (Parquet)."""

    table: pa.Table
    lines: np.ndarray  # line of each row in the file (CSV, header = line 1) or row number (Parquet)
    problems: np.ndarray | None = None  # what the reader found wrong per row ("" none)
    ignored_empty_lines: int = 0  # empty lines after the last row (only on the last chunk)


_SNIFF_BYTES = 1 << 16
_FIRST_CHUNK_ROWS = 5_000
#: The CSV reader's block: a line must fit in one. It starts small (the first rows come quickly)
#: and grows when a line does not fit (a cell of several MiB, a long header), up to the last size.
_BLOCK_SIZES = (1 << 22, 1 << 25, 1 << 28)
#: Columns read at most: a spreadsheet has 16,384; a header beyond this is not a table of orders.
_MAX_COLUMNS = 65_536

#: First bytes of files that are not CSV text, and what to do about them. Compressed CSV that
#: pyarrow reads (gzip, bzip2, zstd) is decompressed instead.
_NOT_CSV = (
    (b"PK\x03\x04", "a zip archive: unpack it first"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls): save it as 'CSV UTF-8' first"),
    (b"\xfd7zXZ\x00", "an xz-compressed file: decompress it first (unxz), or compress with gzip, bzip2 or zstd"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive: unpack it first"),
    (b"Rar!\x1a\x07", "a RAR archive: unpack it first"),
    (b"%PDF", "a PDF document: export the orders as CSV"),
)
_COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\x28\xb5\x2f\xfd", "zstd"))


class _Replay(io.RawIOBase):
    """A byte stream that first returns ``head`` and then the rest of ``stream`` (stdin). While
    ``recording``, what it returns is kept, so that a reader that failed at the start (a block too
    small for the header) can start again from byte 0 with :meth:`again`."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._stream = stream
        self.recording = True
        self._seen = bytearray()

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._head:
            k = min(len(b), len(self._head))
            b[:k] = self._head[:k]
            self._head = self._head[k:]
        else:
            data = self._stream.read(len(b))
            k = len(data)
            b[:k] = data
        if self.recording:
            self._seen += bytes(b[:k])
        return k

    def again(self) -> _Replay:
        """A new stream from the first byte (what was read so far, then the rest)."""
        return _Replay(bytes(self._seen) + bytes(self._head), self._stream)


def _check_text(head: bytes, name: str, encoding: str | None) -> None:
    """Refuse what is not CSV text, naming what it is and what to do."""
    for magic, what in _NOT_CSV:
        if head.startswith(magic):
            if magic == b"PK\x03\x04" and b"[Content_Types].xml" in head[:4096]:
                what = "an Excel or OpenDocument workbook (a zip archive): save it as 'CSV UTF-8' first"
            raise BatchError(f"{name}: {what}")
    if encoding is not None:
        return
    even, odd = head[0::2], head[1::2]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            len(head) >= 8 and max(even.count(0), odd.count(0)) > 0.4 * len(head) / 2):
        raise BatchError(f"{name}: UTF-16 text: save it as UTF-8 ('CSV UTF-8'), or give --encoding utf-16")
    # Binary data has NUL bytes all over; a text file may have one in a cell or two, anywhere:
    # those rows get a problem (see _decode), the file is read.
    if head.count(0) > max(8, len(head) // 1000):
        raise BatchError(f"{name}: not a text file (binary data: a NUL byte at byte {head.index(0) + 1}, and "
                         f"{head.count(0) - 1:,} more); give a CSV file or a .parquet file")
    # An 8-bit encoding (Windows-1251, Latin-1) has many bytes that are not UTF-8 and no UTF-8
    # letters; a UTF-8 file with a damaged cell or two is read, and those rows get a problem.
    text = head[: len(head) - 4 if len(head) >= _SNIFF_BYTES else len(head)].decode("utf-8", "replace")
    wrong = text.count("\ufffd")
    right = sum(1 for ch in text if ord(ch) > 127) - wrong
    if wrong >= 3 and wrong > right:
        code = _legacy_code(head)
        raise BatchError(f"{name}: not UTF-8 text; it looks like {_legacy_encoding(code)}: give "
                         f"--encoding {code}, or save it as 'CSV UTF-8'")


def _legacy_code(data: bytes) -> str:
    """The 8-bit encoding a text not in UTF-8 most likely has: Cyrillic words are runs of bytes
    from 0xC0 up in Windows-1251, Latin-1 has single accented letters between ASCII ones."""
    high = np.frombuffer(data, np.uint8) >= 0xC0
    if not high.any():
        return "cp1252"
    runs = high[1:] & high[:-1]
    return "cp1251" if runs.sum() >= 0.5 * high.sum() else "cp1252"


def _legacy_encoding(code: str) -> str:
    return {"cp1251": "Windows-1251, Cyrillic", "cp1252": "Latin-1 / Windows-1252"}[code]


def _sniff(head: bytes, name: str, delimiter: str | None, decimal: str | None,
           encoding: str | None = None) -> tuple[str, str]:
    """Delimiter and decimal mark of a CSV from its first bytes; refuses empty files and what is
    not CSV text (binary, archives, UTF-16, an 8-bit encoding without ``encoding``)."""
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") and encoding is None else head
    if not body.strip(b" \t\r\n\x00\xff\xfe"):
        raise BatchError(f"{name}: the file is empty; its first line must name the columns "
                         "(price,currency,origin,weight_g,...)")
    _check_text(body, name, encoding)
    text = body.decode(encoding or "utf-8", "replace")
    lines = text.splitlines()
    if len(head) >= _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    sample = "\n".join(lines[:200])
    if delimiter is None:
        best = (-1, -1)
        delimiter = ","
        for d in (",", ";", "\t", "|"):
            try:
                header = next(csv.reader(io.StringIO(sample), delimiter=d), [])
            except csv.Error:
                continue
            score = (sum(_norm_name(h) in _FIELD for h in header), len(header))
            if score > best:
                best, delimiter = score, d
    if decimal is None:
        decimal = "."
        if delimiter != ",":
            try:
                cells = [c.strip() for r in list(csv.reader(io.StringIO(sample), delimiter=delimiter))[1:] for c in r]
            except csv.Error:
                cells = []
            commas = sum(bool(re.fullmatch(r"[+-]?\d+,\d+", c)) for c in cells)
            points = sum(bool(re.fullmatch(r"[+-]?\d+\.\d+", c)) for c in cells)
            decimal = "," if commas > points else "."
    return delimiter, decimal


def read_chunks(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    delimiter: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    input_format: str | None = None,
) -> tuple[Source, Iterator[Chunk]]:
    """Open a CSV or Parquet file and stream it in chunks of about ``chunk_rows`` rows.

    CSV: UTF-8 with or without BOM (or ``encoding``), any line ends, quoted fields with delimiters
    and newlines, values of any length; ``delimiter`` (``,``, ``;``, tab, ``|``) and ``decimal``
    are detected from the first 64 KiB unless given. Every cell is read as text, so no value can
    stop the reader. A line with too few or too many fields, or an empty line between rows, stays
    in its place with a problem; a cell that is not UTF-8 or holds a NUL byte becomes a problem
    too. Empty lines after the last row are not rows. Parquet is recognised by its first bytes,
    whatever the name; gzip, bzip2 and zstd files (``.csv.gz``, ...) are decompressed.

    Returns
    -------
    (Source, iterator of Chunk)
        At least one chunk (with no rows for a file with only a header).

    Raises
    ------
    BatchError
        The file is missing, empty, binary, an archive, or not UTF-8 (without ``encoding``).
    """
    if isinstance(source, (str, os.PathLike)) and os.fspath(source) in _STDIN_NAMES:
        source = stdin()
    name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else "<stdin>"
    inp = _open_input(source, name)
    fmt = input_format or ("parquet" if inp.head.startswith(b"PAR1") else "csv")
    if fmt == "parquet":
        src = inp.again()
        if not isinstance(src, str):  # Parquet needs to seek: a stream is read into memory
            src = pa.BufferReader(src.read())
        return _read_parquet(src, name, chunk_rows)
    delimiter, decimal = _sniff(inp.head, name, delimiter, decimal, encoding)
    return _read_csv(inp, name, delimiter, decimal, encoding, chunk_rows)


class _Input:
    """The input for pyarrow, from its first byte, as often as asked: a path (``again`` at any time),
    a decompressing stream (opened anew), or a stream read once (standard input, a named pipe)
    that can start again only until :meth:`settle` (the bytes read so far are kept until then)."""

    def __init__(self, head: bytes, open_: Callable[[], Any] | None = None, stream: _Replay | None = None) -> None:
        self.head = head
        self._open = open_
        self._stream = stream
        self._used = False

    @property
    def reopens(self) -> bool:
        return self._open is not None

    def again(self) -> Any:
        if self._open is not None:
            return self._open()
        assert self._stream is not None
        if self._used:
            self._stream = self._stream.again()
        self._used = True
        return self._stream

    def settle(self) -> None:
        if self._stream is not None:
            self._stream.recording = False


def _open_input(source: str | os.PathLike[str] | IO[bytes], name: str) -> _Input:
    """The input's first bytes and a way to read it all; compressed input is decompressed."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, "rb") as fh:
                magic = fh.read(8)
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except FileNotFoundError:
            raise BatchError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise BatchError(f"{name}: is a folder; give a .csv or .parquet file") from None
        except OSError as exc:
            raise BatchError(f"{name}: {exc.strerror}; check the path and its permissions") from None
        codec = next((c for m, c in _COMPRESSED if magic.startswith(m)), None)
        if regular and codec is None:
            with open(path, "rb") as fh:
                return _Input(fh.read(_SNIFF_BYTES), lambda: path)
        if regular:
            def decompressed() -> Any:
                return pa.input_stream(path, compression=codec)

            try:
                head = decompressed().read(_SNIFF_BYTES)
            except (OSError, pa.ArrowInvalid) as exc:
                raise BatchError(f"{name}: a damaged {codec} file ({exc})") from None
            return _Input(head, decompressed)
        source = open(path, "rb")  # a named pipe or a device: read once, like stdin  # noqa: SIM115
    raw: Any = source
    magic = _read_some(raw, 8, 8)
    codec = next((c for m, c in _COMPRESSED if magic.startswith(m)), None)
    if codec is not None:
        raw = pa.CompressedInputStream(pa.PythonFile(_Replay(magic, raw), mode="r"), codec)
        magic = b""
    try:
        head = magic + _read_some(raw, _SNIFF_BYTES - len(magic), 20)
    except (OSError, pa.ArrowInvalid) as exc:
        raise BatchError(f"{name}: a damaged {codec} stream ({exc})") from None
    return _Input(head, stream=_Replay(head, raw))


def _read_some(stream: Any, size: int, lines: int) -> bytes:
    """Up to ``size`` bytes of a stream, but no more than it takes to get ``lines`` line breaks:
    a pipe that delivers a header and then waits is sniffed without waiting for 64 KiB."""
    got = bytearray()
    while len(got) < size and got.count(b"\n") < lines:
        data = stream.read(size - len(got))
        if not data:
            break
        got += data
    return bytes(got)


def stdin() -> IO[bytes]:
    """Standard input for the reader: its file descriptor unbuffered (a reader thread blocked on it
    holds no lock that Python needs when it exits), else ``sys.stdin.buffer``."""
    try:
        return open(os.dup(sys.stdin.fileno()), "rb", buffering=0)  # noqa: SIM115
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return sys.stdin.buffer


def _read_parquet(src: Any, name: str, chunk_rows: int) -> tuple[Source, Iterator[Chunk]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(src)
    except (pa.ArrowInvalid, OSError) as exc:
        raise BatchError(f"{name}: not a readable Parquet file ({exc})") from None
    info = Source(name=name, format="parquet", columns=tuple(pf.schema_arrow.names))

    def chunks() -> Iterator[Chunk]:
        row = 1
        for b in pf.iter_batches(batch_size=chunk_rows):
            yield Chunk(table=pa.Table.from_batches([b]), lines=np.arange(row, row + b.num_rows))
            row += b.num_rows
        if row == 1:
            yield Chunk(table=pf.schema_arrow.empty_table(), lines=np.zeros(0, np.int64))

    return info, chunks()


def _read_csv(inp: _Input, name: str, delimiter: str, decimal: str, encoding: str | None,
              chunk_rows: int) -> tuple[Source, Iterator[Chunk]]:
    """The CSV reader. Cells are read as bytes (no type guessing from the first block, no failure
    on a cell that is not UTF-8) and decoded per column. Rows the parser rejects (ragged) are
    numbered by the parser; they are put back in their place with a problem. A line longer than
    the reader's block makes it start again with a larger block, after the rows already read."""
    import pyarrow.csv as pacsv

    rejected: list[tuple[int, str]] = []

    def on_invalid(row) -> str:
        rejected.append((row.number, row.text))
        return "skip"

    def open_reader(block: int, columns: int, skip: int = 0):
        return pacsv.open_csv(
            inp.again(),
            # one thread: the parser then numbers rejected rows, which puts them back in place
            read_options=pacsv.ReadOptions(use_threads=False, autogenerate_column_names=True, block_size=block,
                                           skip_rows_after_names=skip, encoding=encoding or "utf8"),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys((f"f{i}" for i in range(columns)),
                                                                            pa.binary()),
                                                 strings_can_be_null=True, null_values=[""],
                                                 quoted_strings_can_be_null=True),
        )

    block = 0  # index into _BLOCK_SIZES
    columns = 1024
    while True:
        try:
            reader = open_reader(_BLOCK_SIZES[block], columns)
            k = len(reader.schema)
            if k > columns:  # every column must be read as bytes: open again knowing how many there are
                if k > _MAX_COLUMNS:
                    raise BatchError(f"{name}: the header has {k:,} columns; at most {_MAX_COLUMNS:,} are read "
                                     "(is the delimiter right?)")
                columns = k
                continue
            first = reader.read_next_batch()
            break
        except StopIteration:
            raise BatchError(f"{name}: the file is empty; its first line must name the columns") from None
        except pa.ArrowInvalid as exc:
            rejected.clear()
            if _too_long(exc) and block + 1 < len(_BLOCK_SIZES):
                block += 1
                continue
            raise BatchError(f"{name}: {_cause(exc, block, 'the header or the first lines')}") from None
    inp.settle()
    header = [(v or b"").decode("utf-8", "replace") for v in first.slice(0, 1).to_pylist()[0].values()]
    k = len(header)
    info = Source(name=name, format="csv", columns=tuple(header), delimiter=delimiter, decimal=decimal)

    def merge(batch: pa.RecordBatch, record: int, last: bool) -> tuple[pa.Table, np.ndarray | None, np.ndarray]:
        """``batch`` with the rejected rows that belong among (or right after) its rows put back;
        returns (table, problems or None, line breaks inside each row)."""
        t = pa.Table.from_batches([_pad(batch, k)])
        extra = _newlines_in_row(t)
        inserts: list[tuple[int, str]] = []
        while rejected and (last or rejected[0][0] - record <= t.num_rows + len(inserts)):
            number, text = rejected.pop(0)
            inserts.append((min(max(number - record, len(inserts)), t.num_rows + len(inserts)), text))
        if not inserts:
            return t, None, extra
        total = t.num_rows + len(inserts)
        at = np.array([p for p, _ in inserts])
        is_bad = np.zeros(total, bool)
        is_bad[at] = True
        split = [_split_line(text, delimiter, k) for _, text in inserts]
        bad_tab = pa.table({f"f{j}": pa.array([cells[j] for cells, _, _ in split], pa.binary()) for j in range(k)})
        order = np.empty(total, np.int64)
        order[~is_bad] = np.arange(t.num_rows)
        order[is_bad] = t.num_rows + np.arange(len(inserts))
        merged = pa.concat_tables([t, bad_tab]).take(pa.array(order))
        problems = np.full(total, "", dtype=object)
        # extra fields that are all empty are what spreadsheets write after a trailing delimiter
        problems[is_bad] = ["" if got > k and not any(rest) else
                            f"{got} fields but the header has {k} columns; check the delimiter "
                            f"({_show_delim(delimiter)}) and the quotes on this line" for _, got, rest in split]
        all_extra = np.zeros(total, np.int64)
        all_extra[~is_bad] = extra
        all_extra[is_bad] = [text.count("\n") for _, text in inserts]
        return merged, problems, all_extra

    def chunks() -> Iterator[Chunk]:
        record = 2  # the parser's number of the next row (the header is 1)
        line = int(_newlines_in_row(first.slice(0, 1))[0]) + 1  # last line of the header
        pending: list[tuple[pa.Table, np.ndarray, np.ndarray | None]] = []
        pending_rows = 0
        held = 0  # empty rows after the last non-empty one read so far: rows only if data follows
        held_lines: list[int] = []
        # a small first chunk: evaluating it, and so writing, starts while the reader goes on
        size = min(chunk_rows, _FIRST_CHUNK_ROWS)

        def batches() -> Iterator[tuple[pa.RecordBatch, bool]]:
            nonlocal reader, block
            yield first.slice(1), False
            while True:
                try:
                    b = reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as exc:
                    if not (_too_long(exc) and inp.reopens and block + 1 < len(_BLOCK_SIZES)):
                        where = f"a line after line {line}"
                        raise BatchError(f"{name}: {_cause(exc, block, where, not inp.reopens)}") from None
                    # a line longer than the block: read again with a larger one, after the
                    # records (header included) the parser has numbered so far
                    rejected.clear()
                    block += 1
                    reader = open_reader(_BLOCK_SIZES[block], k, skip=record - 1)
                    continue
                yield b, False
            yield _pad(first.slice(0, 0), k), True

        for batch, last in batches():
            t, problems, extra = merge(batch, record, last)
            n = t.num_rows
            if n == 0:
                continue
            record += n
            lines = line + 1 + np.concatenate([[0], np.cumsum(extra[:-1] + 1)])
            line = int(lines[-1] + extra[-1])
            tail = _trailing_empty(t, problems)
            if held and tail < n:
                t = pa.concat_tables([_empty_binary(k, held), t])
                lines = np.concatenate([np.asarray(held_lines, np.int64), lines])
                if problems is not None:
                    problems = np.concatenate([np.full(held, "", dtype=object), problems])
                held, held_lines = 0, []
            keep = t.num_rows - tail
            if tail:
                held += tail
                held_lines += lines[keep:].tolist()
                t, lines = t.slice(0, keep), lines[:keep]
                problems = problems[:keep] if problems is not None else None
            if keep:
                pending.append((t, lines, problems))
                pending_rows += keep
            while pending_rows >= size:
                t, lines, problems = _concat(pending)
                yield _decoded(t.slice(0, size), lines[:size], problems[:size] if problems is not None else None,
                               header)
                pending_rows -= size
                pending = [(t.slice(size), lines[size:],
                            problems[size:] if problems is not None else None)] if pending_rows else []
                size = chunk_rows
        t, lines, problems = _concat(pending) if pending else (_empty_binary(k), np.zeros(0, np.int64), None)
        yield replace(_decoded(t, lines, problems, header), ignored_empty_lines=held)

    return info, chunks()


def _too_long(exc: Exception) -> bool:
    """The parser's error for a line that does not fit in one block."""
    text = str(exc)
    return "straddl" in text or "Empty CSV file or block" in text


def _cause(exc: Exception, size: int, where: str, once: bool = False) -> str:
    """What went wrong, in the user's words (``once``: the input cannot be read again)."""
    if _too_long(exc):
        mib = _BLOCK_SIZES[size] >> 20
        fix = ("; a stream is read once: give the file by name to read longer lines"
               if once and size + 1 < len(_BLOCK_SIZES) else "; check the quotes there")
        return f"{where} is longer than {mib} MiB (a huge value, or a quote that is never closed){fix}"
    return f"cannot be read as CSV at {where} ({exc}); check the quotes and the delimiter there"


def _show_delim(d: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "|"}.get(d, repr(d))


def _split_line(text: str, delimiter: str, k: int) -> tuple[list[bytes | None], int, list[str]]:
    """A rejected line split as the CSV parser would: its first ``k`` fields (padded), how many
    fields it has, and the fields beyond ``k``."""
    try:
        fields = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        fields = text.split(delimiter)
    cells = [f.encode("utf-8", "surrogateescape") if f != "" else None for f in fields[:k]]
    return cells + [None] * (k - len(cells)), len(fields), [f for f in fields[k:] if f.strip()]


def _empty_binary(k: int, rows: int = 0) -> pa.Table:
    return pa.table({f"f{j}": pa.nulls(rows, pa.binary()) for j in range(k)})


def _pad(batch: pa.RecordBatch, k: int) -> pa.RecordBatch:
    """Batches always have the header's ``k`` binary columns."""
    if batch.num_columns == k and all(pa.types.is_binary(t) for t in batch.schema.types):
        return batch
    cols = [batch.column(j).cast(pa.binary()) if j < batch.num_columns else pa.nulls(batch.num_rows, pa.binary())
            for j in range(k)]
    return pa.RecordBatch.from_arrays(cols, names=[f"f{j}" for j in range(k)])


def _newlines_in_row(t: pa.Table | pa.RecordBatch) -> np.ndarray:
    """Line breaks inside quoted values of each row (so that line numbers stay true)."""
    extra = np.zeros(t.num_rows, np.int64)
    for c in t.columns:
        c = c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c
        off, data = _offsets(c)
        if data.size == 0 or not (data[off[0] : off[-1]] == 10).any():
            continue
        extra += np.asarray(pc.fill_null(pc.count_substring(c, b"\n"), 0), dtype=np.int64)
    return extra


def _trailing_empty(t: pa.Table, problems: np.ndarray | None) -> int:
    """How many rows at the end of ``t`` are empty (looked at from the end, in growing steps)."""
    n = t.num_rows
    size = 8
    while True:
        start = max(0, n - size)
        empty = _empty_rows(t.slice(start))
        if problems is not None:
            empty &= problems[start:] == ""
        if not empty.all():
            return int(len(empty) - 1 - np.flatnonzero(~empty)[-1])
        if start == 0:
            return n
        size *= 8


def _empty_rows(t: pa.Table, rows: np.ndarray | None = None) -> np.ndarray:
    """Which rows (all, or those at ``rows``) have no value in any column."""
    nonempty = np.zeros(t.num_rows if rows is None else len(rows), bool)
    for c in t.columns:
        c = _contiguous(c)
        if _is_text(c.type):
            nonempty |= _lengths(c, rows) > 0
        else:  # a typed column (Parquet, a DataFrame): empty means null
            valid = np.asarray(c.is_valid())
            nonempty |= valid if rows is None else valid[rows]
    return ~nonempty


def _concat(pending: list[tuple[pa.Table, np.ndarray, np.ndarray | None]]
            ) -> tuple[pa.Table, np.ndarray, np.ndarray | None]:
    table = pa.concat_tables([p[0] for p in pending]) if len(pending) > 1 else pending[0][0]
    lines = np.concatenate([p[1] for p in pending])
    problems = None
    if any(p[2] is not None for p in pending):
        problems = np.concatenate([p[2] if p[2] is not None else np.full(p[0].num_rows, "", dtype=object)
                                   for p in pending])
    return table, lines, problems


def _decoded(table: pa.Table, lines: np.ndarray, problems: np.ndarray | None, header: Sequence[str]) -> Chunk:
    """A chunk of text columns named by the header."""
    table, bad_utf8 = _decode(table, header)
    if bad_utf8 is not None:
        problems = bad_utf8 if problems is None else np.where(problems != "", problems, bad_utf8)
    return Chunk(table=table, lines=lines, problems=problems)


def _decode(table: pa.Table, header: Sequence[str]) -> tuple[pa.Table, np.ndarray | None]:
    """Binary CSV columns → UTF-8 text named by the header. A cell that is not UTF-8 (decoded with
    replacement characters) or holds a NUL byte becomes a problem instead of failing the file,
    wherever it is in the file."""
    cols = []
    problems: np.ndarray | None = None

    def note(rows: Iterable[int], text: str) -> None:
        nonlocal problems
        if problems is None:
            problems = np.full(table.num_rows, "", dtype=object)
        for i in rows:
            if not problems[i]:
                problems[i] = text

    for j, nm in enumerate(header):
        c = table.column(j).combine_chunks()
        off, data = _offsets(c)
        if np.count_nonzero(data[off[0] : off[-1]]) != off[-1] - off[0]:
            note(np.flatnonzero(_rows_with(c, _NUL)), f"{nm}: the cell holds a NUL byte, which is not text; remove it")
        try:
            cols.append(c.cast(pa.string()))
            continue
        except pa.ArrowInvalid:
            pass
        fixed, bad = [], []
        for i, v in enumerate(c.to_pylist()):  # rare path: a column holding bytes that are not UTF-8
            try:
                fixed.append(None if v is None else v.decode("utf-8"))
            except UnicodeDecodeError:
                fixed.append(v.decode("utf-8", "replace"))
                bad.append(i)
        cols.append(pa.array(fixed, pa.string()))
        code = _legacy_code(b"".join(c.take(pa.array(bad)).to_pylist()))
        note(bad, f"{nm}: the cell is not UTF-8 text ({_legacy_encoding(code)}?); save the file as 'CSV UTF-8' "
                  f"or give --encoding {code}")
    return pa.Table.from_arrays(cols, names=list(header)), problems


_NUL = np.zeros(256, bool)
_NUL[0] = True


# --------------------------------------------------------------------------------------------
# summary


_OPTIONS = ("return", "partial_keep", "partial_resell", "keep")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class BatchSummary:
    """Counts and money totals of a batch; summaries of chunks add up with ``+``.

    ``groups`` maps (origin, currency, recommendation) of the evaluated rows to
    (orders, recommended, always_return, always_partial_refund): sums of the expected value of
    the recommended option, of ``return`` and of ``partial_keep`` (accept the partial refund and
    keep the item), in that currency.
    """

    rows: int = 0
    problem_rows: int = 0
    first_problems: tuple[tuple[int, str], ...] = ()  # (line or row number, text), the first 10
    groups: Mapping[tuple[str, str, str], tuple[int, float, float, float]] = field(default_factory=dict)
    unit: str = "line"  # what first_problems count: CSV lines or Parquet rows
    notes: tuple[str, ...] = ()

    KEEP_PROBLEMS = 10

    @property
    def evaluated(self) -> int:
        return self.rows - self.problem_rows

    @property
    def recommendations(self) -> dict[str, int]:
        out = dict.fromkeys(_OPTIONS, 0)
        for (_, _, rec), v in self.groups.items():
            out[rec] = out.get(rec, 0) + v[0]
        return out

    def __add__(self, other: BatchSummary) -> BatchSummary:
        groups = dict(self.groups)
        for k, v in other.groups.items():
            old = groups.get(k)
            groups[k] = v if old is None else tuple(a + b for a, b in zip(old, v))  # type: ignore[assignment]
        return BatchSummary(
            rows=self.rows + other.rows, problem_rows=self.problem_rows + other.problem_rows,
            first_problems=(self.first_problems + other.first_problems)[: self.KEEP_PROBLEMS],
            groups=groups, unit=other.unit if other.rows else self.unit, notes=self.notes + other.notes,
        )

    def totals(self, fx: Any = None) -> dict[str, Any]:
        """Money recovered, by currency and converted to EUR (where a rate exists)."""
        from .fx import reference_rates

        rates = _rates(fx) or reference_rates()
        by_cur: dict[str, list[float]] = {}
        by_origin: dict[str, dict[str, Any]] = {}
        eur = [0, 0.0, 0.0, 0.0]
        no_rate: dict[str, int] = {}
        for (origin, cur, rec), (cnt, best, ret, part) in sorted(self.groups.items()):
            t = by_cur.setdefault(cur, [0, 0.0, 0.0, 0.0])
            t[0] += cnt
            t[1] += best
            t[2] += ret
            t[3] += part
            o = by_origin.setdefault(origin, {"orders": 0, "recommendations": dict.fromkeys(_OPTIONS, 0),
                                              "saving_vs_always_return_eur": 0.0,
                                              "saving_vs_always_partial_refund_eur": 0.0,
                                              "orders_without_eur_rate": 0})
            o["orders"] += cnt
            o["recommendations"][rec] = o["recommendations"].get(rec, 0) + cnt
            f = rates.factor(cur, "EUR")
            if np.isfinite(f):
                eur[0] += cnt
                eur[1] += best * f
                eur[2] += ret * f
                eur[3] += part * f
                o["saving_vs_always_return_eur"] += (best - ret) * f
                o["saving_vs_always_partial_refund_eur"] += (best - part) * f
            else:
                no_rate[cur] = no_rate.get(cur, 0) + cnt
                o["orders_without_eur_rate"] += cnt

        def block(t: Sequence[float]) -> dict[str, Any]:
            return {"orders": int(t[0]), "recommended": round(t[1], 2), "always_return": round(t[2], 2),
                    "always_partial_refund": round(t[3], 2),
                    "saving_vs_always_return": round(t[1] - t[2], 2),
                    "saving_vs_always_partial_refund": round(t[1] - t[3], 2)}

        for o in by_origin.values():
            o["saving_vs_always_return_eur"] = round(o["saving_vs_always_return_eur"], 2)
            o["saving_vs_always_partial_refund_eur"] = round(o["saving_vs_always_partial_refund_eur"], 2)
        return {
            "by_currency": {c: block(t) for c, t in by_cur.items()},
            "eur": {**block(eur), "rates_of": str(rates.date) if rates.date else None,
                    "orders_without_rate": sum(no_rate.values()), "currencies_without_rate": sorted(no_rate)},
            "by_origin": by_origin,
        }

    def to_dict(self, fx: Any = None) -> dict[str, Any]:
        t = self.totals(fx)
        return {
            "rows": self.rows,
            "evaluated": self.evaluated,
            "problem_rows": self.problem_rows,
            f"first_problem_{self.unit}s": [n for n, _ in self.first_problems],
            "first_problems": [{self.unit: n, "problem": p} for n, p in self.first_problems],
            "recommendations": self.recommendations,
            "money_recovered": {
                "definition": MONEY_RECOVERED,
                "by_currency": t["by_currency"],
                "eur": t["eur"],
            },
            "by_origin": t["by_origin"],
            "notes": list(self.notes),
        }

    def text(self) -> str:
        """The few lines printed on stderr after a batch."""
        lines = [f"rows: {self.rows:,}; evaluated: {self.evaluated:,}; with problems: {self.problem_rows:,}"]
        if self.problem_rows:
            where = ", ".join(str(n) for n, _ in self.first_problems)
            more = ", …" if self.problem_rows > len(self.first_problems) else ""
            lines.append(f"  problems on {self.unit}s {where}{more} (see the 'problem' column)")
            n0, p0 = self.first_problems[0]
            lines.append(f"  first: {self.unit} {n0}: {p0}")
        if self.evaluated:
            recs = self.recommendations
            split = " · ".join(f"{k} {v:,} ({v / self.evaluated:.1%})" for k, v in recs.items())
            lines.append(f"  recommendations: {split}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


#: How "money recovered" is defined in the summary (written into summary.json).
MONEY_RECOVERED = (
    "Sum over the evaluated orders of the expected value (design section 2) of a decision, in the order "
    "currency: what the buyer can expect to get back or keep - the refund times the chance of winning the "
    "dispute minus postage and own costs for 'return', the partial refund plus the item's worth kept or "
    "resold for the others. 'recommended' takes each order's recommended option, 'always_return' takes "
    "EV_return for every order, 'always_partial_refund' takes EV_partial_keep (accept the partial refund "
    "and keep the item); where that option is closed for an order (the dispute window has passed, no "
    "partial-refund procedure), the order is kept (EV_keep). Savings are 'recommended' minus each blanket "
    "policy. EUR totals convert each currency at the reference rates; currencies without a rate are left "
    "out and listed."
)


def summarize(frame_or_table, *, lines: np.ndarray | None = None, defaults: Mapping[str, object] | None = None,
              unit: str = "row") -> BatchSummary:
    """The :class:`BatchSummary` of one output chunk (a DataFrame from :func:`evaluate_frame`, or
    a Table from :func:`evaluate_table`); add the summaries of all chunks with ``+``.

    ``lines`` numbers the rows for the list of first problems (default: 1, 2, ...); origin and
    currency are read from the input columns as the evaluation read them, with ``defaults``.

    Examples
    --------
    >>> import datetime
    >>> import pandas as pd
    >>> out = evaluate_frame(pd.DataFrame({"price": ["30", "x"], "origin": "DE", "postage": "6"}),
    ...                      defaults={"currency": "EUR", "reason": "damaged"}, today=datetime.date(2026, 11, 26))
    >>> s = summarize(out, defaults={"currency": "EUR"})
    >>> s.rows, s.problem_rows, s.first_problems, s.recommendations["return"]
    (2, 1, ((2, "price: 'x' is not a number; write e.g. 12.99"),), 1)
    """
    t = frame_or_table if isinstance(frame_or_table, pa.Table) else _from_pandas(frame_or_table)
    n = t.num_rows
    if lines is None:
        lines = np.arange(1, n + 1)
    problem = _contiguous(t.column("problem")) if n else pa.array([], pa.string())
    bad = _text_lengths(problem) > 0 if n else np.zeros(0, bool)
    shown = np.flatnonzero(bad)[: BatchSummary.KEEP_PROBLEMS]
    first = tuple(zip(lines[shown].tolist(), problem.take(pa.array(shown, pa.int64())).to_pylist()))
    if not n or bad.all():
        return BatchSummary(rows=n, problem_rows=int(bad.sum()), first_problems=first, unit=unit)
    cols = _match_columns(t.column_names, "header")
    defaults = {k: v for k, v in (defaults or {}).items() if v is not None and v != ""}
    ok = np.flatnonzero(~bad)

    def codes(name: str, column: pa.Array | pa.ChunkedArray | None, clean: Callable[[str], str]):
        d = clean(str(defaults.get(name, _FIELD[name].default if name in _FIELD else "") or ""))
        if column is None:
            return np.array([d], dtype=object), np.zeros(len(ok), np.intp)
        words, idx = _encode(column, clean, d)
        labels, remap = np.unique(words.astype(str), return_inverse=True)
        return labels.astype(object), remap.ravel()[idx[ok]]

    o_lab, o_idx = codes("origin", t.column(cols["origin"]) if "origin" in cols else None, _code)
    c_lab, c_idx = codes("currency", t.column(cols["currency"]) if "currency" in cols else None, _code)
    r_lab, r_idx = codes("recommendation", t.column("recommendation"), str.strip)
    ev = np.stack([np.asarray(t.column(f"ev_{o}").to_numpy(), dtype=np.float64)[ok] for o in _OPTIONS])
    option = np.array([_OPTIONS.index(r) if r in _OPTIONS else -1 for r in r_lab], np.intp)[r_idx]
    best = np.where(option >= 0, ev[option, np.arange(len(ok))], np.nan)
    key = (o_idx * len(c_lab) + c_idx) * len(r_lab) + r_idx
    uniq, inv = group_rows(key, len(o_lab) * len(c_lab) * len(r_lab))
    cnt = np.bincount(inv, minlength=len(uniq))
    # a blanket policy cannot take an option that is closed for an order: that order is kept
    keep = ev[_OPTIONS.index("keep")]
    policies = [np.where(np.isnan(ev[_OPTIONS.index(o)]), keep, ev[_OPTIONS.index(o)])
                for o in ("return", "partial_keep")]
    sums = [np.bincount(inv, weights=np.nan_to_num(x), minlength=len(uniq)) for x in (best, *policies)]
    groups = {}
    for i, k in enumerate(uniq.tolist()):
        rest, r = divmod(k, len(r_lab))
        o, c = divmod(rest, len(c_lab))
        groups[(str(o_lab[o]), str(c_lab[c]), str(r_lab[r]))] = (
            int(cnt[i]), float(sums[0][i]), float(sums[1][i]), float(sums[2][i]))
    return BatchSummary(rows=n, problem_rows=int(bad.sum()), first_problems=first, groups=groups, unit=unit)


# --------------------------------------------------------------------------------------------
# writing: where an output goes, and never half of it


class BatchWarning(UserWarning):
    """A run goes ahead, but the user should know something (another run writes the same output)."""


#: Names of standard output and input: written to (read from) the stream this process was given,
#: never opened by name (opening /dev/stdout reopens a redirect target at byte 0).
_STDOUT_NAMES = ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")
_STDIN_NAMES = ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")
#: Folders of the operating system: an output is never renamed into them. Devices there (/dev/null)
#: are written in place; /dev/shm is an ordinary memory-backed folder.
_SYSTEM_TREES = ("/dev", "/proc", "/sys")
_SYSTEM_FOLDERS = ("/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64", "/sbin", "/usr/bin", "/usr/lib", "/usr/sbin")
_FD_PATH = re.compile(r"/(?:dev/fd|proc/(?:self|\d+)/fd)/(\d+)")
#: Temporary files are named ``.NAME.returncost-PID-XXXXXXXX.part``: recognisable, and the process
#: id says whether the run that made one may still be writing it.
_TEMP_TAG = ".returncost-"
_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.returncost-(?P<pid>\d+)-[^.]+\.part")


@dataclass(frozen=True, slots=True, kw_only=True)
class Output:
    """An output being written (from :func:`atomic_write`).

    ``name`` is the path as the user gave it; ``sink`` is where the bytes go meanwhile: a temporary
    file in the same folder that becomes ``name`` when the writing succeeds, a device or named
    pipe written in place, or a binary stream (standard output).
    """

    name: str
    sink: str | IO[bytes]


@contextmanager
def atomic_write(dest: str | os.PathLike[str] | IO[bytes], *, inputs: Sequence[object] = (),
                 stop: threading.Event | None = None) -> Iterator[Output]:
    """Write an output whole or not at all.

    A path gets a temporary file in its folder, renamed over the path when the ``with`` block ends
    without an error (and ``stop`` is not set); on any error, ``KeyboardInterrupt`` included, the
    temporary file is removed and an existing file stays untouched. The file keeps the permissions
    of the file it replaces, or gets those of a new file.

    - ``-`` and ``/dev/stdout`` are standard output; a binary stream is written as it is.
    - A symbolic link is written through: its target gets the data, the link stays.
    - A device or named pipe (``/dev/null``, ``>(gzip > d.csv.gz)``) is written in place.
    - Refused (:class:`BatchError`, nothing written): a path that is one of ``inputs`` (by inode,
      whatever the spelling), a folder, a path in a system folder, a missing folder.
    - Temporary files of earlier runs that were killed (their process is gone) are removed; one
      of a run still writing the same path gives a :class:`BatchWarning`.
    """
    if not isinstance(dest, (str, os.PathLike)):
        yield Output(name="<stream>", sink=dest)
        return
    name = os.fspath(dest)
    if _fd_number(name) == 1:
        _refuse_input(name, _fstat(sys.stdout), inputs)
        yield Output(name=name, sink=sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    path, in_place = _target(name, inputs)
    if in_place:
        yield Output(name=name, sink=path)
        return
    folder, base = os.path.split(path)
    _clear_leftovers(folder, base, name)
    fd, tmp = -1, ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{_temp_base(base)}{_TEMP_TAG}{os.getpid()}-", suffix=".part", dir=folder)
        _lock(fd)  # held until the end: tells other runs that this temporary file is alive
        yield Output(name=name, sink=tmp)
        if stop is not None and stop.is_set():
            raise KeyboardInterrupt
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
        tmp = ""
    except FileNotFoundError as exc:
        if exc.filename not in (tmp, folder):
            raise
        raise BatchError(f"{name}: the folder {folder!r} went away while writing; write elsewhere") from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp:
            with suppress(FileNotFoundError):
                os.unlink(tmp)


def _fd_number(name: str) -> int | None:
    """The file descriptor of this process that ``name`` stands for (``-``, /dev/stdout,
    /dev/fd/N, /proc/self/fd/N, or a link to one of them), else None."""
    if name in _STDOUT_NAMES:
        return 1
    seen = 0
    while seen < 40:
        m = _FD_PATH.fullmatch(name)
        if m and (not name.startswith("/proc/") or name.split("/")[2] in ("self", str(os.getpid()))):
            return int(m.group(1))
        try:
            link = os.readlink(name)
        except OSError:
            return None
        name = os.path.join(os.path.dirname(name), link)
        seen += 1
    return None


def _fstat(stream: Any) -> os.stat_result | None:
    try:
        return os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _target(name: str, inputs: Sequence[object]) -> tuple[str, bool]:
    """(path to write, written in place) for an output path; raises BatchError for a path that
    must not be written."""
    try:
        st: os.stat_result | None = os.stat(name)  # through symbolic links
    except FileNotFoundError:
        st = None  # not there yet (or a link to a file not there yet)
    except OSError as exc:  # a link loop, a file used as a folder, no permission
        raise BatchError(f"{name}: {exc.strerror}; check the path") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise BatchError(f"{name}: is a folder; give a file name for the output")
    if st is not None and stat.S_ISREG(st.st_mode):
        _refuse_input(name, st, inputs)
    if _fd_number(name) is not None or (st is not None and not stat.S_ISREG(st.st_mode)):
        return name, True  # a device, a named pipe, an open file descriptor: a rename would replace it
    path = os.path.realpath(name)  # a link stays a link; its target gets the data
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        given = os.path.dirname(name) or "."
        raise BatchError(f"{name}: there is no folder {given!r}; create it or write elsewhere")
    if _system_folder(folder):
        raise BatchError(f"{name}: {folder} is a system folder; write the output elsewhere")
    return path, False


def _system_folder(folder: str) -> bool:
    if folder in _SYSTEM_FOLDERS:
        return True
    inside = [t for t in _SYSTEM_TREES if folder == t or folder.startswith(t + "/")]
    return bool(inside) and not (folder == "/dev/shm" or folder.startswith("/dev/shm/"))


def _refuse_input(name: str, st: os.stat_result | None, inputs: Sequence[object]) -> None:
    """An output that is one of the inputs (the same file by device and inode) is refused."""
    if st is None or not stat.S_ISREG(st.st_mode):
        return
    for src in inputs:
        if isinstance(src, (str, os.PathLike)) and os.fspath(src) not in _STDIN_NAMES:
            try:
                other = os.stat(src)
            except OSError:
                continue
            shown = os.fspath(src)
        else:
            other = _fstat(sys.stdin if isinstance(src, (str, os.PathLike)) else src)
            shown = "standard input"
        if other is not None and (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            raise BatchError(f"{name}: is the input file ({shown}); write the output to another file")


def _temp_base(base: str) -> str:
    """The output's name as it appears in its temporary files (shortened: a name has at most 255 bytes)."""
    return base if len(base.encode()) <= 180 else base[:60]


def _clear_leftovers(folder: str, base: str, name: str) -> None:
    """Remove the temporary files of earlier runs to the same output whose process is gone (killed
    with SIGKILL or by the kernel, so they could not clean up); warn about a run still writing."""
    prefix = f".{_temp_base(base)}{_TEMP_TAG}"
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix) and e.name.endswith(".part")]
    except OSError:
        return
    for e in entries:
        m = _TEMP_NAME.fullmatch(e.name)
        if not m:
            continue
        pid = int(m.group("pid"))
        locked = _locked(e.path)
        if locked or (locked is None and _running(pid)):
            if pid != os.getpid():
                warnings.warn(BatchWarning(
                    f"{name}: another run (process {pid}) is writing this output right now; whichever "
                    "finishes last replaces the other's output"), stacklevel=3)
        elif not _running(pid):
            with suppress(OSError):
                os.unlink(e.path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _lock(fd: int) -> None:
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (ImportError, OSError):
        pass  # no locks here (Windows, some network folders): the process id is the only sign


def _locked(path: str) -> bool | None:
    """Whether a live process holds the lock of a temporary file; None where locks are unknown."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)
    return False


def _mode_for(path: str) -> int:
    """The permissions of the file being replaced, else those a new file gets."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _format_for(dest: str | os.PathLike[str] | None, given: str | None) -> str:
    if given:
        return given
    if dest is None or os.fspath(dest) in _STDOUT_NAMES:
        return "csv"
    suffix = Path(dest).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    return "csv"


class _Writer:
    """Writes output chunks as CSV or Parquet, in order, one schema for the whole run.

    :meth:`write` turns an evaluated chunk into the table written (:meth:`prepare`: text decoded,
    formulas neutralised, yes/no) and writes it, mostly in pyarrow without the GIL, so a thread of
    its own can write while the next chunk is evaluated.
    """

    def __init__(self, sink: str | IO[bytes], fmt: str, delimiter: str, decimal: str) -> None:
        self.sink, self.fmt, self.delimiter, self.decimal = sink, fmt, delimiter, decimal
        self.schema: pa.Schema | None = None
        self._w: Any = None

    def start(self, first: pa.Table) -> None:
        """Fix the schema of the whole run from the first chunk."""
        self.schema = self.prepare(first.slice(0, 0)).schema

    def prepare(self, t: pa.Table) -> pa.Table:
        if self.fmt == "csv":
            t = pa.Table.from_arrays([_csv_column(c) for c in t.columns], names=t.column_names)
        t = _finish(t, spreadsheet_safe=self.fmt == "csv")
        if self.fmt == "csv" and self.decimal == ",":
            cols = [pc.replace_substring(pc.cast(c, pa.string()), ".", ",") if pa.types.is_floating(c.type) else c
                    for c in t.columns]
            t = pa.Table.from_arrays(cols, names=t.column_names)
        if self.schema is None:
            self.schema = t.schema
        elif t.schema != self.schema:
            t = t.cast(self.schema)
        return t

    def write(self, t: pa.Table) -> None:
        t = self.prepare(t)
        if self._w is None:
            if self.fmt == "parquet":
                import pyarrow.parquet as pq

                self._w = pq.ParquetWriter(self.sink, self.schema)
            else:
                import pyarrow.csv as pacsv

                self._w = pacsv.CSVWriter(self.sink, self.schema,
                                          write_options=pacsv.WriteOptions(delimiter=self.delimiter))
        self._w.write_table(t)

    def close(self) -> None:
        if self._w is not None:
            self._w.close()
        if not isinstance(self.sink, str):
            self.sink.flush()


def _csv_column(c: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A column as CSV text holds it: yes/no for booleans (as the inputs are written), JSON for
    lists, structures and maps, escapes for bytes that are not UTF-8."""
    t = c.type
    if pa.types.is_boolean(t):
        return pc.if_else(c, "yes", "no")
    if _nested(t):
        import json

        return pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                         for v in c.to_pylist()], pa.string())
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        try:
            return c.cast(pa.string())
        except pa.ArrowInvalid:
            return pa.array([None if v is None else v.decode("utf-8", "backslashreplace") for v in c.to_pylist()],
                            pa.string())
    return c


def run_batch(
    source: str | os.PathLike[str] | IO[bytes],
    dest: str | os.PathLike[str] | IO[bytes] | Output,
    *,
    tariffs: Iterable[Any] | Callable[[], Iterable[Any]] | None = None,
    fx: Any = None,
    today: _dt.date | None = None,
    defaults: Mapping[str, object] | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    input_format: str | None = None,
    output_format: str | None = None,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
) -> BatchSummary:
    """Evaluate every order of ``source`` into ``dest``, chunk by chunk.

    Parameters
    ----------
    source
        A ``.csv`` or ``.parquet`` path (``.csv.gz``, ``.csv.bz2``, ``.csv.zst`` are decompressed),
        or a binary stream (stdin); Parquet is recognised by its first bytes.
    dest
        A path (``.parquet``/``.pq`` → Parquet, anything else → CSV), ``-`` for standard output, a
        binary stream, or an :class:`Output` of :func:`atomic_write`. A path is written through
        :func:`atomic_write`: an interrupted or failed run leaves no partial output and an
        existing file untouched; the input itself, a folder or a system folder are refused.
    tariffs, fx, today, defaults
        As for :func:`evaluate_frame`; ``tariffs`` may also be a function that returns them, called
        once the reader has started (so that reading and loading overlap).
    delimiter, decimal
        Force the CSV dialect of the input (detected otherwise). CSV output uses the input's
        delimiter and decimal mark, so a file from a spreadsheet goes back to it unchanged.
    encoding
        The text encoding of a CSV that is not UTF-8 (``cp1251``, ``latin-1``, ...).
    chunk_rows
        Rows evaluated at once; memory grows with this, not with the file.
    progress
        Called with the number of rows done after each chunk.
    stop
        When set (by a signal handler or another thread), the run stops after the chunk at hand,
        writes nothing and raises ``KeyboardInterrupt``.

    Returns
    -------
    BatchSummary
    """
    check_options(chunk_rows=chunk_rows, decimal=decimal, encoding=encoding, defaults=defaults)
    today = today or _dt.date.today()  # one date for every chunk, even across midnight
    stop = stop or threading.Event()
    # The input is opened and read in a thread of its own, from now on: it parses (without the
    # GIL) while the tariffs load and pandas imports, and a stream that stalls (stdin) cannot keep
    # this thread from seeing `stop`.
    reader = _ReadAhead(lambda: read_chunks(source, delimiter=delimiter, decimal=decimal, encoding=encoding,
                                            chunk_rows=chunk_rows, input_format=input_format), stop)
    try:
        tset = _load_tariffs(tariffs, today)
        info = reader.info()
        check_columns(info.columns, defaults,
                      where=f"{info.name}, {'line 1' if info.format == 'csv' else 'columns'}")
        _preload(output_format == "parquet" or info.format == "parquet")
        run = dict(stop=stop, tariffs=tset, fx=fx, today=today, defaults=defaults, progress=progress)
        if isinstance(dest, Output):
            fmt = _format_for(dest.name if isinstance(dest.sink, str) else None, output_format)
            return _pipeline(info, reader.chunks(), _Writer(dest.sink, fmt, info.delimiter, info.decimal), **run)
        fmt = _format_for(dest if isinstance(dest, (str, os.PathLike)) else None, output_format)
        with atomic_write(dest, inputs=(source,), stop=stop) as out:
            return _pipeline(info, reader.chunks(), _Writer(out.sink, fmt, info.delimiter, info.decimal), **run)
    finally:
        reader.close()


def _load_tariffs(tariffs: Iterable[Any] | Callable[[], Iterable[Any]] | None, today: _dt.date) -> tuple:
    """Every version of the tariffs: each row is priced with the list in force on its posting day."""
    from .tariffs import resolve

    return resolve(tariffs() if callable(tariffs) else tariffs, today=today)


def _preload(parquet: bool) -> None:
    """Import now what the batch would import on its way (pyarrow imports pandas the first time it
    builds an array; the Parquet writer loads on its first table), so that no import happens while
    chunks are in flight."""
    import pandas  # noqa: F401
    import pyarrow.csv  # noqa: F401

    pa.array([0.0])  # pyarrow's own lazy look for pandas
    if parquet:
        import pyarrow.parquet  # noqa: F401


#: Output chunks evaluated but not yet written, at most (memory stays flat).
_IN_FLIGHT = 1


def _pipeline(info: Source, rows: Iterator[Chunk], writer: _Writer, *, stop: threading.Event,
              tariffs: tuple, fx: Any, today: _dt.date, defaults: Mapping[str, object] | None,
              progress: Callable[[int], None] | None) -> BatchSummary:
    """Read (a thread), evaluate (this thread), prepare and write (a thread, in order).

    pyarrow parses and writes CSV without the GIL, so the three share the cores; the threads
    that read and write need the GIL only a few times per chunk, so they do not wait for this
    one. ``stop`` is looked at between chunks and while waiting.
    """
    from concurrent.futures import ThreadPoolExecutor

    unit = "line" if info.format == "csv" else "row"
    summary = BatchSummary(unit=unit)
    done = ignored = 0
    # one worker: chunks are written in the order they were handed over
    writes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="returncost-write")
    pending: deque[Future] = deque()
    ok = False
    try:
        for chunk in rows:
            ignored += chunk.ignored_empty_lines
            out = _evaluate_chunk(chunk.table, tariffs=tariffs, fx=fx, today=today, defaults=defaults,
                                  decimal=info.decimal, problems=chunk.problems)
            if writer.schema is None:
                writer.start(out)
            pending.append(writes.submit(writer.write, out))
            summary = summary + summarize(out, lines=chunk.lines, defaults=defaults, unit=unit)
            done += chunk.table.num_rows
            if progress is not None:
                progress(done)
            while pending and (pending[0].done() or len(pending) > _IN_FLIGHT):
                _result(pending.popleft(), stop)
        while pending:
            _result(pending.popleft(), stop)
        writer.close()
        ok = True
    finally:
        writes.shutdown(wait=True, cancel_futures=not ok)
        if not ok:
            with suppress(Exception):
                writer.close()
    if stop.is_set():
        raise KeyboardInterrupt
    if ignored:
        summary = replace(summary, notes=summary.notes + (
            f"{ignored} empty line{'s' if ignored > 1 else ''} at the end of the file ignored",))
    return summary


def _result(f: Future, stop: threading.Event) -> Any:
    """The result of ``f``, looking at ``stop`` while waiting."""
    from concurrent.futures import TimeoutError as Timeout

    while True:
        if stop.is_set():
            raise KeyboardInterrupt
        try:
            return f.result(timeout=0.05)
        except Timeout:
            continue


def check_options(*, chunk_rows: int = DEFAULT_CHUNK_ROWS, decimal: str | None = None, encoding: str | None = None,
                  defaults: Mapping[str, object] | None = None) -> None:
    """Refuse options that cannot work, before anything is read; raises :class:`InputError` naming
    the option (values for missing columns are read like cells and must be in range)."""
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise InputError(f"--chunk-rows: {chunk_rows} must be at least 1")
    if decimal not in (None, ".", ","):
        raise InputError(f"--decimal: {decimal!r} must be '.' or ','")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"--encoding: {encoding!r} is not a text encoding (e.g. cp1251, latin-1)") from None
    _check_defaults(defaults or {}, decimal or ".")


def check_columns(columns: Sequence[str], defaults: Mapping[str, object] | None = None, *,
                  where: str = "header") -> dict[str, int]:
    """Which column holds which input; raises :class:`BatchError` for a missing ``price`` or
    ``origin`` (unless ``defaults`` gives it) or an input named twice."""
    names = [str(c) for c in columns]
    cols = _match_columns(names, where)
    given = {k for k, v in (defaults or {}).items() if v is not None and v != ""}
    for req, flag in (("price", "--price"), ("origin", "--from")):
        if req not in cols and req not in given:
            hint = (f"; is the delimiter right? the header is one column {names[0]!r}" if len(names) == 1 else "")
            raise BatchError(f"{where}: no '{req}' column (columns: {', '.join(map(repr, names)) or 'none'}); "
                             f"name a column '{req}' or give {flag}{hint}")
    return cols


_END = object()


#: Chunks the reader may read ahead: it runs ahead while the tariffs load and pandas imports.
_READ_AHEAD = 4


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class _ReadAhead:
    """The input, opened and read ahead in a thread that starts at once: first its
    :class:`Source` (:meth:`info`), then its chunks (:meth:`chunks`); the reader's errors are
    raised in the consumer, who looks at ``stop`` while waiting. A plain daemon thread, not a
    pool: reading standard input can block for ever, and a pool's threads are waited for when
    Python exits."""

    def __init__(self, open_: Callable[[], tuple[Source, Iterator[Chunk]]], stop: threading.Event) -> None:
        self._q: queue.Queue = queue.Queue(maxsize=_READ_AHEAD)
        self._done = threading.Event()
        self._stop = stop
        self._info: Source | None = None
        self._thread = threading.Thread(target=self._run, args=(open_,), name="returncost-read", daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._done.is_set():
            try:
                self._q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, open_: Callable[[], tuple[Source, Iterator[Chunk]]]) -> None:
        try:
            info, items = open_()
            if not self._put(info):
                return
            for it in items:
                if not self._put(it):
                    return
            self._put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self._put(_Failed(exc))

    def _get(self) -> Any:
        while True:
            if self._stop.is_set():
                raise KeyboardInterrupt
            try:
                item = self._q.get(timeout=0.05)
            except queue.Empty:
                continue
            if isinstance(item, _Failed):
                raise item.exc
            return item

    def info(self) -> Source:
        if self._info is None:
            self._info = self._get()
        return self._info

    def chunks(self) -> Iterator[Chunk]:
        self.info()
        while (item := self._get()) is not _END:
            yield item

    def close(self) -> None:
        self._done.set()
        self._thread.join(timeout=0.25)  # a reader blocked on standard input is left behind


def _evaluate_chunk(table: pa.Table, **kwargs: Any) -> pa.Table:
    """The per-chunk step of :func:`run_batch` (a seam for tests); the writer finishes the table."""
    return _evaluate(table, **kwargs)
