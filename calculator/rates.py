"""The rate engine: what every offer on a route charges for every parcel, all at once.

An *offer* is a service of a tariff, bought alone or with one add-on (FCPIS, FCPIS + Registered
Mail, ...). :func:`price_route` prices every offer from one origin to one destination for an array of
parcels with numpy (``searchsorted`` over the inclusive weight limits, masks for the size limits);
:func:`cheapest_postage` does the same for parcels on many routes, grouping rows by route. Neither
loops over parcels. :func:`price_breaks` says at which weights a route's prices can step, so that
an analysis can look the postage up there without reading the tariffs' bands itself.

An offer a parcel cannot use gets NaN and a reason code (:data:`REASONS`); :func:`explain` turns a
code into words in the current language ("over the 2 kg limit", "does not fit: longest side 65 cm,
at most 60 cm").

Each parcel is priced with the versions of the tariffs in force on the day it is posted
(``posted_on``, default today): the latest ``valid_from`` not after that day. A dated rule
(``tariffs/rules.yaml``) takes an offer away from that day on, whatever the version; the reason is
the rule's text ("registered is for documents only since 2026-01-01").

This module is the engine's public face: import every name from here. One route
(:class:`Offer`, :class:`RouteQuote`, :func:`price_route`, the reason codes and :func:`explain`)
lives in :mod:`calculator.offers`; many routes (:func:`cheapest_postage`, :class:`Postage`) and
:func:`price_breaks` live here.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InputError
from .formatting import sides
from .fx import FxRates
from .i18n import _
# one route, and the reason codes (OK ... BY_RULE), are calculator.offers'; imported from here
from .offers import (
    ABOVE_TOP_BAND,
    BAD_WEIGHT,
    BY_RULE,
    DOES_NOT_FIT,
    NO_PRICE,
    NO_PRICE_BAND,
    NO_ROUTE,
    NOT_SERVED,
    OK,
    OVER_GIRTH,
    OVER_SUM,
    OVER_WEIGHT,
    REASONS,
    TOO_LONG,
    TOO_SMALL,
    UNDER_WEIGHT,
    UNKNOWN_ZONE,
    Offer,
    RouteQuote,
    explain,
    explain_parts,
    offers_for_route,
    pick_offers,
    posting_dates,
    price_route,
    price_versions,
    zone_text,
)
from .tariffs import FRESH, Tariff, in_force, not_in_force, resolve, staleness

__all__ = [
    "REASONS",
    "Offer",
    "RouteQuote",
    "Postage",
    "PriceBreaks",
    "price_route",
    "cheapest_postage",
    "price_breaks",
    "explain",
    "explain_parts",
    "offers_for_route",
]


# --------------------------------------------------------------------------------------------
# many routes


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Postage:
    """The postage chosen for each parcel: the cheapest eligible tracked offer, else the cheapest
    eligible untracked one (``tracked`` False), else NaN with a ``status`` saying why.

    The chosen offer is kept as an index into ``offers`` per parcel; its currency, label, key and
    tariff are looked up from there (one Python object per offer, not per parcel).
    """

    amount: NDArray[np.float64]  # in `currency`
    offers: tuple[Offer, ...]  # the offers priced, over all routes
    offer: NDArray[np.intp]  # index into `offers` per parcel, -1 where unpriced
    tariffs: tuple[Tariff, ...]  # the tariffs given (for tariff_index)
    tracked: NDArray[np.bool_]
    chargeable_g: NDArray[np.float64]
    status: NDArray[np.object_]  # "" when priced; else a short sentence
    size_checked: NDArray[np.bool_]
    posted_on: NDArray[np.datetime64]  # datetime64[D]: the day each parcel is posted

    def per_offer(self, values: Sequence[object], missing: object, dtype: object = object) -> NDArray:
        """``values`` (one per offer) for each parcel, ``missing`` where unpriced."""
        return np.array([*values, missing], dtype=dtype)[self.offer]

    @property
    def currency(self) -> NDArray[np.str_]:  # ISO code, "" where unpriced
        return self.per_offer([o.currency for o in self.offers], "", "U3")

    @property
    def service(self) -> NDArray[np.object_]:  # offer label ("USPS Priority Mail International"), ""
        return self.per_offer([o.label for o in self.offers], "")

    @property
    def shown_service(self) -> NDArray[np.object_]:
        """:attr:`service` as texts in the current language show it (Russian names in Russian,
        where the tariff gives them), "" where unpriced."""
        return self.per_offer([o.shown_label for o in self.offers], "")

    @property
    def offer_key(self) -> NDArray[np.object_]:  # "us-usps/pmi", "" where unpriced
        return self.per_offer([o.key for o in self.offers], "")

    @property
    def tariff(self) -> NDArray[np.object_]:  # tariff name, "" where unpriced
        return self.per_offer([o.tariff.name for o in self.offers], "")

    @property
    def tariff_index(self) -> NDArray[np.intp]:
        """Index into ``tariffs`` (every version given) of the version each parcel was priced
        with, -1 where unpriced: ``tariffs[i]`` is that version, with its dates and source."""
        position = {id(t): i for i, t in enumerate(self.tariffs)}
        return self.per_offer([position[id(o.tariff)] for o in self.offers], -1, np.intp)

    @property
    def version(self) -> NDArray[np.object_]:  # valid_from of the version used, "" where unpriced
        return self.per_offer([o.tariff.version for o in self.offers], "")

    @property
    def caveat(self) -> NDArray[np.object_]:
        """What a buyer must know about the chosen offer ("" when nothing or unpriced): business
        customers only, a size not checked, an open question about the route."""
        return self.per_offer([o.caveat for o in self.offers], "")

    @property
    def stale(self) -> NDArray[np.int8]:
        """Per parcel, how stale the version used was on its posting day:
        :data:`~calculator.tariffs.FRESH` (also where unpriced), ``EXPIRED`` (posted after the
        version's ``valid_until``) or ``OLD`` (no ``valid_until``, more than a year old)."""
        vf = self.per_offer([o.tariff.valid_from for o in self.offers], None, "datetime64[D]")
        vu = self.per_offer([o.tariff.valid_until for o in self.offers], None, "datetime64[D]")
        return np.where(self.offer >= 0, staleness(vf, vu, self.posted_on), FRESH).astype(np.int8)

    def stale_notes(self) -> list[str]:
        """One sentence per stale version used (the latest posting day it was used for), in the
        current language."""
        stale = self.stale
        out = []
        for i, t in enumerate(self.tariffs):
            rows = (self.tariff_index == i) & (stale != FRESH)
            if rows.any():
                out.append(t.stale_note(self.posted_on[rows].max().astype(_dt.date)))
        return out


def _matches(offer: Offer, service: str) -> bool:
    """Does the user's ``service`` text name this offer (``pmi``, ``fcpis+registered``, ``us-usps/pmi``)?"""
    if "/" in service:
        return offer.key == service
    return offer.key.split("/", 1)[1] == service


def cheapest_postage(
    tariffs: Iterable[Tariff],
    origin: ArrayLike,
    destination: ArrayLike,
    weight_g: ArrayLike,
    length_cm: ArrayLike = np.nan,
    width_cm: ArrayLike = np.nan,
    height_cm: ArrayLike = np.nan,
    *,
    zone: ArrayLike | None = None,
    service: ArrayLike | None = None,
    fx: FxRates | None = None,
    posted_on: ArrayLike | None = None,
) -> Postage:
    """Cheapest tracked postage per parcel, for parcels on many routes and posting days.

    Rows are grouped by (origin, destination, service, versions in force); each group is priced
    with the versions of the tariffs in force on its posting days, in one vectorized call.
    Parameters are as for :func:`price_route`, with ``origin``, ``destination`` and ``posted_on``
    given per parcel (or one for all), and ``service`` an optional offer key per parcel ("" for
    the cheapest tracked offer) that restricts the choice to that offer.

    Parameters
    ----------
    tariffs
        A :class:`~calculator.tariffs.TariffSet` (every version), or the versions to choose from.
    posted_on
        The day each parcel is posted: a date, ``YYYY-MM-DD`` text, or an array of them (NaT: the
        parcel gets no price and a status saying so); default today. A parcel posted before the
        oldest version of every tariff of its origin gets "no price list of NAME in force on DATE".

    Returns
    -------
    Postage
        ``tariff_index``/``version`` say which version priced each parcel, ``stale`` whether it was
        past its ``valid_until`` or over a year old on that day, ``caveat`` what to check first.

    Examples
    --------
    >>> import datetime
    >>> from calculator.tariffs import load_tariffs
    >>> ts = load_tariffs(use_env=False)
    >>> p = cheapest_postage(ts, ["US", "GB"], "CN", 300, posted_on=datetime.date(2026, 11, 29))
    >>> p.amount.tolist(), p.currency.tolist(), p.offer_key.tolist()
    ([65.2, 25.9], ['USD', 'GBP'], ['us-usps/pmi', 'gb-royal-mail/intl_tracked'])

    A parcel posted a year earlier uses the price list in force then (and FCPIS + Registered
    Mail, which goods could still use before 2026):

    >>> p = cheapest_postage(ts, ["US", "US"], "CN", 300, posted_on=["2025-11-01", "2026-11-29"])
    >>> p.amount.tolist(), p.offer_key.tolist(), p.version.tolist()
    ([53.8, 65.2], ['us-usps/fcpis+registered', 'us-usps/pmi'], ['2025-10-05', '2026-04-26'])

    Without sizes, flat-rate envelopes and boxes are not chosen: the item may not fit them.
    """
    tariffs = resolve(tariffs)
    def codes(x: object) -> tuple[NDArray[np.str_], NDArray[np.intp]]:
        a = np.asarray(x)
        if a.dtype.kind != "U":
            a = np.where(np.equal(a, None), "", a).astype(str)
        if a.ndim == 0:  # one value for every parcel: nothing to sort
            return a.reshape(1), np.zeros(n, np.intp)
        uniq, inverse = np.unique(np.broadcast_to(a, (n,)), return_inverse=True)
        return uniq, inverse.ravel()

    dates_in = None if posted_on is None or np.ndim(posted_on) == 0 else posted_on
    n = max(np.size(x) for x in (origin, destination, weight_g, length_cm, width_cm, height_cm, *(
        () if dates_in is None else (dates_in,))))
    posted = posting_dates(posted_on, n)
    o_vals, o_code = codes(origin)
    d_vals, d_code = codes(destination)
    if service is None:
        s_vals, s_code = np.array([""]), np.zeros(n, np.intp)
    else:
        s_vals, s_code = codes(service)
        s_vals = np.where(np.isin(s_vals, ["nan", "None"]), "", s_vals)
    w = np.broadcast_to(np.asarray(weight_g, dtype=np.float64), (n,))
    L, W, H = (np.broadcast_to(np.asarray(x, dtype=np.float64), (n,)) for x in (length_cm, width_cm, height_cm))
    z = None if zone is None else zone_text(zone, n)

    # Versions in force change only on the tariffs' valid_from days: between two of them ("an
    # epoch") one set of versions applies. Epoch 0 is before every version; the last, a missing day.
    starts = np.unique(np.array([t.valid_from for t in tariffs], dtype="datetime64[D]"))
    epochs: list[tuple[Tariff, ...]] = [()] + [in_force(tariffs, x.astype(_dt.date)) for x in starts] + [()]
    if posted.strides[0] == 0 and n:  # one posting day for every parcel
        epoch = np.broadcast_to(np.intp(len(starts) + 1 if np.isnat(posted[0]) else
                                         np.searchsorted(starts, posted[0], side="right")), (n,))
    else:
        epoch = np.where(np.isnat(posted), len(starts) + 1, np.searchsorted(starts, posted, side="right"))

    amount = np.full(n, np.nan)
    offers: list[Offer] = []
    offer = np.full(n, -1, np.intp)
    tracked = np.zeros(n, bool)
    charge = np.full(n, np.nan)
    status = np.full(n, "", dtype=object)

    # group rows by (origin, destination, service, epoch) with integer codes: no string sorting
    n_s, n_e = len(s_vals), len(epochs)
    key = ((o_code * len(d_vals) + d_code) * n_s + s_code) * n_e + epoch
    groups, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.ravel()
    # a stable sort of small integers is a radix sort in numpy: rows of each group, in order
    order = np.argsort(inverse.astype(np.uint16) if len(groups) < 2**16 else inverse, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(inverse, minlength=len(groups)))])
    origins_known = {t.origin for t in tariffs}
    for g, gkey in enumerate(groups):
        rows = order[bounds[g] : bounds[g + 1]]
        rest, ei = divmod(int(gkey), n_e)
        rest, si = divmod(rest, n_s)
        oi, di = divmod(rest, len(d_vals))
        org, dst, want = str(o_vals[oi]), str(d_vals[di]), str(s_vals[si])
        if org not in origins_known:
            status[rows] = _("no tariff for parcels posted in {country}").format(country=org)
            continue
        if ei == n_e - 1:
            status[rows] = _("posted_on: missing; give the day the parcel is posted")
            continue
        versions = tuple(t for t in epochs[ei] if t.origin == org)
        if not versions:
            status[rows] = _not_in_force_texts(tariffs, org, posted[rows])
            continue
        q = price_versions(versions, org, dst, w[rows], L[rows], W[rows], H[rows], len(rows),
                         None if z is None else z[rows], fx, posted[rows])
        if want:
            keep = np.array([_matches(of, want) for of in q.offers], dtype=bool)
            if not keep.any():
                status[rows] = _("service {service!r} is not offered from {origin} to {destination}").format(
                    service=want, origin=org, destination=dst)
                continue
            best, cheapest = pick_offers(q.offers, np.where(keep[:, None], q.price, np.nan), fx)
        else:
            best, cheapest = q.best, q.cheapest
        pick = np.where(best >= 0, best, cheapest)
        has = pick >= 0
        cols = np.arange(len(rows))
        at = np.maximum(pick, 0)
        amount[rows] = np.where(has, q.price[at, cols], np.nan)
        charge[rows] = np.where(has, q.chargeable_g[at, cols], np.nan)
        tracked[rows] = has & (best >= 0)
        offer[rows] = np.where(has, pick + len(offers), -1)
        offers += q.offers
        if not has.all():
            status[rows[~has]] = _no_offer_texts(q, ~has)
    return Postage(
        amount=amount,
        offers=tuple(offers),
        offer=offer,
        tariffs=tariffs,
        tracked=tracked,
        chargeable_g=charge,
        status=status,
        size_checked=np.isfinite(L) & np.isfinite(W) & np.isfinite(H),
        posted_on=posted,
    )


