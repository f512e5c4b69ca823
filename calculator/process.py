"""Step 3 of :func:`~calculator.assessment.assess`: the marketplace's process, per order.

:func:`marketplace_process` works out, for each order and its marketplace (design section 4), the
deadlines and the days the money can arrive, whether the dispute window (or a free-return
programme's) is still open, whether the programme applies and why not, whether the marketplace has
a partial-refund procedure, its limit of disputes won in a row, and who pays the return postage.
The rules themselves are data (:mod:`calculator.policy`); the defaults they imply are applied by
the next step, in :mod:`calculator.assessment`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .fx import FxRates
from .i18n import _
from .inputs import field as _field
from .order_columns import Columns, Problems
from .policy import get_marketplace
from .timeline import timeline

__all__ = ["FREE_NOT", "DATES", "Process", "marketplace_process"]

#: Why a requested free return does not apply (Assessment.free_return_why_not).
FREE_NOT = ("", "no_programme", "over_price_cap", "window_passed", "postage_given")

#: The dates of an order's timeline, as output columns.
DATES = ("dispute_deadline", "seller_answer_by", "escalated_refund_latest", "ship_by", "refund_return_earliest",
         "refund_return_latest", "refund_partial_earliest", "refund_partial_latest")
_NAT = np.datetime64("NaT", "D")


@dataclass(slots=True)
class Process:
    """What the marketplace's process says for each of ``n`` orders (arrays of length ``n``)."""

    dates: dict[str, NDArray[np.datetime64]]
    dispute_closed: NDArray[np.bool_]
    free: NDArray[np.bool_]  # the programme applies
    free_why_not: NDArray[np.int8]
    free_win: NDArray[np.float64]  # the programme's chance of a refund (NaN: none)
    partial_procedure: NDArray[np.bool_]
    streak_limit: NDArray[np.int64]
    seller_pays: NDArray[np.float64]  # the marketplace's share for the order's reason
    no_min_resale: NDArray[np.bool_] | None = None  # set with the defaults: the 10 EUR could not be converted


def _markets(coded: tuple[NDArray[np.object_], NDArray[np.intp]]):
    """Each known marketplace among the orders, with the mask of its rows."""
    uniq, codes = coded
    for m in sorted(set(uniq) & set(_field("marketplace").choices)):
        yield m, get_marketplace(m), (uniq == m)[codes]


def marketplace_process(r: Columns, p: Problems, today: _dt.date, rates: FxRates) -> Process:
    """Deadlines, open windows and the marketplace's rules, per order (design section 4)."""
    vals, n = r.vals, len(r.vals["price"])
    now = np.datetime64(today, "D")
    dates = {k: np.full(n, _NAT, dtype="datetime64[D]") for k in DATES}
    out = Process(dates=dates, dispute_closed=np.zeros(n, bool), free=np.zeros(n, bool),
                   free_why_not=np.zeros(n, np.int8), free_win=np.full(n, np.nan),
                   partial_procedure=np.zeros(n, bool), streak_limit=np.zeros(n, np.int64),
                   seller_pays=np.zeros(n))
    r_uniq, r_codes = r.texts["reason"]  # each distinct reason is looked up once
    wanted_given = ~r.assumed["free_return"]
    for m, market, rows in _markets(r.texts["marketplace"]):
        from_purchase = market.dispute_window_from == "purchase"
        if from_purchase:
            p.flag(rows & np.isnat(vals["purchased_on"]), "purchased_on",
                   _("missing; {marketplace} counts its return window from the purchase date (give "
                     "--purchased-on)").format(marketplace=market.name))
        sel = rows & ~(from_purchase & np.isnat(vals["purchased_on"]))
        out.partial_procedure[rows] = market.partial_refund_available is True
        out.streak_limit[rows] = market.wins_in_a_row_risk or 0
        out.seller_pays[rows & np.isin(r_uniq.astype(str), market.seller_pays_postage_for)[r_codes]] = 1.0
        if not sel.any():
            continue

        def line(free: bool, rows_: NDArray[np.bool_]):
            return timeline(market, vals["received_on"][rows_], now,
                            purchased_on=vals["purchased_on"][rows_] if from_purchase else None, free_return=free)

        tl = line(False, sel)
        for k in DATES:
            dates[k][sel] = getattr(tl, k)
        out.dispute_closed[sel] = tl.window_closed

        wanted = sel & np.where(wanted_given, vals["free_return"], market.free_return_by_default)
        if market.free_return_window_days is None:
            p.flag(wanted & wanted_given, "free_return", _("{marketplace} has no free-return programme; leave out "
                                                           "--free-return").format(marketplace=market.name))
            continue
        if not wanted.any():
            continue
        why = np.zeros(n, np.int8)
        if market.free_return_price_cap_usd is not None:
            to_usd = rates.factor(vals["currency"][wanted], "USD")
            over = np.zeros(n, bool)
            over[wanted] = vals["price"][wanted] * to_usd > market.free_return_price_cap_usd
            why[over] = FREE_NOT.index("over_price_cap")
        tf = line(True, wanted)
        passed = np.zeros(n, bool)
        passed[wanted] = tf.window_closed
        why[passed & (why == 0)] = FREE_NOT.index("window_passed")
        given_postage = wanted & np.isfinite(vals["postage"])
        why[given_postage & (why == 0)] = FREE_NOT.index("postage_given")
        applies = wanted & (why == 0)
        out.free_why_not[wanted] = why[wanted]
        out.free[applies] = True
        out.free_win[rows] = np.nan if market.free_return_win_probability is None else market.free_return_win_probability
        idx = np.flatnonzero(wanted)
        hit = applies[idx]
        for k in DATES:
            dates[k][idx[hit]] = getattr(tf, k)[hit]
        # no seller decides a free return: no answer date, no escalation
        dates["seller_answer_by"][applies] = _NAT
        dates["escalated_refund_latest"][applies] = _NAT
    return out
