"""Evaluating a table of orders: the cells read, :func:`calculator.assess`, the output columns."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..assessment import assess
from ..i18n import _
from ..inputs import Field
from ..units import Reading, out_of_range
from ._arrow import code, contiguous, dictionary, empty_rows, encode, lengths, quote, string
from .cells import Numbers, as_floats, check_signs, read_dates, read_numbers, read_yes_no, refusals, usable
from .columns import FIELD, NUMERIC_KINDS, TEXT_KINDS, check_columns, clean_text, read_defaults
from .schema import OUTPUT_SCHEMA, finish, kept_names, output_arrays

#: Outputs that are the answer: never infinite (break-evens may be: "never").
_ANSWERS = ("margin", "ev_return", "ev_partial_keep", "ev_partial_resell", "ev_keep")


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

    def coded(self) -> tuple[np.ndarray, np.ndarray]:
        """The texts as distinct values + codes: "" shares code 0, each problem row has its own."""
        codes = np.zeros(self.n, np.int32)
        rows = np.flatnonzero(self.any)
        codes[rows] = np.arange(1, len(rows) + 1, dtype=np.int32)
        texts = self.text[rows] if self.text is not None else []
        return np.array(["", *texts], dtype=object), codes


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
    table = from_pandas(frame)
    out = evaluate_table(table, tariffs=tariffs, fx=fx, today=today, defaults=defaults, decimal=decimal,
                         problems=problems, spreadsheet_safe=spreadsheet_safe)
    return to_pandas(out, frame)


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
    out = evaluate(table, tariffs=tariffs, fx=fx, today=today, defaults=defaults, decimal=decimal,
                   problems=problems)
    return finish(out.table, spreadsheet_safe)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Evaluated:
    """A chunk as :func:`evaluate` decided it: the output table (text outputs with few distinct
    values, and the problem texts, still dictionary arrays: the writer decodes them), and what
    the evaluation read that the summary needs."""

    table: pa.Table
    problem: np.ndarray  # bool per row: not evaluated
    origin: np.ndarray  # ISO code per row, as the evaluation read it (defaults applied)
    currency: np.ndarray  # ISO code of the order currency per row


def evaluate(
    table: pa.Table,
    *,
    tariffs: Iterable[Any] | None,
    fx: Any,
    today: _dt.date | None,
    defaults: Mapping[str, object] | None,
    decimal: str,
    problems: Sequence[str] | np.ndarray | None,
) -> Evaluated:
    """:func:`evaluate_table` up to writing (in the batch, the writer's thread finishes the table)."""
    n = table.num_rows
    names = list(table.column_names)
    given = read_defaults(defaults, decimal)
    cols = check_columns(names, given)
    data = {k: contiguous(table.column(i)) for k, i in cols.items()}
    label = {k: names[i] for k, i in cols.items()}
    probs = _Problems(n, problems)
    for key in list(data):  # a column of lists or of bytes is no input: its cells are problems
        c, why = usable(data[key])
        data[key] = c
        if why is not None:
            probs.add(np.asarray(c.is_valid()), _("{name}: {problem}").format(name=label[key], problem=why))
            del data[key]
    if n:
        # a row with no value at all (an empty line inside the data, or only delimiters); only rows
        # without a price can be one, so only those are looked at
        maybe = np.flatnonzero(lengths(string(data["price"])) == 0) if "price" in data else np.arange(n)
        if maybe.size:
            empty = np.zeros(n, bool)
            empty[maybe[empty_rows(table, maybe)]] = True
            probs.add(empty, _("empty row: no values"))

    inputs: dict[str, object] = {}
    encoded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, f in FIELD.items():
        if f.kind not in TEXT_KINDS:
            continue
        if name in data:
            words, idx = encode(data[name], lambda w, k=f.kind: clean_text(w, k), given.get(name))
            encoded[name] = (words, idx)
            inputs[name] = dictionary(words, idx)  # assess() then works once per distinct value
        elif name in given:
            inputs[name] = given[name]
    per_row: dict[str, np.ndarray] = {}  # currency codes per row, made only when an amount has a sign

    def codes(name: str) -> np.ndarray:
        if name not in per_row:
            default = str(FIELD[name].default)
            per_row[name] = _codes_per_row(encoded, inputs, name, n, default)
        return per_row[name]

    for name, f in FIELD.items():
        d = given.get(name)
        if f.kind in NUMERIC_KINDS:
            value = _number_input(data.get(name), d, str((defaults or {}).get(name)), f, label.get(name, f.flag), n,
                                  decimal, probs, codes)
            if value is not None:
                inputs[name] = value
        elif f.kind == "bool":
            if name in data:
                yes, ok, bad, text = read_yes_no(data[name], label[name])
                probs.add(bad, text)
                inputs[name] = np.where(ok, yes, bool(d) if d is not None else bool(f.default))
            elif d is not None:
                inputs[name] = d
        elif f.kind == "date":
            if name in data:
                v, bad, text = read_dates(data[name], label[name])
                probs.add(bad, text)
                inputs[name] = v if d is None else np.where(np.isnat(v) & ~bad, d, v)
            elif d is not None:
                inputs[name] = d
    if "postage_currency" in per_row:  # filled in from currency signs
        inputs["postage_currency"] = per_row["postage_currency"]

    # Rows the batch already knows are broken (a bad cell, a ragged line) go to assess with their
    # problem text, which marks them as not evaluated.
    origin = currency = np.zeros(0, "U2")
    results = None
    if n:
        a = assess(inputs, tariffs=tariffs, fx=rates_of(fx), today=today, problems=probs.text)
        origin, currency = a.values["origin"], a.values["currency"]
        results = a.columns(coded=True)
        probs.add(a.problem != "", a.problem)
        # an answer is a number: a row whose amounts overflow gets a problem, not an infinite EV
        huge = np.zeros(n, bool)
        for k in _ANSWERS:
            huge |= np.isinf(np.asarray(results[k], dtype=np.float64))
        probs.add(huge, _("the amounts are too large to compute with; check the price and the postage"))
        results["problem"] = probs.coded()
    # a row with a problem has no results (assess keeps some for its problem rows, e.g. deadlines)
    missing = probs.any if probs.any.any() else None
    arrays = [contiguous(c) for c in table.columns] + output_arrays(results, missing)
    return Evaluated(table=pa.Table.from_arrays(arrays, names=kept_names(names) + OUTPUT_SCHEMA.names),
                     problem=probs.any, origin=origin, currency=currency)


def _number_input(c: pa.Array | None, default: Reading | None, written: str, f: Field, label: str, n: int,
                  decimal: str, probs: _Problems, codes: Callable[[str], np.ndarray]) -> np.ndarray | float | None:
    """A numeric input: its column read (``c``; None when there is none), the ``default`` (as
    ``written``) in its empty cells, currency signs checked against each row's currency, values
    held to the input's range. Refused cells become problems. None: not given at all."""
    if c is None and (default is None or not default.sign):
        return None if default is None else default.value  # one number for every row
    shown = string(c) if c is not None else pa.nulls(n, pa.string())
    if c is None:
        p = Numbers.empty(n)
    elif pa.types.is_boolean(c.type):  # a yes/no column (Parquet) where a number belongs
        p = Numbers.empty(n)
        bad = np.asarray(c.is_valid())
        p.refuse(bad, refusals("yes_no_not_number", f.kind, name=label, value=quote(shown.filter(pa.array(bad)))))
    elif (values := as_floats(c)) is not None:
        p = Numbers(values=values, bad=np.zeros(n, bool))
    else:
        p = read_numbers(c, label, f.kind, decimal)
    if default is not None:  # an empty cell takes the default, as if it were written there
        empty = np.isnan(p.values) & ~p.bad
        p.values[empty] = default.value
        if default.sign:
            p.sign(empty, default.sign)
            shown = pc.if_else(pa.array(empty), pa.scalar(written), shown)
    if p.signs is not None:
        check_signs(p, label, shown, codes("currency"), codes("postage_currency") if f.name == "postage" else None)
    _in_range(p, shown, label, f.name)
    probs.add(p.bad, p.text if p.text is not None else "")
    return p.values + 0.0  # -0 is 0


def _in_range(p: Numbers, shown: pa.Array, label: str, name: str) -> None:
    """Numbers outside the input's range (infinities included; NaN is a missing value) and
    fractions where a whole number belongs are refused (:func:`calculator.units.out_of_range`)."""
    out, fraction = out_of_range(np.where(p.bad, np.nan, p.values), name)
    f = FIELD[name]
    for refused, key in ((out, "out_of_range"), (fraction, "not_whole")):
        if refused.any():
            p.refuse(refused, refusals(key, name=label, value=quote(shown.filter(pa.array(refused))),
                                       range=f.range_text, unit=_(f.unit)))


def rates_of(fx: Any) -> Any:
    """FxRates as given, or the reference rates with overrides from a mapping ({"KZT": 520.0},
    units per 1 EUR): a mapping pickles, so it can travel to dask or Spark workers."""
    if isinstance(fx, Mapping):
        from ..fx import reference_rates

        return reference_rates().with_overrides(fx)
    return fx


def _codes_per_row(encoded: Mapping[str, tuple[np.ndarray, np.ndarray]], inputs: Mapping[str, object],
                   name: str, n: int, default: str) -> np.ndarray:
    """Upper-case codes of a text input per row, ``default`` where empty: fixed-width text of at
    least 3 characters, so a currency code can be written into it."""
    if name in encoded:
        words, idx = encoded[name]
        codes = [code(w) or default for w in words]
    else:
        codes, idx = [code(str(inputs.get(name, ""))) or default], np.zeros(n, np.intp)
    return np.array(codes, dtype=f"U{max(3, *map(len, codes))}")[idx]


def from_pandas(frame) -> pa.Table:
    import pandas as pd

    arrays = []
    for i in range(frame.shape[1]):
        s = frame.iloc[:, i]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        arrays.append(pa.array(s, from_pandas=True))
    return pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])


def to_pandas(table: pa.Table, like=None):
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
