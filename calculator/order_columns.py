"""Steps 1 and 2 of :func:`~calculator.assessment.assess`: every input as a column, and validation.

:func:`read_columns` turns the inputs (scalars, lists, arrays, pandas columns, :class:`Coded` text
columns) into columns of length ``n`` with the defaults of :data:`calculator.inputs.FIELDS` where a
value is missing, and marks those gaps (``assumed``); text inputs are kept as distinct values and
per-order codes. :func:`validate_columns` checks ranges, whole numbers, codes and dates, recording
one :class:`Problems` entry per order (or raising at once for ``errors="raise"``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import InputError
from .inputs import FIELDS, REASONS, Coded, factorize, reason_help
from .inputs import field as _field
from .units import is_country, is_currency, parse_yes_no

__all__ = ["Problems", "Columns", "read_columns", "validate_columns", "input_length"]

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
            at = f" (order {rows[0] + 1})" if self.n > 1 else ""
            raise InputError(f"{text.flat[0]}{at}")
        self.text[mask] = text
        self.any[mask] = True


def _missing_text(x: object) -> bool:
    return x is None or (isinstance(x, float) and x != x) or str(x).strip() in ("", "nan", "None", "NaN")


def _coded(raw: object, n: int) -> tuple[NDArray[np.object_], NDArray[np.intp]]:
    """Distinct values (cleaned: missing → "") and per-row codes of a text input."""
    if isinstance(raw, Coded):
        uniq, codes = np.asarray(raw.values, dtype=object), np.asarray(raw.codes, dtype=np.intp)
    else:
        a = np.asarray("" if raw is None else raw, dtype=object)
        if a.ndim == 0:
            uniq, codes = np.array([a.item()], dtype=object), np.zeros(n, np.intp)
        else:
            uniq, codes = factorize(np.broadcast_to(a, (n,)) if a.shape != (n,) else a)
            uniq = uniq.astype(object)
    clean = np.array(["" if _missing_text(x) else str(x).strip() for x in uniq] + [""], dtype=object)
    return clean, (codes if len(codes) == n else np.broadcast_to(codes, (n,)))


def _num_array(v: object, n: int, name: str) -> NDArray[np.float64]:
    try:
        a = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name}: {v!r} is not a number; give a number (units are read by the command line "
                         "and the batch, e.g. '450g')") from None
    return np.broadcast_to(a, (n,)) if a.shape != (n,) else a


def _bool_array(v: object, n: int, name: str) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(value, given) of a yes/no input; None, NaN and "" are not given."""
    if v is None:
        return np.zeros(n, bool), np.zeros(n, bool)
    a = np.asarray(v)
    if a.dtype.kind == "b":
        return np.broadcast_to(a, (n,)).copy(), np.ones(n, bool)
    if a.dtype.kind == "f":
        given = ~np.isnan(a)
        if (given & (a != 0) & (a != 1)).any():
            raise InputError(f"{name}: {a[given & (a != 0) & (a != 1)].flat[0]!r} is not yes or no; write yes/no, "
                             "true/false or 1/0")
        return np.broadcast_to(a == 1, (n,)).copy(), np.broadcast_to(given, (n,)).copy()
    uniq, codes = factorize(np.broadcast_to(a.astype(object), (n,)) if a.ndim else np.full(n, a.item(), dtype=object))
    read = [parse_yes_no(x if not isinstance(x, str) or x not in ("None", "nan") else None, field=name)
            for x in uniq.tolist()]
    value = np.array([bool(r) for r in read], dtype=bool)[codes]
    given = np.array([r is not None for r in read], dtype=bool)[codes]
    return value, given


def _date_array(v: object, n: int, name: str) -> NDArray[np.datetime64]:
    """Dates per order (NaT where not given)."""
    if v is None:
        return np.full(n, _NAT, dtype="datetime64[D]")
    a = np.asarray(v)
    if a.dtype.kind in "OU":
        if a.dtype.kind == "O":
            a = np.where(np.equal(a, None), "", a).astype(str)
        try:
            a = a.astype("datetime64[D]")  # ISO dates, parsed in C; "" becomes NaT
        except ValueError:
            raise InputError(f"{name}: {v!r} is not a date; write YYYY-MM-DD") from None
    try:
        a = a.astype("datetime64[D]")
    except (TypeError, ValueError):
        raise InputError(f"{name}: {v!r} is not a date; write YYYY-MM-DD") from None
    return np.broadcast_to(a, (n,)) if a.shape != (n,) else a


def input_length(inputs: Mapping[str, object]) -> int:
    sizes = {np.size(v) for v in inputs.values() if v is not None and not isinstance(v, Coded) and np.ndim(v) > 0}
    sizes |= {np.size(v.codes) for v in inputs.values() if isinstance(v, Coded)}
    sizes.discard(1)
    if len(sizes) > 1:
        raise InputError(f"inputs have different lengths {sorted(sizes)}; give one value or one per order")
    return sizes.pop() if sizes else 1


# --------------------------------------------------------------------------------------------
# 1. read


