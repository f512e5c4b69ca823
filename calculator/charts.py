"""Charts of the uncertainty and sensitivity results (matplotlib, imported inside each function).

Every function takes a result object and an optional matplotlib ``ax``, draws on it and returns
it; none calls ``show()`` or ``savefig()``. Without an ``ax`` a new one comes from
``matplotlib.pyplot.subplots()`` so that a notebook draws it inline; the CLI passes an axis of a
bare :class:`matplotlib.figure.Figure` and saves that. Each chart has a title, axis labels with
units and currency, and a legend, so it reads without the command that made it.

The options have the same colour in every chart (Okabe–Ito colour-blind-safe palette). Titles,
axis labels, legends and notes are in the current language (:mod:`calculator.i18n`).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import numpy as np

from . import model as _model
from .formatting import money, number, share, significant
from .i18n import _, get_language, language
from .inputs import field as _field
from .routes import given_text

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from .sensitivity import DecisionMap, SobolIndices, Sweep, Tornado
    from .uncertainty import MonteCarlo

__all__ = [
    "OPTION_COLORS",
    "OPTION_LABELS",
    "recommendations_chart",
    "savings_chart",
    "tornado_chart",
    "sweep_chart",
    "decision_map_chart",
    "monte_carlo_chart",
    "sobol_chart",
]

#: Colour of each option in every chart.
OPTION_COLORS: dict[str, str] = {
    "keep": "#CC79A7",
    "partial_keep": "#0072B2",
    "partial_resell": "#009E73",
    "return": "#D55E00",
}
#: Legend text of each option: what the buyer does (English; drawn as ``_(OPTION_LABELS[o])``).
OPTION_LABELS: dict[str, str] = _model.OPTION_LABELS
_NO_PRICE = "#DDDDDD"
_LOW, _HIGH = "#56B4E9", "#E69F00"


def _ax(ax: Axes | None) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.subplots()[1]
    return ax


def _numbers(ax: Axes, axes: str = "xy") -> None:
    """Tick labels of the numeric axes named in ``axes`` as the current language writes numbers
    (``10 000`` and ``0,25`` in Russian, ``10,000`` and ``0.25`` in English); the language is the
    one the chart is drawn in, whenever matplotlib formats the ticks."""
    from matplotlib.ticker import FuncFormatter

    lang = get_language()

    def tick(value: float, _pos: object) -> str:
        with language(lang):
            return number(value, 2)

    ticks = FuncFormatter(tick)
    for name in axes:
        (ax.xaxis if name == "x" else ax.yaxis).set_major_formatter(ticks)


def _label(option: str) -> str:
    """An option's legend text in the current language."""
    return _(OPTION_LABELS[option]) if option in OPTION_LABELS else option


def _plain(text: str) -> str:
    """``text`` drawn as it is: a dollar sign ("$11.75") does not start matplotlib's mathtext."""
    return text.replace("$", r"\$")


def _title(ax: Axes, title: str, note: str = "") -> None:
    """Title with an optional smaller note below it (what was assumed or varied), wrapped after
    "; " or "," (not inside parentheses) so that it stays inside a 6.4-inch figure."""
    title, note = _plain(title), _plain(note)
    lines: list[str] = []
    for word in re.split(r"(?<=[;,]) (?![^(]*\))", note) if note else []:
        if lines and len(lines[-1]) + 1 + len(word) <= 100:
            lines[-1] += " " + word
        else:
            lines.append(word)
    ax.set_title(title, fontsize=10, pad=6 + 10 * len(lines))
    if note:
        ax.text(0.5, 1.01, "\n".join(lines), transform=ax.transAxes, ha="center", va="bottom", fontsize=7,
                color="0.3")


def _given(given: dict[str, float], currency: str = "") -> str:
    return _("assuming {given}").format(given=given_text(given, currency))


def _words(name: str) -> str:
    """An input in a few words, in the current language."""
    return _field(name).words


def _num(x: float) -> str:
    """Short number for annotations, in the current language: 0.2, 1,450, 18k."""
    if not math.isfinite(x):
        return str(x)
    if abs(x) >= 10_000:
        return _("{thousands}k").format(thousands=significant(x / 1000, 3))
    return significant(x, 4)