def _not_in_force_texts(tariffs: Sequence[Tariff], origin: str, posted: NDArray[np.datetime64]) -> NDArray[np.object_]:
    """"no price list of NAME in force on DATE ..." for parcels posted before every version of
    the origin's tariffs; one sentence per distinct day, in the current language."""
    mine = [t for t in tariffs if t.origin == origin]
    days, inverse = np.unique(posted, return_inverse=True)
    texts = ["; ".join(not_in_force(mine, d.astype(_dt.date))) for d in days]
    return np.array(texts, dtype=object)[inverse.ravel()]


def _unknown_size(offer: Offer) -> str:
    """Why an offer that could take the parcel was not chosen: a container, and the size unknown."""
    return _("the parcel must fit {sides} and its size is unknown; give the size (--dims)").format(
        sides=sides(offer.service.limits.max_dims_cm or ()))


def _no_offer_texts(q: RouteQuote, mask: NDArray[np.bool_]) -> NDArray[np.object_]:
    """Texts for the unpriced parcels, one sentence per distinct (offer, reason): a million bad
    rows cost a handful of sentences. Bulk texts name the limit, not each parcel's size; they are in
    the current language."""
    cols = np.flatnonzero(mask)
    if not q.offers:
        return np.full(len(cols), _("no tariff for {origin} → {destination}").format(
            origin=q.origin, destination=q.destination), dtype=object)
    codes = q.reason[:, cols]
    # explain with a tracked offer when one is on the route: that is the offer a dispute needs
    untracked = np.array([not o.tracked for o in q.offers], np.int16)[:, None]
    ranked = np.where(codes == NO_ROUTE, 1000, codes.astype(np.int16) * 2 + untracked)
    least_bad = np.argmin(ranked, axis=0)
    code = codes[least_bad, np.arange(len(cols))]
    pair = least_bad.astype(np.int64) * 128 + code
    uniq, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    texts = []
    for u, f in zip(uniq, first):
        i, c = divmod(int(u), 128)
        if c == NO_ROUTE:
            texts.append(_("no tariff has a route {origin} → {destination}").format(
                origin=q.origin, destination=q.destination))
        else:
            texts.append(_("{service}: {reason}").format(
                service=q.offers[i].shown_label,
                reason=explain(q, i, int(cols[f]), sizes=False) or _unknown_size(q.offers[i])))
    return np.array(texts, dtype=object)[inverse.ravel()]


