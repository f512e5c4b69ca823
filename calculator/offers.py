"""One route: every offer from one origin to one destination, priced for every parcel at once.

An *offer* is a service of a tariff, bought alone or with one add-on (FCPIS, FCPIS + Registered
Mail, ...). :func:`price_route` prices every offer of a route for an array of parcels with numpy
(``searchsorted`` over the inclusive weight limits, masks for the size limits); it does not loop
over parcels.

An offer a parcel cannot use gets NaN and a reason code (:data:`REASONS`); :func:`explain` turns a
code into words in the current language ("over the 2 kg limit", "does not fit: longest side 65 cm,
at most 60 cm").

This module is the single-route half of the rate engine; :mod:`calculator.rates` is its public
face (import every name from there) and adds many routes (``cheapest_postage``) and where prices
can step (``price_breaks``). :func:`price_versions`, :func:`pick_offers`, :func:`posting_dates`
and :func:`zone_text` are its building blocks, shared with :mod:`calculator.rates` only.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InputError, TariffError
from .formatting import day as date_text
from .formatting import sides, weight
from .fx import FxRates, reference_rates
from .i18n import N_, _
from .tariffs import Addon, Rule, Service, Tariff, Zone, in_force, not_in_force, resolve

__all__ = [
    "REASONS",
    "Offer",
    "RouteQuote",
    "price_route",
    "explain",
    "explain_parts",
    "offers_for_route",
    "price_versions",
    "pick_offers",
    "posting_dates",
    "zone_text",
]
# Reason codes, in increasing priority: when several apply, the highest is reported.
OK = 0
ABOVE_TOP_BAND = 1
NO_PRICE_BAND = 2
TOO_SMALL = 3
DOES_NOT_FIT = 4
OVER_GIRTH = 5
OVER_SUM = 6
TOO_LONG = 7
UNDER_WEIGHT = 8
OVER_WEIGHT = 9
UNKNOWN_ZONE = 10
NO_PRICE = 11
NOT_SERVED = 12
NO_ROUTE = 13
BAD_WEIGHT = 14
BY_RULE = 15  # a dated rule takes the offer away for goods (tariffs/rules.yaml)

REASONS: dict[int, str] = {
    OK: "ok",
    ABOVE_TOP_BAND: "above_top_band",
    NO_PRICE_BAND: "no_price_in_source",
    TOO_SMALL: "too_small",
    DOES_NOT_FIT: "does_not_fit",
    OVER_GIRTH: "over_length_girth",
    OVER_SUM: "over_sum_of_sides",
    TOO_LONG: "longest_side_too_long",
    UNDER_WEIGHT: "under_min_weight",
    OVER_WEIGHT: "over_max_weight",
    UNKNOWN_ZONE: "unknown_zone",
    NO_PRICE: "no_price_in_source",
    NOT_SERVED: "route_not_served",
    NO_ROUTE: "no_route",
    BAD_WEIGHT: "weight_missing",
    BY_RULE: "not_for_goods_since_rule",
}

# Limits are inclusive ("up to and including 500 g"). A weight converted from another unit may sit
# one ulp above the limit it equals, so limits are compared with this relative slack.
_SLACK = 1e-9


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Offer:
    """A service bought alone or with one add-on, on one route."""

    tariff: Tariff
    service: Service
    addon: Addon | None
    zones: tuple[Zone, ...]  # zones of the service that serve the destination

    @property
    def tracked(self) -> bool:
        return self.service.tracked or bool(self.addon and self.addon.tracked)

    @property
    def currency(self) -> str:
        return self.tariff.currency

    @property
    def label(self) -> str:
        """``USPS First-Class Package International Service + Registered Mail``: the carrier's names,
        the same in every language (data: a batch's ``service`` column)."""
        return _label(self.tariff.carrier, self.service.name, self.addon.name if self.addon else "")

    @property
    def shown_label(self) -> str:
        """:attr:`label` as texts in the current language show it: with the Russian names
        (``name_ru``) of the service and add-on in Russian, where the tariff file gives them."""
        return _label(self.tariff.carrier, self.service.shown_name, self.addon.shown_name if self.addon else "")

    @property
    def key(self) -> str:
        """``us-usps/fcpis+registered``: stable id for machines (the same in every version)."""
        extra = f"+{self.addon.id}" if self.addon else ""
        return f"{self.tariff.name}/{self.service.id}{extra}"

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Dated rules that take this offer away for goods (from their ``since`` day on)."""
        aid = self.addon.id if self.addon else None
        return tuple(r for r in self.tariff.rules if r.applies(self.tariff.name, self.service.id, aid))

    @property
    def caveat(self) -> str:
        """What a buyer must know before posting this way ("" when nothing): business customers
        only, a size the tariff cannot check, an open question about the route."""
        return " ".join(x for x in (self.service.caveat, *(z.caveat for z in self.zones)) if x)


def _label(carrier: str, name: str, addon: str) -> str:
    extra = f" + {addon}" if addon else ""
    # a service named with its carrier ("DHL Paket", "USPS Ground Advantage") is not prefixed again
    named = name.split()[0].strip("/") in carrier.replace("/", " ").split() if name.split() else False
    return f"{name}{extra}" if named else f"{carrier} {name}{extra}"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RouteQuote:
    """Every offer from ``origin`` to ``destination`` priced for ``n`` parcels.

    Arrays are shaped ``(n_offers, n)``; ``price`` is in each offer's tariff currency and NaN where
    the offer cannot take the parcel (``reason`` says why).
    """

    origin: str
    destination: str
    offers: tuple[Offer, ...]
    price: NDArray[np.float64]
    chargeable_g: NDArray[np.float64]
    reason: NDArray[np.int8]
    zone: NDArray[np.int8]  # index into offer.zones of the zone used (-1: none)
    weight_g: NDArray[np.float64]
    dims_cm: NDArray[np.float64]  # (3, n), sorted longest first; NaN where unknown
    best: NDArray[np.intp]  # index of the cheapest eligible tracked offer; -1 where none
    cheapest: NDArray[np.intp]  # cheapest eligible offer, tracked or not; -1 where none
    posted_on: NDArray[np.datetime64]  # (n,) datetime64[D]: the day each parcel is posted

    @property
    def size_known(self) -> NDArray[np.bool_]:
        return np.isfinite(self.dims_cm).all(axis=0)


def offers_for_route(tariffs: Iterable[Tariff], origin: str, destination: str) -> list[Offer]:
    """Offers of every tariff posted from ``origin``; a service without a zone for the
    destination appears once (it will carry the reason "no route")."""
    out: list[Offer] = []
    for t in tariffs:
        if t.origin != origin:
            continue
        for s in t.services:
            zones = s.zones_for(destination, origin)
            out.append(Offer(tariff=t, service=s, addon=None, zones=zones))
            if zones:
                out.extend(Offer(tariff=t, service=s, addon=a, zones=zones) for a in s.addons)
    return out


def _as_1d(x: ArrayLike, n: int | None = None) -> NDArray[np.float64]:
    a = np.atleast_1d(np.asarray(x, dtype=np.float64))
    if n is not None and a.shape != (n,):
        a = np.broadcast_to(a, (n,))
    return a


def zone_text(zone: ArrayLike, n: int) -> NDArray[np.str_] | None:
    """Zone ids per parcel as text ("" for none: the service's default zone); None if none given."""
    z = np.asarray(zone)
    if z.dtype.kind != "U":  # objects (a pandas column): None and NaN are "not given"
        z = np.asarray(zone, dtype=object)
        z = np.where(np.equal(z, None), "", z).astype(str)
        z = np.where(z == "nan", "", z)
    z = np.broadcast_to(z, (n,))
    return z if (z != "").any() else None


def _zone_prices(z: Zone, cw: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Band price of each chargeable weight; flags for 'above the last band' and 'band has no price'."""
    nb = len(z.limits_g)
    idx = np.searchsorted(z.limits_g * (1 + _SLACK), cw, side="left")
    above_top = idx >= nb
    i = np.minimum(idx, nb - 1)
    base = z.base[i]
    if z.is_flat:
        price = base
    else:
        step = z.step_g[i]
        x = np.maximum(cw - z.above_g[i], 0.0)
        steps = np.ceil(x / np.where(step > 0, step, 1.0) - _SLACK)
        x = np.where(step > 0, steps * step, x)
        price = base + z.rate[i] * x / z.per_g[i]
    no_price = np.isnan(base) & ~above_top
    return np.where(above_top, np.nan, price), above_top, no_price


def _price_offer(
    offer: Offer,
    w: NDArray[np.float64],
    d: NDArray[np.float64],
    known: NDArray[np.bool_],
    zone_in: NDArray[np.object_] | None,
    posted: NDArray[np.datetime64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int8], NDArray[np.int8]]:
    n = w.shape[0]
    s = offer.service
    reason = np.zeros(n, np.int8)
    zone_idx = np.full(n, -1, np.int8)
    cw = w.copy()
    if not offer.zones:
        reason[:] = NO_ROUTE
        return np.full(n, np.nan), cw, reason, zone_idx

    # chargeable weight
    if s.volumetric is not None:
        vol = d[0] * d[1] * d[2]
        use = known & (vol > s.volumetric.above_cm3 * (1 + _SLACK))
        vw = np.where(use, vol / s.volumetric.divisor_cm3_per_kg * 1000.0, 0.0)
        cw = np.maximum(cw, vw)
    if s.min_chargeable_g > 0:
        cw = np.maximum(cw, s.min_chargeable_g)

    # which zone each parcel uses
    if len(offer.zones) == 1:
        zone_idx[:] = 0
    else:
        ids = [z.id for z in offer.zones]
        default = ids.index(s.default_zone) if s.default_zone in ids else 0
        zone_idx[:] = default
        if zone_in is not None:
            given = zone_in != ""
            for k, zid in enumerate(ids):
                zone_idx[zone_in == zid] = k
            unknown = given & ~np.isin(zone_in, ids)
            reason[unknown] = UNKNOWN_ZONE

    price = np.full(n, np.nan)
    for k, z in enumerate(offer.zones):
        sel = zone_idx == k
        if len(offer.zones) > 1 and not sel.any():
            continue
        if not z.available:
            reason[sel & (reason == OK)] = NOT_SERVED
            continue
        if z.gap:
            reason[sel & (reason == OK)] = NO_PRICE
            continue
        if len(offer.zones) == 1:
            p, top, gap = _zone_prices(z, cw)
            price = p
        else:
            p, top, gap = _zone_prices(z, cw[sel])
            price[sel] = p
            top_full = np.zeros(n, bool)
            gap_full = np.zeros(n, bool)
            top_full[sel], gap_full[sel] = top, gap
            top, gap = top_full, gap_full
        ok = reason == OK
        reason[ok & gap] = NO_PRICE_BAND
        reason[ok & top] = ABOVE_TOP_BAND

    # limits, lowest priority first so that the most important reason wins
    lim = s.limits
    hi = 1 + _SLACK
    if lim.min_dims_cm is not None:
        small = np.zeros(n, bool)
        for j, m in enumerate(lim.min_dims_cm):
            small |= d[j] < m / hi
        _set(reason, known & small, TOO_SMALL)
    if lim.max_dims_cm is not None:
        big = np.zeros(n, bool)
        for j, m in enumerate(lim.max_dims_cm):
            big |= d[j] > m * hi
        _set(reason, known & big, DOES_NOT_FIT)
    if math.isfinite(lim.max_length_girth_cm):
        _set(reason, known & (d[0] + 2 * (d[1] + d[2]) > lim.max_length_girth_cm * hi), OVER_GIRTH)
    if math.isfinite(lim.max_sum_cm):
        _set(reason, known & (d[0] + d[1] + d[2] > lim.max_sum_cm * hi), OVER_SUM)
    if math.isfinite(lim.max_length_cm):
        _set(reason, known & (d[0] > lim.max_length_cm * hi), TOO_LONG)
    if lim.min_weight_g > 0:
        _set(reason, w <= lim.min_weight_g * hi, UNDER_WEIGHT)
    if math.isfinite(lim.max_weight_g):
        _set(reason, w > lim.max_weight_g * hi, OVER_WEIGHT)
    _set(reason, ~np.isfinite(w) | (w < 0), BAD_WEIGHT)
    for rule in offer.rules:
        _set(reason, np.broadcast_to(rule.in_force(posted), (n,)), BY_RULE)

    # surcharges, minimum charge, add-on
    if s.min_charge > 0:
        price = np.maximum(price, s.min_charge)
    fixed = np.zeros(n)
    pct = np.zeros(n)
    for sc in s.surcharges:
        on = cw > sc.over_g * hi if sc.over_g > 0 else np.ones(n, bool)
        fixed += np.where(on, sc.fixed, 0.0)
        pct += np.where(on, sc.percent, 0.0)
    if offer.addon is not None:
        fixed += offer.addon.fee
    total = (price + fixed) * (1.0 + pct / 100.0)
    total = np.where(reason == OK, np.round(total, 2), np.nan)
    return total, cw, reason, zone_idx


def _set(reason: NDArray[np.int8], mask: NDArray[np.bool_], code: int) -> None:
    reason[mask & (reason < code)] = code


def posting_dates(posted_on: ArrayLike | None, n: int) -> NDArray[np.datetime64]:
    """The posting day of each of ``n`` parcels as datetime64[D] (a broadcast view for one day);
    today when None."""
    if posted_on is None:
        return np.broadcast_to(np.datetime64(_dt.date.today(), "D"), (n,))
    a = np.asarray(posted_on)
    try:
        d = a.astype("datetime64[D]") if a.dtype.kind != "M" or a.dtype != np.dtype("datetime64[D]") else a
    except (TypeError, ValueError):
        raise InputError(_("posted_on: {value!r} is not a date or an array of dates; write YYYY-MM-DD").format(
            value=posted_on)) from None
    if d.ndim > 1 or (d.ndim == 1 and d.shape[0] not in (1, n)):
        raise InputError(_("posted_on: {dates} dates for {parcels} parcels; give one date or one per parcel").format(
            dates=d.shape[0], parcels=n))
    return np.broadcast_to(d.reshape(-1) if d.ndim else d, (n,))


def _one_day(d: NDArray[np.datetime64]) -> _dt.date | None:
    """The single posting day of all parcels, or None when they differ (or one is missing)."""
    if d.size == 0:
        return None
    first = d[0]
    if np.isnat(first) or not (d.strides[0] == 0 or bool(np.all(d == first))):
        return None
    return first.astype(_dt.date)


def price_route(
    tariffs: Iterable[Tariff],
    origin: str,
    destination: str,
    weight_g: ArrayLike,
    length_cm: ArrayLike = np.nan,
    width_cm: ArrayLike = np.nan,
    height_cm: ArrayLike = np.nan,
    *,
    zone: ArrayLike | None = None,
    fx: FxRates | None = None,
    posted_on: ArrayLike | None = None,
) -> RouteQuote:
    """Price every offer from ``origin`` to ``destination`` for every parcel.

    Parameters
    ----------
    tariffs
        The tariffs to use: a :class:`~calculator.tariffs.TariffSet` (every version) or versions,
        e.g. ``load_tariffs()``; only those posted from ``origin`` are used, each in the version in
        force on ``posted_on``.
    origin, destination
        ISO 3166-1 alpha-2 codes of the countries the parcel goes from and to.
    weight_g
        Actual weight of each parcel. [g]
    length_cm, width_cm, height_cm
        Sides of each parcel, in any order; NaN where unknown (size limits and volumetric weight
        are then not checked). [cm]
    zone
        Zone id per parcel for services whose zone depends on distance (domestic zones); None or
        NaN for the tariff's default zone.
    fx
        Exchange rates used to compare offers priced in different currencies (default: the
        bundled reference rates).
    posted_on
        The day the parcels are posted (a date, ``YYYY-MM-DD``, or one per parcel); default today.
        All parcels must fall under the same versions; :func:`cheapest_postage` takes any mix.

    Returns
    -------
    RouteQuote

    Raises
    ------
    TariffError
        No tariff posted from ``origin`` has a version in force on the day ("no price list of
        NAME in force on DATE").

    Examples
    --------
    >>> import datetime
    >>> from calculator.tariffs import load_tariffs
    >>> ts, day = load_tariffs(use_env=False), datetime.date(2026, 11, 29)
    >>> q = price_route(ts, "US", "CN", 300, 20, 15, 5, posted_on=day)
    >>> q.offers[q.best[0]].label, float(q.price[q.best[0], 0])
    ('USPS Priority Mail International Flat Rate Envelope', 49.75)
    >>> q = price_route(ts, "US", "CN", [200, 300, 1000], posted_on=day)
    >>> [(q.offers[b].key, float(q.price[b, i])) for i, b in enumerate(q.best)]
    [('us-usps/pmi', 65.2), ('us-usps/pmi', 65.2), ('us-usps/pmi', 75.25)]
    """
    w = _as_1d(weight_g)
    n = max(w.shape[0], *(np.atleast_1d(np.asarray(x)).shape[0] for x in (length_cm, width_cm, height_cm)))
    posted = posting_dates(posted_on, n)
    day = _one_day(posted)
    mine = [t for t in resolve(tariffs) if t.origin == origin]
    if day is None and n and len({t.name for t in mine}) != len(mine):
        days = np.unique(posted)
        shown = ", ".join(date_text(x) for x in days[:3]) + ("…" if len(days) > 3 else "")
        raise InputError(_("posted_on: parcels posted on {days} may fall under different price lists; price them "
                           "with cheapest_postage, or one day at a time").format(days=shown))
    versions = in_force(mine, day) if day is not None else tuple(mine)
    if mine and not versions:
        raise TariffError("; ".join(not_in_force(mine, day)))
    return price_versions(versions, origin, destination, w, length_cm, width_cm, height_cm, n, zone, fx, posted)


def price_versions(
    versions: Sequence[Tariff],
    origin: str,
    destination: str,
    w: NDArray[np.float64],
    length_cm: ArrayLike,
    width_cm: ArrayLike,
    height_cm: ArrayLike,
    n: int,
    zone: ArrayLike | None,
    fx: FxRates | None,
    posted: NDArray[np.datetime64],
) -> RouteQuote:
    """:func:`price_route` for versions already chosen (one per tariff)."""
    w = _as_1d(w, n)
    dims = np.stack([_as_1d(length_cm, n), _as_1d(width_cm, n), _as_1d(height_cm, n)])
    known = np.isfinite(dims).all(axis=0)
    d = -np.sort(-np.where(known, dims, 0.0), axis=0)  # longest first
    zone_in = None if zone is None else zone_text(zone, n)
    # rules compare the posting day: one comparison when every parcel is posted the same day
    day = posted[:1] if n and posted.strides[0] == 0 else posted

    offers = offers_for_route(versions, origin, destination)
    k = len(offers)
    price = np.full((k, n), np.nan)
    charge = np.empty((k, n))
    reason = np.empty((k, n), np.int8)
    zidx = np.empty((k, n), np.int8)
    for i, offer in enumerate(offers):
        price[i], charge[i], reason[i], zidx[i] = _price_offer(offer, w, d, known, zone_in, day)

    # A container (a flat-rate envelope or box: `max_dims` and one price band) is only
    # recommended when the parcel's size is known to fit it; with unknown dims it is priced and
    # listed but not picked. A service priced by weight whose `max_dims` is a size limit (a
    # parcel up to 120 x 60 x 60 cm) is picked like any other, its size unchecked.
    container = np.array([_is_container(o) for o in offers], bool)[:, None]
    best, cheapest = pick_offers(offers, np.where(container & ~known[None, :], np.nan, price), fx)
    return RouteQuote(
        origin=origin,
        destination=destination,
        offers=tuple(offers),
        price=price,
        chargeable_g=charge,
        reason=reason,
        zone=zidx,
        weight_g=w,
        dims_cm=np.where(known, d, np.nan),
        best=best,
        cheapest=cheapest,
        posted_on=posted,
    )


def _is_container(offer: Offer) -> bool:
    """A fixed-price envelope or box: the parcel must fit ``max_dims`` and weight does not
    change the price."""
    return offer.service.limits.max_dims_cm is not None and all(len(z.limits_g) <= 1 for z in offer.zones)


def pick_offers(offers: Sequence[Offer], price: NDArray[np.float64], fx: FxRates | None) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Per parcel, the cheapest priced tracked offer and the cheapest priced offer of any kind
    (indices into ``offers``, -1 where none), prices compared in the first offer's currency."""
    n = price.shape[1]
    if not offers:
        return np.full(n, -1, np.intp), np.full(n, -1, np.intp)
    currencies = [o.currency for o in offers]
    common = currencies[0]
    factor = np.ones((len(offers), 1))
    if any(c != common for c in currencies):
        rates = fx or reference_rates()
        factor = np.array([[float(rates.factor(c, common))] for c in currencies])
    cmp = np.where(np.isnan(price), np.inf, price * factor)
    cmp = np.where(np.isnan(cmp), np.inf, cmp)  # offers whose currency has no rate
    tracked = np.array([o.tracked for o in offers])[:, None]

    def argmin(a: NDArray[np.float64]) -> NDArray[np.intp]:
        i = np.argmin(a, axis=0)
        return np.where(np.isfinite(a[i, np.arange(n)]), i, -1)

    return argmin(np.where(tracked, cmp, np.inf)), argmin(cmp)


# --------------------------------------------------------------------------------------------
# words

#: The sides of a parcel, longest first, as a size limit names them (a box has three, an envelope two).
_SIDES = {3: (N_("longest side"), N_("middle side"), N_("shortest side")),
          2: (N_("longest side"), N_("second side")),
          1: (N_("longest side"),)}


def _side(j: int, count: int) -> str:
    return _(_SIDES.get(count, _SIDES[3])[min(j, 2)])


def explain(q: RouteQuote, i: int, j: int = 0, *, sizes: bool = True) -> str:
    """Why offer ``i`` cannot take parcel ``j``, in words in the current language; ``""`` if it can.

    Limits are written in the user's units with sensible precision, and the carrier's pounds or
    inches after them where the tariff gave its limit so ("over the 1.81 kg (4 lb) limit",
    "does not fit: longest side 65 cm, at most 61 cm (24 in)"). With ``sizes=False`` the text names
    the limit but not this parcel's measurements ("longest side over 60 cm"), so many parcels
    refused for the same reason share one text.
    """
    reason, note = explain_parts(q, i, j, sizes=sizes)
    return _("{reason} ({note})").format(reason=reason, note=note) if note else reason


def explain_parts(q: RouteQuote, i: int, j: int = 0, *, sizes: bool = True) -> tuple[str, str]:
    """:func:`explain` as (the reason, the zone's note that explains it, ``""`` when none), for a
    table that puts long notes under it."""
    code = int(q.reason[i, j])
    offer = q.offers[i]
    lim = offer.service.limits
    d = q.dims_cm[:, j]
    zi = int(q.zone[i, j])
    zone = offer.zones[zi] if 0 <= zi < len(offer.zones) else None
    note = zone.note if zone is not None and zone.note else ""

    def over(what: str, value: float, limit: float) -> str:
        if sizes:
            return _("{what} {length}, at most {limit}").format(what=what, length=sides([value]),
                                                                 limit=sides([limit]))
        return _("{what} over {limit}").format(what=what, limit=sides([limit]))

    if code == OK:
        return "", ""
    if code == NO_ROUTE:
        return _("no route to {country}").format(country=q.destination), ""
    if code == BY_RULE:
        return next(r.shown_text for r in offer.rules if r.in_force(q.posted_on[j])), ""
    if code == NOT_SERVED:
        return _("route to {country} not served").format(country=q.destination), note
    if code in (NO_PRICE, NO_PRICE_BAND):
        return _("no price in source"), note
    if code == UNKNOWN_ZONE:
        return _("unknown zone; this service's zones are {zones}").format(
            zones=", ".join(z.id for z in offer.zones)), ""
    if code == BAD_WEIGHT:
        return _("weight missing or negative"), ""
    if code == OVER_WEIGHT:
        return _("over the {weight} limit").format(weight=weight(lim.max_weight_g)), ""
    if code == UNDER_WEIGHT:
        return _("only for parcels over {weight}").format(weight=weight(lim.min_weight_g)), ""
    if code == ABOVE_TOP_BAND:
        top = weight(zone.limits_g[-1] if zone is not None and len(zone.limits_g) else float("nan"))
        if sizes:
            return _("chargeable weight {weight} is over the last price band ({top})").format(
                weight=weight(q.chargeable_g[i, j]), top=top), ""
        return _("chargeable weight over the last price band ({top})").format(top=top), ""
    if code == TOO_LONG:
        return over(_("longest side"), d[0], lim.max_length_cm), ""
    if code == OVER_SUM:
        return over(_("length + width + height"), d.sum(), lim.max_sum_cm), ""
    if code == OVER_GIRTH:
        return over(_("length + girth"), d[0] + 2 * (d[1] + d[2]), lim.max_length_girth_cm), ""
    if code == DOES_NOT_FIT:
        box = lim.max_dims_cm or ()
        if sizes:
            k = next((k for k, m in enumerate(box) if d[k] > m * (1 + _SLACK)), 0)
            return _("does not fit: {side} {length}, at most {limit}").format(
                side=_side(k, len(box)), length=sides([d[k]]), limit=sides([box[k]])), ""
        return _("does not fit: at most {sides}").format(sides=sides(box)), ""
    if code == TOO_SMALL:
        least = lim.min_dims_cm or ()
        if sizes:
            k = next((k for k, m in enumerate(least) if d[k] < m / (1 + _SLACK)), 0)
            return _("too small: {side} {length}, at least {limit}").format(
                side=_side(k, len(least)), length=sides([d[k]]), limit=sides([least[k]])), ""
        return _("too small: at least {sides}").format(sides=sides(least)), ""
    return REASONS.get(code, str(code)), ""
