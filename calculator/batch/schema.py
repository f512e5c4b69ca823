"""The output columns of a batch, declared once (names, Arrow types, rounding), and made ready to
write (text decoded, formulas neutralised).

:data:`OUTPUT_SCHEMA` follows :data:`calculator.assessment.OUTPUTS` (its order, and each output's
unit: yes/no, date, a code or text, else a number), :data:`~calculator.assessment.MONEY_COLUMNS`
(to the cent) and :data:`~calculator.assessment.FRACTION_COLUMNS` (4 decimals). The table of zero
rows, the Spark schema (:func:`output_ddl`) and every chunk's output arrays are made from it;
nothing is evaluated to find out what the output looks like.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..assessment import FRACTION_COLUMNS, MONEY_COLUMNS, OUTPUTS
from ..formatting import round_output
from ._arrow import contiguous, first_bytes, string

#: Arrow type of an output by its unit in OUTPUTS; any other unit (a currency, g, a fraction) is
#: a number.
_TYPE_OF_UNIT = {"yes/no": pa.bool_(), "date": pa.date32(), "option": pa.string(), "ISO 4217": pa.string(),
                 "code": pa.string(), "codes": pa.string(), "text": pa.string()}

#: Every output column of :func:`calculator.batch.evaluate_table`, in order, with its type.
OUTPUT_SCHEMA = pa.schema([(name, _TYPE_OF_UNIT.get(unit, pa.float64())) for name, (unit, _) in OUTPUTS.items()])

#: Decimals an output is rounded to when written.
_DIGITS = {**dict.fromkeys(MONEY_COLUMNS, 2), **dict.fromkeys(FRACTION_COLUMNS, 4)}

#: First bytes of text a spreadsheet runs as a formula (OWASP: CSV injection) ...
_FORMULA_START = np.zeros(256, bool)
_FORMULA_START[np.frombuffer(b"=+-@\t\r", np.uint8)] = True
#: ... unless it is a number (-5, +3.2, -1 450,50).
_NUMBER_LIKE = r"^[+-]?(?:\d[\d\s.,']*)?\d(?:[eE][+-]?\d+)?$|^[+-]?[.,]\d+$"

_SPARK_TYPES = {pa.string(): "string", pa.float64(): "double", pa.bool_(): "boolean", pa.date32(): "date"}


def kept_names(names: Sequence[str]) -> list[str]:
    """The input columns' names in the output: one named like an output (``margin``, ``problem``,
    the results of an earlier run) is kept as ``margin_input`` (``margin_input2``, ... if taken)."""
    clash = set(OUTPUT_SCHEMA.names)
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


def output_ddl(columns: Sequence[str]) -> str:
    """The Spark schema (DDL) of :func:`~calculator.batch.evaluate_frame`'s output for text input
    columns, for ``DataFrame.mapInPandas(..., schema=output_ddl(df.columns))``.

    Examples
    --------
    >>> output_ddl(["order_id", "price", "origin"]).split(", ")[:4]
    ['`order_id` string', '`price` string', '`origin` string', '`recommendation` string']
    """
    fields = [(nm, "string") for nm in kept_names([str(c) for c in columns])]
    fields += [(f.name, _SPARK_TYPES[f.type]) for f in OUTPUT_SCHEMA]
    return ", ".join(f"`{nm.replace('`', '``')}` {kind}" for nm, kind in fields)


def output_arrays(results: Mapping[str, np.ndarray | tuple[np.ndarray, np.ndarray]] | None,
                  missing: np.ndarray | None) -> list[pa.Array]:
    """The output columns for writing, from :meth:`calculator.assessment.Assessment.columns`
    with ``coded=True`` (``None``: zero rows): money to cents, fractions to 4 decimals; NaN, NaT,
    None and the rows in ``missing`` become nulls (empty cells); coded text (distinct values and
    each row's index into them) as dictionary arrays. ``problem`` is never masked."""
    if results is None:
        return [pa.array([], f.type) for f in OUTPUT_SCHEMA]
    return [_array(f, results[f.name], None if f.name == "problem" else missing) for f in OUTPUT_SCHEMA]


def _array(f: pa.Field, v: np.ndarray | tuple[np.ndarray, np.ndarray], missing: np.ndarray | None) -> pa.Array:
    if isinstance(v, tuple):  # few distinct texts: a dictionary array, decoded by Arrow in C++
        values = np.asarray(v[0], dtype=object)
        none = np.equal(values, None)
        codes = np.asarray(v[1], dtype=np.int32)
        mask = _or(none[codes], missing) if none.any() else missing
        words = pa.array(np.where(none, "", values), f.type)
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=mask), words)
    if f.type == pa.float64():
        v = np.asarray(v, dtype=np.float64)
        if f.name in _DIGITS:
            v = round_output(v, _DIGITS[f.name])
        return pa.array(v, type=f.type, mask=_or(np.isnan(v), missing))
    if f.type == pa.date32():
        v = np.asarray(v).astype("datetime64[D]")
        return pa.array(v, type=f.type, mask=_or(np.isnat(v), missing))
    if f.type == pa.bool_():
        return pa.array(v, type=f.type, mask=missing)
    return pa.array(v, type=f.type, mask=_or(np.equal(v, None), missing))


def _or(a: np.ndarray, b: np.ndarray | None) -> np.ndarray | None:
    m = a if b is None else a | b
    return m if m.any() else None


def finish(table: pa.Table, spreadsheet_safe: bool) -> pa.Table:
    """The evaluated table as written: dictionary columns decoded to text (a string column keeps
    the same type in every chunk and file format), formula-like text neutralised when asked."""
    arrays = []
    for c in table.columns:
        c = contiguous(c)
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


def _neutralise(col: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Prefix ``'`` to text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
    tab, CR at the start), leaving numbers such as ``-5`` or ``+3.2`` alone."""
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return col
    arr = string(col)
    risky = _FORMULA_START[first_bytes(arr)]
    if not risky.any():
        return arr
    idx = np.flatnonzero(risky)
    number = np.asarray(pc.match_substring_regex(arr.take(pa.array(idx)), _NUMBER_LIKE))
    risky[idx[number]] = False
    if not risky.any():
        return arr
    return pc.if_else(pa.array(risky), pc.binary_join_element_wise("'", arr, ""), arr)