# --------------------------------------------------------------------------------------------
# where prices step


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PriceBreaks:
    """Where the prices of a route's offers can change with the parcel's weight
    (:func:`price_breaks`).

    Between two neighbouring ``weight_g`` (above the one, up to and including the next) each offer
    charges one price, except inside a ``graded_g`` range: a band whose price grows with the
    weight (a rate per kg, or per started step).
    """

    weight_g: NDArray[np.float64]  # (k,) increasing; the last is the maximum weight asked for [g]
    graded_g: NDArray[np.float64]  # (m, 2) bands (from, to] priced per weight inside the band [g]

    def graded(self, weight_from_g: ArrayLike, weight_to_g: ArrayLike) -> NDArray[np.bool_]:
        """True for each weight range (from, to] that overlaps a graded band: there the price
        differs inside the range."""
        lo = np.asarray(weight_from_g, dtype=np.float64).reshape(-1)
        hi = np.asarray(weight_to_g, dtype=np.float64).reshape(-1)
        g = self.graded_g
        return ((g[None, :, 0] < hi[:, None]) & (g[None, :, 1] > lo[:, None])).any(axis=1)


def price_breaks(
    tariffs: Iterable[Tariff],
    origin: str,
    destination: str,
    max_weight_g: float,
    *,
    posted_on: ArrayLike | None = None,
) -> PriceBreaks:
    """The weights up to ``max_weight_g`` at which the price of some offer from ``origin`` to
    ``destination`` can change, and the bands priced per weight.

    Parameters
    ----------
    tariffs
        A :class:`~calculator.tariffs.TariffSet` (every version) or the versions to choose from;
        those posted from ``origin`` and in force on ``posted_on`` are used.
    origin, destination
        ISO 3166-1 alpha-2 codes of the countries the parcel goes from and to.
    max_weight_g
        The heaviest parcel of interest; it is the last break. [g]
    posted_on
        The day the parcels are posted (a date or ``YYYY-MM-DD``); default today.

    Returns
    -------
    PriceBreaks

    Notes
    -----
    The price of an offer is a right-closed step function of the weight (bands "up to and
    including" their limit), so it can only change just above a band limit of a zone serving
    the destination, a service's maximum or minimum weight, or a surcharge's weight threshold;
    these, up to ``max_weight_g``, are the breaks. A band with a rate per weight changes inside
    too: it is listed in ``graded_g``. Dimensions are not taken into account (a volumetric
    weight or a minimum chargeable weight moves where a parcel is charged, not where the
    tariff's steps are).

    Examples
    --------
    Royal Mail's bands to China, a year ago, up to 500 g; then Kazpost's, which price parcels
    over 10 kg per kg:

    >>> import datetime
    >>> from calculator.tariffs import load_tariffs
    >>> ts = load_tariffs(use_env=False)
    >>> price_breaks(ts, "GB", "CN", 500, posted_on=datetime.date(2025, 11, 1)).weight_g.tolist()
    [100.0, 250.0, 500.0]
    >>> b = price_breaks(ts, "KZ", "CN", 20000, posted_on=datetime.date(2026, 11, 29))
    >>> b.weight_g.tolist()[-3:], b.graded_g.tolist()
    ([9000.0, 10000.0, 20000.0], [[10000.0, 40000.0]])
    >>> b.graded([5000, 10000], [10000, 20000]).tolist()
    [False, True]
    """
    if not max_weight_g > 0:
        raise InputError(_("max_weight_g: {value!r} must be a weight greater than 0").format(value=max_weight_g))
    day = posting_dates(posted_on, 1)[0]
    if np.isnat(day):
        raise InputError(_("posted_on: missing; give the day the parcel is posted"))
    versions = in_force([t for t in resolve(tariffs) if t.origin == origin], day.astype(_dt.date))
    points: set[float] = {float(max_weight_g)}
    graded: set[tuple[float, float]] = set()
    for offer in offers_for_route(versions, origin, destination):
        if offer.addon is not None:  # an add-on's fee is fixed: its service's steps are the offer's
            continue
        s = offer.service
        for z in offer.zones:
            points.update(float(x) for x in z.limits_g)
            if len(z.limits_g) and not z.is_flat:
                lower = np.r_[0.0, z.limits_g[:-1]]
                graded.update((float(a), float(b)) for a, b, r in zip(lower, z.limits_g, z.rate) if r != 0)
        points.update(x for x in (s.limits.max_weight_g, s.limits.min_weight_g) if 0 < x < math.inf)
        points.update(sc.over_g for sc in s.surcharges if sc.over_g > 0)
    return PriceBreaks(weight_g=np.array(sorted(x for x in points if 0 < x <= max_weight_g), dtype=np.float64),
                       graded_g=np.array(sorted(graded), dtype=np.float64).reshape(-1, 2))
