"""``quote()``: every postal offer for one parcel on one route, in words and numbers.

This is the API behind ``returncost quote``; it formats what :func:`calculator.rates.price_route`
computes and adds a conversion to the order's currency.
"""

from __future__ import annotations

import datetime as _dt
import html
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from . import rates as _rates
from .errors import InputError, TariffError
from .fx import FxRates, reference_rates
from .tariffs import Tariff, TariffWarning, in_force, is_country, not_in_force, resolve
from .units import format_weight

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
    reason: str  # "" when eligible
    note: str  # service or zone note worth showing
    caveat: str  # what to check before posting this way ("" when nothing)
    recommended: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
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
                {**{k: getattr(r, k) for k in QuoteRow.__slots__}, "price": num(r.price),
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

        return pd.DataFrame([{k: getattr(r, k) for k in QuoteRow.__slots__} for r in self.rows])

    def _heading(self) -> str:
        size = ""
        if self.dims_cm:
            size = ", " + " × ".join(f"{x:g}" for x in self.dims_cm) + " cm"
        return (f"Postage from {self.origin} to {self.destination} for {format_weight(self.weight_g)}{size}, "
                f"posted on {self.posted_on}")

    def __str__(self) -> str:
        return format_quote(self)

    def _repr_html_(self) -> str:
        cur = self.currency
        head = ["", "carrier", "service", "add-on", "tracked", "price"] + ([cur] if cur else []) + ["why not"]
        out = [f"<p><b>{html.escape(self._heading())}</b></p><table><tr>"]
        out += [f"<th>{html.escape(h)}</th>" for h in head] + ["</tr>"]
        for r in self.rows:
            cells = [
                "►" if r.recommended else "", r.carrier, r.service, r.addon or "—",
                "yes" if r.tracked else "no",
                f"{r.price:,.2f} {r.currency}" if r.eligible else "",
            ]
            if cur:
                cells.append(f"{r.converted:,.2f}" if r.converted == r.converted else "")
            cells.append(r.reason)
            style = ' style="font-weight:bold"' if r.recommended else ""
            out.append(f"<tr{style}>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
        out.append("</table>")
        return "".join(out)


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
    for field, code in (("from", origin), ("to", destination)):
        if not is_country(code):
            raise InputError(f"{field}: {code!r} is not an ISO 3166-1 alpha-2 country code (e.g. US, GB, CN)")
    if not weight_g >= 0:
        raise InputError(f"weight: {weight_g!r} must be a weight of zero or more grams")
    day = posted_on or _dt.date.today()
    mine = [t for t in resolve(tariffs) if t.origin == origin]
    tariffs = in_force(mine, day)
    missing = not_in_force(mine, day)
    if mine and not tariffs:
        raise TariffError("; ".join(missing))
    rates = fx or reference_rates()
    if currency is not None:
        currency = currency.upper()
        from .fx import require

        require([currency] + sorted({t.currency for t in tariffs}), rates)
    dims = tuple(float(x) for x in dims_cm) if dims_cm is not None else (np.nan,) * 3
    q = _rates.price_route(tariffs, origin, destination, weight_g, *dims, zone=zone, fx=rates, posted_on=day)
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
                reason=_rates.explain(q, i, 0),
                note=" ".join(n for n in notes if n),
                caveat=offer.caveat,
                recommended=bool(q.best[0] == i),
            )
        )
    stale = [t.stale_note(day) for t in tariffs if t.stale(day)]
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
        posted_on=day,
        warnings=(*stale, *missing),
    )


def _containers(q: Quote) -> set[str]:
    """Ids of services that are containers (a box or envelope the parcel must fit)."""
    return {s.id for t in q.tariffs for s in t.services if s.limits.max_dims_cm is not None}


def format_quote(q: Quote) -> str:
    """The quote as a readable text table (what ``returncost quote`` prints)."""
    lines = [q._heading()]
    if not q.rows:
        lines.append(f"No tariff prices parcels posted in {q.origin}.")
        return "\n".join(lines)
    cur = q.currency
    table = [["", "carrier", "service", "add-on", "tracked", "price"] + ([cur] if cur else [])]
    why: list[str] = []  # the reasons of the offers without a price, after the table
    notes: list[str] = []  # long explanations (a conflict, an open question), numbered
    for r in q.rows:
        row = ["►" if r.recommended else "", r.carrier, r.service, r.addon or "—", "yes" if r.tracked else "no"]
        if r.eligible:
            row.append(f"{r.price:,.2f} {r.currency}")
            if cur:
                row.append(f"{r.converted:,.2f}" if r.converted == r.converted else "no rate")
            why.append("")
        else:
            row.append("✗")
            if cur:
                row.append("")
            short, sep, note = r.reason.partition(" (")
            if sep and note.endswith(")"):
                notes.append(note[:-1])
                short += f" [{len(notes)}]"
            why.append(short if sep else r.reason)
        table.append(row)
    widths = [max(len(row[c]) for row in table if c < len(row)) for c in range(len(table[0]))]
    for row, reason in zip(table, ["", *why]):
        lines.append("  ".join([*(cell.ljust(widths[c]) for c, cell in enumerate(row)), reason]).rstrip())
    rec = q.recommended
    lines.append("")
    if rec is not None:
        conv = f" ({rec.converted:,.2f} {cur})" if cur and cur != rec.currency and rec.converted == rec.converted else ""
        lines.append(f"► cheapest tracked offer: {rec.carrier} {rec.service}"
                     f"{' + ' + rec.addon if rec.addon else ''}, {rec.price:,.2f} {rec.currency}{conv}")
    elif any(r.eligible for r in q.rows):
        lines.append("No tracked offer can take this parcel: an untracked return cannot be proven in a dispute.")
    else:
        lines.append(f"No offer can take this parcel from {q.origin} to {q.destination}; "
                     "a post-office counter quote can be passed to `returncost estimate --postage`.")
    if q.dims_cm is None and any(r.eligible and r.key.split("/")[1] in _containers(q) for r in q.rows):
        lines.append("Size unknown: flat-rate envelopes and boxes are listed but not recommended; "
                     "pass --dims to check that the item fits one.")
    lines += [f"[{i}] {note}" for i, note in enumerate(notes, 1)]
    if rec is not None and rec.caveat:
        lines.append(f"Check before posting: {rec.caveat}")
    if rec is not None and rec.note:
        lines.append(f"Note on the recommended offer: {rec.note}")
    if cur and q.fx_date:
        lines.append(f"Converted to {cur} at the reference rates of {q.fx_date}.")
    for t in q.tariffs:
        until = f" to {t.valid_until}" if t.valid_until else ""
        lines.append(f"Tariff {t.name}, price list valid from {t.valid_from}{until}: {t.source.title or t.carrier}; "
                     f"{t.source.kind} source, {t.source.confidence} confidence; {t.source.url}")
    lines += [f"Warning: {w}" for w in q.warnings]
    return "\n".join(lines)
