"""Charts of a batch summary: recommendation counts and savings by origin country.

Each function takes a :class:`calculator.batch.BatchSummary` and an optional matplotlib ``ax``,
draws, and returns the ``ax``; nothing is shown or saved here (``returncost batch --chart`` draws
on a bare :class:`matplotlib.figure.Figure` and saves it). matplotlib is imported only when a
chart is drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["recommendations_chart", "savings_chart"]

_OPTIONS = ("return", "partial_keep", "partial_resell", "keep")
_COLOURS = {"return": "#4C72B0", "partial_keep": "#55A868", "partial_resell": "#C4AD66", "keep": "#8C8C8C"}


def _axes(ax):
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(6, 4)).subplots()
    return ax


def recommendations_chart(summary, ax=None):
    """Stacked bars: how many evaluated orders from each origin country get each recommendation.

    Examples
    --------
    >>> from calculator.batch import BatchSummary
    >>> s = BatchSummary(rows=3, groups={("US", "USD", "return"): (2, 10.0, 10.0, 4.0),
    ...                                  ("DE", "EUR", "keep"): (1, 3.0, -1.0, 2.0)})
    >>> ax = recommendations_chart(s)
    >>> [t.get_text() for t in ax.get_xticklabels()], len(ax.patches)
    (['DE', 'US'], 8)
    """
    ax = _axes(ax)
    by = summary.totals()["by_origin"]
    origins = sorted(by)
    x = np.arange(len(origins))
    bottom = np.zeros(len(origins))
    for opt in _OPTIONS:
        counts = np.array([by[o]["recommendations"].get(opt, 0) for o in origins], dtype=float)
        ax.bar(x, counts, bottom=bottom, label=opt, color=_COLOURS[opt])
        bottom += counts
    ax.set_xticks(x, origins)
    ax.set_xlabel("origin country (where the return is posted)")
    ax.set_ylabel("orders evaluated")
    ax.set_title(f"Recommendation by origin ({summary.evaluated:,} orders)")
    ax.margins(y=0.2)
    ax.legend(title="recommendation", fontsize="small", ncols=2, loc="upper left")
    return ax


def savings_chart(summary, fx: Any = None, ax=None):
    """Bars: expected money the recommendations save against "always return" and "always accept
    the partial refund", per origin country, in EUR at the reference rates. [EUR]

    Origins whose currency has no EUR rate (pass one with ``--fx``) get no bar and are named in
    the axis label.

    Examples
    --------
    >>> from calculator.batch import BatchSummary
    >>> s = BatchSummary(rows=1, groups={("DE", "EUR", "keep"): (1, 3.0, -1.0, 2.0)})
    >>> ax = savings_chart(s)
    >>> [round(float(p.get_height()), 2) for p in ax.patches]
    [4.0, 1.0]
    """
    ax = _axes(ax)
    by = summary.totals(fx)["by_origin"]
    origins = sorted(by)
    x = np.arange(len(origins))
    w = 0.4
    ret = [by[o]["saving_vs_always_return_eur"] for o in origins]
    part = [by[o]["saving_vs_always_partial_refund_eur"] for o in origins]
    ax.bar(x - w / 2, ret, w, label='vs. "always return"', color="#4C72B0")
    ax.bar(x + w / 2, part, w, label='vs. "always accept the partial refund"', color="#55A868")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, origins)
    missing = [o for o in origins if by[o]["orders_without_eur_rate"]]
    note = f" (no EUR rate: {', '.join(missing)})" if missing else ""
    ax.set_xlabel("origin country" + note)
    ax.set_ylabel("expected saving of the recommendations [EUR]")
    ax.set_title("Saving by origin")
    ax.legend(fontsize="small")
    return ax