def tornado_chart(t: Tornado, ax: Axes | None = None, *, top: int | None = None) -> Axes:
    """Horizontal bars: how far each input, alone at its low or high value, moves the advantage
    of returning over the best alternative. Largest swing on top.

    Parameters
    ----------
    t
        From :func:`calculator.sensitivity.tornado`.
    ax
        Axis to draw on (default: a new one).
    top
        Draw only the ``top`` inputs with the largest swing.

    Returns
    -------
    matplotlib.axes.Axes
        Two bars per input (low value, high value), a line at zero (returning breaks even) and
        one at the estimate.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from calculator.sensitivity import tornado
    >>> from calculator.uncertainty import uncertain_order
    >>> o = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged")
    >>> ax = tornado_chart(tornado(o), Figure().subplots())
    >>> len(ax.patches), ax.get_xlabel()
    (10, 'advantage of returning over the best alternative [RUB]')
    """
    ax = _ax(ax)
    m = len(t.names) if top is None else min(top, len(t.names))
    cur = t.currency
    base = t.base_advantage
    y = np.arange(m)[::-1].astype(float)
    lo, hi = t.advantage_low[:m], t.advantage_high[:m]
    ax.barh(y + 0.2, lo - base, left=base, height=0.38, color=_LOW, label=_("input at its low value"))
    ax.barh(y - 0.2, hi - base, left=base, height=0.38, color=_HIGH, label=_("input at its high value"))
    for i in range(m):
        for yy, adv, val in ((y[i] + 0.2, lo[i], t.low[i]), (y[i] - 0.2, hi[i], t.high[i])):
            right = adv >= base
            ax.annotate(_num(float(val)), (adv, yy), xytext=(3 if right else -3, 0), textcoords="offset points",
                        ha="left" if right else "right", va="center", fontsize=7)
    ax.axvline(0, color="black", lw=1.2, label=_("break-even: returning pays right of this line"))
    ax.axvline(base, color="0.4", lw=1, ls="--", label=_plain(_("this estimate ({amount})").format(amount=money(base, cur))))
    ax.set_yticks(y, [f"{_words(n)}\n{_num(float(t.low[i]))} – {_num(float(t.high[i]))}"
                      for i, n in enumerate(t.names[:m])], fontsize=8)
    ax.set_ylim(-0.8, max(m, 1) - 0.2)
    xs = np.r_[lo, hi, base, 0.0]
    pad = 0.15 * max(float(np.ptp(xs)), 1e-9)
    ax.set_xlim(float(xs.min()) - pad, float(xs.max()) + pad)
    if not m:
        ax.text(0.5, 0.5, _("nothing uncertain: every input was given as a number"), transform=ax.transAxes,
                ha="center", va="center", fontsize=9, color="0.3")
    ax.set_xlabel(_("advantage of returning over the best alternative [{currency}]").format(currency=cur))
    _title(ax, _("What would change the answer: each input alone, low to high"),
           _("the estimate recommends: {option}").format(option=_label(t.base_best)))
    ax.legend(fontsize=7, loc="best")
    ax.tick_params(axis="x", labelsize=8)
    _numbers(ax, "x")
    return ax


