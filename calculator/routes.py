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
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import model as _model
from .errors import InputError
from .formatting import html_table, money
from .fx import FxRates, reference_rates
from .rates import cheapest_postage, price_breaks
from .tariffs import Tariff, resolve
from .uncertainty import UncertainOrder, uncertain_order

__all__ = ["DecisionMap", "decision_map", "ThresholdTable", "threshold_table", "route_order"]


# --------------------------------------------------------------------------------------------
# decision map


def _postage_by_weight(order: UncertainOrder, weight_g: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray]:
    """Postage in the order currency at each weight, and the offer's words: the tariffs' cheapest
    tracked offer, or the order's own postage (given, or a free return) at every weight."""
    if order.postage_from_tariff:
        S, p = order.lookup_postage(weight_g)
        return S, np.asarray(p.service, dtype=object)
    how = "free return" if bool(order.assessment.free_return[0]) else "postage as given"
    return np.full(weight_g.shape, order.value("postage")), np.full(weight_g.shape, how, dtype=object)


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
class DecisionMap:
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

    def _repr_html_(self) -> str:
        return html_table(self.steps(), f"Break-even price per postage step, {self.origin} → {self.destination} "
                                         f"[{self.currency}]")

    def __str__(self) -> str:
        cur = self.currency
        lines = [f"Best option for {len(self.weight_g)} weights × {len(self.price)} prices, {self.origin} → "
                 f"{self.destination} (prices {self.price[0]:,.6g}–{self.price[-1]:,.6g} {cur}, "
                 f"weights {self.weight_g[0]:,.6g}–{self.weight_g[-1]:,.6g} g):"]
        share = self.share()
        lines.append("  " + ", ".join(f"{o} {s:.0%}" for o, s in sorted(share.items(), key=lambda kv: -kv[1]) if s))
        lines.append("Returning pays for items priced above the break-even (the boundary in the chart):")
        for r in self.steps():
            w = f"{r['weight_from_g']:,.0f}–{r['weight_to_g']:,.0f} g"
            if math.isnan(r["postage"]):
                lines.append(f"  {w:>16}: no tracked offer can take the parcel")
                continue
            bep = r["break_even_price"]
            where = "never" if math.isinf(bep) else f"above {money(bep, cur)}"
            if math.isfinite(bep) and bep > self.price[-1]:
                where += " (beyond the map)"
            lines.append(f"  {w:>16}: postage {money(r['postage'], cur)}, returning pays {where}")
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
        raise InputError("map: give at least one price and one weight")
    S, offer = _postage_by_weight(order, W)
    e = order.evaluate(price=P[None, :], postage=S[:, None])
    shape = (W.size, P.size)
    origin, dest = order.route
    return DecisionMap(
        currency=order.currency, origin=origin, destination=dest, price=P, weight_g=W, postage=S,
        offer=offer, best=np.broadcast_to(e.recommendation, shape).copy(),
        advantage=np.broadcast_to(e.return_advantage, shape).copy(),
        break_even_price=np.broadcast_to(e.break_even_price, shape)[:, 0].copy(), given=_given(order),
    )


# --------------------------------------------------------------------------------------------
# threshold table


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ThresholdTable:
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

    def _repr_html_(self) -> str:
        return html_table(self.rows(), f"Returning pays above, {self.origin} → {self.destination}")

    def __str__(self) -> str:
        cur = self.currency
        given = ", ".join(f"{k} {v:g}" for k, v in self.given.items())
        basis = ("with the postage as given, for every weight" if not any(self.offer_key)
                 else "per weight band of the cheapest tracked postage")
        lines = [f"Returning pays from these item prices, {self.origin} → {self.destination}, "
                 f"{basis} (given {given}):"]
        table = [("weight", "postage", "return pays above", "service")]
        for i in range(len(self.weight_to_g)):
            w = f"{self.weight_from_g[i]:,.5g}–{self.weight_to_g[i]:,.5g} g"
            if math.isnan(self.postage[i]):
                table.append((w, "—", "—", "no offer takes the parcel"))
                continue
            pn = f"{self.postage_native[i]:,.2f} {self.postage_currency[i]}"
            if self.postage_currency[i] != cur:
                pn += f" = {self.postage[i]:,.2f} {cur}"
            bep = float(self.break_even_price[i])
            b = "never" if math.isinf(bep) else ("any price" if bep == 0 else money(bep, cur))
            svc = str(self.service[i]) + ("" if self.tracked[i] else " (UNTRACKED)")
            if self.varies_in_band[i]:
                svc += " *"
            table.append((w, pn, b, svc))
        widths = [max(len(r[j]) for r in table) for j in range(3)]
        for r in table:
            lines.append(f"  {r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}")
        if self.varies_in_band.any():
            lines.append("  * price grows with weight inside the band: the threshold is for the band's top weight, "
                         "so lighter parcels in it pay from a little less")
        return "\n".join(lines)


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
        raise InputError(f"thresholds: the maximum weight must be greater than 0, got {max_weight_g:g}")
    origin, dest = order.route
    given = _given(order)
    if not order.postage_from_tariff:
        # a counter quote (or a free return) holds for every weight: one band
        a = order.assessment
        e = order.evaluate()
        one = np.ones(1)
        return ThresholdTable(
            origin=origin, destination=dest, currency=order.currency, weight_from_g=0 * one,
            weight_to_g=float(max_weight_g) * one, service=np.array([_postage_by_weight(order, one)[1][0]], dtype=object),
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
        service=p.service[idx], offer_key=p.offer_key[idx], tracked=p.tracked[idx],
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
        raise InputError("weight_g: a route analysis covers a range of weights; give the range instead")
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
