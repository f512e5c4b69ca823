"""How numbers are written for people: money, shares and text tables. One place for each.

Machine outputs (JSON, CSV) carry plain numbers rounded by :func:`round_output`; the texts a
person reads go through :func:`money`, :func:`share` and :func:`table`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["round_output", "money", "share", "table"]


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
