"""The timeline of a return or a partial refund.

:func:`timeline` turns a marketplace's rules (:class:`calculator.policy.Marketplace`) and the day
the item was received into deadlines and the range of days on which the money can arrive, for
arrays of orders at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InputError
from .i18n import _, ngettext
from .policy import Marketplace
from .units import message, read_date

__all__ = ["Timeline", "timeline"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Timeline:
    """Deadlines and money-arrival dates of one dispute, per order (datetime64[D] arrays).

    All arrays have the broadcast shape of the inputs (0-d for scalar inputs); NaT where an input
    date is NaT or the marketplace has no figure for a step (``window_closed`` is False there).

    Attributes
    ----------
    opened_on
        Assumed day the dispute or return is opened: the later of today and the day received.
    dispute_deadline
        Last day to open a dispute (or a free return).
    seller_answer_by
        Last day of the seller's answer period; if the seller has refused or not answered by
        then, the buyer escalates to the marketplace that day.
    escalated_refund_latest
        Latest day an escalated dispute is expected to end (NaT where the marketplace states no
        figure; AliExpress: 45 days or more, starting guide).
    ship_by
        Latest day to post the return if the seller answers on the last day.
    refund_return_earliest, refund_return_latest
        Range of days the full refund of a return arrives.
    refund_partial_earliest, refund_partial_latest
        Range of days an agreed partial refund arrives.
    window_closed
        True where today is after ``dispute_deadline``.
    """

    opened_on: NDArray[np.datetime64]
    dispute_deadline: NDArray[np.datetime64]
    seller_answer_by: NDArray[np.datetime64]
    escalated_refund_latest: NDArray[np.datetime64]
    ship_by: NDArray[np.datetime64]
    refund_return_earliest: NDArray[np.datetime64]
    refund_return_latest: NDArray[np.datetime64]
    refund_partial_earliest: NDArray[np.datetime64]
    refund_partial_latest: NDArray[np.datetime64]
    window_closed: NDArray[np.bool_]


_NAT = np.datetime64("NaT", "D")


def _dates(value: ArrayLike, name: str) -> NDArray[np.datetime64]:
    """``value`` as datetime64[D]; text (and ``datetime.date`` objects) read by the one input
    grammar, :func:`calculator.units.read_date` (``26.11.2026`` as a cell or a flag is read)."""
    a = np.asarray(value)
    if a.dtype.kind not in "UO":
        try:
            return a.astype("datetime64[D]")
        except (TypeError, ValueError):
            raise InputError(message("not_a_date", name=name, value=value)) from None
    days = []
    for x in a.ravel().tolist():
        day, problem = read_date(x, name=name)
        if problem:
            raise InputError(problem)
        days.append(_NAT if day is None else np.datetime64(day, "D"))
    return np.array(days, dtype="datetime64[D]").reshape(a.shape)


def _after(dates: NDArray[np.datetime64], days: int | None, business: bool = False
           ) -> NDArray[np.datetime64]:
    """The day ``days`` days after each date; business days are the n-th Monday-to-Friday after.

    ``roll="backward"`` first moves a weekend date to the Friday before, so 3 business days after
    a Saturday is the Wednesday, as after the Friday. Public holidays are not known.
    """
    if days is None:
        return np.full(dates.shape, _NAT)
    if business and days:
        return _busday_offset(dates, days)
    return dates + np.timedelta64(days, "D")


def _busday_offset(dates: NDArray[np.datetime64], days: int) -> NDArray[np.datetime64]:
    """``np.busday_offset(dates, days, roll="backward")``; for many dates that span few days (a
    batch chunk) and are all known, looked up in a table made once per day of the span."""
    dates = np.asarray(dates)
    if dates.size > 256 and dates.dtype == "M8[D]" and not np.isnat(first := dates.min()):  # NaT if any is
        at = (dates - first).astype("timedelta64[D]").astype(np.int64)
        if (span := int(at.max())) <= dates.size // 4:
            return np.busday_offset(first + np.arange(span + 1), days, roll="backward")[at]
    return np.asarray(np.busday_offset(dates, days, roll="backward"))


def timeline(
    market: Marketplace,
    received_on: ArrayLike,
    today: ArrayLike,
    *,
    purchased_on: ArrayLike | None = None,
    free_return: bool = False,
) -> Timeline:
    """Deadlines and money-arrival dates for orders on one marketplace.

    Parameters
    ----------
    market
        The marketplace's rules (:func:`calculator.policy.get_marketplace`).
    received_on
        Day the buyer received the item; a date, ``YYYY-MM-DD`` text or array. [date]
    today
        Day of the estimate (the dispute is assumed opened then, or on receipt if later);
        broadcasts against ``received_on``. [date]
    purchased_on
        Day of purchase; required for a marketplace whose window counts from the purchase
        (Temu), ignored otherwise. [date]
    free_return
        Use the free-return programme's window instead of the dispute window.

    Returns
    -------
    Timeline
        datetime64[D] arrays (0-d for scalar inputs) and the boolean ``window_closed``.

    Raises
    ------
    InputError
        A date that cannot be read; ``purchased_on`` missing for a window counted from purchase,
        or later than ``received_on``; ``free_return`` on a marketplace without the programme.

    Notes
    -----
    The dates are estimates from the limits the marketplace states (see the sources on
    ``market.sources``); real disputes often end sooner, and a seller who disputes the facts or
    an escalation can take longer (AliExpress: up to ``escalated_refund_days_max`` = 45 days or
    more, starting guidance). Write ``d + n`` for the n-th calendar day after d, and
    ``d +b n`` for the n-th Monday-to-Friday after d (the figure's unit in the YAML decides which;
    public holidays are not skipped). With the profile's figures:

    - ``opened = max(today, received_on)``.
    - ``dispute_deadline = start + dispute_window_days``, where start is ``received_on`` or, for
      a window counted from purchase, ``purchased_on`` (AliExpress 15 days after receipt, eBay
      30 after delivery, Temu 90 after purchase; policies.md A1-A3). With ``free_return`` the
      window is ``free_return_window_days`` (AliExpress 15, Temu 90).
    - ``window_closed = today > dispute_deadline``: the dates below are still computed, as if
      the dispute were opened today.
    - ``seller_answer_by = opened + seller_response_days`` (AliExpress 5, eBay 3 business,
      Temu 0: no seller step).
    - ``escalated_refund_latest = seller_answer_by + escalated_refund_days_max``: a seller who
      refuses or stays silent is escalated on ``seller_answer_by``; an escalated dispute can take
      this long or more (AliExpress 45 days, starting guide).
    - ``ship_by = seller_answer_by + ship_by_days`` (AliExpress 10, eBay 5 business, Temu 14):
      the latest day to post the return if the seller answers on the last day.
    - ``refund_return_earliest = (opened + transit_min) +b refund_days_min``: the seller accepts
      at once, the buyer posts the same day, the parcel takes the shortest transit (Kazpost to
      China 10 days, low confidence) and the refund arrives as fast as stated. With
      ``free_return`` the parcel goes to a local warehouse, for which no transit figure exists,
      so the transit term is dropped (0).
    - ``refund_return_latest = (ship_by + auto_refund_days) +b refund_days_max``: the buyer
      posts on the last day, the seller never confirms, the refund is automatic (AliExpress 30
      days after dispatch, unverified). For a marketplace without an auto-refund rule (Temu,
      eBay): ``((ship_by + transit_max) + refund_processing_days) +b refund_days_max`` (transit
      17 days; Temu processes within 7 days, eBay sellers refund within 2 business days).
    - ``refund_partial_earliest = opened +b refund_days_min``: the seller agrees the same day.
    - ``refund_partial_latest = seller_answer_by +b refund_days_max``: the seller agrees on the
      last day, or stays silent and the buyer's amount is executed (AliExpress rule).

    Refund days are business days on all three profiles (AliExpress 3-20, Temu 5-14, eBay 3-5).
    To see the older AliExpress guidance, pass
    ``dataclasses.replace(market, seller_response_days=market.seller_response_days_older)``.

    Examples
    --------
    Received Monday 2025-12-01, estimated on Friday 2025-12-05 (AliExpress: 15-day window, seller
    answers within 5 days, return posted within 10, refund 3-20 business days):

    >>> from calculator.policy import get_marketplace
    >>> ae = get_marketplace("aliexpress")
    >>> t = timeline(ae, "2025-12-01", "2025-12-05")
    >>> str(t.dispute_deadline), str(t.seller_answer_by), str(t.ship_by), bool(t.window_closed)
    ('2025-12-16', '2025-12-10', '2025-12-20', False)
    >>> str(t.refund_return_earliest), str(t.refund_return_latest)
    ('2025-12-18', '2026-02-16')
    >>> str(t.refund_partial_earliest), str(t.refund_partial_latest)
    ('2025-12-10', '2026-01-07')

    The same with arrays (the second order is past its deadline):

    >>> t = timeline(ae, ["2025-12-01", "2025-11-01"], "2025-12-05")
    >>> t.dispute_deadline
    array(['2025-12-16', '2025-11-16'], dtype='datetime64[D]')
    >>> t.window_closed
    array([False,  True])
    """
    received = _dates(received_on, "received_on")
    now = _dates(today, "today")
    if market.dispute_window_from == "purchase":
        if purchased_on is None:
            raise InputError(_("purchased_on: {marketplace}'s return window counts from the purchase date; pass the "
                               "purchase date (purchased_on, --purchased-on)").format(marketplace=market.name))
        start = _dates(purchased_on, "purchased_on")
        late = np.broadcast_to(start > received, np.broadcast_shapes(start.shape, received.shape))
        if late.any():
            rows = np.flatnonzero(late.ravel())
            shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if rows.size > 5 else "")
            raise InputError(ngettext("purchased_on: later than received_on in row {rows}; check the two dates",
                                      "purchased_on: later than received_on in rows {rows}; check the two dates",
                                      int(rows.size)).format(rows=shown))
    else:
        start = received
    if free_return:
        if market.free_return_window_days is None:
            raise InputError(_("free_return: {marketplace} has no free-return programme in the bundled rules; leave out "
                               "free_return (--free-return)").format(marketplace=market.name))
        window = market.free_return_window_days
    else:
        window = market.dispute_window_days

    shape = np.broadcast_shapes(start.shape, received.shape, now.shape)
    start, received, now = (np.broadcast_to(a, shape) for a in (start, received, now))
    deadline = start + np.timedelta64(window, "D")
    opened = np.maximum(now, received)
    answer_by = _after(opened, market.seller_response_days, market.seller_response_business_days)
    ship_by = _after(answer_by, market.ship_by_days, market.ship_by_business_days)

    transit_min, transit_max = market.return_transit_days
    posted_arrives = opened if free_return else _after(opened, transit_min)
    return_earliest = _after(posted_arrives, market.refund_days_min, market.refund_business_days)
    if market.auto_refund_days is not None:
        issued_by = _after(ship_by, market.auto_refund_days)
    else:
        issued_by = _after(_after(ship_by, transit_max), market.refund_processing_days,
                           market.refund_processing_business_days)
    return_latest = _after(issued_by, market.refund_days_max, market.refund_business_days)

    return Timeline(
        opened_on=opened,
        dispute_deadline=deadline,
        seller_answer_by=answer_by,
        escalated_refund_latest=_after(answer_by, market.escalated_refund_days_max),
        ship_by=ship_by,
        refund_return_earliest=return_earliest,
        refund_return_latest=return_latest,
        refund_partial_earliest=_after(opened, market.refund_days_min,
                                       market.refund_business_days),
        refund_partial_latest=_after(answer_by, market.refund_days_max,
                                     market.refund_business_days),
        window_closed=np.asarray(now > deadline),
    )

