"""How numbers are written for people: money, shares, weights, sizes and text tables. One place
for each.

Machine outputs (JSON, CSV) carry plain numbers rounded by :func:`round_output`; the texts a
person reads go through :func:`money`, :func:`share`, :func:`weight`, :func:`length`,
:func:`sides` and :func:`table`, and rows shown in a notebook through :func:`html_table`.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .i18n import _, babel_locale

__all__ = ["round_output", "money", "amount", "share", "day", "number", "decimal_mark", "significant", "weight",
           "length", "sides", "table", "html_table"]


def round_output(v: ArrayLike, digits: int) -> NDArray[np.float64]:
    """Money to cents (``digits=2``) or fractions to 4 decimals, for output.

    Commercial rounding: half a cent goes away from zero. The float of an amount such as
    24.5 × 0.65 = 15.925 may sit a few units in the last place below the half cent, so values
    within a relative 1e-14 of it count as the half: 15.925 is written 15.93. One rule serves the
    batch's columns, a single estimate's JSON and the postage converted to the order currency, so
    they agree to the cent. ``-0.0`` becomes ``0.0``.

    Examples
    --------
    >>> round_output([15.925, -0.125, 2.675, 0.004999], 2).tolist()
    [15.93, -0.13, 2.68, 0.0]
    """
    x = np.asarray(v, dtype=np.float64)
    flat = x.reshape(-1)
    scale = 10.0**digits
    # r = copysign(floor(s + 0.5 + s·1e-14), x) / scale with s = |x|·scale, in two arrays written in place
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.abs(flat)
        s *= scale
        r = s + 0.5
        r += s * 1e-14
        np.floor(r, out=r)
        np.copysign(r, flat, out=r)
        r /= scale
        # from 2**52 up, a scaled float has no fraction left to round (and scaling could overflow)
        np.copyto(r, flat, where=~(s < 2.0**52))
    r += 0.0
    return r.reshape(x.shape) if x.ndim else r[0]


def money(x: float, currency: str) -> str:
    """An amount with its currency, as the current language writes it (Babel, CLDR): to the
    currency's minor unit (none for JPY, KRW), rounded half a unit away from zero.

    Examples
    --------
    >>> from calculator.i18n import language
    >>> money(13670, "RUB"), money(12.99, "USD"), money(1800, "JPY"), money(-0.004, "EUR")
    ('RUB\xa013,670.00', '$12.99', '¥1,800', '€0.00')
    >>> with language("ru"):
    ...     money(13670, "RUB"), money(1800, "JPY")
    ('13\xa0670,00\xa0₽', '1\xa0800\xa0¥')
    >>> money(float("nan"), "USD")
    '?'
    """
    from babel.numbers import format_currency, get_currency_precision

    if math.isnan(x):
        return "?"
    if math.isinf(x):
        return _("no limit") if x > 0 else _("no amount")
    digits = get_currency_precision(currency)
    text = format_currency(float(round_output(x, digits)), currency, locale=babel_locale(),
                           currency_digits=True)
    # CLDR separates a currency code written as letters from the digits ("RUB 13,670.00"); Babel does not
    return re.sub(r"^(-?)([A-Z]{3})(?=[\d-])", "\\1\\2\u00a0", text)


def share(x: float, *, fixed: bool = False) -> str:
    """A fraction as a percentage, as the current language writes it: ``84%`` (``84 %`` in
    Russian), to one decimal where there is one (``fixed``: always one, as in a column of shares).

    Examples
    --------
    >>> share(0.84), share(0.125), share(0.0, fixed=True)
    ('84%', '12.5%', '0.0%')
    >>> from calculator.i18n import language
    >>> with language("ru"):
    ...     share(0.84), share(0.125)
    ('84\xa0%', '12,5\xa0%')
    """
    from babel import Locale
    from babel.numbers import format_percent

    # the language's own pattern ("#,##0%", "#,##0 %") with one decimal where there is one
    pattern = Locale.parse(babel_locale()).percent_formats[None].pattern.split(";")[0]
    at = pattern.rfind("0")
    return format_percent(round(float(x), 3), format=pattern[: at + 1] + (".0" if fixed else ".#") + pattern[at + 1 :],
                          locale=babel_locale())


def day(d: _dt.date | np.datetime64 | str | None) -> str:
    """A date as the current language writes it in a sentence: ``5 Dec 2026``, ``5 декабря 2026 г.``
    (machine outputs keep ISO dates); ``?`` for none.

    Examples
    --------
    >>> from calculator.i18n import language
    >>> day("2026-12-05")
    '5 Dec 2026'
    >>> with language("ru"):
    ...     day("2026-12-05")
    '5 декабря 2026\u202fг.'
    """
    from babel.dates import format_date

    if d is None or (isinstance(d, np.datetime64) and np.isnat(d)):
        return "?"
    if not isinstance(d, _dt.date):
        d = _dt.date.fromisoformat(str(np.datetime64(d, "D")))
    pattern = "d MMM y" if babel_locale() == "en" else "long"
    return format_date(d, pattern, locale=babel_locale())


def number(x: float, digits: int = 2) -> str:
    """A plain number as the current language writes it (grouping, decimal mark).

    Examples
    --------
    >>> number(1234.5, 1)
    '1,234.5'
    """
    from babel.numbers import format_decimal

    return format_decimal(round(float(x), digits), format=f"#,##0.{'#' * digits}" if digits else "#,##0",
                          locale=babel_locale())


def decimal_mark() -> str:
    """The decimal mark of the current language (CLDR): ``.`` in English, ``,`` in Russian.

    Examples
    --------
    >>> from calculator.i18n import language
    >>> with language("ru"):
    ...     decimal_mark()
    ','
    """
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(babel_locale())


def table(rows: Sequence[Sequence[object]], *, right: Sequence[int] = (), indent: str = "") -> list[str]:
    """Rows of cells as aligned text lines; columns in ``right`` are right-aligned.

    Examples
    --------
    >>> table([["a", "1"], ["bbb", "22"]], right=[1])
    ['a     1', 'bbb  22']
    """
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells if i < len(r)) for i in range(max(map(len, cells), default=0))]
    out = []
    for r in cells:
        parts = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r)]
        out.append((indent + "  ".join(parts)).rstrip())
    return out


def html_table(rows: Sequence[Mapping[str, object]], caption: str, headers: Mapping[str, str] | None = None) -> str:
    """Rows (dicts with the same keys) as a compact HTML table for notebooks; floats to 4
    significant digits, as the current language writes them. ``headers`` gives the words shown
    for keys (the key itself where it has none).

    Examples
    --------
    >>> html_table([{"weight": 250.0, "offer": "a & b"}], "Bands")
    '<table><caption>Bands</caption><tr><th>weight</th><th>offer</th></tr><tr><td>250</td><td>a &amp; b</td></tr></table>'
    >>> html_table([{"weight": 12345.6}], "Bands", {"weight": "weight [g]"})
    '<table><caption>Bands</caption><tr><th>weight [g]</th></tr><tr><td>12,346</td></tr></table>'
    >>> html_table([], "Bands")
    '<p>Bands: nothing to show</p>'
    """
    if not rows:
        return "<p>" + html.escape(_("{caption}: nothing to show").format(caption=caption)) + "</p>"
    words = headers or {}

    def cell(v: object) -> str:
        if isinstance(v, float):
            return "" if math.isnan(v) else html.escape(significant(v))
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(words.get(k, k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<table><caption>{html.escape(caption)}</caption><tr>{head}</tr>{body}</table>"


def significant(x: float, digits: int = 4) -> str:
    """``x`` to ``digits`` significant digits (whole numbers kept whole), as the current language
    writes it: 2,900, 18.13, 0.1234; ``?`` for NaN, ``∞`` for infinity.

    Examples
    --------
    >>> significant(2900.0), significant(18.1349), significant(0.123456), significant(92.09381, 6)
    ('2,900', '18.13', '0.1235', '92.0938')
    """
    if math.isnan(x):
        return "?"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return number(0.0, 0)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return number(x, decimals)


# --------------------------------------------------------------------------------------------
# weights and sizes

_GRAMS_PER_LB = 453.59237
_GRAMS_PER_OZ = _GRAMS_PER_LB / 16
_CM_PER_IN = 2.54


def _unit(x: float, unit: str, digits: int) -> str:
    """``x`` with a CLDR unit (``mass-kilogram``), as the current language writes it."""
    from babel.units import format_unit

    pattern = f"#,##0.{'#' * digits}" if digits else "#,##0"
    return format_unit(round(float(x), digits), unit, length="short", format=pattern, locale=babel_locale())


def _imperial(values: Sequence[float], per: float, parts: int) -> list[float] | None:
    """``values`` in an imperial unit (``per`` base units each) when every one of them is a whole
    number of 1/``parts`` of it: a limit the carrier wrote in pounds, ounces or inches."""
    out = []
    for v in values:
        x = v / per * parts
        k = round(x)
        if k <= 0 or abs(x - k) > 1e-6 * x or abs(v - round(v)) < 1e-6:  # a whole metric value stays metric
            return None
        out.append(k / parts)
    return out


def weight(grams: float) -> str:
    """A weight as the current language writes it: grams below 1 kg, kilograms from 1 kg.

    To the gram (``1.999 kg``, ``450 g``); a limit the carrier wrote as a whole number of pounds or
    ounces is rounded sensibly (0.01 kg below 10 kg, 0.1 kg above, whole grams) and followed by
    the carrier's own figure: ``1.81 kg (4 lb)``, not ``1.81437 kg``.

    Examples
    --------
    >>> weight(2000), weight(450), weight(1999), weight(4 * 453.59237), weight(8 * 28.349523125)
    ('2 kg', '450 g', '1.999 kg', '1.81 kg (4 lb)', '227 g (8 oz)')
    >>> from calculator.i18n import language
    >>> with language("ru"):
    ...     weight(1500), weight(450)
    ('1,5 кг', '450 г')
    """
    if math.isnan(grams):
        return "?"
    if math.isinf(grams):
        return _("no limit")
    lb = _imperial([grams], _GRAMS_PER_LB, 1)
    oz = None if lb else _imperial([grams], _GRAMS_PER_OZ, 1)
    if grams >= 1000:
        text = _unit(grams / 1000, "mass-kilogram", (2 if grams < 10_000 else 1) if lb or oz else 3)
    else:
        text = _unit(grams, "mass-gram", 0 if lb or oz or abs(grams - round(grams)) < 0.05 else 1)
    if lb or oz:
        return _("{metric} ({imperial})").format(
            metric=text, imperial=_unit(lb[0], "mass-pound", 0) if lb else _unit(oz[0], "mass-ounce", 0))
    return text


def length(cm: float) -> str:
    """A length in centimetres to 0.1 cm, as the current language writes it, with the carrier's
    inches after it when the length is a whole number of eighths of an inch (``61 cm (24 in)``).

    Examples
    --------
    >>> length(60), length(60.96), length(21.9075), length(10.16 / 3)
    ('60 cm', '61 cm (24 in)', '21.9 cm (8.625 in)', '3.4 cm')
    """
    return sides([cm])


def sides(cm: Sequence[float]) -> str:
    """The sides of a box or an envelope (``60 × 40 × 30 cm``), as :func:`length` writes one.

    Examples
    --------
    >>> sides([60, 40, 30]), sides([24.13, 15.875])
    ('60 × 40 × 30 cm', '24.1 × 15.9 cm (9.5 × 6.25 in)')
    """
    if not len(cm) or any(math.isnan(x) for x in cm):
        return "?"
    metric = " × ".join([number(x, 1) for x in cm[:-1]] + [_unit(cm[-1], "length-centimeter", 1)])
    inches = _imperial(list(cm), _CM_PER_IN, 8)
    if inches is None:
        return metric
    imperial = " × ".join([number(x, 3) for x in inches[:-1]] + [_unit(inches[-1], "length-inch", 3)])
    return _("{metric} ({imperial})").format(metric=metric, imperial=imperial)


def amount(x: float, currency: str) -> str:
    """An amount without its currency (a table whose heading names it), to the currency's minor
    unit, as the current language writes it.

    Examples
    --------
    >>> amount(1450, "RUB"), amount(1800, "JPY"), amount(float("nan"), "USD")
    ('1,450.00', '1,800', '—')
    """
    from babel.numbers import format_decimal, get_currency_precision

    if math.isnan(x):
        return "—"
    digits = get_currency_precision(currency)
    pattern = f"#,##0.{'0' * digits}" if digits else "#,##0"
    return format_decimal(float(round_output(x, digits)), format=pattern, locale=babel_locale())
