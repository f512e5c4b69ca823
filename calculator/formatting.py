"""How numbers are written for people: money, shares and text tables. One place for each.

Machine outputs (JSON, CSV) carry plain numbers rounded by :func:`round_output`; the texts a
person reads go through :func:`money`, :func:`share` and :func:`table`, and rows shown in a
notebook through :func:`html_table`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["round_output", "money", "share", "table", "html_table"]


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
    scale = 10.0**digits
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.abs(x) * scale
        r = np.copysign(np.floor(s + 0.5 + s * 1e-14), x) / scale
    # from 2**52 up, a scaled float has no fraction left to round (and scaling could overflow)
    return np.where(s < 2.0**52, r, x) + 0.0


def money(x: float, currency: str) -> str:
    """An amount with its currency, rounded to cents: ``13,670.00 RUB``.

    Examples
    --------
    >>> money(13670, "RUB"), money(float("nan"), "USD"), money(-0.004, "EUR")
    ('13,670.00 RUB', '?', '0.00 EUR')
    """
    if math.isnan(x):
        return "?"
    if math.isinf(x):
        return "no limit" if x > 0 else "no amount"
    return f"{float(round_output(x, 2)):,.2f} {currency}"


def share(x: float) -> str:
    """A fraction as a whole percentage: ``84 %``.

    Examples
    --------
    >>> share(0.84), share(0.125)
    ('84 %', '12.5 %')
    """
    pct = round(100 * x, 1)
    return f"{pct:g} %"


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


def html_table(rows: Sequence[Mapping[str, object]], caption: str) -> str:
    """Rows (dicts with the same keys) as a compact HTML table for notebooks; floats to 4
    significant digits.

    Examples
    --------
    >>> html_table([{"weight": 250.0, "offer": "a & b"}], "Bands")
    '<table><caption>Bands</caption><tr><th>weight</th><th>offer</th></tr><tr><td>250</td><td>a &amp; b</td></tr></table>'
    >>> html_table([], "Bands")
    '<p>Bands: nothing to show</p>'
    """
    if not rows:
        return f"<p>{html.escape(caption)}: nothing to show</p>"

    def cell(v: object) -> str:
        return f"{v:,.4g}" if isinstance(v, float) else html.escape(str(v))

    head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<table><caption>{html.escape(caption)}</caption><tr>{head}</tr>{body}</table>"
