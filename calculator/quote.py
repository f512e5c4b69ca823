"""``quote()``: every postal offer for one parcel on one route, in words and numbers.

This is the API behind ``returncost quote``; it formats what :func:`calculator.rates.price_route`
computes and adds a conversion to the order's currency. The texts are in the current language
(:mod:`calculator.i18n`); the reasons are written when the quote is made.
"""

from __future__ import annotations

import datetime as _dt
import html
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from . import rates as _rates
from .errors import InputError, TariffError
from .formatting import amount, day, money, sides, weight
from .fx import FxRates, reference_rates
from .i18n import N_, Views, _
from .tariff_view import CONFIDENCE_WORDS, KIND_WORDS
from .tariffs import Tariff, TariffWarning, in_force, is_country, not_in_force, resolve

__all__ = ["QuoteRow", "Quote", "quote"]


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteRow:
    """One offer for the parcel."""

    key: str  # tariff/service[+addon]
    carrier: str
    service: str
    addon: str  # "" when none
    tracked: bool
    price: float  # in `currency`; NaN when not eligible
    currency: str
    converted: float  # in the quote's display currency; NaN when not eligible or no rate
    chargeable_g: float
    eligible: bool
    reason: str  # "" when eligible; in the language of the call that made the quote
    note: str  # service or zone note worth showing
    caveat: str  # what to check before posting this way ("" when nothing)
    recommended: bool
    offer: _rates.Offer | None = field(default=None, repr=False, compare=False)  # for the texts; not data
    reason_note: str = field(default="", repr=False, compare=False)  # the zone note that explains `reason`

    @property
    def shown(self) -> str:
        """The offer's carrier, service and add-on as texts in the current language show them."""
        if self.offer is not None:
            return self.offer.shown_label
        return " ".join(x for x in (self.carrier, self.service, f"+ {self.addon}" if self.addon else "") if x)