def sweep_chart(s: Sweep, ax: Axes | None = None) -> Axes:
    """Lines: the expected value of each option as one input varies, with a dashed vertical line
    at each break-even (where the best option changes) and a dotted one at the estimate's value.

    Parameters
    ----------
    s
        From :func:`calculator.sensitivity.sweep`.
    ax
        Axis to draw on (default: a new one).

    Returns
    -------
    matplotlib.axes.Axes
        One line per option, one dashed line per break-even, one dotted line for the estimate.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from calculator.sensitivity import sweep
    >>> from calculator.uncertainty import uncertain_order
    >>> o = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged")
    >>> ax = sweep_chart(sweep(o, "price"), Figure().subplots())
    >>> ax.get_xlabel(), len(ax.get_legend().get_texts())
    ('item price [RUB]', 6)
    """
    ax = _ax(ax)
    cur = s.currency
    for i, o in enumerate(s.options):
        ax.plot(s.values, s.ev[i], color=OPTION_COLORS[o], lw=2, label=_label(o))
    ax.axhline(0, color="0.6", lw=0.8)
    # break-even labels sit at the bottom of the axes (x in data, y in axes units), clear of the legend
    at_bottom = ax.get_xaxis_transform()
    x0, x1 = float(s.values[0]), float(s.values[-1])
    for k, (x, b, a) in enumerate(zip(s.break_even, s.before, s.after)):
        ax.axvline(x, color="black", ls="--", lw=1, label=_("break-even: the best option changes") if k == 0 else None)
        right_half = (x - x0) > 0.6 * (x1 - x0)  # label on the side with room
        text = _("{value}: {before} → {after}").format(value=_num(float(x)), before=_label(b), after=_label(a))
        ax.text(x, 0.02 + 0.09 * (k % 3), f" {text} ", transform=at_bottom, fontsize=7,
                ha="right" if right_half else "left", va="bottom",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1})
    ax.axvline(s.base_value, color="0.4", ls=":", lw=1.2,
               label=_("this estimate ({amount})").format(amount=_num(s.base_value)))
    ax.set_xlim(float(s.values[0]), float(s.values[-1]))
    ax.set_xlabel(s.label)
    ax.set_ylabel(_("expected value of the option [{currency}]").format(currency=cur))
    _title(ax, _("Expected value of each option as this input varies: {input}").format(input=_words(s.name)),
           _("the other inputs stay at the estimate's values"))
    ax.legend(fontsize=7, loc="best")
    _numbers(ax, "xy")
    return ax


