"""Steps 1 and 2 of :func:`~calculator.assessment.assess`: every input as a column, and validation.

:func:`read_columns` turns the inputs (scalars, lists, arrays, pandas columns, dictionary-encoded
text columns: see :func:`dictionary_encoded`) into columns of length ``n`` with the defaults of
:data:`calculator.inputs.FIELDS` where a value is missing, and marks those gaps (``assumed``); text
inputs are kept as distinct values and per-order codes. :func:`validate_columns` checks ranges,
whole numbers, codes and dates, recording one :class:`Problems` entry per order (or raising at
once for ``errors="raise"``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import InputError
from .i18n import N_, _
from .inputs import FIELDS, REASONS, reason_help
from .inputs import field as _field
from .units import (Reading, is_country, is_currency, message, read_date, read_input, read_yes_no, shown_sign,
                    signs_disagree)

__all__ = ["Problems", "Columns", "read_columns", "validate_columns", "input_length", "as_column",
           "dictionary_encoded"]

_NAT = np.datetime64("NaT", "D")


# --------------------------------------------------------------------------------------------
# problems and column helpers


class Problems:
    """The first problem of each order, with the input's name; raises at once for
    ``errors="raise"``. Texts are built for bad rows only."""

    def __init__(self, n: int, errors: str) -> None:
        self.n, self.errors = n, errors
        self.text = np.full(n, "", dtype=object)
        self.any = np.zeros(n, bool)

    def flag(self, mask: NDArray[np.bool_], name: str, what) -> None:
        """Record ``what`` (a text, or a function giving the texts of the masked rows)."""
        mask = mask & ~self.any
        if not mask.any():
            return
        text = what(mask) if callable(what) else what
        text = np.char.add(f"{name}: " if name else "", np.asarray(text, dtype=str))
        if self.errors == "raise":
            rows = np.flatnonzero(mask)
            at = _(" (order {number})").format(number=rows[0] + 1) if self.n > 1 else ""
            raise InputError(f"{text.flat[0]}{at}")
        self.text[mask] = text
        self.any[mask] = True


def _missing_text(x: object) -> bool:
    return x is None or (isinstance(x, float) and x != x) or str(x).strip() in ("", "nan", "None", "NaN")


def _dictionary(x: object) -> object | None:
    """``x`` if it is a dictionary-encoded column (its ``dictionary`` and ``indices``, or its
    ``categories`` and ``codes``), the Categorical of a pandas Series of one; None otherwise."""
    if hasattr(x, "cat"):  # a pandas Series of the category dtype (on any other Series: no attribute)
        x = x.array
    if (hasattr(x, "dictionary") and hasattr(x, "indices")) or (hasattr(x, "categories") and hasattr(x, "codes")):
        return x
    return None


def dictionary_encoded(x: object) -> tuple[NDArray[np.object_], NDArray[np.intp]] | None:
    """The distinct values of a dictionary-encoded column and each row's index into them.

    A column that holds each distinct value once and an integer per row (a CSV reader's
    dictionary encoding, a categorical column) is read once per distinct value, not once per row.
    It is recognised by its attributes, so neither pyarrow nor pandas is imported here.

    Parameters
    ----------
    x
        A :class:`pyarrow.DictionaryArray` (``dictionary``, ``indices``), a
        :class:`pandas.Categorical` (``categories``, ``codes``) or a pandas Series of the category
        dtype; anything else is not dictionary-encoded.

    Returns
    -------
    tuple of ndarray, or None
        The distinct values (objects, as the column holds them) and each row's index into them;
        a missing value (a null index, the code -1) gets ``len(values)``, one past the end. None
        when ``x`` is not dictionary-encoded.

    Examples
    --------
    >>> import pyarrow as pa
    >>> values, codes = dictionary_encoded(pa.array(["DE", None, "FR", "DE"]).dictionary_encode())
    >>> values.tolist(), codes.tolist()
    (['DE', 'FR'], [0, 2, 1, 0])
    """
    d = _dictionary(x)
    if d is None:
        return None
    if hasattr(d, "categories"):
        values = np.array(list(d.categories), dtype=object)
        codes = np.asarray(d.codes, dtype=np.intp)
        return values, np.where(codes < 0, len(values), codes)
    values = np.array(d.dictionary.to_pylist(), dtype=object)
    indices = d.indices
    if indices.null_count:
        indices = indices.cast("int64").fill_null(len(values))
    return values, np.asarray(indices, dtype=np.intp)


def as_column(x: object) -> object:
    """A column of the ``orders`` mapping as the steps read it: a dictionary-encoded column as it
    is (:func:`dictionary_encoded` reads it), any other with a ``to_numpy`` (a pandas or pyarrow
    column) as its numpy array."""
    return x if _dictionary(x) is not None or not hasattr(x, "to_numpy") else x.to_numpy()


def _coded(raw: object, n: int) -> tuple[NDArray[np.object_], NDArray[np.intp]]:
    """Distinct values (cleaned: missing → "") and per-row codes of a text input."""
    encoded = dictionary_encoded(raw)
    if encoded is not None:
        uniq, codes = encoded
    else:
        a = np.asarray("" if raw is None else raw, dtype=object)
        if a.ndim == 0:
            uniq, codes = np.array([a.item()], dtype=object), np.zeros(n, np.intp)
        else:
            a = np.broadcast_to(a, (n,)) if a.shape != (n,) else a
            uniq, codes = np.unique(np.where(np.equal(a, None), "", a).astype(str), return_inverse=True)
            uniq, codes = uniq.astype(object), codes.ravel()
    clean = np.array(["" if _missing_text(x) else str(x).strip() for x in uniq] + [""], dtype=object)
    return clean, (codes if len(codes) == n else np.broadcast_to(codes, (n,)))


def _texts_of(a: NDArray[np.object_]) -> tuple[list[object], NDArray[np.intp]]:
    """The distinct values of a column given as objects (one of each, as given) and each order's
    index into them: the grammar reads each distinct text once."""
    is_text = np.frompyfunc(lambda x: isinstance(x, str), 1, 1)(a).astype(bool)
    key = np.char.add(np.where(is_text, "t", "v"), a.astype(str))  # the text "nan" is not the number NaN
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return a[first].tolist(), inverse.ravel()


def _num_array(v: object, n: int, name: str) -> tuple[NDArray[np.float64], NDArray[np.object_] | None,
                                                      NDArray[np.object_] | None]:
    """(value, problem text, currency sign) per order of a numeric input; the last two None when
    no text was refused (signed)."""
    a = np.asarray(v) if not isinstance(v, (list, tuple)) else np.asarray(v, dtype=object)
    if a.dtype.kind in "biuf":
        a = a.astype(np.float64, copy=False)  # read_columns only reads it: not copied
        return (np.broadcast_to(a, (n,)) if a.shape != (n,) else a), None, None
    a = np.broadcast_to(a.astype(object), (n,))
    values, codes = _texts_of(a)
    read = [read_input(x, name) if isinstance(x, str) else _number(x, name) for x in values]
    value = np.array([r.value for r in read], dtype=np.float64)[codes]
    problem = np.array([r.problem for r in read], dtype=object)
    sign = np.array([r.sign for r in read], dtype=object)
    return (value, problem[codes] if problem.any() else None,
            sign[codes] if sign.any() else None)


def _number(x: object, name: str) -> Reading:
    """A value of an object column that is no text: a number, or no value."""
    if x is None or (isinstance(x, (float, np.floating)) and np.isnan(x)) or type(x).__name__ in ("NAType", "NaTType"):
        return Reading()
    try:
        return Reading(value=float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return read_input(str(x), name)


def _bool_array(v: object, n: int, name: str) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.object_] | None]:
    """(value, given, problem text or None) of a yes/no input; None, NaN and "" are not given."""
    if v is None:
        return np.zeros(n, bool), np.zeros(n, bool), None
    a = np.asarray(v)
    if a.dtype.kind == "b":
        return np.broadcast_to(a, (n,)).copy(), np.ones(n, bool), None
    values, codes = _texts_of(np.broadcast_to(a.astype(object), (n,)))
    read = [read_yes_no(x, name=name) for x in values]
    value = np.array([bool(answer) for answer, _ in read], dtype=bool)[codes]
    given = np.array([answer is not None for answer, _ in read], dtype=bool)[codes]
    problem = np.array([problem for _, problem in read], dtype=object)
    return value, given, problem[codes] if problem.any() else None


def _date_array(v: object, n: int, name: str) -> tuple[NDArray[np.datetime64], NDArray[np.object_] | None]:
    """(dates per order, NaT where not given; problem text or None)."""
    if v is None:
        return np.full(n, _NAT, dtype="datetime64[D]"), None
    a = np.asarray(v)
    if a.dtype.kind == "M":
        a = a.astype("datetime64[D]")
        return (np.broadcast_to(a, (n,)) if a.shape != (n,) else a), None
    values, codes = _texts_of(np.broadcast_to(a.astype(object), (n,)))
    read = [read_date(x, name=name) for x in values]
    day = np.array([_NAT if d is None else np.datetime64(d, "D") for d, _ in read], dtype="datetime64[D]")[codes]
    problem = np.array([problem for _, problem in read], dtype=object)
    return day, problem[codes] if problem.any() else None


def input_length(inputs: Mapping[str, object]) -> int:
    """The number of orders: the length of the inputs given per order (one value is for all).

    Raises :class:`InputError` when two inputs have different lengths.
    """
    sizes = set()
    for v in inputs.values():
        if _dictionary(v) is not None:
            sizes.add(len(v))
        elif v is not None and np.ndim(v) > 0:
            sizes.add(np.size(v))
    sizes.discard(1)
    if len(sizes) > 1:
        raise InputError(_("inputs have different lengths {lengths}; give one value or one per order").format(
            lengths=sorted(sizes)))
    return sizes.pop() if sizes else 1


# --------------------------------------------------------------------------------------------
# 1. read


@dataclass(slots=True)
class Columns:
    """Every input of ``n`` orders as a column (``vals``), where it was not given (``assumed``), the
    text inputs as distinct values and per-order codes (``texts``), and the orders whose text the
    grammar refused (``unread``). The next steps fill in defaults in place."""

    vals: dict[str, NDArray]
    assumed: dict[str, NDArray[np.bool_]]
    texts: dict[str, tuple[NDArray[np.object_], NDArray[np.intp]]]  # text inputs as (distinct, codes)
    unread: dict[str, NDArray[np.object_]]  # per input, why an order's text was refused ("" read)


def read_columns(given: Mapping[str, object], n: int, today: _dt.date) -> Columns:
    """Every input as a column of length ``n``; ``assumed`` is True where it was not given."""
    vals: dict[str, NDArray] = {}
    assumed: dict[str, NDArray[np.bool_]] = {}
    texts: dict[str, tuple[NDArray[np.object_], NDArray[np.intp]]] = {}
    unread: dict[str, NDArray[np.object_]] = {}
    signs: dict[str, NDArray[np.object_]] = {}
    for f in FIELDS:
        raw = given.get(f.name)
        if f.kind == "date":
            a, problem = _date_array(raw, n, f.name)
            assumed[f.name] = np.isnat(a)
            vals[f.name] = a
        elif f.kind in ("money", "fraction", "weight", "length", "number", "int"):
            default = f.default if isinstance(f.default, (int, float)) and not isinstance(f.default, bool) else np.nan
            if raw is None:  # not given: the default for every order
                problem = None
                assumed[f.name] = np.ones(n, bool)
                vals[f.name] = np.full(n, default, dtype=np.float64)
                continue
            a, problem, sign = _num_array(raw, n, f.name)
            missing = np.isnan(a)
            assumed[f.name] = missing & (problem == "" if problem is not None else True)
            vals[f.name] = np.where(assumed[f.name], default, a)
            if sign is not None:
                signs[f.name] = sign
        elif f.kind == "bool":
            value, ok, problem = _bool_array(raw, n, f.name)
            assumed[f.name] = ~ok
            vals[f.name] = np.where(ok, value, bool(f.default))
        else:
            problem = None
            uniq, codes = _coded(raw, n)
            if f.kind in ("country", "currency"):
                uniq = np.array([x.upper() for x in uniq], dtype=object)
            empty = uniq == ""
            assumed[f.name] = empty[codes]
            default = f.default if isinstance(f.default, str) else ""
            uniq = np.where(empty, default, uniq)
            texts[f.name] = (uniq, codes)
            vals[f.name] = uniq.astype(str)[codes]  # fixed-width text: fast to take, compare and group
        if problem is not None:
            unread[f.name] = problem
    _check_signs(vals, assumed, texts, unread, signs, given)
    vals["received_on"] = np.where(assumed["received_on"], np.datetime64(today, "D"), vals["received_on"])
    vals["posted_on"] = np.where(assumed["posted_on"], np.datetime64(today, "D"), vals["posted_on"])
    # the postage is in the order currency unless its own currency is given
    vals["postage_currency"] = np.where(assumed["postage_currency"], vals["currency"], vals["postage_currency"])
    return Columns(vals, assumed, texts, unread)


def _check_signs(vals: dict[str, NDArray], assumed: dict[str, NDArray[np.bool_]],
                 texts: dict[str, tuple[NDArray[np.object_], NDArray[np.intp]]], unread: dict[str, NDArray[np.object_]],
                 signs: dict[str, NDArray[np.object_]], given: Mapping[str, object]) -> None:
    """A currency sign must agree with the currency of its amount (see
    :func:`calculator.units.signs_disagree`); a postage's sign names the postage currency where
    none is given. Amounts in disagreement are refused."""
    for name, sign in signs.items():
        n = len(sign)
        fill = None
        if name == "postage":
            fill = np.where(assumed["postage_currency"], "", vals["postage_currency"]).astype(object)
        wrong, target = signs_disagree(sign, vals["currency"], fill)
        if fill is not None and (filled := (fill != "") & assumed["postage_currency"]).any():
            vals["postage_currency"] = np.where(filled, fill, vals["postage_currency"]).astype(str)
            assumed["postage_currency"] = assumed["postage_currency"] & ~filled
            uniq, codes = np.unique(vals["postage_currency"].astype(object), return_inverse=True)
            texts["postage_currency"] = (uniq, codes.ravel())
        if wrong.any():
            what = "currency" if fill is None else "postage_currency"
            raw = np.broadcast_to(np.asarray(given[name], dtype=object), (n,))
            problem = unread.get(name, np.full(n, "", dtype=object)).copy()
            problem[wrong] = [message("other_currency", name=name, value=v, sign=shown_sign(s), what=what, currency=c)
                              for v, s, c in zip(raw[wrong], sign[wrong], target[wrong])]
            unread[name] = problem
            vals[name] = np.where(wrong, np.nan, vals[name])


# --------------------------------------------------------------------------------------------
# 2. validate


def validate_columns(r: Columns, p: Problems, today: _dt.date) -> None:
    """Ranges, whole numbers, codes and dates, as one problem per order."""
    vals = r.vals
    for f in FIELDS:  # text the grammar refused, in the grammar's words
        if f.name in r.unread:
            problem = r.unread[f.name]
            p.flag(problem != "", "", lambda m, problem=problem: problem[m])

    def numbers(a: NDArray, tail: Callable[[], str]):
        return lambda m: np.char.add(a[m].astype(str), tail())  # the words only for the rows flagged

    def words(text: str, f) -> Callable[[], str]:
        return lambda: _(text).format(range=f.range_text, unit=_(f.unit))

    price = vals["price"]
    p.flag(np.isnan(price), "price", _("missing; give the amount paid for the item"))
    p.flag(price <= 0, "price", numbers(price, lambda: _(" must be greater than zero")))
    uniq, codes = r.texts["reason"]
    p.flag((uniq == "")[codes], "reason", _("missing; one of {reasons}").format(reasons=reason_help()))
    for f in FIELDS:
        rng = f.range
        if rng is None or f.name not in vals:
            continue
        a = vals[f.name]
        low, high = rng
        with np.errstate(invalid="ignore"):
            p.flag(np.isinf(a), f.name, numbers(a, words(N_(" is not a finite number; give {range} [{unit}]"), f)))
            p.flag((a < low) | (a > high), f.name, numbers(a, words(N_(" is out of range; give {range} [{unit}]"), f)))
            if f.kind == "int":
                p.flag(np.isfinite(a) & (a != np.round(a)), f.name, numbers(a, lambda: _(" is not a whole number")))
    checks = (
        ("origin", is_country, N_("{value} is not an ISO country code (e.g. US, GB, DE, RU)")),
        ("destination", is_country, N_("{value} is not an ISO country code (e.g. CN)")),
        ("currency", is_currency, N_("{value} is not an ISO currency code (e.g. USD, EUR, RUB)")),
        ("postage_currency", is_currency, N_("{value} is not an ISO currency code (e.g. USD)")),
        ("reason", lambda x: x == "" or x in REASONS, N_("{value} is not a reason; one of {reasons}")),
        ("marketplace", _field("marketplace").choices.__contains__, N_("{value} is not one of {choices}")),
    )
    for name, check, what in checks:
        uniq, codes = r.texts[name]
        ok = np.array([check(x) for x in uniq], dtype=bool)
        if name == "postage_currency":
            ok |= uniq == ""  # empty: the order currency, checked above
        if ok.all():
            continue
        words = {"reasons": reason_help(), "choices": ", ".join(_field("marketplace").choices)}
        msg = np.array([_(what).format(value=f"'{x}'", **words) for x in uniq], dtype=object)
        p.flag(~ok[codes], name, lambda m, msg=msg, codes=codes: msg[codes[m]])
    received, purchased = vals["received_on"], vals["purchased_on"]
    p.flag(received > np.datetime64(today, "D"), "received_on",
           lambda m: np.char.add(received[m].astype(str), _(" is after today ({today})").format(today=today)))
    p.flag(purchased > received, "purchased_on",
           lambda m: np.char.add(purchased[m].astype(str), _(" is after the day the item was received")))