#: The fields of a row that are data (``to_dict``, ``to_frame``).
_ROW_DATA = tuple(k for k in QuoteRow.__slots__ if k not in ("offer", "reason_note"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote(Views):
    """All offers for one parcel from ``origin`` to ``destination``."""

    origin: str
    destination: str
    weight_g: float
    dims_cm: tuple[float, float, float] | None
    currency: str | None  # display currency of `converted`
    fx_date: str | None
    rows: tuple[QuoteRow, ...]
    tariffs: tuple[Tariff, ...]  # the versions priced (those in force on `posted_on`)
    posted_on: _dt.date
    warnings: tuple[str, ...] = ()  # a stale version used, a tariff with no version in force

    @property
    def recommended(self) -> QuoteRow | None:
        """The cheapest eligible offer with a tracking number, if any."""
        return next((r for r in self.rows if r.recommended), None)

    def to_dict(self) -> dict[str, object]:
        def num(x: float) -> float | None:
            return None if x != x else x

        return {
            "origin": self.origin,
            "destination": self.destination,
            "posted_on": str(self.posted_on),
            "weight_g": self.weight_g,
            "dims_cm": list(self.dims_cm) if self.dims_cm else None,
            "currency": self.currency,
            "fx_date": self.fx_date,
            "recommended": self.recommended.key if self.recommended else None,
            "offers": [
                {**{k: getattr(r, k) for k in _ROW_DATA}, "price": num(r.price),
                 "converted": num(r.converted), "chargeable_g": num(r.chargeable_g)}
                for r in self.rows
            ],
            "tariffs": [
                {"name": t.name, "carrier": t.carrier, "version": t.version, "valid_from": str(t.valid_from),
                 "valid_until": str(t.valid_until) if t.valid_until else None,
                 "source": t.source.url, "kind": t.source.kind, "confidence": t.source.confidence}
                for t in self.tariffs
            ],
            "warnings": list(self.warnings),
        }

    def to_frame(self):  # -> pandas.DataFrame
        """The offers as a pandas DataFrame, one row per offer."""
        import pandas as pd

        return pd.DataFrame([{k: getattr(r, k) for k in _ROW_DATA} for r in self.rows])

    def _heading(self) -> str:
        if self.dims_cm:
            return _("Postage from {origin} to {destination} for {weight}, {sides}, posted on {day}").format(
                origin=self.origin, destination=self.destination, weight=weight(self.weight_g),
                sides=sides(self.dims_cm), day=day(self.posted_on))
        return _("Postage from {origin} to {destination} for {weight}, posted on {day}").format(
            origin=self.origin, destination=self.destination, weight=weight(self.weight_g), day=day(self.posted_on))

    def __str__(self) -> str:
        return format_quote(self)

    def _repr_html_(self) -> str:
        cur = self.currency
        head = [""] + [_(h) for h in _HEAD] + ([cur] if cur else []) + [_("why not")]
        out = [f"<p><b>{html.escape(self._heading())}</b></p><table><tr>"]
        out += [f"<th>{html.escape(h)}</th>" for h in head] + ["</tr>"]
        for r in self.rows:
            cells = [
                "►" if r.recommended else "", r.carrier, _service(r), _addon(r),
                _("yes") if r.tracked else _("no"),
                money(r.price, r.currency) if r.eligible else "",
            ]
            if cur:
                cells.append(amount(r.converted, cur) if r.converted == r.converted else "")
            cells.append(r.reason)
            style = ' style="font-weight:bold"' if r.recommended else ""
            out.append(f"<tr{style}>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
        out.append("</table>")
        return "".join(out)


#: The headings of a quote's table (the converted column is headed by its currency).
_HEAD = (N_("carrier"), N_("service"), N_("add-on"), N_("tracked"), N_("price"))


def _service(r: QuoteRow) -> str:
    """The service's name as texts in the current language show it."""
    return r.offer.service.shown_name if r.offer is not None else r.service


def _addon(r: QuoteRow) -> str:
    if r.offer is not None and r.offer.addon is not None:
        return r.offer.addon.shown_name
    return r.addon or "—"


def quote(
    origin: str,
    destination: str = "CN",
    weight_g: float = np.nan,
    dims_cm: tuple[float, float, float] | None = None,
    *,
    currency: str | None = None,
    zone: str | None = None,
    tariffs: Iterable[Tariff] | None = None,
    fx: FxRates | None = None,
    posted_on: _dt.date | None = None,
) -> Quote:
    """Every offer for one parcel on one route, with the recommended tracked offer marked.

    Parameters
    ----------
    origin, destination
        ISO 3166-1 alpha-2 codes: where the parcel is posted, where it goes.
    weight_g
        Actual weight. [g]
    dims_cm
        Length, width and height in any order, or None if unknown (size limits are then not
        checked). [cm]
    currency
        Also show each price in this currency (ISO 4217), converted with ``fx``.
    zone
        Zone id for services whose zone depends on distance (domestic); None for the default.
    tariffs
        Tariffs to use (default: :func:`calculator.load_tariffs`): each in the version in force on
        ``posted_on``.
    fx
        Exchange rates (default: the bundled reference rates).
    posted_on
        The day the parcel is posted (default today): the price lists in force that day answer.

    Returns
    -------
    Quote
        Its ``warnings`` name a version used past its ``valid_until`` or over a year old (also
        issued as :class:`~calculator.tariffs.TariffWarning`) and tariffs with no version in force.

    Raises
    ------
    TariffError
        No tariff of ``origin`` has a version in force on ``posted_on``: "no price list of NAME in
        force on DATE; the oldest is from DATE".

    Examples
    --------
    >>> import datetime
    >>> q = quote("US", "CN", 300, (20, 15, 5), posted_on=datetime.date(2026, 11, 29))
    >>> q.recommended.key, q.recommended.price
    ('us-usps/pmi_fr_envelope', 49.75)
    >>> quote("US", "CN", 300, (20, 15, 5), posted_on=datetime.date(2025, 11, 1)).recommended.price
    45.15
    """
    for flag, code in (("from", origin), ("to", destination)):
        if not is_country(code):
            raise InputError(_("{field}: {value!r} is not an ISO 3166-1 alpha-2 country code (e.g. US, GB, CN)").format(
                field=flag, value=code))
    if not weight_g >= 0:
        raise InputError(_("weight: {value!r} must be a weight of zero or more grams").format(value=weight_g))
    posted = posted_on or _dt.date.today()
    mine = [t for t in resolve(tariffs) if t.origin == origin]
    tariffs = in_force(mine, posted)
    missing = not_in_force(mine, posted)
    if mine and not tariffs:
        raise TariffError("; ".join(missing))
    rates = fx or reference_rates()
    if currency is not None:
        currency = currency.upper()
        from .fx import require

        require([currency] + sorted({t.currency for t in tariffs}), rates)
    dims = tuple(float(x) for x in dims_cm) if dims_cm is not None else (np.nan,) * 3
    q = _rates.price_route(tariffs, origin, destination, weight_g, *dims, zone=zone, fx=rates, posted_on=posted)
    rows = []
    for i, offer in enumerate(q.offers):
        price = float(q.price[i, 0])
        eligible = int(q.reason[i, 0]) == _rates.OK
        converted = float("nan")
        if currency is not None and eligible:
            converted = round(price * float(rates.factor(offer.currency, currency)), 2)
        zi = int(q.zone[i, 0])
        zone_obj = offer.zones[zi] if 0 <= zi < len(offer.zones) else None
        notes = [offer.service.note, offer.service.zone_note if len(offer.zones) > 1 else ""]
        if zone_obj is not None and eligible:
            notes.append(zone_obj.note)
        reason, reason_note = _rates.explain_parts(q, i, 0)
        rows.append(
            QuoteRow(
                key=offer.key,
                carrier=offer.tariff.carrier,
                service=offer.service.name,
                addon=offer.addon.name if offer.addon else "",
                tracked=offer.tracked,
                price=price,
                currency=offer.currency,
                converted=converted,
                chargeable_g=float(q.chargeable_g[i, 0]),
                eligible=eligible,
                reason=_("{reason} ({note})").format(reason=reason, note=reason_note) if reason_note else reason,
                note=" ".join(n for n in notes if n),
                caveat=offer.caveat,
                recommended=bool(q.best[0] == i),
                offer=offer,
                reason_note=reason_note,
            )
        )
    stale = [t.stale_note(posted) for t in tariffs if t.stale(posted)]
    for text in stale:
        warnings.warn(text, TariffWarning, stacklevel=2)
    return Quote(
        origin=origin,
        destination=destination,
        weight_g=float(weight_g),
        dims_cm=tuple(float(x) for x in dims_cm) if dims_cm is not None else None,  # type: ignore[arg-type]
        currency=currency,
        fx_date=str(rates.date) if currency is not None and rates.date else None,
        rows=tuple(rows),
        tariffs=tuple(tariffs),
        posted_on=posted,
        warnings=(*stale, *missing),
    )


def _containers(q: Quote) -> set[str]:
    """Ids of services that are containers (a box or envelope the parcel must fit)."""
    return {s.id for t in q.tariffs for s in t.services if s.limits.max_dims_cm is not None}


def format_quote(q: Quote) -> str:
    """The quote as a readable text table (what ``returncost quote`` prints), in the current
    language."""
    lines = [q._heading()]
    if not q.rows:
        lines.append(_("No tariff prices parcels posted in {country}.").format(country=q.origin))
        return "\n".join(lines)
    cur = q.currency
    table = [[""] + [_(h) for h in _HEAD] + ([cur] if cur else [])]
    why: list[str] = []  # the reasons of the offers without a price, after the table
    notes: list[str] = []  # long explanations (a conflict, an open question), numbered
    for r in q.rows:
        row = ["►" if r.recommended else "", r.carrier, _service(r), _addon(r), _("yes") if r.tracked else _("no")]
        if r.eligible:
            row.append(money(r.price, r.currency))
            if cur:
                row.append(amount(r.converted, cur) if r.converted == r.converted else _("no rate"))
            why.append("")
        else:
            row.append("✗")
            if cur:
                row.append("")
            if r.reason_note:
                notes.append(r.reason_note)
                short = r.reason[: -len(r.reason_note) - 3] if r.reason.endswith(f" ({r.reason_note})") else r.reason
                why.append(f"{short} [{len(notes)}]")
            else:
                why.append(r.reason)
        table.append(row)
    widths = [max(len(row[c]) for row in table if c < len(row)) for c in range(len(table[0]))]
    for row, reason in zip(table, ["", *why]):
        lines.append("  ".join([*(cell.ljust(widths[c]) for c, cell in enumerate(row)), reason]).rstrip())
    rec = q.recommended
    lines.append("")
    if rec is not None:
        price = money(rec.price, rec.currency)
        if cur and cur != rec.currency and rec.converted == rec.converted:
            lines.append(_("► cheapest tracked offer: {service}, {price} ({converted})").format(
                service=rec.shown, price=price, converted=money(rec.converted, cur)))
        else:
            lines.append(_("► cheapest tracked offer: {service}, {price}").format(service=rec.shown, price=price))
    elif any(r.eligible for r in q.rows):
        lines.append(_("No tracked offer can take this parcel: an untracked return cannot be proven in a dispute."))
    else:
        lines.append(_("No offer can take this parcel from {origin} to {destination}; a post-office counter quote can "
                       "be passed to `returncost estimate --postage`.").format(origin=q.origin,
                                                                               destination=q.destination))
    if q.dims_cm is None and any(r.eligible and r.key.split("/")[1] in _containers(q) for r in q.rows):
        lines.append(_("Size unknown: flat-rate envelopes and boxes are listed but not recommended; pass --dims to "
                       "check that the item fits one."))
    lines += [f"[{i}] {note}" for i, note in enumerate(notes, 1)]
    if rec is not None and rec.caveat:
        lines.append(_("Check before posting: {text}").format(text=rec.caveat))
    if rec is not None and rec.note:
        lines.append(_("Note on the recommended offer: {text}").format(text=rec.note))
    if cur and q.fx_date:
        lines.append(_("Converted to {currency} at the reference rates of {day}.").format(currency=cur,
                                                                                          day=day(q.fx_date)))
    for t in q.tariffs:
        if t.valid_until:
            period = _("price list valid from {start} to {end}").format(start=day(t.valid_from), end=day(t.valid_until))
        else:
            period = _("price list valid from {start}").format(start=day(t.valid_from))
        lines.append(_("Tariff {tariff}, {period}: {title}; {kind}, {confidence}; {url}").format(
            tariff=t.name, period=period, title=t.source.title or t.carrier,
            kind=_(KIND_WORDS[t.source.kind]) if t.source.kind in KIND_WORDS else t.source.kind,
            confidence=_(CONFIDENCE_WORDS[t.source.confidence]) if t.source.confidence in CONFIDENCE_WORDS
            else t.source.confidence, url=t.source.url))
    lines += [_("Warning: {text}").format(text=w) for w in q.warnings]
    return "\n".join(lines)