@dataclass(slots=True)
class Columns:
    """Every input of ``n`` orders as a column (``vals``), where it was not given (``assumed``), and
    the text inputs as distinct values and per-order codes (``texts``). The next steps fill in
    defaults in place."""

    vals: dict[str, NDArray]
    assumed: dict[str, NDArray[np.bool_]]
    texts: dict[str, tuple[NDArray[np.object_], NDArray[np.intp]]]  # text inputs as (distinct, codes)


def read_columns(given: Mapping[str, object], n: int, today: _dt.date) -> Columns:
    """Every input as a column of length ``n``; ``assumed`` is True where it was not given."""
    vals: dict[str, NDArray] = {}
    assumed: dict[str, NDArray[np.bool_]] = {}
    texts: dict[str, tuple[NDArray[np.object_], NDArray[np.intp]]] = {}
    for f in FIELDS:
        raw = given.get(f.name)
        if f.kind == "date":
            a = _date_array(raw, n, f.name)
            assumed[f.name] = np.isnat(a)
            vals[f.name] = a
        elif f.kind in ("money", "fraction", "weight", "length", "number", "int"):
            a = _num_array(np.nan if raw is None else raw, n, f.name)
            missing = np.isnan(a)
            default = f.default if isinstance(f.default, (int, float)) and not isinstance(f.default, bool) else np.nan
            assumed[f.name] = missing
            vals[f.name] = np.where(missing, default, a)
        elif f.kind == "bool":
            value, ok = _bool_array(raw, n, f.name)
            assumed[f.name] = ~ok
            vals[f.name] = np.where(ok, value, bool(f.default))
        else:
            uniq, codes = _coded(raw, n)
            if f.kind in ("country", "currency"):
                uniq = np.array([x.upper() for x in uniq], dtype=object)
            empty = uniq == ""
            assumed[f.name] = empty[codes]
            default = f.default if isinstance(f.default, str) else ""
            uniq = np.where(empty, default, uniq)
            texts[f.name] = (uniq, codes)
            vals[f.name] = uniq.astype(str)[codes]  # fixed-width text: fast to take, compare and group
    vals["received_on"] = np.where(assumed["received_on"], np.datetime64(today, "D"), vals["received_on"])
    vals["posted_on"] = np.where(assumed["posted_on"], np.datetime64(today, "D"), vals["posted_on"])
    # the postage is in the order currency unless its own currency is given
    vals["postage_currency"] = np.where(assumed["postage_currency"], vals["currency"], vals["postage_currency"])
    return Columns(vals, assumed, texts)


# --------------------------------------------------------------------------------------------
# 2. validate


def validate_columns(r: Columns, p: Problems, today: _dt.date) -> None:
    """Ranges, whole numbers, codes and dates, as one problem per order."""
    vals = r.vals

    def numbers(a: NDArray, tail: str):
        return lambda m: np.char.add(a[m].astype(str), tail)

    price = vals["price"]
    p.flag(np.isnan(price), "price", "missing; give the amount paid for the item")
    p.flag(price <= 0, "price", numbers(price, " must be greater than zero"))
    uniq, codes = r.texts["reason"]
    p.flag((uniq == "")[codes], "reason", f"missing; one of {reason_help()}")
    for f in FIELDS:
        rng = f.range
        if rng is None or f.name not in vals:
            continue
        a = vals[f.name]
        low, high = rng
        with np.errstate(invalid="ignore"):
            p.flag(np.isinf(a), f.name, numbers(a, f" is not a finite number; give {f.range_text} [{f.unit}]"))
            p.flag((a < low) | (a > high), f.name, numbers(a, f" is out of range; give {f.range_text} [{f.unit}]"))
            if f.kind == "int":
                p.flag(np.isfinite(a) & (a != np.round(a)), f.name, numbers(a, " is not a whole number"))
    checks = (
        ("origin", is_country, "is not an ISO country code (e.g. US, GB, DE, RU)"),
        ("destination", is_country, "is not an ISO country code (e.g. CN)"),
        ("currency", is_currency, "is not an ISO currency code (e.g. USD, EUR, RUB)"),
        ("postage_currency", is_currency, "is not an ISO currency code (e.g. USD)"),
        ("reason", lambda x: x == "" or x in REASONS, f"is not a reason; one of {reason_help()}"),
        ("marketplace", _field("marketplace").choices.__contains__,
         f"is not one of {', '.join(_field('marketplace').choices)}"),
    )
    for name, check, what in checks:
        uniq, codes = r.texts[name]
        ok = np.array([check(x) for x in uniq], dtype=bool)
        if name == "postage_currency":
            ok |= uniq == ""  # empty: the order currency, checked above
        msg = np.array([f"'{x}' {what}" for x in uniq], dtype=object)
        p.flag(~ok[codes], name, lambda m, msg=msg, codes=codes: msg[codes[m]])
    received, purchased = vals["received_on"], vals["purchased_on"]
    p.flag(received > np.datetime64(today, "D"), "received_on",
           lambda m: np.char.add(received[m].astype(str), f" is after today ({today})"))
    p.flag(purchased > received, "purchased_on",
           lambda m: np.char.add(purchased[m].astype(str), " is after the day the item was received"))