def decision_map_chart(m: DecisionMap, ax: Axes | None = None) -> Axes:
    """Coloured cells: the best option for each item price (x) and parcel weight (y) on one
    route, with the break-even price as a black line (returning pays to its right).

    Parameters
    ----------
    m
        From :func:`calculator.sensitivity.decision_map`.
    ax
        Axis to draw on (default: a new one).

    Returns
    -------
    matplotlib.axes.Axes
        One legend entry per option present on the map (plus "no tracked postage" where some
        weights cannot be posted) and one for the break-even line.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from calculator.sensitivity import decision_map, route_order
    >>> w = np.linspace(50, 2000, 50)
    >>> o = route_order(w, origin="US", currency="USD", reason="damaged")
    >>> ax = decision_map_chart(decision_map(o, np.linspace(5, 500, 50), w), Figure().subplots())
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('item price [USD]', 'parcel weight [g]')
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    ax = _ax(ax)
    colors = [_NO_PRICE] + [OPTION_COLORS[o] for o in m.options]
    cmap = ListedColormap(colors)
    norm = BoundaryNorm(np.arange(-0.5, len(colors) + 0.5), len(colors))
    ax.pcolormesh(m.price, m.weight_g, m.best + 1, cmap=cmap, norm=norm, shading="nearest", rasterized=True)
    bep = np.where(np.isfinite(m.break_even_price), m.break_even_price, np.nan)
    line = ax.plot(bep, m.weight_g, color="black", lw=1.5,
                   label=_("break-even price: returning pays right of this line"))
    present = np.unique(m.best)
    handles = [Patch(facecolor=OPTION_COLORS[o], label=_("best: {option}").format(option=_label(o)))
               for i, o in enumerate(m.options) if i in present]
    if -1 in present:
        handles.append(Patch(facecolor=_NO_PRICE, label=_("no postal offer takes this weight")))
    ax.set_xlim(float(m.price[0]), float(m.price[-1]))
    ax.set_ylim(float(m.weight_g[0]), float(m.weight_g[-1]))
    ax.set_xlabel(_("item price [{currency}]").format(currency=m.currency))
    ax.set_ylabel(_("parcel weight [g]"))
    if len(m.offer) and str(m.offer[0]) == "postage as given":
        note = _("{assuming}; postage: as given, for every weight")
    else:
        note = _("{assuming}; postage: the cheapest tracked offer (untracked where none)")
    _title(ax, _("Best option by item price and parcel weight, return posted {origin} → {destination}").format(
        origin=m.origin, destination=m.destination), note.format(assuming=_given(m.given, m.currency)))
    ax.legend(handles=handles + line, fontsize=7, loc="best", framealpha=0.9)
    _numbers(ax, "xy")
    return ax


def monte_carlo_chart(mc: MonteCarlo, ax: Axes | None = None, *, bins: int = 60) -> Axes:
    """Histograms of each option's expected value over the Monte Carlo draws, with the share of
    draws in which the option is best in the legend.

    Parameters
    ----------
    mc
        From :func:`calculator.uncertainty.monte_carlo`.
    ax
        Axis to draw on (default: a new one).
    bins
        Number of histogram bins (shared by all options). [1]

    Returns
    -------
    matplotlib.axes.Axes
        One histogram per option and a line at zero.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from calculator.uncertainty import monte_carlo, uncertain_order
    >>> o = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged")
    >>> ax = monte_carlo_chart(monte_carlo(o, draws=1000, seed=1), Figure().subplots())
    >>> ax.get_legend().get_texts()[0].get_text()
    'return it (dispute + post back): best in 100% of draws'
    """
    ax = _ax(ax)
    ev = mc.ev
    ok = np.isfinite(ev)  # per option: an option closed in a draw (NaN) has no value there
    n = ev.shape[1]
    lo, hi = (float(ev[ok].min()), float(ev[ok].max())) if ok.any() else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    edges = np.linspace(lo, hi, bins + 1)
    order = np.argsort(-mc.p_best, kind="stable")
    for i in order:
        o = mc.options[i]
        x = ev[i, ok[i]]
        w = np.full(x.size, 100.0 / max(n, 1))  # share of all draws
        label = _("{option}: best in {share} of draws").format(option=_label(o), share=share(round(mc.p_best[i], 2)))
        ax.hist(x, bins=edges, weights=w, histtype="stepfilled", alpha=0.3, color=OPTION_COLORS[o])
        ax.hist(x, bins=edges, weights=w, histtype="step", lw=1.5, color=OPTION_COLORS[o], label=label)
    ax.axvline(0, color="black", lw=1, label=_("zero (returning loses money in {share} of draws)").format(
        share=share(round(mc.p_return_loses, 2))))
    ax.set_ylim(0, ax.get_ylim()[1] * 1.6)  # headroom: the legend sits above the histograms
    ax.set_xlabel(_("expected value of the option [{currency}]").format(currency=mc.currency))
    ax.set_ylabel(_("share of draws [%]"))
    varied = "; ".join(f"{_words(k)} {d}" for k, d in mc.distributions.items()) or _("nothing")
    _title(ax, _("How sure is the answer? Expected values over {draws} Monte Carlo draws").format(
        draws=number(mc.draws, 0)), _("varied: {inputs}").format(inputs=varied))
    ax.legend(fontsize=7, loc="upper left")
    _numbers(ax, "xy")
    return ax


def sobol_chart(s: SobolIndices, ax: Axes | None = None) -> Axes:
    """Paired bars per uncertain input: the share of the variance of the return advantage it
    explains alone (first order) and together with its interactions (total).

    Parameters
    ----------
    s
        From :func:`calculator.sensitivity.sobol`.
    ax
        Axis to draw on (default: a new one).

    Returns
    -------
    matplotlib.axes.Axes
        Two bars per input.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from calculator.sensitivity import sobol
    >>> from calculator.uncertainty import uncertain_order
    >>> o = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged")
    >>> ax = sobol_chart(sobol(o, n=256, seed=0), Figure().subplots())
    >>> len(ax.patches), [t.get_text() for t in ax.get_yticklabels()][0]
    (10, 'partial refund')
    """
    ax = _ax(ax)
    d = len(s.names)
    y = np.arange(d)[::-1].astype(float)
    ax.barh(y + 0.2, s.first_order, height=0.38, color="#0072B2", label=_("first order: the input alone"))
    ax.barh(y - 0.2, s.total_order, height=0.38, color="#E69F00", label=_("total: with its interactions"))
    ax.set_yticks(y, [_words(n) for n in s.names], fontsize=8)
    ax.set_xlim(min(0.0, float(np.min(s.first_order, initial=0.0))), max(1.0, float(np.max(s.total_order, initial=0.0))))
    if not d:
        ax.text(0.5, 0.5, _("nothing uncertain: every input was given as a number"), transform=ax.transAxes,
                ha="center", va="center", fontsize=9, color="0.3")
    ax.set_xlabel(_("share of the variance of the return advantage [0–1]"))
    _title(ax, _("Which uncertain input matters most (Sobol indices)"),
           _("variance of the return advantage (standard deviation {amount}) explained by each input; {draws} "
             "samples").format(amount=money(s.std, s.currency), draws=number(s.n, 0)))
    ax.legend(fontsize=7, loc="lower right")
    _numbers(ax, "x")
    return ax


# --------------------------------------------------------------------------------------------
# batch summaries


def recommendations_chart(summary, ax: Axes | None = None) -> Axes:
    """Stacked bars: how many evaluated orders from each origin country get each recommendation.

    Parameters
    ----------
    summary
        A :class:`calculator.batch.BatchSummary`.
    ax
        Axis to draw on (default: a new figure).

    Examples
    --------
    >>> from calculator.batch import BatchSummary
    >>> from matplotlib.figure import Figure
    >>> s = BatchSummary(rows=3, groups={("US", "USD", "return"): (2, 10.0, 10.0, 4.0),
    ...                                  ("DE", "EUR", "keep"): (1, 3.0, -1.0, 2.0)})
    >>> ax = recommendations_chart(s, Figure().subplots())
    >>> [t.get_text() for t in ax.get_xticklabels()], len(ax.patches)
    (['DE', 'US'], 8)
    """
    ax = _ax(ax)
    by = summary.totals()["by_origin"]
    origins = sorted(by)
    x = np.arange(len(origins))
    bottom = np.zeros(len(origins))
    for opt in ("return", "partial_resell", "partial_keep", "keep"):
        counts = np.array([by[o]["recommendations"].get(opt, 0) for o in origins], dtype=float)
        ax.bar(x, counts, bottom=bottom, label=_label(opt), color=OPTION_COLORS[opt])
        bottom += counts
    ax.set_xticks(x, origins)
    ax.set_xlabel(_("origin country (where the return is posted)"))
    ax.set_ylabel(_("orders evaluated"))
    _title(ax, _("Recommendation by origin ({orders} orders)").format(orders=number(summary.evaluated, 0)))
    ax.set_ylim(0, max(float(bottom.max()) if len(bottom) else 1.0, 1.0) * 1.35)
    ax.legend(title=_("recommendation"), fontsize=7, title_fontsize=7, ncols=2, loc="upper left")
    _numbers(ax, "y")
    return ax


def savings_chart(summary, ax: Axes | None = None, *, fx=None) -> Axes:
    """Bars: expected money the recommendations save against "always return" and "always accept
    the partial refund", per origin country, in EUR at the reference rates. [EUR]

    Origins whose currency has no EUR rate (pass one with ``fx``) get no bar and are named in
    the axis label.

    Examples
    --------
    >>> from calculator.batch import BatchSummary
    >>> from matplotlib.figure import Figure
    >>> s = BatchSummary(rows=1, groups={("DE", "EUR", "keep"): (1, 3.0, -1.0, 2.0)})
    >>> ax = savings_chart(s, Figure().subplots())
    >>> [round(float(p.get_height()), 2) for p in ax.patches]
    [4.0, 1.0]
    """
    ax = _ax(ax)
    by = summary.totals(fx)["by_origin"]
    origins = sorted(by)
    x = np.arange(len(origins))
    w = 0.4
    ret = [by[o]["saving_vs_always_return_eur"] for o in origins]
    part = [by[o]["saving_vs_always_partial_refund_eur"] for o in origins]
    ax.bar(x - w / 2, ret, w, label=_('vs. "always return"'), color=OPTION_COLORS["return"])
    ax.bar(x + w / 2, part, w, label=_('vs. "always accept the partial refund"'), color=OPTION_COLORS["partial_keep"])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, origins)
    missing = [o for o in origins if by[o]["orders_without_eur_rate"]]
    if missing:
        ax.set_xlabel(_("origin country (no EUR rate: {countries})").format(countries=", ".join(missing)))
    else:
        ax.set_xlabel(_("origin country"))
    ax.set_ylabel(_("expected saving of the recommendations [EUR]"))
    _title(ax, _("What following the recommendations saves, by origin"))
    ax.legend(fontsize=7)
    _numbers(ax, "y")
    return ax
