"""Tariffs for people: a zones × weight-limits table in text, HTML or a dict.

This module reads :class:`~calculator.tariff_types.Tariff` objects (and their ``Service`` and
``Zone``) without importing the module that defines them, which imports this one to print itself:
the names ``Tariff``, ``Service`` and ``Zone`` in annotations are strings only (``from __future__
import annotations``), never looked up.
"""

from __future__ import annotations

import html
import math

import numpy as np

from .formatting import amount, day, number, sides, weight
from .i18n import N_, _

__all__ = ["describe_tariff", "tariff_to_dict", "zone_table", "tariff_html", "tariff_frame", "tariff_set_html",
           "price_bands"]

#: How a source was obtained and how far it is trusted, in words (the files' codes as keys).
KIND_WORDS: dict[str, str] = {"primary": N_("primary source"), "secondary": N_("secondary source")}
CONFIDENCE_WORDS: dict[str, str] = {"high": N_("high confidence"), "medium": N_("medium confidence"),
                                    "low": N_("low confidence")}


def _word(table: dict[str, str], code: str) -> str:
    return _(table[code]) if code in table else code


def _price_cell(z: Zone, i: int, currency: str) -> str:
    if math.isnan(z.base[i]):
        return "—"
    base = amount(z.base[i], currency)
    if z.rate[i] == 0:
        return base
    text = _("{base} + {rate} per {weight}").format(base=base, rate=amount(z.rate[i], currency),
                                                    weight=weight(z.per_g[i]))
    if z.above_g[i] > 0:
        text = _("{price} above {weight}").format(price=text, weight=weight(z.above_g[i]))
    if z.step_g[i] > 0:
        text = _("{price}, per started {weight}").format(price=text, weight=weight(z.step_g[i]))
    return text


