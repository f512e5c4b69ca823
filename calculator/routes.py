"""One route over a range of prices and weights: decision maps, threshold tables, route orders.

Both analyses take an :class:`~calculator.uncertainty.UncertainOrder` (one order resolved once) and
evaluate it through :meth:`UncertainOrder.evaluate <calculator.uncertainty.UncertainOrder.evaluate>`,
the one money model, with the postage looked up on the real tariff step functions:

- :func:`decision_map`: the best option over a price × weight grid on the order's route, with the
  postage looked up once per weight;
- :func:`threshold_table`: per weight band of the cheapest tracked offer on a route, the item price
  from which returning pays; the bands come from the rate engine's
  :func:`~calculator.rates.price_breaks`;
- :func:`route_order`: the order such an analysis starts from, resolved at a weight the route can
  price.

The analyses of one order's uncertain inputs (tornado, sweeps, Sobol indices) are in
:mod:`calculator.sensitivity`, which also hands on these names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import model as _model
from .errors import InputError
from .formatting import html_table, money, significant, weight
from .formatting import share as share_text
from .fx import FxRates, reference_rates
from .i18n import N_, Views, _
from .inputs import field as _field
from .rates import cheapest_postage, price_breaks
from .tariffs import Tariff, resolve
from .uncertainty import UncertainOrder, uncertain_order

__all__ = ["DecisionMap", "decision_map", "ThresholdTable", "threshold_table", "route_order", "given_text"]

#: The postage of an order whose postage is not looked up, for every weight (data: a map's
#: ``offer``, a threshold table's ``service``), and its words.
POSTAGE_AS_GIVEN, FREE_RETURN = "postage as given", "free return"
_HOW_WORDS = {POSTAGE_AS_GIVEN: N_("postage as given"), FREE_RETURN: N_("free return")}
_MONEY_INPUTS = ("min_resale", "resale_cost", "packaging_cost", "hourly_value")


def given_text(given: dict[str, float], currency: str = "") -> str:
    """The inputs an analysis holds fixed, in words in the current language ("chance the return is
    accepted 0.84, partial refund 0.5, smallest sale worth the effort RUB 920.94").

    Examples
    --------
    >>> given_text({"win_probability": 0.84, "min_resale": 920.94}, "RUB")
    'chance the return is accepted 0.84, smallest sale worth the effort RUB\xa0920.94'
    """
    def value(k: str, v: float) -> str:
        return money(v, currency) if k in _MONEY_INPUTS and currency else significant(v)

    return ", ".join(_("{input} {value}").format(input=_field(k).words, value=value(k, v)) for k, v in given.items())


def _weights(low: float, high: float) -> str:
    """A range of parcel weights: ``50 g–2 kg``."""
    return f"{weight(low)}–{weight(high)}"


# --------------------------------------------------------------------------------------------
# decision map


def _postage_by_weight(order: UncertainOrder, weight_g: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray]:
    """Postage in the order currency at each weight, and the offer's words: the tariffs' cheapest
    tracked offer, or the order's own postage (given, or a free return) at every weight."""
    S, offer, _shown = _postage_and_words(order, weight_g)
    return S, offer


def _postage_and_words(order: UncertainOrder, weight_g: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray]:
    """:func:`_postage_by_weight`, and the offer's words as texts in the current language show them."""
    if order.postage_from_tariff:
        S, p = order.lookup_postage(weight_g)
        return S, np.asarray(p.service, dtype=object), np.asarray(p.shown_service, dtype=object)
    how = FREE_RETURN if bool(order.assessment.free_return[0]) else POSTAGE_AS_GIVEN
    return (np.full(weight_g.shape, order.value("postage")), np.full(weight_g.shape, how, dtype=object),
            np.full(weight_g.shape, _(_HOW_WORDS[how]), dtype=object))


def _given(order: UncertainOrder) -> dict[str, float]:
    """The inputs a route analysis holds fixed: w, f, u, r, and the other costs when not zero."""
    v = order.assessment.values
    given = {k: float(v[k][0]) for k in ("win_probability", "partial_probability", "partial_refund", "use_value",
                                         "resale_value")}
    for k in ("seller_pays_postage", "resale_fee", "resale_cost", "packaging_cost", "hassle_hours", "hourly_value",
              "min_resale"):
        if float(v[k][0]):
            given[k] = float(v[k][0])
    return given


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DecisionMap(Views):
    """Results of :func:`decision_map`; grids are shaped (weights, prices).

    Attributes
    ----------
    price
        Item prices (columns). [order currency]
    weight_g
        Parcel weights (rows). [g]
    postage
        Cheapest tracked postage at each weight, NaN where no offer takes the parcel. [order currency]
    offer
        The postal offer used at each weight ("" where unpriced).
    best
        Best option per cell (index into ``options``; −1 where unpriced).
    advantage
        Return advantage per cell. [order currency]
    break_even_price
        Per weight, the price above which returning pays (∞ where never). [order currency]
    """

    currency: str
    origin: str
    destination: str
    price: NDArray[np.float64]
    weight_g: NDArray[np.float64]
    postage: NDArray[np.float64]
    offer: NDArray[np.object_]
    best: NDArray[np.intp]
    advantage: NDArray[np.float64]
    break_even_price: NDArray[np.float64]
    given: dict[str, float]
    options: tuple[str, ...] = _model.OPTIONS
    #: ``offer`` as texts show it, in the language the map was made in (not data)
    offer_shown: NDArray[np.object_] | None = field(default=None, repr=False)

    @property
    def cells(self) -> int:
        return int(self.best.size)

    def share(self) -> dict[str, float]:
        """Share of cells in which each option is best (and ``"no price"`` for unpriced cells)."""
        counts = np.bincount(self.best.ravel() + 1, minlength=5)
        out = {o: float(counts[i + 1] / self.cells) for i, o in enumerate(self.options)}
        if counts[0]:
            out["no price"] = float(counts[0] / self.cells)
        return out

    def steps(self) -> list[dict[str, object]]:
        """Consecutive weights with the same postage, with their break-even price."""
        pst = np.nan_to_num(self.postage, nan=-1.0)
        start = np.flatnonzero(np.r_[True, (pst[1:] != pst[:-1]) | (self.offer[1:] != self.offer[:-1])])
        end = np.r_[start[1:] - 1, len(pst) - 1]
        return [{"weight_from_g": float(self.weight_g[s]), "weight_to_g": float(self.weight_g[e]),
                 "offer": str(self.offer[s]), "postage": float(self.postage[s]),
                 "break_even_price": float(self.break_even_price[s])} for s, e in zip(start, end)]

    def to_dict(self) -> dict[str, object]:
        def clean(x: float) -> object:
            return None if math.isnan(x) else (str(x) if math.isinf(x) else round(x, 2))

        return {"origin": self.origin, "destination": self.destination, "currency": self.currency,
                "options": list(self.options), "share": self.share(),
                "steps": [{k: clean(v) if isinstance(v, float) else v for k, v in r.items()} for r in self.steps()],
                "price": self.price.tolist(), "weight_g": self.weight_g.tolist(), "best": self.best.tolist()}

    def to_frame(self):  # -> pandas.DataFrame
        """One row per cell: weight_g, price, best, advantage."""
        import pandas as pd

        W, P = np.meshgrid(self.weight_g, self.price, indexing="ij")
        return pd.DataFrame({"weight_g": W.ravel(), "price": P.ravel(),
                             "best": np.array(self.options + ("",))[self.best.ravel()],
                             "advantage": self.advantage.ravel()})

    def _shown(self, i: int) -> str:
        return str(self.offer_shown[i]) if self.offer_shown is not None else str(self.offer[i])

    def _repr_html_(self) -> str:
        cur = self.currency
        pst = np.nan_to_num(self.postage, nan=-1.0)
        start = np.flatnonzero(np.r_[True, (pst[1:] != pst[:-1]) | (self.offer[1:] != self.offer[:-1])])
        rows = [{"weights": _weights(r["weight_from_g"], r["weight_to_g"]), "offer": self._shown(int(i)),
                 "postage": money(r["postage"], cur) if not math.isnan(r["postage"]) else "",
                 "above": _never_or(r["break_even_price"], cur)} for i, r in zip(start, self.steps())]
        return html_table(rows, _("Break-even price per postage step, {origin} → {destination}").format(
            origin=self.origin, destination=self.destination),
            {"weights": _("parcel weight"), "offer": _("postal offer"), "postage": _("postage"),
             "above": _("returning pays above")})

    def __str__(self) -> str:
        """The map in the current language: the share of cells each option wins, then the
        break-even price per postage step."""
        cur = self.currency
        lines = [_("Best option for {weights} weights × {prices} prices, {origin} → {destination} (prices "
                   "{price_low}–{price_high}, weights {weight_low}–{weight_high}):").format(
            weights=len(self.weight_g), prices=len(self.price), origin=self.origin, destination=self.destination,
            price_low=money(float(self.price[0]), cur), price_high=money(float(self.price[-1]), cur),
            weight_low=weight(float(self.weight_g[0])), weight_high=weight(float(self.weight_g[-1])))]
        share = self.share()
        words = {**{o: _(_model.OPTION_LABELS[o]) for o in self.options}, "no price": _("no postal offer")}
        lines.append("  " + "; ".join(_("{option}: {share}").format(option=words[o], share=share_text(s))
                                      for o, s in sorted(share.items(), key=lambda kv: -kv[1]) if s))
        lines.append(_("Returning pays for items priced above the break-even (the boundary in the chart):"))
        steps = self.steps()
        width = max((len(_weights(r["weight_from_g"], r["weight_to_g"])) for r in steps), default=0)
        for r in steps:
            w = _weights(r["weight_from_g"], r["weight_to_g"]).rjust(width)
            bep = r["break_even_price"]
            if math.isnan(r["postage"]):
                text = _("{weights}: no tracked offer can take the parcel")
            elif math.isinf(bep):
                text = _("{weights}: postage {postage}, returning never pays")
            elif bep > self.price[-1]:
                text = _("{weights}: postage {postage}, returning pays above {price} (beyond the map)")
            else:
                text = _("{weights}: postage {postage}, returning pays above {price}")
            lines.append("  " + text.format(weights=w, postage=money(r["postage"], cur), price=money(bep, cur)))
        return "\n".join(lines)


def decision_map(order: UncertainOrder, price: ArrayLike, weight_g: ArrayLike) -> DecisionMap:
    """The best option over a grid of item prices × parcel weights on the order's route.

    The postage is looked up once per weight on the real tariff step functions
    (:func:`~calculator.rates.cheapest_postage`), then broadcast against the prices in one call of
    the money model; the other inputs are the order's.

    Parameters
    ----------
    order
        From :func:`~calculator.uncertainty.uncertain_order` or :func:`route_order`. Its postage
        is looked up per weight in the tariffs, or, when the order has a given postage (a counter
        quote for a route without a tariff), that postage holds for every weight.
    price
        Item prices (the map's columns). [order currency]
    weight_g
        Parcel weights (the map's rows). [g]

    Returns
    -------
    DecisionMap

    Examples
    --------
    >>> import datetime
    >>> o = route_order([100, 2000], origin="GB", currency="GBP", reason="damaged",
    ...                 today=datetime.date(2026, 11, 26))
    >>> m = decision_map(o, [10, 100, 1000], [100, 1000])
    >>> m.best.shape, m.best[:, -1].tolist()
    ((2, 3), [3, 3])
    >>> [m.options[k] for k in m.best[0]]
    ['partial_keep', 'return', 'return']
    """
    order.require_return_open("map")
    P = np.asarray(price, dtype=np.float64).ravel()
    W = np.asarray(weight_g, dtype=np.float64).ravel()
    if P.size < 1 or W.size < 1:
        raise InputError(_("map: give at least one price and one weight"))
    S, offer, shown = _postage_and_words(order, W)
    e = order.evaluate(price=P[None, :], postage=S[:, None])
    shape = (W.size, P.size)
    origin, dest = order.route
    return DecisionMap(
        currency=order.currency, origin=origin, destination=dest, price=P, weight_g=W, postage=S,
        offer=offer, offer_shown=shown, best=np.broadcast_to(e.recommendation, shape).copy(),
        advantage=np.broadcast_to(e.return_advantage, shape).copy(),
        break_even_price=np.broadcast_to(e.break_even_price, shape)[:, 0].copy(), given=_given(order),
    )


# --------------------------------------------------------------------------------------------
# threshold table


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ThresholdTable(Views):
    """Results of :func:`threshold_table`: one row per weight band of the cheapest tracked offer.

    A band covers weights above ``weight_from_g`` up to and including ``weight_to_g``. Returning
    pays for items priced above ``break_even_price`` (∞: never; 0: always).
    """

    origin: str
    destination: str
    currency: str
    weight_from_g: NDArray[np.float64]
    weight_to_g: NDArray[np.float64]
    service: NDArray[np.object_]
    offer_key: NDArray[np.object_]
    tracked: NDArray[np.bool_]
    postage_native: NDArray[np.float64]
    postage_currency: NDArray[np.object_]
    postage: NDArray[np.float64]
    break_even_price: NDArray[np.float64]
    varies_in_band: NDArray[np.bool_]
    given: dict[str, float]
    #: ``service`` as texts show it, in the language the table was made in (not data)
    service_shown: NDArray[np.object_] | None = field(default=None, repr=False)

    def rows(self) -> list[dict[str, object]]:
        """JSON/CSV-ready rows (∞ as ``"inf"``, unpriced as empty)."""
        def num(x: float, nd: int = 2) -> object:
            return "" if math.isnan(x) else ("inf" if math.isinf(x) else round(float(x), nd))

        return [
            {"weight_from_g": float(self.weight_from_g[i]), "weight_to_g": float(self.weight_to_g[i]),
             "service": str(self.service[i]), "offer_key": str(self.offer_key[i]), "tracked": bool(self.tracked[i]),
             "postage_native": num(self.postage_native[i]), "postage_currency": str(self.postage_currency[i] or ""),
             "postage": num(self.postage[i]), "currency": self.currency,
             "return_pays_above": num(self.break_even_price[i])}
            for i in range(len(self.weight_to_g))
        ]

    def to_dict(self) -> dict[str, object]:
        return {"origin": self.origin, "destination": self.destination, "currency": self.currency,
                "given": self.given, "bands": self.rows()}

    def to_frame(self):  # -> pandas.DataFrame
        import pandas as pd

        return pd.DataFrame(self.rows())

    def _table(self) -> list[tuple[str, str, str, str]]:
        """Heading and one row per band, in the current language."""
        cur = self.currency
        table = [(_("weight"), _("postage"), _("returning pays above"), _("service"))]
        for i in range(len(self.weight_to_g)):
            w = _weights(float(self.weight_from_g[i]), float(self.weight_to_g[i]))
            if math.isnan(self.postage[i]):
                table.append((w, "—", "—", _("no offer takes the parcel")))
                continue
            pn = money(float(self.postage_native[i]), str(self.postage_currency[i]))
            if self.postage_currency[i] != cur:
                pn = _("{amount} = {converted}").format(amount=pn, converted=money(float(self.postage[i]), cur))
            bep = float(self.break_even_price[i])
            b = _("any price") if bep == 0 else _never_or(bep, cur)
            svc = str(self.service_shown[i]) if self.service_shown is not None else str(self.service[i])
            if str(self.service[i]) in _HOW_WORDS and self.service_shown is None:
                svc = _(_HOW_WORDS[str(self.service[i])])
            if not self.tracked[i]:
                svc = _("{service} (UNTRACKED)").format(service=svc)
            if self.varies_in_band[i]:
                svc += " *"
            table.append((w, pn, b, svc))
        return table

    def _repr_html_(self) -> str:
        table = self._table()
        rows = [dict(zip(("weight", "postage", "above", "service"), r)) for r in table[1:]]
        return html_table(rows, _("Returning pays above, {origin} → {destination}").format(
            origin=self.origin, destination=self.destination), dict(zip(("weight", "postage", "above", "service"),
                                                                        table[0])))

    def __str__(self) -> str:
        """The table in the current language: what is assumed, then one line per band."""
        given = given_text(self.given, self.currency)
        if not any(self.offer_key):
            head = _("Returning pays from these item prices, {origin} → {destination}, with the postage as given, for "
                     "every weight (assuming {given}):")
        else:
            head = _("Returning pays from these item prices, {origin} → {destination}, per weight band of the cheapest "
                     "tracked postage (assuming {given}):")
        lines = [head.format(origin=self.origin, destination=self.destination, given=given)]
        table = self._table()
        widths = [max(len(r[j]) for r in table) for j in range(3)]
        for r in table:
            lines.append(f"  {r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}")
        if self.varies_in_band.any():
            lines.append("  " + _("* price grows with weight inside the band: the threshold is for the band's top "
                                  "weight, so lighter parcels in it pay from a little less"))
        return "\n".join(lines)


def _never_or(price: float, currency: str) -> str:
    """A break-even price in words: the amount, or "never" (∞)."""
    return _("never") if math.isinf(price) else money(price, currency)


def threshold_table(order: UncertainOrder, *, max_weight_g: float = 2000.0) -> ThresholdTable:
    """Per weight band of the cheapest tracked offer on the order's route, the minimum item price
    from which returning pays, given the order's other inputs.

    Parameters
    ----------
    order
        From :func:`route_order` (or :func:`~calculator.uncertainty.uncertain_order`); its postage
        must come from the tariffs. The order's price does not matter.
    max_weight_g
        The heaviest parcel in the table. [g]

    Returns
    -------
    ThresholdTable

    Notes
    -----
    Postage is a right-closed step function of the weight whose steps lie at the tariffs' band
    limits, the services' maximum and minimum weights and surcharge thresholds
    (:func:`~calculator.rates.price_breaks`). It is looked up at each of those weights (one
    :func:`~calculator.rates.cheapest_postage` call); consecutive weights with the same offer and
    price are one band. The threshold is the model's
    ``break_even_price`` at the band's postage (one :func:`~calculator.model.evaluate` call):
    returning pays for items priced above it. It does not depend on the price. A band priced per
    kg is evaluated at its top weight, so its threshold holds for every weight in it.

    Examples
    --------
    >>> import datetime
    >>> o = route_order([100, 2000], origin="GB", currency="GBP", reason="damaged",
    ...                 today=datetime.date(2025, 11, 1))
    >>> t = threshold_table(o, max_weight_g=500)
    >>> t.rows()[0]["weight_to_g"], t.rows()[0]["postage"], t.rows()[0]["return_pays_above"]
    (250.0, 18.95, 37.9)
    """
    order.require_return_open("thresholds")
    if not max_weight_g > 0:
        raise InputError(_("thresholds: the maximum weight must be greater than 0, got {value}").format(
            value=significant(float(max_weight_g), 6)))
    origin, dest = order.route
    given = _given(order)
    if not order.postage_from_tariff:
        # a counter quote (or a free return) holds for every weight: one band
        a = order.assessment
        e = order.evaluate()
        one = np.ones(1)
        how = _postage_and_words(order, one)
        return ThresholdTable(
            origin=origin, destination=dest, currency=order.currency, weight_from_g=0 * one,
            weight_to_g=float(max_weight_g) * one, service=np.array([how[1][0]], dtype=object),
            service_shown=np.array([how[2][0]], dtype=object),
            offer_key=np.array([""], dtype=object), tracked=np.array([True]),
            postage_native=np.asarray(a.postage_native, dtype=np.float64)[:1].copy(),
            postage_currency=np.asarray(a.postage_currency, dtype=object)[:1].copy(), postage=a.postage[:1].copy(),
            break_even_price=np.asarray(e.break_even_price, dtype=np.float64).reshape(1).copy(),
            varies_in_band=np.zeros(1, bool), given=given,
        )
    breaks = price_breaks(order.tariffs, origin, dest, max_weight_g, posted_on=order.assessment.values["posted_on"][0])
    w = breaks.weight_g
    amount, p = order.lookup_postage(w)
    key = np.char.add(p.offer_key.astype(str), np.char.add("|", np.nan_to_num(amount, nan=-1.0).astype(str)))
    last = np.r_[key[1:] != key[:-1], True]
    idx = np.flatnonzero(last)
    to = w[idx]
    frm = np.r_[0.0, to[:-1]]
    e = order.evaluate(postage=amount[idx])
    varies = breaks.graded(frm, to)
    return ThresholdTable(
        origin=origin, destination=dest, currency=order.currency, weight_from_g=frm, weight_to_g=to,
        service=p.service[idx], service_shown=p.shown_service[idx], offer_key=p.offer_key[idx], tracked=p.tracked[idx],
        postage_native=p.amount[idx], postage_currency=p.currency[idx], postage=amount[idx],
        break_even_price=np.broadcast_to(e.break_even_price, idx.shape).copy(), varies_in_band=varies, given=given,
    )


def route_order(
    weight_g: ArrayLike,
    *,
    tariffs: Iterable[Tariff] | None = None,
    fx: FxRates | None = None,
    today=None,
    defaults: bool = True,
    **inputs: object,
) -> UncertainOrder:
    """An order for a route analysis (map, threshold table) over the weights ``weight_g``.

    The order is resolved at the lightest of the weights the route can price, so that a route
    priced only for some weights works; when no weight is priced, resolving it raises the same
    :class:`~calculator.errors.RouteError` as an estimate (with the tariffs for the origin and
    how to pass a counter quote). ``price`` defaults to 1 (the analyses replace it).

    Parameters
    ----------
    weight_g
        The weights the analysis will use. [g]
    tariffs, fx, today, defaults, **inputs
        As for :func:`~calculator.uncertainty.uncertain_order`; ``origin`` is required. A given
        ``postage`` (a counter quote) holds for every weight, so routes without a tariff (RU → CN)
        can be analysed too.
    """
    if inputs.get("weight_g") is not None:
        raise InputError(_("weight_g: a route analysis covers a range of weights; give the range instead"))
    tset = resolve(tariffs, today=today)
    rates = fx or reference_rates()
    w = np.sort(np.asarray(weight_g, dtype=np.float64).ravel())
    inputs.setdefault("price", 1.0)
    if inputs.get("postage") is not None:  # a counter quote for every weight (routes without a tariff)
        return uncertain_order(tariffs=tset, fx=rates, today=today, defaults=defaults, weight_g=float(w[0]), **inputs)
    origin = str(inputs.get("origin", "")).upper()
    dest = str(inputs.get("destination") or "CN").upper()
    dims = [inputs.get(k, np.nan) for k in ("length_cm", "width_cm", "height_cm")]
    p = cheapest_postage(tset, origin, dest, w, *dims, zone=inputs.get("zone"), service=inputs.get("service"), fx=rates,
                         posted_on=inputs.get("posted_on") or today)
    priced = np.isfinite(p.amount)
    at = float(w[priced][0]) if priced.any() else float(w[0])
    return uncertain_order(tariffs=tset, fx=rates, today=today, defaults=defaults, weight_g=at, **inputs)