def zone_table(s: Service, currency: str = "") -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per weight limit, one column per zone (prices in ``currency``'s
    minor unit; two decimals when none is given)."""
    priced = [z for z in s.zones if z.available and not z.gap]
    limits = sorted({float(x) for z in priced for x in z.limits_g})
    header = [_("up to")] + [_("{zone} ({countries})").format(zone=z.id, countries=", ".join(z.countries))
                             for z in priced]
    rows = []
    for lim in limits:
        row = [weight(lim)]
        for z in priced:
            hit = np.flatnonzero(np.isclose(z.limits_g, lim, rtol=1e-12))
            row.append(_price_cell(z, int(hit[0]), currency or "EUR") if len(hit) else "")
        rows.append(row)
    return header, rows


def _limits_text(s: Service) -> str:
    lim = s.limits
    parts = []
    if math.isfinite(lim.max_weight_g):
        parts.append(_("at most {weight}").format(weight=weight(lim.max_weight_g)))
    if lim.min_weight_g > 0:
        parts.append(_("only over {weight}").format(weight=weight(lim.min_weight_g)))
    if math.isfinite(lim.max_length_cm):
        parts.append(_("longest side at most {length}").format(length=sides([lim.max_length_cm])))
    if math.isfinite(lim.max_sum_cm):
        parts.append(_("length + width + height at most {length}").format(length=sides([lim.max_sum_cm])))
    if math.isfinite(lim.max_length_girth_cm):
        parts.append(_("length + girth at most {length}").format(length=sides([lim.max_length_girth_cm])))
    if lim.max_dims_cm:
        parts.append(_("fits {sides}").format(sides=sides(lim.max_dims_cm)))
    if lim.min_dims_cm:
        parts.append(_("at least {sides}").format(sides=sides(lim.min_dims_cm)))
    if s.volumetric:
        divisor = number(s.volumetric.divisor_cm3_per_kg, 0)
        if s.volumetric.above_cm3:
            text = _("volumetric weight: length × width × height / {divisor} cm³ per kg, above {volume} cm³")
        else:
            text = _("volumetric weight: length × width × height / {divisor} cm³ per kg")
        parts.append(text.format(divisor=divisor, volume=number(s.volumetric.above_cm3, 0)))
    if s.min_chargeable_g:
        parts.append(_("charged at least {weight}").format(weight=weight(s.min_chargeable_g)))
    return "; ".join(parts) or _("no limits in source")


def _period(t: Tariff) -> str:
    if t.valid_until:
        return _("valid from {start} to {end}").format(start=day(t.valid_from), end=day(t.valid_until))
    return _("valid from {start}").format(start=day(t.valid_from))


def price_bands(t: Tariff) -> int:
    """How many prices a version lists: one per weight band of each zone of each service."""
    return sum(len(z.limits_g) for s in t.services for z in s.zones)


def describe_tariff(t: Tariff) -> str:
    """Readable text of one version of a tariff (``returncost tariffs show``), in the current
    language."""
    cur = t.currency
    out = [
        _("{tariff}: {carrier}, parcels from {origin}, prices in {currency}, {period}").format(
            tariff=t.name, carrier=t.carrier, origin=t.origin, currency=cur, period=_period(t)),
        _("source: {title}{url} ({kind}, {confidence})").format(
            title=t.source.title + " — " if t.source.title else "", url=t.source.url,
            kind=_word(KIND_WORDS, t.source.kind), confidence=_word(CONFIDENCE_WORDS, t.source.confidence)),
    ]
    if t.source.obtained:
        out.append(_("obtained: {text}").format(text=t.source.obtained))
    if t.source.notes:
        out.append(_("notes: {text}").format(text=t.source.notes))
    if t.notes_file is not None:
        out.append(_("source notes of every version: {path}").format(path=t.notes_file))
    for r in t.rules:
        sources = _("Sources: {titles}").format(titles="; ".join(x.title or x.url for x in r.sources))
        rule = _("rule from {day}: {text}.").format(day=day(r.since), text=r.shown_text)
        out.append(" ".join(x for x in (rule, r.note, sources) if x))
    for s in t.services:
        line = _("[{id}] {name} — tracked") if s.tracked else _("[{id}] {name} — untracked")
        out += ["", line.format(id=s.id, name=s.shown_name)]
        out.append("  " + _("limits: {limits}").format(limits=_limits_text(s)))
        for label, text in ((N_("tracking: {text}"), s.tracking_note), (N_("note: {text}"), s.note),
                            (N_("check: {text}"), s.caveat), (N_("zones: {text}"), s.zone_note)):
            if text:
                out.append("  " + _(label).format(text=text))
        for a in s.addons:
            line = _("add-on [{id}] {name}: +{fee} (tracked)") if a.tracked else _("add-on [{id}] {name}: +{fee}")
            out.append("  " + line.format(id=a.id, name=a.shown_name, fee=amount(a.fee, cur)))
        for sc in s.surcharges:
            what = f"+{amount(sc.fixed, cur)}" if sc.fixed else f"+{number(sc.percent, 2)} %"
            if sc.over_g:
                line = _("surcharge {name}: {amount} over {weight}").format(name=sc.name, amount=what,
                                                                              weight=weight(sc.over_g))
            else:
                line = _("surcharge {name}: {amount}").format(name=sc.name, amount=what)
            out.append("  " + line)
        if s.min_charge:
            out.append("  " + _("minimum charge {amount}").format(amount=amount(s.min_charge, cur)))
        for z in s.zones:
            where = _("{zone} ({countries})").format(zone=z.id, countries=", ".join(z.countries))
            if not z.available:
                out.append("  " + _("zone {zone}: not served. {note}").format(zone=where, note=z.note).rstrip())
            elif z.gap:
                out.append("  " + _("zone {zone}: no price in source. {note}").format(zone=where, note=z.note).rstrip())
            if z.caveat:
                out.append("  " + _("check, zone {zone}: {text}").format(zone=z.id, text=z.caveat))
        header, rows = zone_table(s, cur)
        if rows:
            table = [header] + rows
            widths = [max(len(r[i]) for r in table) for i in range(len(header))]
            for r in table:
                out.append("  " + "  ".join(c.rjust(widths[i]) if i else c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())
    return "\n".join(out)


def tariff_html(t: Tariff) -> str:
    """HTML for Jupyter: one zones × weight-limits table per service, in the current language."""
    e = html.escape
    head = _("{tariff}: {carrier} from {origin}, {currency}, {period} ({kind}, {confidence})").format(
        tariff=f"<b>{e(t.name)}</b>", carrier=e(t.carrier), origin=e(t.origin), currency=e(t.currency),
        period=e(_period(t)), kind=e(_word(KIND_WORDS, t.source.kind)),
        confidence=e(_word(CONFIDENCE_WORDS, t.source.confidence)))
    out = [f"<p>{head}</p>"]
    for s in t.services:
        header, rows = zone_table(s, t.currency)
        line = _("{name} — tracked; {limits}") if s.tracked else _("{name} — untracked; {limits}")
        out.append(f"<p>{html.escape(line.format(name=s.shown_name, limits=_limits_text(s)))}</p>")
        if rows:
            out.append("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows]
            out.append("</table>")
    return "".join(out)


def tariff_set_html(ts: TariffSet) -> str:
    """HTML for Jupyter: one row per tariff, the version in force on ``ts.as_of``."""
    head = "".join(f"<th>{html.escape(_(h))}</th>" for h in (
        N_("name"), N_("carrier"), N_("origin"), N_("in force"), N_("valid until"), N_("versions"),
        N_("confidence")))
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in (
            r["name"], r["carrier"], r["origin"], day(r["valid_from"]) if r["in_force"] else _("none"),
            day(r["valid_until"]) if r["valid_until"] else "", r["versions"],
            _word(CONFIDENCE_WORDS, r["confidence"]))) + "</tr>"
        for r in ts.rows()
    )
    caption = html.escape(_("Tariffs as of {day}").format(day=day(ts.as_of)))
    return f"<p>{caption}</p><table><tr>{head}</tr>{rows}</table>"


def tariff_to_dict(t: Tariff) -> dict[str, object]:
    """The tariff as plain data (``returncost tariffs show --format json``); weights in g, sizes in cm."""

    def nums(a: np.ndarray) -> list[float | None]:
        return [None if math.isnan(x) else float(x) for x in a]

    def finite(x: float) -> float | None:
        return x if math.isfinite(x) else None

    return {
        "name": t.name, "carrier": t.carrier, "origin": t.origin, "currency": t.currency,
        "version": t.version,
        "valid_from": str(t.valid_from), "valid_until": str(t.valid_until) if t.valid_until else None,
        "source": {k: getattr(t.source, k) for k in ("url", "title", "kind", "confidence", "obtained", "notes")},
        "source_notes": str(t.notes_file) if t.notes_file else None,
        "rules": [{"id": r.id, "text": r.text, "text_ru": r.text_ru or None, "from": str(r.since), "note": r.note,
                   "addons": list(r.addons),
                   "services": list(r.services), "sources": [x.url for x in r.sources]} for r in t.rules],
        "services": [
            {
                "id": s.id, "name": s.name, "name_ru": s.name_ru or None, "tracked": s.tracked,
                "tracking_note": s.tracking_note, "note": s.note,
                "caveat": s.caveat,
                "limits": {
                    "max_weight_g": finite(s.limits.max_weight_g), "min_weight_g": s.limits.min_weight_g,
                    "max_length_cm": finite(s.limits.max_length_cm), "max_sum_cm": finite(s.limits.max_sum_cm),
                    "max_length_girth_cm": finite(s.limits.max_length_girth_cm),
                    "max_dims_cm": s.limits.max_dims_cm, "min_dims_cm": s.limits.min_dims_cm,
                },
                "volumetric": None if s.volumetric is None else {
                    "divisor_cm3_per_kg": s.volumetric.divisor_cm3_per_kg, "above_cm3": s.volumetric.above_cm3},
                "min_chargeable_g": s.min_chargeable_g, "min_charge": s.min_charge,
                "surcharges": [{"name": x.name, "fixed": x.fixed, "percent": x.percent, "over_g": x.over_g} for x in s.surcharges],
                "addons": [{"id": a.id, "name": a.name, "name_ru": a.name_ru or None, "fee": a.fee, "tracked": a.tracked}
                           for a in s.addons],
                "default_zone": s.default_zone,
                "zones": [
                    {"id": z.id, "countries": list(z.countries), "available": z.available, "gap": z.gap, "note": z.note,
                     "caveat": z.caveat,
                     "weight_limits_g": nums(z.limits_g), "base": nums(z.base), "rate": nums(z.rate),
                     "per_g": nums(z.per_g), "above_g": nums(z.above_g), "step_g": nums(z.step_g)}
                    for z in s.zones
                ],
            }
            for s in t.services
        ],
    }


def tariff_frame(t: Tariff):  # -> pandas.DataFrame
    """One row per price band: service, zone, countries, weight limit and price terms."""
    import pandas as pd

    rows = []
    for s in t.services:
        for z in s.zones:
            if not z.available or z.gap:
                rows.append({"service": s.id, "zone": z.id, "countries": " ".join(z.countries),
                             "tracked": s.tracked, "up_to_g": np.nan, "base": np.nan, "rate": np.nan,
                             "per_g": np.nan, "above_g": np.nan, "step_g": np.nan,
                             "note": "not served" if not z.available else "no price in source"})
                continue
            for i, lim in enumerate(z.limits_g):
                rows.append({"service": s.id, "zone": z.id, "countries": " ".join(z.countries),
                             "tracked": s.tracked, "up_to_g": float(lim), "base": float(z.base[i]),
                             "rate": float(z.rate[i]), "per_g": float(z.per_g[i]), "above_g": float(z.above_g[i]),
                             "step_g": float(z.step_g[i]), "note": "" if z.base[i] == z.base[i] else "no price in source"})
    return pd.DataFrame(rows)
